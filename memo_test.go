package main

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// memoFunction is a Function with a memo of maxXRs XRs, not verifying:
// these tests compare its answers with a fresh Function's themselves.
func memoFunction(maxXRs int) *Function {
	f := NewFunction(logging.NewNopLogger(), maxXRs)
	f.generate = fakeGenerate
	return f
}

// answer is f's answer to a private copy of req (a call changes the
// request's desired state, which the response shares).
func answer(t testing.TB, f *Function, req *fnv1.RunFunctionRequest) *fnv1.RunFunctionResponse {
	t.Helper()
	rsp, err := f.RunFunction(context.Background(), proto.Clone(req).(*fnv1.RunFunctionRequest))
	if err != nil {
		t.Fatalf("RunFunction: %v", err)
	}
	return rsp
}

// freshAnswer is what a Function that remembers nothing answers.
func freshAnswer(t testing.TB, req *fnv1.RunFunctionRequest) *fnv1.RunFunctionResponse {
	t.Helper()
	return answer(t, memoFunction(0), req)
}

// observedField sets (or, with nil, deletes) the value at a dotted path of
// an observed resource of req.
func observedField(t testing.TB, req *fnv1.RunFunctionRequest, name, path string, v *structpb.Value) {
	t.Helper()
	r := req.GetObserved().GetResources()[name]
	if r == nil {
		t.Fatalf("%s is not observed", name)
	}
	setField(r.GetResource(), path, v)
}

// setField sets (or, with nil, deletes) the value at a dotted path of s,
// making the objects on the way.
func setField(s *structpb.Struct, path string, v *structpb.Value) {
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		next := s.GetFields()[k].GetStructValue()
		if next == nil {
			next = &structpb.Struct{Fields: map[string]*structpb.Value{}}
			s.Fields[k] = structpb.NewStructValue(next)
		}
		s = next
	}
	if v == nil {
		delete(s.Fields, keys[len(keys)-1])
		return
	}
	s.Fields[keys[len(keys)-1]] = v
}

// readAtProvider is an observed resource and a field under
// status.atProvider that the last call for req's XR read, from f's memo.
func readAtProvider(t testing.TB, f *Function, req *fnv1.RunFunctionRequest) (name, path string) {
	t.Helper()
	e := f.memo.byXR[memoKey(req)].Value.(*memoEntry)
	var found []string
	for n, reads := range e.observed {
		for _, r := range reads {
			if r.how == readField && strings.HasPrefix(r.path, "status.atProvider.") && r.value.kind == seenText {
				found = append(found, n+" "+r.path)
			}
		}
	}
	if len(found) == 0 {
		t.Fatal("the call read nothing under status.atProvider")
	}
	sort.Strings(found)
	name, path, _ = strings.Cut(found[0], " ")
	return name, path
}

