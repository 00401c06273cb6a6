package main

import (
	"bytes"
	"container/list"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
)

// Answering an unchanged call from memory.
//
// Crossplane calls the function for every XR at every poll, and at steady
// state nothing the function reads has changed since its last call for that
// XR: the same spec, the same composed resources, each Ready, reporting the
// same IDs. Building and encoding the same answer again was nearly all of a
// call's own work. The memo keeps, per XR, the last answer and everything it
// was computed from: the XR as observed, the desired XR of earlier pipeline
// steps, the input, the core's capabilities, the names of the observed
// composed resources, and each thing the call read of each of them (a
// field's value, a condition, the whole resource), recorded as it was read
// (observedmr.go). A call for which all of those are equal gets the same
// answer, its resources shared with the last one (nothing changes a response
// once it is answered); any difference, even in a value the answer turns out
// not to depend on, computes afresh. What else a call depends on never
// changes: the function's flags, and the containers of task definition ARNs
// (release.go). The exception is a generated credential, random by design,
// so a call that generated one is not remembered.

// defaultMemoXRs is how many XRs' last answers the memo keeps by default.
// A full stack's answer holds about half a MiB; see README's Performance.
const defaultMemoXRs = 16

// memo remembers the last answer of the most recently called XRs.
type memo struct {
	mu    sync.Mutex
	max   int
	byXR  map[string]*list.Element
	order *list.List // of *memoEntry, the most recently used first
	// verify has every answer from memory checked against one computed
	// afresh, an error when they differ. Tests set it.
	verify bool
	// hits and misses count calls answered from memory and computed.
	hits, misses atomic.Int64
}

// newMemo keeps up to max XRs' answers; nil (max 0) keeps none.
func newMemo(maxXRs int) *memo {
	if maxXRs <= 0 {
		return nil
	}
	return &memo{max: maxXRs, byXR: map[string]*list.Element{}, order: list.New()}
}

// memoEntry is one XR's last answer and what it was computed from.
type memoEntry struct {
	key    string
	inputs memoInputs
	// observed are the names of the observed composed resources, each with
	// what the call read of it.
	observed map[string][]read
	answer   memoAnswer
}

// memoInputs are the parts of a request the function reads whole, as
// private copies: a caller may reuse a request's objects.
type memoInputs struct {
	xr, desiredXR *fnv1.Resource
	input         *structpb.Struct
	capabilities  []fnv1.Capability
}

// inputsOf copies what a request holds of memoInputs.
func inputsOf(req *fnv1.RunFunctionRequest) memoInputs {
	return memoInputs{
		xr:           copyResource(req.GetObserved().GetComposite()),
		desiredXR:    copyResource(req.GetDesired().GetComposite()),
		input:        copyStruct(req.GetInput()),
		capabilities: slices.Clone(req.GetMeta().GetCapabilities()),
	}
}

// same says whether a request carries these inputs.
func (in *memoInputs) same(req *fnv1.RunFunctionRequest) bool {
	return slices.Equal(in.capabilities, req.GetMeta().GetCapabilities()) &&
		sameResource(in.xr, req.GetObserved().GetComposite()) &&
		sameResource(in.desiredXR, req.GetDesired().GetComposite()) &&
		sameStruct(in.input, req.GetInput())
}

// memoAnswer is what the function adds to a response: its composed
// resources, the desired XR, conditions, events and the TTL, and what it
// logged of the call.
type memoAnswer struct {
	resources  map[string]*fnv1.Resource
	composite  *fnv1.Resource
	conditions []*fnv1.Condition
	results    []*fnv1.Result
	ttl        time.Duration
	summary    composeSummary
}

// composeSummary is what a call logs of what it composed.
type composeSummary struct {
	desired, held int
	ready         bool
	// kept says, per resource kept although a dependency is not
	// satisfied, its component and why.
	kept [][2]string
}

// memoKey names the XR of a request: its kind, namespace and name, read in
// place. "" (no name) is never remembered.
func memoKey(req *fnv1.RunFunctionRequest) string {
	kind, namespace, name := xrIdentity(req)
	if name == "" {
		return ""
	}
	return kind + "/" + namespace + "/" + name
}

// xrIdentity is the kind, namespace and name of the request's XR, read in
// place.
func xrIdentity(req *fnv1.RunFunctionRequest) (kind, namespace, name string) {
	xr := req.GetObserved().GetComposite().GetResource()
	return fieldOf(xr, "kind").GetStringValue(), fieldOf(xr, "metadata.namespace").GetStringValue(), fieldOf(xr, "metadata.name").GetStringValue()
}

