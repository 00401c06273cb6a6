package main

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/crossplane/function-sdk-go"
	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// blockingFunction answers a call only once the test releases it, so the
// test can stop the server with the call in flight.
type blockingFunction struct {
	fnv1.UnimplementedFunctionRunnerServiceServer
	started, release chan struct{}
}

func (f *blockingFunction) RunFunction(context.Context, *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	f.started <- struct{}{}
	<-f.release
	return &fnv1.RunFunctionResponse{Meta: &fnv1.ResponseMeta{Tag: "done"}}, nil
}

// startServer serves fn on a loopback port until the returned stop is called
// (as SIGTERM does), and returns a client connection and serve's result.
func startServer(t *testing.T, fn fnv1.FunctionRunnerServiceServer, maxRecv int, grace time.Duration) (*grpc.ClientConn, context.CancelFunc, <-chan error) {
	t.Helper()
	lis, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(fn, serverOptions{creds: insecure.NewCredentials(), maxRecvMsgSize: maxRecv})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.serve(ctx, lis, grace, logging.NewNopLogger()) }()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(64<<20), grpc.MaxCallRecvMsgSize(64<<20)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop(); _ = conn.Close() })
	return conn, stop, done
}

func healthOf(t *testing.T, conn *grpc.ClientConn) healthgrpc.HealthCheckResponse_ServingStatus {
	t.Helper()
	rsp, err := healthgrpc.NewHealthClient(conn).Check(context.Background(), &healthgrpc.HealthCheckRequest{})
	if err != nil {
		t.Fatalf("health check: %v", err)
	}
	return rsp.GetStatus()
}

// TestGracefulStop stops the server (as SIGTERM does) with a call in
// flight: health turns NOT_SERVING, the call completes, and serve returns.
func TestGracefulStop(t *testing.T) {
	fn := &blockingFunction{started: make(chan struct{}), release: make(chan struct{})}
	conn, stop, done := startServer(t, fn, 4<<20, time.Minute)
	if got := healthOf(t, conn); got != healthgrpc.HealthCheckResponse_SERVING {
		t.Fatalf("health while serving = %v, want SERVING", got)
	}

	answered := make(chan error, 1)
	go func() {
		rsp, err := fnv1.NewFunctionRunnerServiceClient(conn).RunFunction(context.Background(), &fnv1.RunFunctionRequest{})
		if err == nil && rsp.GetMeta().GetTag() != "done" {
			err = status.Error(codes.Internal, "unexpected response")
		}
		answered <- err
	}()
	<-fn.started
	stop()

	// Stopping waits for the call: health says so meanwhile.
	deadline := time.Now().Add(10 * time.Second)
	for healthOf(t, conn) != healthgrpc.HealthCheckResponse_NOT_SERVING {
		if time.Now().After(deadline) {
			t.Fatal("health still SERVING while stopping")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("serve returned (%v) with a call in flight", err)
	case <-time.After(100 * time.Millisecond):
	}

	close(fn.release)
	if err := <-answered; err != nil {
		t.Errorf("the call in flight failed: %v", err)
	}
	if err := <-done; err != nil {
		t.Errorf("serve after a graceful stop = %v, want nil", err)
	}
}

// TestStopCutsCallsAfterTheGrace checks that a call that never ends does not
// keep the function from stopping.
func TestStopCutsCallsAfterTheGrace(t *testing.T) {
	fn := &blockingFunction{started: make(chan struct{}), release: make(chan struct{})}
	defer close(fn.release)
	conn, stop, done := startServer(t, fn, 4<<20, 200*time.Millisecond)
	go func() {
		_, _ = fnv1.NewFunctionRunnerServiceClient(conn).RunFunction(context.Background(), &fnv1.RunFunctionRequest{})
	}()
	<-fn.started
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return after the grace period")
	}
}

// TestRequestOverTheLimit sends a request larger than the server's limit: a
// clear ResourceExhausted naming the limit, and the server keeps serving.
func TestRequestOverTheLimit(t *testing.T) {
	const limit = function.DefaultMaxRecvMsgSize // 4 MiB, as --max-recv-message-size=4
	conn, _, _ := startServer(t, newTestFunction(logging.NewNopLogger()), limit, time.Second)
	client := fnv1.NewFunctionRunnerServiceClient(conn)

	big := newFakeProvider().request(loadXR(t, exampleClaimXR), nil)
	big.Observed.Composite.Resource.Fields["padding"] = structpb.NewStringValue(strings.Repeat("x", 2*limit))
	_, err := client.RunFunction(context.Background(), big)
	if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "4194304") {
		t.Errorf("a request over the limit: %v; want ResourceExhausted naming the limit (4194304 bytes)", err)
	}

	// The full stack fits well within the default limit.
	full := fullStackRequest(t)
	size := proto.Size(full)
	t.Logf("a full-stack request (every resource observed) is %d bytes, %.0f %% of the default 4 MiB limit", size, 100*float64(size)/float64(4<<20))
	if size > limit/4 {
		t.Errorf("a full-stack request takes %d of the %d bytes Crossplane may send: too close to the limit", size, limit)
	}
	if _, err := client.RunFunction(context.Background(), full); err != nil {
		t.Errorf("a call after the refused one: %v", err)
	}
}
