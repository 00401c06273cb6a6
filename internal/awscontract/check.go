package awscontract

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// compiledRule is a Rule with its member resolved and its checks built.
type compiledRule struct {
	rule   Rule
	svc    *service
	m      member
	member string // the member as messages name it
	// clauses are the docs rules, applied to each scalar value.
	clauses []valueCheck
}

// valueCheck is one constraint on a value. test returns "" when the value
// meets it, else what is wrong; fp is the MR's forProvider, for the rules
// that relate two fields (Fargate's CPU and memory).
type valueCheck struct {
	source   string
	advisory bool
	test     func(v any, fp map[string]any) string
}

// problem is a violation before Check adds what it knows of the MR.
type problem struct {
	at, member string // suffixes of the located path and of the member
	value      any
	problem    string
	source     string
	advisory   bool
}

func compile(svc *service, r Rule) (*compiledRule, error) {
	m, err := svc.resolve(r.Operation, r.Member)
	if err != nil {
		return nil, err
	}
	cr := &compiledRule{rule: r, svc: svc, m: m, member: r.AWSMember()}
	if wire := svc.wireName(m); wire != m.name {
		cr.member += " (" + wire + " in the API reference)"
	}
	var stale []string
	if len(r.Stale) > 0 {
		if cr.svc, stale, err = svc.withoutBounds(r.Stale); err != nil {
			return nil, err
		}
	}
	// Every shape the rule can reach is read now, so that a pattern the
	// matcher cannot read fails the load rather than a later check.
	seen := map[string]bool{}
	if err := cr.readShapes(m.ref.Shape, r.Deep, seen); err != nil {
		return nil, err
	}
	for _, b := range r.Stale {
		if !seen[b.Shape] {
			return nil, fmt.Errorf("stale bound of shape %s, which the rule does not reach", b.Shape)
		}
	}
	if r.Deep {
		cr.rule.Constraints = []string{fmt.Sprintf("api-2.json: every key and value of the document against shape %s and the %d shapes it reaches", m.ref.Shape, len(seen)-1)}
	}
	cr.rule.Constraints = append(cr.rule.Constraints, stale...)
	for _, cl := range r.Docs {
		vc, desc, err := compileClause(svc, m, cl)
		if err != nil {
			return nil, err
		}
		cr.rule.Constraints = append(cr.rule.Constraints, desc)
		if cl.NotEnforced == "" {
			cr.clauses = append(cr.clauses, vc)
		}
	}
	return cr, nil
}

// withoutBounds is a view of the service whose shapes lack the stale
// bounds, for one rule's checks; it also describes what it left out. A
// bound that is no longer in the model is an error: the model was updated,
// and the rule should say so no more.
func (s *service) withoutBounds(stale []StaleBound) (*service, []string, error) {
	view := &service{name: s.name, protocol: s.protocol, ops: s.ops, docs: s.docs, shapes: maps.Clone(s.shapes)}
	var desc []string
	for _, b := range stale {
		sh := view.shapes[b.Shape]
		if sh == nil {
			return nil, nil, fmt.Errorf("stale bound of shape %s, which the model has not", b.Shape)
		}
		c := *sh
		var bound **float64
		switch b.Bound {
		case "min":
			bound = &c.Min
		case "max":
			bound = &c.Max
		default:
			return nil, nil, fmt.Errorf("stale bound %q of shape %s is neither min nor max", b.Bound, b.Shape)
		}
		if *bound == nil {
			return nil, nil, fmt.Errorf("shape %s has no %s any more: remove its stale bound", b.Shape, b.Bound)
		}
		desc = append(desc, fmt.Sprintf("api-2.json %s: %s %s [not enforced: %s]", b.Shape, b.Bound, num(**bound), b.Why))
		*bound = nil
		view.shapes[b.Shape] = &c
	}
	return view, desc, nil
}

