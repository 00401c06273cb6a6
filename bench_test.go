package main

import (
	"context"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// fullRequest is a request with every resource observed Ready: the largest
// steady-state call Crossplane makes, once a minute per XR.
func fullRequest(b *testing.B) (*fnv1.RunFunctionRequest, *fnv1.RunFunctionResponse) {
	b.Helper()
	p := newFakeProvider()
	for n, r := range allReadyState(b) {
		p.observed[n] = resourceOf(r)
	}
	req := p.request(loadXR(b, exampleClaimXR), nil)
	return req, run(b, req)
}

// BenchmarkRunFunction measures one call with everything observed, starting
// from the wire bytes as the gRPC server does: decode, run, encode.
func BenchmarkRunFunction(b *testing.B) {
	f := NewFunction(logging.NewNopLogger())
	benchmarkWire(b, func(req *fnv1.RunFunctionRequest, _ *fnv1.RunFunctionResponse) *fnv1.RunFunctionResponse {
		rsp, err := f.RunFunction(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		return rsp
	})
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
