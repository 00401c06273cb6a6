package main

import (
	"bytes"
	"context"
	"os"
	"sort"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/crossplane-contrib/function-langfuse/internal/fakeaws"
)

// This file plays provider-aws for the tests: it turns what the function
// emitted into observed resources that are Ready and report the status values
// AWS would, so tests can drive the function wave by wave.

const (
	exampleClaimXR      = "example/xr.yaml"
	exampleNamespacedXR = "example/namespaced/xr.yaml"
)

// loadXR reads an example XR as a protobuf struct.
func loadXR(t testing.TB, path string) *structpb.Struct {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("cannot read %s: %v", path, err)
	}
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		t.Fatalf("cannot convert %s to JSON: %v", path, err)
	}
	s := &structpb.Struct{}
	if err := s.UnmarshalJSON(j); err != nil {
		t.Fatalf("cannot decode %s: %v", path, err)
	}
	return s
}

// withSpec returns a copy of xr with spec fields set (path → value, dotted).
func withSpec(t testing.TB, xr *structpb.Struct, set map[string]any) *structpb.Struct {
	t.Helper()
	m := xr.AsMap()
	for path, v := range set {
		parts := strings.Split(path, ".")
		cur := m
		for _, p := range parts[:len(parts)-1] {
			next, ok := cur[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[p] = next
			}
			cur = next
		}
		if v == nil {
			delete(cur, parts[len(parts)-1])
			continue
		}
		cur[parts[len(parts)-1]] = v
	}
	s, err := structpb.NewStruct(m)
	if err != nil {
		t.Fatalf("cannot build XR: %v", err)
	}
	return s
}

// fakeProvider holds the observed state of an XR's composed resources.
type fakeProvider struct {
	region   string
	observed map[string]*fnv1.Resource
	// xrConnection is the XR's connection secret, as Crossplane writes it
	// from what the function answers and sends it back.
	xrConnection map[string][]byte
	// coreV1 makes the requests those of a core that advertises no
	// capabilities (Crossplane v1, v2.0 and v2.1); by default they are
	// Crossplane v2.2's.
	coreV1 bool
}

func newFakeProvider() *fakeProvider {
	return &fakeProvider{region: "eu-west-1", observed: map[string]*fnv1.Resource{}}
}

// request is a RunFunctionRequest for xr with everything observed so far.
func (p *fakeProvider) request(xr *structpb.Struct, input *structpb.Struct) *fnv1.RunFunctionRequest {
	obs := make(map[string]*fnv1.Resource, len(p.observed))
	for k, v := range p.observed {
		obs[k] = v
	}
	meta := &fnv1.RequestMeta{Tag: "test", Capabilities: []fnv1.Capability{fnv1.Capability_CAPABILITY_CAPABILITIES, fnv1.Capability_CAPABILITY_CONDITIONS}}
	if p.coreV1 {
		meta = &fnv1.RequestMeta{Tag: "test"}
	}
	return &fnv1.RunFunctionRequest{
		Meta:     meta,
		Input:    input,
		Observed: &fnv1.State{Composite: &fnv1.Resource{Resource: xr, ConnectionDetails: p.xrConnection}, Resources: obs},
		Desired:  &fnv1.State{},
	}
}

// observeAll makes every desired resource observed and Ready, with the
// status AWS would report. Resources observed already keep their status and
// take the desired spec, as Crossplane applies it to the MR.
func (p *fakeProvider) observeAll(t testing.TB, rsp *fnv1.RunFunctionResponse) []string {
	t.Helper()
	if cd := rsp.GetDesired().GetComposite().GetConnectionDetails(); len(cd) > 0 {
		p.xrConnection = cd
	}
	var added []string
	for name, r := range rsp.GetDesired().GetResources() {
		if o, ok := p.observed[name]; ok {
			m := o.GetResource().AsMap()
			if spec, ok := r.GetResource().AsMap()["spec"]; ok {
				m["spec"] = spec
				p.observed[name] = &fnv1.Resource{Resource: mustStruct(t, m)}
			}
			continue
		}
		p.observed[name] = &fnv1.Resource{Resource: p.observe(t, name, r.GetResource(), true)}
		added = append(added, name)
	}
	sort.Strings(added)
	return added
}

// setReady flips the Ready condition of an observed resource.
func (p *fakeProvider) setReady(t testing.TB, name string, ready bool) {
	t.Helper()
	o, ok := p.observed[name]
	if !ok {
		t.Fatalf("%s is not observed", name)
	}
	m := o.GetResource().AsMap()
	if m["apiVersion"] == "v1" {
		return // a Kubernetes object has no Ready condition
	}
	status, _ := m["status"].(map[string]any)
	status["conditions"] = []any{readyCondition(ready)}
	p.observed[name] = &fnv1.Resource{Resource: mustStruct(t, m)}
}