// readShapes compiles the patterns of a shape and of the shapes it holds
// (all of a structure's members only when deep), and records what they
// constrain.
func (cr *compiledRule) readShapes(name string, deep bool, seen map[string]bool) error {
	if seen[name] {
		return nil
	}
	seen[name] = true
	sh := cr.svc.shapes[name]
	if sh == nil {
		return fmt.Errorf("no shape %s", name)
	}
	if sh.Pattern != "" {
		if _, err := cr.svc.pattern(name); err != nil {
			return err
		}
	}
	cr.rule.Constraints = append(cr.rule.Constraints, describeShape(name, sh)...)
	var next []*shapeRef
	switch sh.Type {
	case "list":
		next = append(next, sh.Member)
	case "map":
		next = append(next, sh.Key, sh.Value)
	case "structure":
		if deep {
			for _, k := range sortedKeys(sh.Members) {
				ref := sh.Members[k]
				next = append(next, &ref)
			}
		}
	}
	for _, ref := range next {
		if ref == nil {
			continue
		}
		if err := cr.readShapes(ref.Shape, deep || sh.Type != "structure", seen); err != nil {
			return err
		}
	}
	return nil
}

// describeShape lists the api-2.json constraints of a shape, for Rules.
func describeShape(name string, sh *shape) []string {
	var out []string
	src := "api-2.json " + name + ": "
	unit := ""
	switch sh.Type {
	case "string":
		unit = " characters"
	case "list", "map":
		unit = " entries"
	}
	switch {
	case sh.Min != nil && sh.Max != nil:
		out = append(out, fmt.Sprintf("%s%s..%s%s", src, num(*sh.Min), num(*sh.Max), unit))
	case sh.Min != nil:
		out = append(out, fmt.Sprintf("%sat least %s%s", src, num(*sh.Min), unit))
	case sh.Max != nil:
		out = append(out, fmt.Sprintf("%sat most %s%s", src, num(*sh.Max), unit))
	}
	if sh.Pattern != "" {
		out = append(out, src+"pattern "+sh.Pattern)
	}
	if len(sh.Enum) > 0 {
		out = append(out, src+"one of "+strings.Join(sh.Enum, ", "))
	}
	if len(out) == 0 && sh.Type != "string" && sh.Type != "structure" && sh.Type != "list" && sh.Type != "map" {
		out = append(out, src+"type "+sh.Type) // checked as such: "30" passes for an integer, "thirty" does not
	}
	return out
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// pattern compiles a shape's pattern once.
func (s *service) pattern(name string) (*javaRegex, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.patterns == nil {
		s.patterns = map[string]*javaRegex{}
	}
	if re, ok := s.patterns[name]; ok {
		return re, nil
	}
	re, err := compileJava(s.shapes[name].Pattern)
	if err != nil {
		return nil, fmt.Errorf("shape %s: %w", name, err)
	}
	s.patterns[name] = re
	return re, nil
}

// check applies the rule to one located value.
func (cr *compiledRule) check(v any, fp map[string]any) []problem {
	var out []problem
	if cr.rule.Deep {
		cr.svc.deep(v, cr.m.ref.Shape, "", "", &out)
		return out
	}
	cr.value(v, cr.m.ref.Shape, "", fp, &out)
	return out
}

// value checks v against a shape and the rule's docs clauses. A list value
// for a member that is not a list is the MR's wrapping (a v1beta1 singleton
// list, or one of several blocks), so each entry is checked.
func (cr *compiledRule) value(v any, shapeName, at string, fp map[string]any, out *[]problem) {
	sh := cr.svc.shapes[shapeName]
	if list, ok := v.([]any); ok {
		if sh.Type == "list" {
			cr.svc.count(len(list), shapeName, at, "", v, out)
			shapeName = sh.Member.Shape
		}
		for i, e := range list {
			cr.value(e, shapeName, fmt.Sprintf("%s[%d]", at, i), fp, out)
		}
		return
	}
	if v == nil {
		return
	}
	if obj, ok := v.(map[string]any); ok {
		if sh.Type == "map" {
			cr.svc.count(len(obj), shapeName, at, "", v, out)
		}
		return
	}
	cr.svc.scalar(v, shapeName, at, "", out)
	for _, c := range cr.clauses {
		if msg := c.test(v, fp); msg != "" {
			*out = append(*out, problem{at: at, value: v, problem: msg, source: c.source, advisory: c.advisory})
		}
	}
}

// deep checks a whole document against a shape.
func (s *service) deep(v any, shapeName, at, memberAt string, out *[]problem) {
	if v == nil {
		return
	}
	sh := s.shapes[shapeName]
	bad := func(msg string) {
		*out = append(*out, problem{at: at, member: memberAt, value: v, problem: msg, source: "api-2.json " + shapeName})
	}
	switch sh.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("is not an object")
			return
		}
		for _, k := range sortedKeys(obj) {
			name, ref, ok := lookupMember(sh, k)
			if !ok {
				*out = append(*out, problem{at: join(at, k), member: memberAt, value: k, source: "api-2.json " + shapeName,
					problem: fmt.Sprintf("%s has no member %q (Terraform decodes the document with encoding/json, which drops it without a word)", shapeName, k)})
				continue
			}
			s.deep(obj[k], ref.Shape, join(at, k), memberAt+"."+name, out)
		}
	case "list":
		list, ok := v.([]any)
		if !ok {
			bad("is not a list")
			return
		}
		s.count(len(list), shapeName, at, memberAt, v, out)
		for i, e := range list {
			s.deep(e, sh.Member.Shape, fmt.Sprintf("%s[%d]", at, i), memberAt, out)
		}
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("is not an object")
			return
		}
		s.count(len(obj), shapeName, at, memberAt, v, out)
		for _, k := range sortedKeys(obj) {
			s.scalar(k, sh.Key.Shape, join(at, k), memberAt+".$key", out)
			s.deep(obj[k], sh.Value.Shape, join(at, k), memberAt+".$value", out)
		}
	default:
		s.scalar(v, shapeName, at, memberAt, out)
	}
}