// TestMemoAnswersAsAFreshCall changes one thing between two calls for the
// same XR: the second answer is the one a Function that remembers nothing
// gives, from memory only when nothing the function reads changed.
func TestMemoAnswersAsAFreshCall(t *testing.T) {
	cases := map[string]struct {
		change     func(t *testing.T, f *Function, req *fnv1.RunFunctionRequest)
		fromMemory bool
	}{
		"NothingChanged": {
			change:     func(*testing.T, *Function, *fnv1.RunFunctionRequest) {},
			fromMemory: true,
		},
		"AFieldNothingReadsChanged": {
			change: func(t *testing.T, _ *Function, req *fnv1.RunFunctionRequest) {
				observedField(t, req, "ecs-cluster", "metadata.resourceVersion", structpb.NewStringValue("4242"))
			},
			fromMemory: true,
		},
		"AReportedIDChanged": {
			change: func(t *testing.T, f *Function, req *fnv1.RunFunctionRequest) {
				name, path := readAtProvider(t, f, req)
				observedField(t, req, name, path, structpb.NewStringValue("changed-by-aws"))
			},
		},
		"AReportedIDWentAway": {
			change: func(t *testing.T, f *Function, req *fnv1.RunFunctionRequest) {
				name, path := readAtProvider(t, f, req)
				observedField(t, req, name, path, nil)
			},
		},
		"TheHostRecordIsNoLongerReady": {
			change: func(t *testing.T, _ *Function, req *fnv1.RunFunctionRequest) {
				observedField(t, req, "dns-record-host", "status.conditions", structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{
					structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{
						"type": structpb.NewStringValue("Ready"), "status": structpb.NewStringValue("False"), "reason": structpb.NewStringValue("Creating"),
					}}),
				}}))
			},
		},
		"AResourceFailsToSync": {
			change: func(_ *testing.T, _ *Function, req *fnv1.RunFunctionRequest) {
				conditions := req.GetObserved().GetResources()["alb"].GetResource().GetFields()["status"].GetStructValue().GetFields()["conditions"].GetListValue()
				conditions.Values = append(conditions.Values, structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{
					"type": structpb.NewStringValue("Synced"), "status": structpb.NewStringValue("False"), "message": structpb.NewStringValue("AccessDenied"),
				}}))
			},
		},
		"AResourceIsNoLongerObserved": {
			change: func(_ *testing.T, _ *Function, req *fnv1.RunFunctionRequest) {
				delete(req.GetObserved().GetResources(), "dns-record-auth")
			},
		},
		"AnotherResourceIsObserved": {
			change: func(_ *testing.T, _ *Function, req *fnv1.RunFunctionRequest) {
				req.Observed.Resources["something-else"] = proto.Clone(req.GetObserved().GetResources()["ecs-cluster"]).(*fnv1.Resource)
			},
		},
		"TheSpecChanged": {
			change: func(t *testing.T, _ *Function, req *fnv1.RunFunctionRequest) {
				req.Observed.Composite.Resource = withSpec(t, req.GetObserved().GetComposite().GetResource(), map[string]any{"spec.network.allowedCidrs": []any{"10.0.0.0/8"}})
			},
		},
		"TheXRsConnectionDetailsChanged": {
			change: func(_ *testing.T, _ *Function, req *fnv1.RunFunctionRequest) {
				req.Observed.Composite.ConnectionDetails = map[string][]byte{"other": []byte("value")}
			},
		},
		"AnEarlierStepDesiresTheXRNotReady": {
			change: func(_ *testing.T, _ *Function, req *fnv1.RunFunctionRequest) {
				req.Desired.Composite = &fnv1.Resource{Resource: &structpb.Struct{}, Ready: fnv1.Ready_READY_FALSE}
			},
		},
		"TheInputChanged": {
			change: func(t *testing.T, _ *Function, req *fnv1.RunFunctionRequest) {
				req.Input = mustStruct(t, map[string]any{"apiVersion": "langfuse.fn.crossplane.io/v1beta1", "kind": "Input", "readyTTL": "5m"})
			},
		},
		"TheCoreIsCrossplaneV1": {
			change: func(_ *testing.T, _ *Function, req *fnv1.RunFunctionRequest) {
				req.Meta.Capabilities = nil
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := memoFunction(4)
			req := fullStackRequest(t)
			answer(t, f, req)
			tc.change(t, f, req)
			hits := f.memo.hits.Load()
			got := answer(t, f, req)
			if fromMemory := f.memo.hits.Load() > hits; fromMemory != tc.fromMemory {
				t.Errorf("answered from memory: %v, want %v", fromMemory, tc.fromMemory)
			}
			if diff := cmp.Diff(freshAnswer(t, req), got, protocmp.Transform()); diff != "" {
				t.Errorf("the answer is not a fresh call's (-fresh +got):\n%s", diff)
			}
		})
	}
}

