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
// what that step cost. encoder takes each kind of object from blocks it
// allocates a few hundred at a time, shared by every resource of one
// response, so the step costs a handful of allocations besides the maps. It
// takes exactly the Go types structpb.NewValue takes, with the same results
// and errors.

// setDesired puts the resources this function composes into the response,
// beside what earlier steps of the pipeline composed.
func setDesired(rsp *fnv1.RunFunctionResponse, desired map[resource.Name]*resource.DesiredComposed) error {
	if rsp.GetDesired() == nil {
		rsp.Desired = &fnv1.State{}
	}
	if rsp.GetDesired().GetResources() == nil {
		rsp.Desired.Resources = make(map[string]*fnv1.Resource, len(desired))
	}
	var e encoder
	for name, d := range desired {
		s, err := e.encode(d.Resource.UnstructuredContent())
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
	return e.encode(m)
}

// block is how many objects of a kind an encoder allocates at once.
const block = 256

// encoder hands out the objects of the Structs it encodes from blocks.
type encoder struct {
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

// take is the next object of a block, refilled when it runs out.
func take[T any](b *[]T) *T {
	if len(*b) == 0 {
		*b = make([]T, block)
	}
	x := &(*b)[0]
	*b = (*b)[1:]
	return x
}

// encode is m as a Struct.
func (e *encoder) encode(m map[string]any) (*structpb.Struct, error) {
	s := take(&e.structs)
	if err := e.fill(s, m); err != nil {
		return nil, err
	}
	return s, nil
}

// itemsOf is room for a list's n values, from the block when it fits.
func (e *encoder) itemsOf(n int) []*structpb.Value {
	if n > block/4 {
		return make([]*structpb.Value, n)
	}
	if len(e.items) < n {
		e.items = make([]*structpb.Value, block)
	}
	out := e.items[:n:n]
	e.items = e.items[n:]
	return out
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
	x := take(&e.values)
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
		s, err := e.encode(t)
		if err != nil {
			return nil, err
		}
		k := take(&e.structKinds)
		k.StructValue = s
		x.Kind = k
	case []any:
		l := take(&e.lists)
		l.Values = e.itemsOf(len(t))
		for i, item := range t {
			y, err := e.value(item)
			if err != nil {
				return nil, err
			}
			l.Values[i] = y
		}
		k := take(&e.listKinds)
		k.ListValue = l
		x.Kind = k
	default:
		return nil, fmt.Errorf("invalid type: %T", v)
	}
	return x, nil
}

func (e *encoder) text(s string) *structpb.Value_StringValue {
	k := take(&e.strings)
	k.StringValue = s
	return k
}

func (e *encoder) number(n float64) *structpb.Value_NumberValue {
	k := take(&e.numbers)
	k.NumberValue = n
	return k
}

func (e *encoder) boolean(b bool) *structpb.Value_BoolValue {
	k := take(&e.bools)
	k.BoolValue = b
	return k
}
