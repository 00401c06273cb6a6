package main

import (
	"strings"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// observedMR is an observed composed resource as the request carries it: a
// protobuf Struct. Decoding all of it into Go maps, as the SDK does for
// every observed resource, was the largest part of a call's own work, and a
// steady-state call needs little of it: each resource's conditions, a few
// values AWS reports, the forProvider of some. Those are read in place; the
// forProvider alone, or the whole resource, is decoded on first use (a kept
// resource carried over, a task definition's containers), at most once per
// call. A call's world is read by one goroutine, so nothing is locked.
type observedMR struct {
	pb *structpb.Struct
	// whole and forProvider are pb decoded, once asked for.
	whole       *composed.Unstructured
	forProvider map[string]any
	decodedFP   bool
	// conditions are status.conditions, looked up once: each resource's
	// readiness and failures read three of them.
	conditions []*structpb.Value
	foundConds bool
	// reads is what the call read of the resource, each thing once, for
	// the memo to tell whether a later call would read the same (memo.go).
	reads []read
}

// newObservedMR wraps a resource of the request; nil reads as empty.
func newObservedMR(pb *structpb.Struct) *observedMR {
	if pb == nil {
		pb = &structpb.Struct{}
	}
	return &observedMR{pb: pb}
}

// Unstructured is the whole resource, decoded once.
func (o *observedMR) Unstructured() *composed.Unstructured {
	if o.whole == nil {
		o.recordWhole()
		o.whole = composed.New()
		o.whole.SetUnstructuredContent(o.pb.AsMap())
	}
	return o.whole
}

// ForProvider is the forProvider the resource was given, decoded once; nil
// when it has none.
func (o *observedMR) ForProvider() map[string]any {
	if !o.decodedFP {
		o.decodedFP = true
		if fp := o.field("spec.forProvider").GetStructValue(); fp != nil {
			o.forProvider = fp.AsMap()
		}
	}
	return o.forProvider
}

// field is the value at a dotted path of object keys, or nil. It reads the
// Struct in place; a nil observedMR has no fields.
func (o *observedMR) field(path string) *structpb.Value {
	if o == nil {
		return nil
	}
	v := fieldOf(o.pb, path)
	o.recordField(path, v)
	return v
}

// fieldOf is the value at a dotted path of object keys in s, or nil.
func fieldOf(s *structpb.Struct, path string) *structpb.Value {
	fields := s.GetFields()
	for {
		key, rest, more := strings.Cut(path, ".")
		v := fields[key]
		if !more || v == nil {
			return v
		}
		fields = v.GetStructValue().GetFields()
		path = rest
	}
}

// GetString is the string at a dotted path, as fieldpath's GetString says
// it: an error when it is missing or not a string.
func (o *observedMR) GetString(path string) (string, error) {
	v, ok := o.field(path).GetKind().(*structpb.Value_StringValue)
	if !ok {
		return "", errors.Errorf("%s: not a string", path)
	}
	return v.StringValue, nil
}

// GetBool is the boolean at a dotted path, or an error.
func (o *observedMR) GetBool(path string) (bool, error) {
	v, ok := o.field(path).GetKind().(*structpb.Value_BoolValue)
	if !ok {
		return false, errors.Errorf("%s: not a boolean", path)
	}
	return v.BoolValue, nil
}

// nonEmpty says whether the resource has a value at path that is not null,
// an empty string, an empty list or an empty object.
func (o *observedMR) nonEmpty(path string) bool {
	switch k := o.field(path).GetKind().(type) {
	case nil, *structpb.Value_NullValue:
		return false
	case *structpb.Value_StringValue:
		return k.StringValue != ""
	case *structpb.Value_ListValue:
		return len(k.ListValue.GetValues()) > 0
	case *structpb.Value_StructValue:
		return len(k.StructValue.GetFields()) > 0
	default:
		return true
	}
}

// str is the string at path, "" when there is none.
func (o *observedMR) str(path string) string {
	s, _ := o.GetString(path)
	return s
}

// GetName, GetNamespace, GetAPIVersion and GetKind read the resource's
// identity in place.
func (o *observedMR) GetName() string       { return o.str("metadata.name") }
func (o *observedMR) GetNamespace() string  { return o.str("metadata.namespace") }
func (o *observedMR) GetAPIVersion() string { return o.str("apiVersion") }
func (o *observedMR) GetKind() string       { return o.str("kind") }

// GetAnnotations are the resource's annotations with string values.
func (o *observedMR) GetAnnotations() map[string]string {
	out := map[string]string{}
	for k, v := range o.field("metadata.annotations").GetStructValue().GetFields() {
		if s, ok := v.GetKind().(*structpb.Value_StringValue); ok {
			out[k] = s.StringValue
		}
	}
	return out
}

// condition is the status, reason and message of the condition of a type
// the resource reports, all "" when it reports none.
func (o *observedMR) condition(typ string) (status, reason, message string) {
	if o == nil {
		return "", "", ""
	}
	if !o.foundConds {
		o.foundConds = true
		o.conditions = conditionsOf(o.pb)
	}
	status, reason, message = conditionIn(o.conditions, typ)
	o.recordCondition(typ, status, reason, message)
	return status, reason, message
}

// conditionsOf are the conditions a resource reports.
func conditionsOf(s *structpb.Struct) []*structpb.Value {
	return fieldOf(s, "status.conditions").GetListValue().GetValues()
}

// conditionIn is the status, reason and message of the condition of a type
// in conditions, all "" when there is none.
func conditionIn(conditions []*structpb.Value, typ string) (status, reason, message string) {
	for _, c := range conditions {
		f := c.GetStructValue().GetFields()
		if f["type"].GetStringValue() == typ {
			return f["status"].GetStringValue(), f["reason"].GetStringValue(), f["message"].GetStringValue()
		}
	}
	return "", "", ""
}
