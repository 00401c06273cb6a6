// Package main implements function-langfuse, a Crossplane composition
// function that composes a production Langfuse on AWS: its front door, data
// stores and ECS services.
package main

import (
	"context"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/alecthomas/kong"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/crossplane/function-sdk-go"
	"github.com/crossplane/function-sdk-go/errors"
)

// CLI of this Function.
type CLI struct {
	Debug bool `help:"Emit debug logs in addition to info logs." short:"d"`

	Network            string `default:"tcp"   help:"Network on which to listen for gRPC connections."`
	Address            string `default:":9443" help:"Address at which to listen for gRPC connections."`
	TLSCertsDir        string `env:"TLS_SERVER_CERTS_DIR" help:"Directory containing server certs (tls.key, tls.crt) and the CA used to verify client certificates (ca.crt)"`
	Insecure           bool   `help:"Run without mTLS credentials. If you supply this flag --tls-certs-dir will be ignored."`
	MaxRecvMessageSize int    `default:"4"     help:"Maximum size of received messages in MB."`
	MetricsAddress     string `default:":8080" help:"Address of the Prometheus metrics server. Empty turns it off (two functions on one host would clash on :8080)."`
	// Kubernetes waits terminationGracePeriodSeconds (30 s by default) after
	// SIGTERM before it kills the pod: stop within that.
	ShutdownGrace time.Duration `default:"25s" help:"How long calls in flight may take to finish after SIGTERM before they are cut."`
	// Crossplane keeps one connection to a function; the work of a call is
	// CPU-bound, so a few calls at once keep every core busy, and more only
	// hold more requests in memory.
	MaxConcurrentCalls uint32 `default:"4" help:"How many calls run at once on one connection; the client queues the rest."`
	// Go's heap grows to twice what is live before it collects; a soft
	// limit keeps a burst of calls from doubling the pod's memory.
	MemoryLimitMiB int64 `default:"24" help:"Soft limit of the Go runtime's memory in MiB (GOMEMLIMIT, when set, wins); 0 turns it off."`
	// An XR's last answer holds about half a MiB (README's Performance).
	MemoXRs int `default:"16" help:"How many XRs' last answers to keep, answering a call from memory when nothing the function reads has changed; 0 keeps none."`
}

// Run this Function until SIGTERM or SIGINT, then stop gracefully.
func (c *CLI) Run() error {
	log, err := function.NewLogger(c.Debug)
	if err != nil {
		return err
	}
	if os.Getenv("GOMEMLIMIT") == "" && c.MemoryLimitMiB > 0 {
		debug.SetMemoryLimit(c.MemoryLimitMiB << 20)
	}
	creds, err := transportCredentials(c.TLSCertsDir, c.Insecure)
	if err != nil {
		return err
	}
	lis, err := (&net.ListenConfig{}).Listen(context.Background(), c.Network, c.Address)
	if err != nil {
		return errors.Wrapf(err, "cannot listen for %s connections at address %q", c.Network, c.Address)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	srv := newServer(NewFunction(log, c.MemoXRs), serverOptions{
		creds:              creds,
		maxRecvMsgSize:     c.MaxRecvMessageSize * 1024 * 1024,
		maxConcurrentCalls: c.MaxConcurrentCalls,
		metricsAddress:     c.MetricsAddress,
		// The default registry, as the SDK uses, with the Go and process collectors.
		registry: prometheus.DefaultRegisterer.(*prometheus.Registry), //nolint:forcetypeassert // it always is one
	})
	return srv.serve(ctx, lis, c.ShutdownGrace, log)
}

func main() {
	ctx := kong.Parse(&CLI{}, kong.Description("A Crossplane composition function that composes Langfuse on AWS."))
	ctx.FatalIfErrorf(ctx.Run())
}
