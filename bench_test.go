package main

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/crossplane/function-sdk-go"
	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// fullRequest is a request with every resource observed Ready: the largest
// steady-state call Crossplane makes, once a minute per XR.
func fullRequest(b *testing.B) (*fnv1.RunFunctionRequest, *fnv1.RunFunctionResponse) {
	b.Helper()
	req := fullStackRequest(b)
	return req, run(b, req)
}

// fullStackRequest is the request of the example claim's XR with every
// resource observed Ready.
func fullStackRequest(t testing.TB) *fnv1.RunFunctionRequest {
	t.Helper()
	p := newFakeProvider()
	for n, r := range allReadyState(t) {
		p.observed[n] = resourceOf(r)
	}
	return p.request(loadXR(t, exampleClaimXR), nil)
}

// BenchmarkRunFunction measures one call with everything observed, starting
// from the wire bytes as the gRPC server does: decode, run, encode.
func BenchmarkRunFunction(b *testing.B) {
	f := NewFunction(logging.NewNopLogger(), defaultMemoXRs)
	benchmarkWire(b, func(req *fnv1.RunFunctionRequest, _ *fnv1.RunFunctionResponse) *fnv1.RunFunctionResponse {
		rsp, err := f.RunFunction(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		return rsp
	})
}

// BenchmarkRunFunctionDecoded measures the function's own work alone: one
// call on a request already decoded, whose answer is not encoded to bytes
// (the desired resources are encoded into their protobuf Structs, which is
// the function's work). Composing is every call's work with no memo, as the
// first call for an XR and any call after a change; from memory is a call in
// which nothing changed since the last (memo.go). Profile it with
// -cpuprofile to see where it goes.
func BenchmarkRunFunctionDecoded(b *testing.B) {
	for _, tc := range []struct {
		name    string
		memoXRs int
	}{{"composing", 0}, {"from-memory", defaultMemoXRs}} {
		b.Run(tc.name, func(b *testing.B) {
			req, _ := fullRequest(b)
			f := NewFunction(logging.NewNopLogger(), tc.memoXRs)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				// The response shares the request's desired state, as
				// Crossplane's pipeline passes it on; each call gets its own.
				req.Desired = &fnv1.State{}
				if _, err := f.RunFunction(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMemoRetained reports the heap the memo holds per XR: the last
// answer of a full stack and what it was computed from.
func BenchmarkMemoRetained(b *testing.B) {
	req := fullStackRequest(b)
	xrs := defaultMemoXRs
	for b.Loop() {
		f := NewFunction(logging.NewNopLogger(), xrs)
		f.generate = fakeGenerate
		reqs := make([]*fnv1.RunFunctionRequest, xrs)
		for i := range reqs {
			reqs[i] = proto.Clone(req).(*fnv1.RunFunctionRequest)
			reqs[i].Observed.Composite.Resource.Fields["metadata"].GetStructValue().Fields["name"] = structpb.NewStringValue(fmt.Sprintf("langfuse-%03d", i))
		}
		before := heapInUse()
		for _, r := range reqs {
			// What the call was given stays the caller's: only what the
			// memo keeps is counted.
			if _, err := f.RunFunction(context.Background(), proto.Clone(r).(*fnv1.RunFunctionRequest)); err != nil {
				b.Fatal(err)
			}
		}
		after := heapInUse()
		runtime.KeepAlive(f)
		runtime.KeepAlive(reqs)
		b.ReportMetric(float64(after-before)/float64(xrs)/1024, "KiB/XR")
	}
}

// heapInUse is the live heap after a collection.
func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// BenchmarkProtobufFloor is the floor under BenchmarkRunFunction: decoding the
// same request and encoding the same response, with no function in between.
func BenchmarkProtobufFloor(b *testing.B) {
	benchmarkWire(b, func(_ *fnv1.RunFunctionRequest, rsp *fnv1.RunFunctionResponse) *fnv1.RunFunctionResponse {
		return rsp
	})
}

// benchmarkWire decodes the full request from its wire bytes, answers it with
// answer (given the request and the response the function gives it) and
// encodes the answer, b.N times.
func benchmarkWire(b *testing.B, answer func(*fnv1.RunFunctionRequest, *fnv1.RunFunctionResponse) *fnv1.RunFunctionResponse) {
	b.Helper()
	req, rsp := fullRequest(b)
	in, err := proto.Marshal(req)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := &fnv1.RunFunctionRequest{}
		if err := proto.Unmarshal(in, r); err != nil {
			b.Fatal(err)
		}
		if _, err := proto.Marshal(answer(r, rsp)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunFunctionGRPC measures what Crossplane waits for: one
// RunFunction over gRPC (the function's own server, on an in-memory
// connection) with every resource observed Ready. The floor, measured in the
// same run, is the protobuf work of the exchange on both sides: encoding the
// request and decoding it, encoding the response and decoding it. It reports
// ns/op and allocs/op of the call, the floor's beside them, and their ratio.
func BenchmarkRunFunctionGRPC(b *testing.B) {
	req, rsp := fullRequest(b)
	// At steady state: nothing changed since the last call (memo.go).
	b.Run("function-langfuse", func(b *testing.B) {
		benchmarkGRPC(b, NewFunction(logging.NewNopLogger(), defaultMemoXRs), req, rsp)
	})
	// Composing every call, as the first call for an XR and any call after
	// a change do.
	b.Run("function-langfuse-composing", func(b *testing.B) {
		benchmarkGRPC(b, NewFunction(logging.NewNopLogger(), 0), req, rsp)
	})
	// No logic at all, answering the same response: what gRPC itself costs
	// beyond the floor.
	b.Run("no-logic", func(b *testing.B) {
		benchmarkGRPC(b, cannedFunction{rsp: rsp}, req, rsp)
	})
}

// cannedFunction answers every call with the same response.
type cannedFunction struct {
	fnv1.UnimplementedFunctionRunnerServiceServer
	rsp *fnv1.RunFunctionResponse
}

func (f cannedFunction) RunFunction(context.Context, *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	return f.rsp, nil
}

// benchmarkGRPC times, call by call, one floor of the exchange and one
// gRPC call, interleaved so that both meet the same heap and the same
// machine (a 2-core machine's timings drift between runs of a minute).
func benchmarkGRPC(b *testing.B, fn fnv1.FunctionRunnerServiceServer, req *fnv1.RunFunctionRequest, rsp *fnv1.RunFunctionResponse) {
	client := bufconnClient(b, fn)
	floor := func() {
		in, _ := proto.Marshal(req)
		_ = proto.Unmarshal(in, &fnv1.RunFunctionRequest{})
		out, _ := proto.Marshal(rsp)
		_ = proto.Unmarshal(out, &fnv1.RunFunctionResponse{})
	}
	var floorCost, callCost cost
	b.ResetTimer()
	for b.Loop() {
		floorCost.add(measure(floor))
		callCost.add(measure(func() {
			if _, err := client.RunFunction(context.Background(), req); err != nil {
				b.Fatal(err)
			}
		}))
	}
	n := int64(b.N)
	b.ReportMetric(float64(callCost.ns/n), "call-ns/op")
	b.ReportMetric(float64(callCost.allocs/n), "call-allocs/op")
	b.ReportMetric(float64(floorCost.ns/n), "floor-ns/op")
	b.ReportMetric(float64(floorCost.allocs/n), "floor-allocs/op")
	b.ReportMetric(float64(callCost.ns)/float64(floorCost.ns), "x-floor")
}

// cost is what measured work took: nanoseconds and heap allocations.
type cost struct{ ns, allocs int64 }

func (c *cost) add(o cost) { c.ns += o.ns; c.allocs += o.allocs }

// measure runs fn once and returns its cost. Reading the allocation count
// stops the world, so it happens outside the timed part.
func measure(fn func()) cost {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	fn()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	return cost{ns: elapsed.Nanoseconds(), allocs: int64(after.Mallocs - before.Mallocs)}
}

// bufconnClient serves fn with the function's own server on an in-memory
// listener and returns a client of it.
func bufconnClient(b *testing.B, fn fnv1.FunctionRunnerServiceServer) fnv1.FunctionRunnerServiceClient {
	b.Helper()
	lis := bufconn.Listen(8 << 20)
	srv := newServer(fn, serverOptions{creds: insecure.NewCredentials(), maxRecvMsgSize: function.DefaultMaxRecvMsgSize})
	ctx, stop := context.WithCancel(context.Background())
	go func() { _ = srv.serve(ctx, lis, time.Second, logging.NewNopLogger()) }()
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = conn.Close(); stop() })
	return fnv1.NewFunctionRunnerServiceClient(conn)
}

// BenchmarkScale shows how the cost grows: a sequence of calls for 1, 10 and
// 100 XRs (each fully observed, as a steady-state poll of that many claims
// is), and a larger stack (30 allowed CIDRs: 58 resources more). It reports
// the cost per call and per composed resource, which stay flat when nothing
// grows faster than the resources do.
func BenchmarkScale(b *testing.B) {
	for _, tc := range []struct {
		name    string
		xrs     int
		cidrs   int
		memoXRs int
	}{
		// Composing every call: the memo keeps nothing.
		{"composing/xrs=1", 1, 1, 0}, {"composing/xrs=10", 10, 1, 0}, {"composing/xrs=100", 100, 1, 0}, {"composing/xrs=1/cidrs=30", 1, 30, 0},
		// With the default memo, at steady state: more XRs than it keeps
		// are each composed again.
		{"memo/xrs=1", 1, 1, defaultMemoXRs}, {"memo/xrs=10", 10, 1, defaultMemoXRs}, {"memo/xrs=100", 100, 1, defaultMemoXRs}, {"memo/xrs=1/cidrs=30", 1, 30, defaultMemoXRs},
	} {
		b.Run(tc.name, func(b *testing.B) {
			f := NewFunction(logging.NewNopLogger(), tc.memoXRs)
			wires, resources := scaleRequests(b, tc.xrs, tc.cidrs)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				for _, in := range wires {
					req := &fnv1.RunFunctionRequest{}
					if err := proto.Unmarshal(in, req); err != nil {
						b.Fatal(err)
					}
					rsp, err := f.RunFunction(context.Background(), req)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := proto.Marshal(rsp); err != nil {
						b.Fatal(err)
					}
				}
			}
			perCall := float64(b.Elapsed().Nanoseconds()) / float64(b.N*tc.xrs)
			b.ReportMetric(perCall, "ns/call")
			b.ReportMetric(perCall/float64(resources), "ns/resource")
			b.ReportMetric(float64(resources), "resources")
		})
	}
}

// scaleRequests are the wire bytes of fully observed requests of n distinct
// XRs, with cidrs allowed CIDRs each, and how many resources each composes.
func scaleRequests(b *testing.B, n, cidrs int) ([][]byte, int) {
	b.Helper()
	list := make([]any, 0, cidrs)
	for i := range cidrs {
		list = append(list, fmt.Sprintf("10.%d.0.0/16", i))
	}
	xr := withSpec(b, loadXR(b, exampleClaimXR), map[string]any{"spec.network.allowedCidrs": list})
	p, _, _ := convergeOn(b, xr, false)
	out := make([][]byte, 0, n)
	resources := 0
	for i := range n {
		m := xr.AsMap()
		meta := m["metadata"].(map[string]any)
		meta["name"] = fmt.Sprintf("langfuse-%03d", i)
		meta["uid"] = fmt.Sprintf("00000000-0000-0000-0000-%012d", i)
		req := p.request(mustStruct(b, m), nil)
		in, err := proto.Marshal(req)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, in)
		resources = len(req.GetObserved().GetResources())
	}
	return out, resources
}
