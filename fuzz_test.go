package main

import (
	"encoding/json"
	"sort"
	"testing"

	"google.golang.org/protobuf/types/known/structpb"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// FuzzRunFunction feeds the function arbitrary specs and observed states:
// whatever Crossplane and the provider send, it must answer, never panic.
// go test runs its seed corpus (testdata/fuzz/FuzzRunFunction); hack/test.sh
// fuzzes 15 s; run longer with go test -run '^$' -fuzz FuzzRunFunction
// -fuzztime 10m . (new failures land in testdata/fuzz: commit them).
//
// Inputs are kept small, which Go's fuzzer needs to mutate quickly: the spec
// is the example's with fuzzed values for its key fields and a fuzzed JSON
// patch on top; the observed state is the example's fully observed state,
// shaped per resource by one byte of mask (present, Ready, atProvider or a
// Secret's data replaced by the garbage JSON, labels dropped), which reaches
// every partial state.
func FuzzRunFunction(f *testing.F) {
	base := loadXR(f, exampleClaimXR).AsMap()["spec"].(map[string]any)
	full := allReadyState(f)
	names := make([]string, 0, len(full))
	for n := range full {
		names = append(names, n)
	}
	sort.Strings(names)

	// The seed corpus is in testdata/fuzz/FuzzRunFunction: the front door,
	// the full stack Ready and flapping, the runtime's options good and bad,
	// garbage where endpoints and ARNs belong.
	f.Fuzz(func(t *testing.T, region, host, cidr, mfa string, cognito bool, replicas int64, patch string, mask []byte, garbage string, namespaced bool) {
		spec := map[string]any{}
		b, _ := json.Marshal(base)
		_ = json.Unmarshal(b, &spec)
		spec["region"] = region
		spec["domain"].(map[string]any)["hostName"] = host
		spec["network"].(map[string]any)["allowedCidrs"] = []any{cidr}
		spec["auth"] = map[string]any{"cognito": map[string]any{"enabled": cognito, "mfa": mfa}}
		spec["langfuse"] = map[string]any{"web": map[string]any{"replicas": replicas}}
		var p map[string]any
		if json.Unmarshal([]byte(patch), &p) == nil {
			for k, v := range p {
				spec[k] = v
			}
		}
		meta := map[string]any{"name": "x"}
		if namespaced {
			meta["namespace"] = "ns"
		}
		xr, err := structpb.NewStruct(map[string]any{"apiVersion": "aws.platform.crossplane.io/v1alpha1", "kind": "XLangfuse", "metadata": meta, "spec": spec})
		if err != nil {
			t.Skip("not an object protobuf can hold")
		}

		var junk any = garbage
		_ = json.Unmarshal([]byte(garbage), &junk)
		obs := map[string]*fnv1.Resource{}
		for i, n := range names {
			if len(mask) == 0 {
				break
			}
			bits := mask[i%len(mask)]
			if bits&1 == 0 {
				continue
			}
			r := full[n].AsMap()
			if st, ok := r["status"].(map[string]any); ok {
				st["conditions"] = []any{readyCondition(bits&2 != 0)}
				if bits&4 != 0 {
					st["atProvider"] = junk
				}
			} else if bits&4 != 0 {
				// A Kubernetes Secret: its data replaced by the garbage.
				r["data"] = map[string]any{credentialsKey: junk}
			}
			if bits&8 != 0 {
				delete(r["metadata"].(map[string]any), "labels")
			}
			if o, err := structpb.NewStruct(r); err == nil {
				obs[n] = &fnv1.Resource{Resource: o}
			}
		}

		rsp := run(t, &fnv1.RunFunctionRequest{Observed: &fnv1.State{Composite: &fnv1.Resource{Resource: xr}, Resources: obs}})
		if rsp.GetMeta().GetTtl() == nil {
			t.Fatal("a response without a TTL")
		}
		if fatal(rsp) == "" && len(rsp.GetDesired().GetResources()) == 0 {
			t.Error("a spec that passed validation composed nothing")
		}
	})
}