// forgetStatus drops what an observed resource reports in atProvider, as a
// provider does for a while after a restart or an external change.
func (p *fakeProvider) forgetStatus(t testing.TB, name string) {
	t.Helper()
	m := p.observed[name].GetResource().AsMap()
	if m["apiVersion"] == "v1" {
		return // a Kubernetes object has no status
	}
	m["status"] = map[string]any{"conditions": []any{readyCondition(false)}}
	p.observed[name] = &fnv1.Resource{Resource: mustStruct(t, m)}
}

func readyCondition(ready bool) map[string]any {
	c := map[string]any{"type": "Ready", "status": "True", "reason": "Available", "lastTransitionTime": "2026-01-01T00:00:00Z"}
	if !ready {
		c["status"] = "False"
		c["reason"] = "Creating"
	}
	return c
}

func mustStruct(t testing.TB, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := structpb.NewStruct(m)
	if err != nil {
		t.Fatalf("cannot build struct: %v", err)
	}
	return s
}

// observe returns the observed copy of a desired resource, as the provider
// would report it once AWS created it.
func (p *fakeProvider) observe(t testing.TB, name string, desired *structpb.Struct, ready bool) *structpb.Struct {
	t.Helper()
	m := desired.AsMap()
	meta, _ := m["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		m["metadata"] = meta
	}
	if meta["name"] == nil {
		meta["name"] = "langfuse-x7k2p-" + hash(name)[:5]
	}
	ann, _ := meta["annotations"].(map[string]any)
	if ann == nil {
		ann = map[string]any{}
		meta["annotations"] = ann
	}
	ann["crossplane.io/composition-resource-name"] = name
	if m["apiVersion"] == "v1" {
		// A Kubernetes object: what was applied is what is observed.
		return mustStruct(t, m)
	}
	fp, _ := m["spec"].(map[string]any)["forProvider"].(map[string]any)
	m["status"] = map[string]any{
		"atProvider": fakeaws.AtProvider(m["kind"].(string), name, p.region, fp),
		"conditions": []any{readyCondition(ready)},
	}
	return mustStruct(t, m)
}

func hash(s string) string { return fakeaws.Hash(s) }

// run calls the function once, failing the test on a Go error.
func run(t testing.TB, req *fnv1.RunFunctionRequest) *fnv1.RunFunctionResponse {
	t.Helper()
	rsp, err := newTestFunction(logging.NewNopLogger()).RunFunction(context.Background(), req)
	if err != nil {
		t.Fatalf("RunFunction returned an error: %v", err)
	}
	return rsp
}

// newTestFunction is the Function with a deterministic generator, so the
// same calls render the same credentials and the example stages stay stable.
// Every one shares testMemo, which checks each answer it gives against one
// computed afresh: every test's calls exercise the memo (memo.go).
func newTestFunction(log logging.Logger) *Function {
	f := NewFunction(log, 0)
	f.generate = fakeGenerate
	f.memo = testMemo
	return f
}

// testMemo is the memo of the tests' Functions, verifying.
var testMemo = func() *memo {
	m := newMemo(defaultMemoXRs)
	m.verify = true
	return m
}()

// fakeGenerate derives a credential's value from its key, in its character
// set and length, the way a test can predict.
func fakeGenerate(c credential) (string, error) {
	out := make([]byte, c.settings.Length)
	seed := hash("fake " + c.key)
	for i := range out {
		out[i] = c.settings.CharacterSet[int(seed[i%len(seed)]+byte(i))%len(c.settings.CharacterSet)]
	}
	return string(out), nil
}

// fatal returns the message of a Fatal result, or "".
func fatal(rsp *fnv1.RunFunctionResponse) string {
	for _, r := range rsp.GetResults() {
		if r.GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
			return r.GetMessage()
		}
	}
	return ""
}

// desiredNames lists the names of the desired composed resources, sorted.
func desiredNames(rsp *fnv1.RunFunctionResponse) []string {
	out := make([]string, 0, len(rsp.GetDesired().GetResources()))
	for n := range rsp.GetDesired().GetResources() {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// carryXRStatus feeds the status the function wrote back as the observed XR's,
// as Crossplane does between calls.
func carryXRStatus(t testing.TB, xr *structpb.Struct, rsp *fnv1.RunFunctionResponse) *structpb.Struct {
	t.Helper()
	m := xr.AsMap()
	if st, ok := rsp.GetDesired().GetComposite().GetResource().AsMap()["status"]; ok {
		m["status"] = st
	}
	return mustStruct(t, m)
}

// xrReady says whether Crossplane v2 would call the XR Ready after rsp.
func xrReady(rsp *fnv1.RunFunctionResponse) bool {
	if rsp.GetDesired().GetComposite().GetReady() == fnv1.Ready_READY_FALSE {
		return false
	}
	for _, r := range rsp.GetDesired().GetResources() {
		if r.GetReady() != fnv1.Ready_READY_TRUE {
			return false
		}
	}
	return true
}

func resourceOf(s *structpb.Struct) *fnv1.Resource { return &fnv1.Resource{Resource: s} }

func protojsonMarshal(rsp *fnv1.RunFunctionResponse) ([]byte, error) { return protojson.Marshal(rsp) }

func containsBytes(b []byte, s string) bool { return bytes.Contains(b, []byte(s)) }