// recall is the XR's last answer when the request carries what it was
// computed from, else nil.
func (m *memo) recall(key string, req *fnv1.RunFunctionRequest) *memoEntry {
	if m == nil || key == "" {
		return nil
	}
	m.mu.Lock()
	el := m.byXR[key]
	if el != nil {
		m.order.MoveToFront(el)
	}
	m.mu.Unlock()
	if el == nil {
		m.misses.Add(1)
		return nil
	}
	e := el.Value.(*memoEntry) //nolint:forcetypeassert // the list holds only entries.
	if !e.inputs.same(req) || !e.sameObserved(req) {
		m.misses.Add(1)
		return nil
	}
	m.hits.Add(1)
	return e
}

// sameObserved says whether the request observes the same resources and
// each reads as the call that made the entry read it.
func (e *memoEntry) sameObserved(req *fnv1.RunFunctionRequest) bool {
	observed := req.GetObserved().GetResources()
	if len(observed) != len(e.observed) {
		return false
	}
	for name, reads := range e.observed {
		r, ok := observed[name]
		if !ok || !readsMatch(r.GetResource(), reads) {
			return false
		}
	}
	return true
}

// remember keeps a call's answer, made from inputs and the observed
// resources as read, forgetting the least recently used XR when full.
func (m *memo) remember(key string, inputs memoInputs, observed map[resource.Name]*observedMR, answer memoAnswer) {
	if m == nil || key == "" {
		return
	}
	e := &memoEntry{key: key, inputs: inputs, observed: make(map[string][]read, len(observed)), answer: answer}
	for name, o := range observed {
		e.observed[string(name)] = o.reads
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.byXR[key]; ok {
		el.Value = e
		m.order.MoveToFront(el)
		return
	}
	m.byXR[key] = m.order.PushFront(e)
	if m.order.Len() > m.max {
		oldest := m.order.Back()
		m.order.Remove(oldest)
		delete(m.byXR, oldest.Value.(*memoEntry).key) //nolint:forcetypeassert // the list holds only entries.
	}
}

// answerOf is what a composing call added to rsp, for the memo.
func answerOf(rsp *fnv1.RunFunctionResponse, desired map[resource.Name]*resource.DesiredComposed, ttl time.Duration, summary composeSummary) memoAnswer {
	a := memoAnswer{
		resources:  make(map[string]*fnv1.Resource, len(desired)),
		composite:  rsp.GetDesired().GetComposite(),
		conditions: rsp.GetConditions(),
		results:    rsp.GetResults(),
		ttl:        ttl,
		summary:    summary,
	}
	for name := range desired {
		a.resources[string(name)] = rsp.GetDesired().GetResources()[string(name)]
	}
	return a
}

// respond adds the answer to rsp, made for the request as a composing call
// makes it (response.To): beside what earlier steps composed, the same
// resources win a name.
func (a *memoAnswer) respond(rsp *fnv1.RunFunctionResponse) {
	if rsp.GetDesired() == nil {
		rsp.Desired = &fnv1.State{}
	}
	if rsp.GetDesired().GetResources() == nil {
		rsp.Desired.Resources = make(map[string]*fnv1.Resource, len(a.resources))
	}
	for name, r := range a.resources {
		rsp.Desired.Resources[name] = r
	}
	rsp.Desired.Composite = a.composite
	rsp.Conditions = slices.Clone(a.conditions)
	rsp.Results = slices.Clone(a.results)
	rsp.Meta.Ttl = durationpb.New(a.ttl)
}

// differs names what differs between an answer from memory and one
// computed afresh for the same request, "" when nothing does.
func differs(remembered, fresh *fnv1.RunFunctionResponse) string {
	if proto.Equal(remembered, fresh) {
		return ""
	}
	for name, r := range fresh.GetDesired().GetResources() {
		if !proto.Equal(r, remembered.GetDesired().GetResources()[name]) {
			return "desired resource " + name
		}
	}
	switch {
	case len(fresh.GetDesired().GetResources()) != len(remembered.GetDesired().GetResources()):
		return "the desired resources' names"
	case !proto.Equal(fresh.GetDesired().GetComposite(), remembered.GetDesired().GetComposite()):
		return "the desired XR"
	case !proto.Equal(&fnv1.RunFunctionResponse{Conditions: fresh.GetConditions()}, &fnv1.RunFunctionResponse{Conditions: remembered.GetConditions()}):
		return "the conditions"
	case !proto.Equal(&fnv1.RunFunctionResponse{Results: fresh.GetResults()}, &fnv1.RunFunctionResponse{Results: remembered.GetResults()}):
		return "the results"
	default:
		return fmt.Sprintf("the meta (%v, %v)", remembered.GetMeta(), fresh.GetMeta())
	}
}

// What a call reads of an observed resource, recorded by observedMR.
type readKind uint8

const (
	// readField is the value at a dotted path.
	readField readKind = iota
	// readCondition is the status, reason and message of a condition type.
	readCondition
	// readWhole is all of it.
	readWhole
)

// readsPerResource is room for what a call reads of most resources: at
// steady state 3 to 9, 4 on average.
const readsPerResource = 6

// read is one thing a call read of an observed resource.
type read struct {
	how readKind
	// path is a field's dotted path, or a condition's type.
	path      string
	value     seen
	condition [3]string
	whole     *structpb.Struct
}

// seen is a value as it was read: a scalar as itself, an object or a list
// as a private copy (copyValue).
type seen struct {
	kind   seenKind
	text   string
	number float64
	flag   bool
	deep   *structpb.Value
}

type seenKind uint8

const (
	seenNothing seenKind = iota
	seenNull
	seenNumber
	seenText
	seenFlag
	seenDeep
)

// see is v as seen; nil, or a Value of no kind, is nothing.
func see(v *structpb.Value) seen {
	switch k := v.GetKind().(type) {
	case nil:
		return seen{}
	case *structpb.Value_NullValue:
		return seen{kind: seenNull}
	case *structpb.Value_NumberValue:
		return seen{kind: seenNumber, number: k.NumberValue}
	case *structpb.Value_StringValue:
		return seen{kind: seenText, text: k.StringValue}
	case *structpb.Value_BoolValue:
		return seen{kind: seenFlag, flag: k.BoolValue}
	default:
		return seen{kind: seenDeep, deep: copyValue(v)}
	}
}

// matches says whether v is what was seen.
func (s *seen) matches(v *structpb.Value) bool {
	switch k := v.GetKind().(type) {
	case nil:
		return s.kind == seenNothing
	case *structpb.Value_NullValue:
		return s.kind == seenNull
	case *structpb.Value_NumberValue:
		return s.kind == seenNumber && math.Float64bits(s.number) == math.Float64bits(k.NumberValue)
	case *structpb.Value_StringValue:
		return s.kind == seenText && s.text == k.StringValue
	case *structpb.Value_BoolValue:
		return s.kind == seenFlag && s.flag == k.BoolValue
	default:
		return s.kind == seenDeep && sameValue(s.deep, v)
	}
}

// readsMatch says whether a resource reads as recorded.
func readsMatch(pb *structpb.Struct, reads []read) bool {
	var conditions []*structpb.Value
	looked := false
	for i := range reads {
		r := &reads[i]
		switch r.how {
		case readField:
			if !r.value.matches(fieldOf(pb, r.path)) {
				return false
			}
		case readCondition:
			if !looked {
				conditions, looked = conditionsOf(pb), true
			}
			if status, reason, message := conditionIn(conditions, r.path); [3]string{status, reason, message} != r.condition {
				return false
			}
		case readWhole:
			if !sameStruct(r.whole, pb) {
				return false
			}
		}
	}
	return true
}

// recordField notes the value at path, the first time it is read.
func (o *observedMR) recordField(path string, v *structpb.Value) {
	for i := range o.reads {
		if o.reads[i].how == readField && o.reads[i].path == path {
			return
		}
	}
	o.reads = append(o.reads, read{how: readField, path: path, value: see(v)})
}

// recordCondition notes a condition, the first time it is read.
func (o *observedMR) recordCondition(typ, status, reason, message string) {
	for i := range o.reads {
		if o.reads[i].how == readCondition && o.reads[i].path == typ {
			return
		}
	}
	o.reads = append(o.reads, read{how: readCondition, path: typ, condition: [3]string{status, reason, message}})
}

// recordWhole notes the whole resource; it is decoded once per call.
func (o *observedMR) recordWhole() {
	o.reads = append(o.reads, read{how: readWhole, whole: copyStruct(o.pb)})
}

// Copies and comparisons of protobuf Structs, typed: proto.Clone and
// proto.Equal work by reflection, and were most of what a call answered
// from memory cost. A comparison is strict (a number by its bits, a
// missing Value apart from one of no kind): telling apart what the function
// would not only costs a call composed afresh.

// copyResource is a private copy of r; nil stays nil.
func copyResource(r *fnv1.Resource) *fnv1.Resource {
	if r == nil {
		return nil
	}
	c := &fnv1.Resource{Resource: copyStruct(r.GetResource()), Ready: r.GetReady()}
	if r.GetConnectionDetails() != nil {
		c.ConnectionDetails = make(map[string][]byte, len(r.GetConnectionDetails()))
		for k, v := range r.GetConnectionDetails() {
			c.ConnectionDetails[k] = slices.Clone(v)
		}
	}
	return c
}

// sameResource says whether two resources are the same.
func sameResource(a, b *fnv1.Resource) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.GetReady() != b.GetReady() || !sameStruct(a.GetResource(), b.GetResource()) || len(a.GetConnectionDetails()) != len(b.GetConnectionDetails()) {
		return false
	}
	for k, v := range a.GetConnectionDetails() {
		w, ok := b.GetConnectionDetails()[k]
		if !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

// copyStruct is a private copy of s; nil stays nil.
func copyStruct(s *structpb.Struct) *structpb.Struct {
	if s == nil {
		return nil
	}
	c := &structpb.Struct{}
	if s.GetFields() != nil {
		c.Fields = make(map[string]*structpb.Value, len(s.GetFields()))
		for k, v := range s.GetFields() {
			c.Fields[k] = copyValue(v)
		}
	}
	return c
}

// copyValue is a private copy of v; nil stays nil.
func copyValue(v *structpb.Value) *structpb.Value {
	if v == nil {
		return nil
	}
	switch k := v.GetKind().(type) {
	case *structpb.Value_StructValue:
		return structpb.NewStructValue(copyStruct(k.StructValue))
	case *structpb.Value_ListValue:
		if k.ListValue == nil {
			return &structpb.Value{Kind: &structpb.Value_ListValue{}}
		}
		l := &structpb.ListValue{Values: make([]*structpb.Value, len(k.ListValue.GetValues()))}
		for i, x := range k.ListValue.GetValues() {
			l.Values[i] = copyValue(x)
		}
		return structpb.NewListValue(l)
	case *structpb.Value_NullValue:
		return structpb.NewNullValue()
	case *structpb.Value_NumberValue:
		return structpb.NewNumberValue(k.NumberValue)
	case *structpb.Value_StringValue:
		return structpb.NewStringValue(k.StringValue)
	case *structpb.Value_BoolValue:
		return structpb.NewBoolValue(k.BoolValue)
	default:
		return &structpb.Value{}
	}
}

// sameStruct says whether two Structs hold the same values.
func sameStruct(a, b *structpb.Struct) bool {
	if a == nil || b == nil {
		return a == b
	}
	return maps.EqualFunc(a.GetFields(), b.GetFields(), sameValue)
}

// sameValue says whether two Values are the same.
func sameValue(a, b *structpb.Value) bool {
	if a == nil || b == nil {
		return a == b
	}
	switch k := a.GetKind().(type) {
	case nil:
		return b.GetKind() == nil
	case *structpb.Value_NullValue:
		_, ok := b.GetKind().(*structpb.Value_NullValue)
		return ok
	case *structpb.Value_NumberValue:
		o, ok := b.GetKind().(*structpb.Value_NumberValue)
		return ok && math.Float64bits(k.NumberValue) == math.Float64bits(o.NumberValue)
	case *structpb.Value_StringValue:
		o, ok := b.GetKind().(*structpb.Value_StringValue)
		return ok && k.StringValue == o.StringValue
	case *structpb.Value_BoolValue:
		o, ok := b.GetKind().(*structpb.Value_BoolValue)
		return ok && k.BoolValue == o.BoolValue
	case *structpb.Value_StructValue:
		o, ok := b.GetKind().(*structpb.Value_StructValue)
		return ok && sameStruct(k.StructValue, o.StructValue)
	case *structpb.Value_ListValue:
		o, ok := b.GetKind().(*structpb.Value_ListValue)
		return ok && sameList(k.ListValue, o.ListValue)
	default:
		return false
	}
}

// sameList says whether two lists hold the same values.
func sameList(a, b *structpb.ListValue) bool {
	if a == nil || b == nil {
		return a == b
	}
	return slices.EqualFunc(a.GetValues(), b.GetValues(), sameValue)
}
