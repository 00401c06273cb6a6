package main

import (
	"context"
	"net"
	"net/http"
	"time"

	grpcprometheus "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	grpccredentials "google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"github.com/crossplane/function-sdk-go"
	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	fnv1beta1 "github.com/crossplane/function-sdk-go/proto/v1beta1"
)

// The gRPC server. It is the SDK's (function.Serve: the same server options,
// reflection, the v1 and v1beta1 services, the Prometheus metrics) with what
// a function that runs for years behind a Deployment needs besides: a health
// service that answers SERVING while it serves, and a graceful stop. The
// SDK's server serves until the process dies, so a SIGTERM (every rolling
// update of the function) would cut the calls in flight.

// server is the function's gRPC server and what it serves besides.
type server struct {
	grpc    *grpc.Server
	health  *health.Server
	metrics *http.Server
}

// serverOptions are how the server is built.
type serverOptions struct {
	creds          grpccredentials.TransportCredentials
	maxRecvMsgSize int
	// metricsAddress, when set, serves Prometheus metrics of the calls.
	metricsAddress string
	registry       *prometheus.Registry
}

// transportCredentials are the SDK's: mTLS from dir, or none when insecure.
func transportCredentials(dir string, insecure bool) (grpccredentials.TransportCredentials, error) {
	so := &function.ServeOptions{}
	for _, o := range []function.ServeOption{function.MTLSCertificates(dir), function.Insecure(insecure)} {
		if err := o(so); err != nil {
			return nil, errors.Wrap(err, "cannot load the server's credentials")
		}
	}
	if so.Credentials == nil {
		return nil, errors.New("no credentials: give --tls-certs-dir (or TLS_SERVER_CERTS_DIR), or --insecure")
	}
	return so.Credentials, nil
}

// newServer builds the server of fn.
func newServer(fn fnv1.FunctionRunnerServiceServer, o serverOptions) *server {
	opts := []grpc.ServerOption{grpc.MaxRecvMsgSize(o.maxRecvMsgSize), grpc.Creds(o.creds)}
	s := &server{health: health.NewServer()}
	var metrics *grpcprometheus.ServerMetrics
	if o.metricsAddress != "" {
		metrics = grpcprometheus.NewServerMetrics()
		opts = append(opts, grpc.ChainUnaryInterceptor(metrics.UnaryServerInterceptor()))
		o.registry.MustRegister(metrics)
		s.metrics = &http.Server{
			Addr:              o.metricsAddress,
			Handler:           promhttp.HandlerFor(o.registry, promhttp.HandlerOpts{}),
			ReadHeaderTimeout: 30 * time.Second,
		}
	}
	s.grpc = grpc.NewServer(opts...)
	reflection.Register(s.grpc)
	fnv1.RegisterFunctionRunnerServiceServer(s.grpc, fn)
	fnv1beta1.RegisterFunctionRunnerServiceServer(s.grpc, function.ServeBeta(fn))
	healthgrpc.RegisterHealthServer(s.grpc, s.health)
	if metrics != nil {
		metrics.InitializeMetrics(s.grpc)
	}
	return s
}

// serve answers calls on lis until ctx is done, then stops: it answers
// NOT_SERVING to health checks, accepts no new call, and lets the calls in
// flight finish for up to grace before it cuts them. It returns nil after a
// stop, whichever way.
func (s *server) serve(ctx context.Context, lis net.Listener, grace time.Duration, log logging.Logger) error {
	if s.metrics != nil {
		go func() {
			if err := s.metrics.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Info("The metrics server stopped", "error", err)
			}
		}()
	}
	s.health.SetServingStatus("", healthgrpc.HealthCheckResponse_SERVING)
	served := make(chan error, 1)
	go func() { served <- s.grpc.Serve(lis) }()

	select {
	case err := <-served:
		return errors.Wrap(err, "cannot serve gRPC")
	case <-ctx.Done():
	}
	log.Info("Stopping: finishing the calls in flight", "grace", grace.String())
	s.health.Shutdown()
	stopped := make(chan struct{})
	go func() {
		s.grpc.GracefulStop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(grace):
		log.Info("The grace period is over: cutting the calls still in flight")
		s.grpc.Stop()
	}
	if s.metrics != nil {
		_ = s.metrics.Close()
	}
	return nil
}
