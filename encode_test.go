package main

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"
)

// TestEncodeStructAsNewStruct holds encodeStruct against structpb.NewStruct,
// which it stands in for: every Go type NewValue takes, and what it refuses.
func TestEncodeStructAsNewStruct(t *testing.T) {
	cases := map[string]map[string]any{
		"Empty":   {},
		"Scalars": {"s": "x", "t": true, "f": false, "n": nil, "f64": 1.5, "f32": float32(2.5), "bytes": []byte("hi")},
		"Integers": {"i": 1, "i8": int8(-2), "i16": int16(3), "i32": int32(-4), "i64": int64(1) << 40,
			"u": uint(5), "u8": uint8(6), "u16": uint16(7), "u32": uint32(8), "u64": uint64(9)},
		"Number":      {"n": json.Number("12.5")},
		"Nested":      {"a": map[string]any{"b": []any{map[string]any{"c": []any{}}, []any{"d", 1, nil}, map[string]any{}}}},
		"EmptyList":   {"l": []any{}},
		"BadNumber":   {"n": json.Number("twelve")},
		"BadUTF8":     {"s": string([]byte{0xff, 0xfe})},
		"BadUTF8Key":  {string([]byte{0xff}): "x"},
		"BadType":     {"s": []string{"a"}},
		"BadDeepType": {"a": []any{map[string]any{"b": map[string]string{}}}},
	}
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			want, wantErr := structpb.NewStruct(m)
			got, gotErr := encodeStruct(m)
			if (gotErr == nil) != (wantErr == nil) {
				t.Fatalf("error %v, structpb.NewStruct's %v", gotErr, wantErr)
			}
			if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
				t.Errorf("-NewStruct, +encodeStruct:\n%s", diff)
			}
		})
	}
}

// TestEncodedResourcesAsSDKs builds every variant's converged stack and
// encodes each desired resource both ways.
func TestEncodedResourcesAsSDKs(t *testing.T) {
	for _, variant := range slices.Sorted(maps.Keys(renderVariants)) {
		t.Run(variant, func(t *testing.T) {
			xr := withSpec(t, loadXR(t, exampleClaimXR), renderVariants[variant])
			p, _, _ := converge(t, xr)
			req := p.request(xr, nil)
			c, err := readCall(req)
			if err != nil {
				t.Fatal(err)
			}
			w := c.world(req, generateRandom)
			w.Walk().readiness(w, c.desired)
			for name, d := range c.desired {
				want, wantErr := structpb.NewStruct(d.Resource.Object)
				got, gotErr := encodeStruct(d.Resource.Object)
				if wantErr != nil || gotErr != nil {
					t.Fatalf("%s: %v, %v", name, wantErr, gotErr)
				}
				if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
					t.Errorf("%s: -NewStruct, +encodeStruct:\n%s", name, diff)
				}
			}
		})
	}
}
