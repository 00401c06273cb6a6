package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"google.golang.org/protobuf/types/known/structpb"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
)

// Encoding the desired resources into the response's protobuf Structs. The
// SDK's way (structpb.NewStruct per resource) allocates two objects per
// value, its Value and the wrapper of its kind, and allocation was most of
// what that step cost. encoder counts a resource's values first and takes
// each kind of object from one slice, so a resource of a few hundred values
// costs a handful of allocations besides its maps. It takes exactly the Go
// types structpb.NewValue takes, with the same results and errors.

// setDesired puts the resources this function composes into the response,
// beside what earlier steps of the pipeline composed.
func setDesired(rsp *fnv1.RunFunctionResponse, desired map[resource.Name]*resource.DesiredComposed) error {
	if rsp.GetDesired() == nil {
		rsp.Desired = &fnv1.State{}
	}
	if rsp.GetDesired().GetResources() == nil {
		rsp.Desired.Resources = make(map[string]*fnv1.Resource, len(desired))
	}
	for name, d := range desired {
		s, err := encodeStruct(d.Resource.UnstructuredContent())
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		rsp.Desired.Resources[string(name)] = &fnv1.Resource{Resource: s, Ready: readyOnWire(d.Ready)}
	}
	return nil
}

// readyOnWire is the wire's readiness of the SDK's.
func readyOnWire(r resource.Ready) fnv1.Ready {
	switch r {
	case resource.ReadyTrue:
		return fnv1.Ready_READY_TRUE
	case resource.ReadyFalse:
		return fnv1.Ready_READY_FALSE
	default:
		return fnv1.Ready_READY_UNSPECIFIED
	}
}

// encodeStruct is structpb.NewStruct(m), allocated in blocks.
func encodeStruct(m map[string]any) (*structpb.Struct, error) {
	var e encoder
	e.count(m)
	e.values = make([]structpb.Value, e.n.values)
	e.strings = make([]structpb.Value_StringValue, e.n.strings)
	e.numbers = make([]structpb.Value_NumberValue, e.n.numbers)
	e.bools = make([]structpb.Value_BoolValue, e.n.bools)
	e.structs = make([]structpb.Struct, e.n.structs+1)
	e.structKinds = make([]structpb.Value_StructValue, e.n.structs)
	e.lists = make([]structpb.ListValue, e.n.lists)
	e.listKinds = make([]structpb.Value_ListValue, e.n.lists)
	e.items = make([]*structpb.Value, e.n.items)
	root := e.takeStruct()
	if err := e.fill(root, m); err != nil {
		return nil, err
	}
	return root, nil
}

// encoder hands out the objects of one resource's Struct from blocks.
type encoder struct {
	n struct{ values, strings, numbers, bools, structs, lists, items int }

	values      []structpb.Value
	strings     []structpb.Value_StringValue
	numbers     []structpb.Value_NumberValue
	bools       []structpb.Value_BoolValue
	structs     []structpb.Struct
	structKinds []structpb.Value_StructValue
	lists       []structpb.ListValue
	listKinds   []structpb.Value_ListValue
	items       []*structpb.Value
}

// count sizes the blocks for the values under v (not v itself).
func (e *encoder) count(v any) {
	switch t := v.(type) {
	case map[string]any:
		for _, x := range t {
			e.countValue(x)
		}
	case []any:
		e.n.items += len(t)
		for _, x := range t {
			e.countValue(x)
		}
	}
}

// countValue counts one value and what is under it.
func (e *encoder) countValue(v any) {
	e.n.values++
	switch v.(type) {
	case string, []byte:
		e.n.strings++
	case json.Number:
		e.n.numbers++
	case bool:
		e.n.bools++
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		e.n.numbers++
	case map[string]any:
		e.n.structs++
	case []any:
		e.n.lists++
	}
	e.count(v)
}

func (e *encoder) takeStruct() *structpb.Struct {
	s := &e.structs[0]
	e.structs = e.structs[1:]
	return s
}

// fill sets s to the object m.
func (e *encoder) fill(s *structpb.Struct, m map[string]any) error {
	s.Fields = make(map[string]*structpb.Value, len(m))
	for k, v := range m {
		if !utf8.ValidString(k) {
			return fmt.Errorf("invalid UTF-8 in string: %q", k)
		}
		x, err := e.value(v)
		if err != nil {
			return err
		}
		s.Fields[k] = x
	}
	return nil
}

// value is v as a Value, as structpb.NewValue makes it.
func (e *encoder) value(v any) (*structpb.Value, error) { //nolint:gocyclo // One case per Go type, as structpb.NewValue has.
	x := &e.values[0]
	e.values = e.values[1:]
	switch t := v.(type) {
	case nil:
		x.Kind = &structpb.Value_NullValue{}
	case bool:
		x.Kind = e.boolean(t)
	case int:
		x.Kind = e.number(float64(t))
	case int8:
		x.Kind = e.number(float64(t))
	case int16:
		x.Kind = e.number(float64(t))
	case int32:
		x.Kind = e.number(float64(t))
	case int64:
		x.Kind = e.number(float64(t))
	case uint:
		x.Kind = e.number(float64(t))
	case uint8:
		x.Kind = e.number(float64(t))
	case uint16:
		x.Kind = e.number(float64(t))
	case uint32:
		x.Kind = e.number(float64(t))
	case uint64:
		x.Kind = e.number(float64(t))
	case float32:
		x.Kind = e.number(float64(t))
	case float64:
		x.Kind = e.number(t)
	case json.Number:
		n, err := t.Float64()
		if err != nil {
			return nil, fmt.Errorf("invalid number format %q, expected a float64: %w", t, err)
		}
		x.Kind = e.number(n)
	case string:
		if !utf8.ValidString(t) {
			return nil, fmt.Errorf("invalid UTF-8 in string: %q", t)
		}
		x.Kind = e.text(t)
	case []byte:
		x.Kind = e.text(base64.StdEncoding.EncodeToString(t))
	case map[string]any:
		s := e.takeStruct()
		if err := e.fill(s, t); err != nil {
			return nil, err
		}
		k := &e.structKinds[0]
		e.structKinds = e.structKinds[1:]
		k.StructValue = s
		x.Kind = k
	case []any:
		l := &e.lists[0]
		e.lists = e.lists[1:]
		l.Values = e.items[:len(t):len(t)]
		e.items = e.items[len(t):]
		for i, item := range t {
			y, err := e.value(item)
			if err != nil {
				return nil, err
			}
			l.Values[i] = y
		}
		k := &e.listKinds[0]
		e.listKinds = e.listKinds[1:]
		k.ListValue = l
		x.Kind = k
	default:
		return nil, fmt.Errorf("invalid type: %T", v)
	}
	return x, nil
}

func (e *encoder) text(s string) *structpb.Value_StringValue {
	k := &e.strings[0]
	e.strings = e.strings[1:]
	k.StringValue = s
	return k
}

func (e *encoder) number(n float64) *structpb.Value_NumberValue {
	k := &e.numbers[0]
	e.numbers = e.numbers[1:]
	k.NumberValue = n
	return k
}

func (e *encoder) boolean(b bool) *structpb.Value_BoolValue {
	k := &e.bools[0]
	e.bools = e.bools[1:]
	k.BoolValue = b
	return k
}