// lookupMember finds a structure member by its exact name, else by a
// case-insensitive one, as encoding/json does.
func lookupMember(sh *shape, key string) (string, shapeRef, bool) {
	if ref, ok := sh.Members[key]; ok {
		return key, ref, true
	}
	for name, ref := range sh.Members {
		if strings.EqualFold(name, key) {
			return name, ref, true
		}
	}
	return "", shapeRef{}, false
}

func join(at, key string) string {
	if at == "" || strings.HasSuffix(at, "#") {
		return at + key
	}
	return at + "." + key
}

func (s *service) count(n int, shapeName, at, memberAt string, v any, out *[]problem) {
	sh := s.shapes[shapeName]
	src := "api-2.json " + shapeName
	if sh.Min != nil && float64(n) < *sh.Min {
		*out = append(*out, problem{at: at, member: memberAt, value: v, source: src, problem: fmt.Sprintf("has %d entries, fewer than %s", n, num(*sh.Min))})
	}
	if sh.Max != nil && float64(n) > *sh.Max {
		*out = append(*out, problem{at: at, member: memberAt, value: v, source: src, problem: fmt.Sprintf("has %d entries, more than %s", n, num(*sh.Max))})
	}
}

// scalar checks a string, number or boolean against its shape.
func (s *service) scalar(v any, shapeName, at, memberAt string, out *[]problem) {
	var problems []string
	switch sh := s.shapes[shapeName]; sh.Type {
	case "string":
		problems = s.checkString(toString(v), shapeName)
	case "integer", "long", "double", "float":
		problems = checkNumber(v, sh)
	case "boolean":
		if _, ok := v.(bool); !ok && b2s(v) == "" {
			problems = []string{"is not a boolean"}
		}
	}
	for _, msg := range problems {
		*out = append(*out, problem{at: at, member: memberAt, value: v, problem: msg, source: "api-2.json " + shapeName})
	}
}