// TestMemoAgreesOnObservedFields changes (or removes), one at a time, the
// values of every observed resource: everything each reports under status
// (what AWS says, the conditions) and every fourth of the rest. Whenever the
// memo answers from memory, the answer is the one computed afresh: a value
// the function reads without recording it would show here. (Every value,
// changed and removed, passes too; it takes a minute and a half.)
func TestMemoAgreesOnObservedFields(t *testing.T) {
	f := memoFunction(4)
	f.memo.verify = true
	base := fullStackRequest(t)
	answer(t, f, base)
	key := memoKey(base)
	primed := f.memo.byXR[key].Value.(*memoEntry)
	names := make([]string, 0, len(base.GetObserved().GetResources()))
	for name := range base.GetObserved().GetResources() {
		names = append(names, name)
	}
	sort.Strings(names)
	changes, recalled := 0, 0
	for _, name := range names {
		for i, path := range leafPaths(base.GetObserved().GetResources()[name].GetResource().AsMap(), nil) {
			if path[0] != "status" && i%4 != 0 {
				continue
			}
			remove := i%2 == 1
			req := proto.Clone(base).(*fnv1.RunFunctionRequest)
			changeLeaf(req.GetObserved().GetResources()[name].GetResource(), path, remove)
			f.memo.byXR[key].Value = primed
			hits := f.memo.hits.Load()
			if _, err := f.RunFunction(context.Background(), req); err != nil {
				t.Errorf("%s %v (removed: %v): %v", name, path, remove, err)
			}
			changes++
			if f.memo.hits.Load() > hits {
				recalled++
			}
		}
	}
	t.Logf("%d changes of %d resources, %d answered from memory (each checked against a fresh answer)", changes, len(names), recalled)
	if recalled == 0 || recalled == changes {
		t.Errorf("%d of %d changes answered from memory: the memo tells nothing apart", recalled, changes)
	}
}

// leafPaths are the paths to the scalar values of an object: keys, and list
// items by their index.
func leafPaths(v any, prefix []string) [][]string {
	var out [][]string
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			out = append(out, leafPaths(x, append(slices.Clone(prefix), k))...)
		}
	case []any:
		for i, x := range t {
			out = append(out, leafPaths(x, append(slices.Clone(prefix), strconv.Itoa(i)))...)
		}
	default:
		out = append(out, prefix)
	}
	slices.SortFunc(out, slices.Compare)
	return out
}

// changeLeaf changes (or removes) the scalar at a path leafPaths gave.
func changeLeaf(s *structpb.Struct, path []string, remove bool) {
	var parent *structpb.Value
	at := structpb.NewStructValue(s)
	for _, k := range path {
		parent = at
		if l := at.GetListValue(); l != nil {
			i, _ := strconv.Atoi(k)
			at = l.GetValues()[i]
			continue
		}
		at = at.GetStructValue().GetFields()[k]
	}
	last := path[len(path)-1]
	if remove {
		if l := parent.GetListValue(); l != nil {
			i, _ := strconv.Atoi(last)
			l.Values = append(l.Values[:i:i], l.Values[i+1:]...)
			return
		}
		delete(parent.GetStructValue().GetFields(), last)
		return
	}
	switch k := at.GetKind().(type) {
	case *structpb.Value_StringValue:
		k.StringValue += "-changed"
	case *structpb.Value_NumberValue:
		k.NumberValue++
	case *structpb.Value_BoolValue:
		k.BoolValue = !k.BoolValue
	default:
		at.Kind = &structpb.Value_StringValue{StringValue: "changed"}
	}
}

// TestMemoForgetsCallsThatGenerate: a generated credential is random, so a
// call that generated one is never answered again from memory.
func TestMemoForgetsCallsThatGenerate(t *testing.T) {
	f := memoFunction(4)
	req := newFakeProvider().request(loadXR(t, exampleClaimXR), nil)
	first := answer(t, f, req)
	second := answer(t, f, req)
	if h := f.memo.hits.Load(); h != 0 {
		t.Errorf("%d calls that generated credentials were answered from memory", h)
	}
	if diff := cmp.Diff(first, second, protocmp.Transform()); diff != "" {
		t.Errorf("the test's generator is deterministic, yet the answers differ:\n%s", diff)
	}
}

