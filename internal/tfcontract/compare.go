package tfcontract

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
)

// ChangedReplaceOnly compares two spec.forProvider maps of a managed resource
// of the given kind (camelCase CRD field names; nested blocks as lists of
// objects, or as objects where the API version embeds a single block) and
// returns the replace-only attributes whose value differs, as CRD paths
// ("containerDefinitions", "volume.efsVolumeConfiguration.fileSystemId"),
// sorted, nil when there is none. Conditional replacements are included;
// Changes tells them apart.
//
// A Terraform name matches a CRD field when both are equal lower-cased with
// underscores removed (vpc_id ~ vpcId). The reference fields upjet adds
// (vpcIdRef, vpcIdSelector) match no Terraform name, so only the plain field
// is compared; a sensitive attribute, which upjet turns into a secret
// reference, is compared as its <field>SecretRef.
//
// Values are compared the way Terraform sees them: missing and present differ
// (even when present is ""), but an empty list or object is the same as a
// missing one; numbers compare by value whatever their Go type; the elements
// of a Terraform set compare in any order, those of a list by position.
func (c *Contract) ChangedReplaceOnly(group, kind string, before, after map[string]any) ([]string, error) {
	changes, err := c.Changes(group, kind, before, after)
	if err != nil || len(changes) == 0 {
		return nil, err
	}
	out := make([]string, len(changes))
	for i, ch := range changes {
		out[i] = ch.Field
	}
	return out, nil
}

// Change is a replace-only attribute whose value an edit changes.
type Change struct {
	// Field is the CRD path of the attribute in spec.forProvider.
	Field string
	// Attribute is what the Terraform provider says of it: its Terraform
	// path, whether replacement is conditional, and why.
	Attribute
}

// Changes is ChangedReplaceOnly with the details of each attribute, so that
// a caller can tell conditional replacements (Attribute.Conditional) apart.
// It is sorted by Field.
func (c *Contract) Changes(group, kind string, before, after map[string]any) ([]Change, error) {
	tfType, err := c.TerraformType(group, kind)
	if err != nil {
		return nil, err
	}
	r, err := c.Resource(tfType)
	if err != nil {
		return nil, err
	}
	var changes []Change
	for _, a := range r.Replace {
		segs := strings.Split(a.Path, ".")
		if !reflect.DeepEqual(project(before, r.root, segs), project(after, r.root, segs)) {
			changes = append(changes, Change{Field: crdPath(segs, before, after), Attribute: a})
		}
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Field < changes[j].Field })
	return changes, nil
}

// normalize is the form a Terraform and a CRD name of a field share.
func normalize(name string) string {
	return strings.ToLower(strings.ReplaceAll(name, "_", ""))
}

// findKey finds the CRD field of a Terraform attribute in an object.
func findKey(m map[string]any, tfName string) (string, bool) {
	want := normalize(tfName)
	for k := range m {
		if normalize(k) == want {
			return k, true
		}
	}
	for k := range m {
		if normalize(k) == want+"secretref" {
			return k, true
		}
	}
	return "", false
}

// project keeps, of a value of attribute n (an object, or a list of objects
// for a block), only the attribute at segs below it, canonical. Projections
// of two values are equal when Terraform sees no change at that path.
func project(v any, n *attrNode, segs []string) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = project(e, n, segs)
		}
		return canonList(out, n != nil && n.set)
	case map[string]any:
		var child *attrNode
		if n != nil {
			child = n.children[segs[0]]
		}
		k, ok := findKey(x, segs[0])
		if !ok {
			return nil
		}
		var sub any
		if len(segs) == 1 {
			sub = canon(x[k], child)
		} else {
			sub = project(x[k], child, segs[1:])
		}
		if sub == nil {
			return nil
		}
		return map[string]any{segs[0]: sub}
	case nil:
		return nil
	default:
		// A scalar where the schema has a block: compare it as it is.
		return canon(v, nil)
	}
}

// canon is a value as Terraform compares it (see ChangedReplaceOnly), with
// object keys in their normalized form.
func canon(v any, n *attrNode) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if c := canon(e, n.child(k)); c != nil {
				out[normalize(k)] = c
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = canon(e, n)
		}
		return canonList(out, n != nil && n.set)
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	}
	if f, ok := number(v); ok {
		return f
	}
	return v
}

// child is the nested attribute a CRD field name stands for, nil if none.
func (n *attrNode) child(crdName string) *attrNode {
	if n == nil {
		return nil
	}
	want := normalize(crdName)
	for name, c := range n.children {
		if normalize(name) == want {
			return c
		}
	}
	return nil
}

// number is the value of a Go number of any type: decoders differ (JSON
// gives float64, YAML and literals in tests int or int64).
func number(v any) (float64, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(rv.Uint()), true
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true
	default:
		return 0, false
	}
}

// canonList drops a list whose elements are all empty, and orders the
// elements of a set (dropping empty ones, which Terraform has no element
// for).
func canonList(l []any, set bool) any {
	empty := true
	for _, e := range l {
		if e != nil {
			empty = false
		}
	}
	if empty {
		return nil
	}
	if !set {
		return l
	}
	type keyed struct {
		key string
		v   any
	}
	var ks []keyed
	for _, e := range l {
		if e == nil {
			continue
		}
		b, err := json.Marshal(e) // maps marshal with sorted keys
		if err != nil {
			return l
		}
		ks = append(ks, keyed{string(b), e})
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i].key < ks[j].key })
	out := make([]any, len(ks))
	for i, k := range ks {
		out[i] = k.v
	}
	return out
}

// crdPath names a Terraform path the way the CRD does, from the field names
// found in the documents, falling back to lowerCamelCase.
func crdPath(segs []string, docs ...any) string {
	names := make([]string, len(segs))
	level := docs
	for i, s := range segs {
		var next []any
		for _, d := range level {
			for _, m := range objects(d) {
				k, ok := findKey(m, s)
				if !ok {
					continue
				}
				if names[i] == "" {
					names[i] = k
				}
				next = append(next, m[k])
			}
		}
		if names[i] == "" {
			names[i] = lowerCamel(s)
		}
		level = next
	}
	return strings.Join(names, ".")
}

// objects are the objects of a value: itself, or the elements of a list.
func objects(v any) []map[string]any {
	switch x := v.(type) {
	case map[string]any:
		return []map[string]any{x}
	case []any:
		var out []map[string]any
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

func lowerCamel(snake string) string {
	parts := strings.Split(snake, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