// b2s returns a boolean written as a string ("true"), else "".
func b2s(v any) string {
	if s, ok := v.(string); ok && (s == "true" || s == "false") {
		return s
	}
	return ""
}

func (s *service) checkString(str, shapeName string) []string {
	sh := s.shapes[shapeName]
	var out []string
	n := len(utf16.Encode([]rune(str))) // Java counts UTF-16 units
	if sh.Min != nil && float64(n) < *sh.Min {
		out = append(out, fmt.Sprintf("is %d characters long, shorter than %s", n, num(*sh.Min)))
	}
	if sh.Max != nil && float64(n) > *sh.Max {
		out = append(out, fmt.Sprintf("is %d characters long, longer than %s", n, num(*sh.Max)))
	}
	if len(sh.Enum) > 0 && !slices.Contains(sh.Enum, str) {
		out = append(out, "is not one of "+strings.Join(sh.Enum, ", "))
	}
	if sh.Pattern == "" {
		return out
	}
	re, err := s.pattern(shapeName)
	if err != nil {
		return append(out, err.Error())
	}
	switch ok, err := re.matches(str); {
	case err != nil:
		out = append(out, fmt.Sprintf("cannot be checked against pattern %s: %v", sh.Pattern, err))
	case !ok:
		out = append(out, "does not match pattern "+sh.Pattern)
	}
	return out
}

func checkNumber(v any, sh *shape) []string {
	f, ok := toNumber(v)
	if !ok {
		return []string{"is not a number"}
	}
	var out []string
	if (sh.Type == "integer" || sh.Type == "long") && f != math.Trunc(f) {
		out = append(out, "is not an integer")
	}
	if sh.Min != nil && f < *sh.Min {
		out = append(out, "is less than "+num(*sh.Min))
	}
	if sh.Max != nil && f > *sh.Max {
		out = append(out, "is more than "+num(*sh.Max))
	}
	return out
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return num(x)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

// toNumber accepts what decoded JSON and Go-built maps hold, and numbers in
// strings, which the MRs use where the API takes a number as text (an ECS
// task's cpu, a target group's deregistration delay).
func toNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// located is a value found at a path.
type located struct {
	path  string
	value any
}

// lookup finds the values at a field path in forProvider (syntax in the
// package doc). A missing field yields nothing: the API's required members
// are not this package's business, since an MR can fill them by reference.
func lookup(fp map[string]any, path string) ([]located, error) {
	outer, inner, isJSON := strings.Cut(path, "#")
	var out []located
	walk(fp, split(outer), "spec.forProvider", &out)
	if !isJSON {
		return out, nil
	}
	var docs []located
	for _, l := range out {
		s, ok := l.value.(string)
		if !ok {
			return nil, fmt.Errorf("%s is a %T, not a JSON document in a string", l.path, l.value)
		}
		var doc any
		if jerr := json.Unmarshal([]byte(s), &doc); jerr != nil {
			return nil, fmt.Errorf("%s is not JSON: %w", l.path, jerr)
		}
		walk(doc, split(inner), l.path+"#", &docs)
	}
	return docs, nil
}

func split(path string) []string {
	if path == "" {
		return nil
	}
	return strings.Split(path, ".")
}

func walk(v any, segs []string, at string, out *[]located) {
	if v == nil {
		return
	}
	if len(segs) == 0 {
		*out = append(*out, located{at, v})
		return
	}
	if list, ok := v.([]any); ok {
		for i, e := range list {
			walk(e, segs, fmt.Sprintf("%s[%d]", at, i), out)
		}
		return
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	switch segs[0] {
	case "$key":
		for _, k := range sortedKeys(obj) {
			*out = append(*out, located{fmt.Sprintf("%s[%q]", at, k), k})
		}
	case "$value":
		for _, k := range sortedKeys(obj) {
			walk(obj[k], segs[1:], fmt.Sprintf("%s[%q]", at, k), out)
		}
	default:
		walk(obj[segs[0]], segs[1:], join(at, segs[0]), out)
	}
}
