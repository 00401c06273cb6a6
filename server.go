package main

import (
	"context"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
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
	idle    *idleTracker
}

// serverOptions are how the server is built.
type serverOptions struct {
	creds          grpccredentials.TransportCredentials
	maxRecvMsgSize int
	// maxConcurrentCalls bounds the calls one connection (Crossplane keeps
	// one per function) runs at once; the client queues the rest. The work
	// is CPU-bound, so more at once only holds more requests in memory.
	maxConcurrentCalls uint32
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
	if o.maxConcurrentCalls > 0 {
		opts = append(opts, grpc.MaxConcurrentStreams(o.maxConcurrentCalls))
	}
	s := &server{health: health.NewServer(), idle: newIdleTracker()}
	var metrics *grpcprometheus.ServerMetrics
	interceptors := []grpc.UnaryServerInterceptor{s.idle.intercept}
	if o.metricsAddress != "" {
		metrics = grpcprometheus.NewServerMetrics()
		interceptors = append(interceptors, metrics.UnaryServerInterceptor())
		o.registry.MustRegister(metrics)
		s.metrics = &http.Server{
			Addr:              o.metricsAddress,
			Handler:           promhttp.HandlerFor(o.registry, promhttp.HandlerOpts{}),
			ReadHeaderTimeout: 30 * time.Second,
		}
	}
	s.grpc = grpc.NewServer(append(opts, grpc.ChainUnaryInterceptor(interceptors...))...)
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
	go s.idle.releaseMemoryWhenIdle(ctx, idleAfter)
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

// idleAfter is how long without a call the function waits before it gives
// the memory of its last calls back to the system.
const idleAfter = 5 * time.Second

// idleTracker knows whether calls are running and when the last one ended.
// Between Crossplane's polls (every 30 s to a minute per XR) the function is
// idle: Go would keep the heap of the last burst of calls until its next
// forced collection, minutes later, so the tracker returns it once idle.
type idleTracker struct {
	mu       sync.Mutex
	inFlight int
	last     time.Time
	released bool
}

func newIdleTracker() *idleTracker { return &idleTracker{last: time.Now()} }

// intercept counts a call while it runs.
func (t *idleTracker) intercept(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	t.mu.Lock()
	t.inFlight++
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		t.inFlight--
		t.last = time.Now()
		t.released = false
		t.mu.Unlock()
	}()
	return handler(ctx, req)
}

// releaseMemoryWhenIdle returns the heap to the system once after each burst
// of calls, when none has run for after.
func (t *idleTracker) releaseMemoryWhenIdle(ctx context.Context, after time.Duration) {
	tick := time.NewTicker(after / 5)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		t.mu.Lock()
		release := t.inFlight == 0 && !t.released && time.Since(t.last) >= after
		t.released = t.released || release
		t.mu.Unlock()
		if release {
			debug.FreeOSMemory()
		}
	}
}
