//go:build e2e

package test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	"sigs.k8s.io/yaml"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// Bounds of the load test: what one function process must stand.
const (
	loadCalls       = 1000
	loadClients     = 64
	maxHighWaterMiB = 64
	maxIdleMiB      = 30
)

// TestLoad runs the real binary on loopback and makes 1,000 full-stack calls
// from 64 goroutines over one connection, as Crossplane does with many XRs:
// no error, every response identical to the sequential one, the resident
// memory's high-water mark and the private memory it holds once idle within
// bounds (reported, with the rest of the resident set). Then
// it sends SIGTERM with calls in flight: they complete, and the process
// exits 0.
func TestLoad(t *testing.T) {
	bin := buildFunction(t)
	addr := freeAddr(t)
	var log bytes.Buffer
	fn := exec.Command(bin, "--insecure", "--address="+addr, "--metrics-address=")
	fn.Stdout, fn.Stderr = &log, &log
	if err := fn.Start(); err != nil {
		t.Fatalf("step: start the function: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- fn.Wait() }()
	t.Cleanup(func() {
		_ = fn.Process.Kill()
		if t.Failed() {
			t.Logf("function log:\n%s", log.String())
		}
	})

	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	waitServing(t, conn)
	client := fnv1.NewFunctionRunnerServiceClient(conn)
	req := fullStackRequest(t)
	t.Logf("a full-stack request is %d bytes (the default limit is %d)", proto.Size(req), 4<<20)

	first, err := client.RunFunction(context.Background(), req)
	if err != nil {
		t.Fatalf("step: the sequential call: %v", err)
	}
	want := marshalDeterministic(t, first)

	var next, failures, mismatches atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range loadClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= loadCalls {
				rsp, err := client.RunFunction(context.Background(), req)
				switch {
				case err != nil:
					failures.Add(1)
					t.Errorf("a call failed: %v", err)
				case !bytes.Equal(marshalDeterministic(t, rsp), want):
					mismatches.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	highWater := procStatusKiB(t, fn.Process.Pid, "VmHWM")
	if failures.Load() > 0 || mismatches.Load() > 0 {
		t.Errorf("%d of %d calls failed and %d answered differently from the sequential call", failures.Load(), loadCalls, mismatches.Load())
	}

	// Idle: the function gives the memory of the burst back. What it holds
	// itself is its private (anonymous) memory; the rest of its resident
	// set is pages of the binary, clean and shared, most of them mapped by
	// the SDK's Kubernetes packages at start (a program that only imports
	// the SDK is resident at about 27 MiB, 22 of them file pages).
	var idleAnon int64
	time.Sleep(7 * time.Second) // the function releases memory after 5 s idle
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		idleAnon = procStatusKiB(t, fn.Process.Pid, "RssAnon")
		if idleAnon <= maxIdleMiB*1024 || time.Now().After(deadline) {
			break
		}
	}
	idle, idleFile := procStatusKiB(t, fn.Process.Pid, "VmRSS"), procStatusKiB(t, fn.Process.Pid, "RssFile")
	mib := func(kib int64) float64 { return float64(kib) / 1024 }
	t.Logf("%d calls from %d goroutines in %v (%.1f calls/s); resident memory: high-water %.1f MiB (bound %d); idle %.1f MiB, of which private %.1f MiB (bound %d) and pages of the binary %.1f MiB",
		loadCalls, loadClients, elapsed.Round(time.Millisecond), float64(loadCalls)/elapsed.Seconds(), mib(highWater), maxHighWaterMiB, mib(idle), mib(idleAnon), maxIdleMiB, mib(idleFile))
	if highWater > maxHighWaterMiB*1024 {
		t.Errorf("resident memory high-water %.1f MiB is over %d MiB", mib(highWater), maxHighWaterMiB)
	}
	if idleAnon > maxIdleMiB*1024 {
		t.Errorf("idle private resident memory %.1f MiB is over %d MiB", mib(idleAnon), maxIdleMiB)
	}

	// SIGTERM with calls in flight: each finishes (or, not yet accepted, is
	// refused as Unavailable), and the process exits 0.
	var completed, refused, completedAfter atomic.Int64
	var sent atomic.Bool
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				_, err := client.RunFunction(ctx, req)
				switch status.Code(err) {
				case codes.OK:
					completed.Add(1)
					if sent.Load() {
						completedAfter.Add(1)
					}
				case codes.Unavailable, codes.Canceled:
					refused.Add(1)
					return
				default:
					t.Errorf("a call during the stop: %v", err)
					return
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	sent.Store(true)
	if err := fn.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("after SIGTERM the function exited with %v, want 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the function did not exit within 30 s of SIGTERM")
	}
	cancel()
	wg.Wait()
	t.Logf("stop: %d calls completed (%d of them after SIGTERM), %d refused", completed.Load(), completedAfter.Load(), refused.Load())
	if completedAfter.Load() == 0 {
		t.Error("no call in flight completed after SIGTERM")
	}
	if !strings.Contains(log.String(), "Stopping") {
		t.Errorf("the function did not say it was stopping:\n%s", log.String())
	}
}

// waitServing waits until the function's health service says SERVING.
func waitServing(t *testing.T, conn *grpc.ClientConn) {
	t.Helper()
	h := healthgrpc.NewHealthClient(conn)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		rsp, err := h.Check(context.Background(), &healthgrpc.HealthCheckRequest{})
		if err == nil && rsp.GetStatus() == healthgrpc.HealthCheckResponse_SERVING {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("step: the function's health is not SERVING within 20 s: %v %v", rsp.GetStatus(), err)
		}
	}
}

// fullStackRequest is what Crossplane sends for the example claim's XR once
// everything is Ready: the XR and every composed resource of the all-ready
// stage, from a Crossplane v2.2 core.
func fullStackRequest(t *testing.T) *fnv1.RunFunctionRequest {
	t.Helper()
	xr := structOfFile(t, filepath.Join(repoRoot, "example", "xr.yaml"))
	files, _ := filepath.Glob(filepath.Join(repoRoot, "example", "observed", "5-all-ready", "*.yaml"))
	observed := map[string]*fnv1.Resource{}
	for _, f := range files {
		observed[strings.TrimSuffix(filepath.Base(f), ".yaml")] = &fnv1.Resource{Resource: structOfFile(t, f)}
	}
	return &fnv1.RunFunctionRequest{
		Meta:     &fnv1.RequestMeta{Tag: "load", Capabilities: []fnv1.Capability{fnv1.Capability_CAPABILITY_CAPABILITIES, fnv1.Capability_CAPABILITY_CONDITIONS}},
		Observed: &fnv1.State{Composite: &fnv1.Resource{Resource: xr}, Resources: observed},
		Desired:  &fnv1.State{},
	}
}

func structOfFile(t *testing.T, path string) *structpb.Struct {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	s := &structpb.Struct{}
	if err := s.UnmarshalJSON(j); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

func marshalDeterministic(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		t.Error(err)
	}
	return b
}

// procStatusKiB reads a memory figure (kB) of a process from /proc.
func procStatusKiB(t *testing.T, pid int, field string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// freeAddr is a free loopback address.
func freeAddr(t *testing.T) string {
	t.Helper()
	return "127.0.0.1:" + strconv.Itoa(freePort(t))
}