// TestMemoCopiesWhatItCompares: a caller that changes a request's objects in
// place and calls again gets the changed request's answer.
func TestMemoCopiesWhatItCompares(t *testing.T) {
	f := memoFunction(4)
	req := fullStackRequest(t)
	name, path := func() (string, string) {
		answer(t, f, req)
		return readAtProvider(t, f, req)
	}()
	// The same objects, changed: the XR's spec and a value the call read.
	observedField(t, req, name, path, structpb.NewStringValue("changed-in-place"))
	got := answer(t, f, req)
	if diff := cmp.Diff(freshAnswer(t, req), got, protocmp.Transform()); diff != "" {
		t.Errorf("a value changed in place was not seen (-fresh +got):\n%s", diff)
	}
	setField(req.GetObserved().GetComposite().GetResource(), "spec.network.allowedCidrs", structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{structpb.NewStringValue("10.0.0.0/8")}}))
	got = answer(t, f, req)
	if diff := cmp.Diff(freshAnswer(t, req), got, protocmp.Transform()); diff != "" {
		t.Errorf("a spec changed in place was not seen (-fresh +got):\n%s", diff)
	}
	if h := f.memo.hits.Load(); h != 0 {
		t.Errorf("%d changed calls were answered from memory", h)
	}
}

// TestMemoForgetsTheLeastRecentlyUsedXR: the memo holds at most its number
// of XRs, forgetting the one called least recently.
func TestMemoForgetsTheLeastRecentlyUsedXR(t *testing.T) {
	f := memoFunction(2)
	reqs := map[string]*fnv1.RunFunctionRequest{}
	for _, n := range []string{"a", "b", "c"} {
		req := fullStackRequest(t)
		setField(req.GetObserved().GetComposite().GetResource(), "metadata.name", structpb.NewStringValue("langfuse-"+n))
		reqs[n] = req
	}
	for _, step := range []struct {
		xr         string
		fromMemory bool
	}{
		// a is then the most recently used; c forgets b, b forgets c.
		{"a", false}, {"b", false}, {"a", true},
		{"c", false},
		{"a", true}, {"b", false},
		{"a", true}, {"c", false},
	} {
		hits := f.memo.hits.Load()
		answer(t, f, reqs[step.xr])
		if got := f.memo.hits.Load() > hits; got != step.fromMemory {
			t.Errorf("%s answered from memory: %v, want %v", step.xr, got, step.fromMemory)
		}
		if n := f.memo.order.Len(); n > 2 {
			t.Errorf("the memo holds %d XRs, want at most 2", n)
		}
	}
}

// TestMemoConcurrentCalls: calls for several XRs at once, as the server
// runs them, each answered as a fresh call would (run with -race).
func TestMemoConcurrentCalls(t *testing.T) {
	f := memoFunction(2)
	var reqs []*fnv1.RunFunctionRequest
	for _, n := range []string{"a", "b", "c"} {
		req := fullStackRequest(t)
		setField(req.GetObserved().GetComposite().GetResource(), "metadata.name", structpb.NewStringValue("langfuse-"+n))
		reqs = append(reqs, req)
	}
	want := make([]*fnv1.RunFunctionResponse, len(reqs))
	for i, req := range reqs {
		want[i] = freshAnswer(t, req)
	}
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 4 {
				x := (g + i) % len(reqs)
				rsp, err := f.RunFunction(context.Background(), proto.Clone(reqs[x]).(*fnv1.RunFunctionRequest))
				if err != nil {
					t.Error(err)
					return
				}
				if !proto.Equal(want[x], rsp) {
					t.Errorf("goroutine %d: the answer for XR %d is not a fresh call's", g, x)
				}
			}
		}()
	}
	wg.Wait()
	if f.memo.hits.Load() == 0 {
		t.Error("no call was answered from memory")
	}
}
