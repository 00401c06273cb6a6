package tfcontract

import (
	"fmt"
	"go/ast"
	"strings"
)

// Reading SDKv2 resources: a factory returns &schema.Resource{Schema: ...} or
// {SchemaFunc: func() map[string]*schema.Schema {...}}; each attribute is a
// *schema.Schema literal (often with its type elided in the map literal) or
// the result of a helper; nested blocks are an Elem of &schema.Resource{...}.
// An attribute is replace-only when its schema says ForceNew: true, or when
// its Elem is a primitive schema with ForceNew (the SDK then forces a new
// resource when any element changes). CustomizeDiff functions can also force
// replacement at plan time (customdiff.ForceNewIf*, diff.ForceNew); those are
// recorded as conditional.

func (ev *evaluator) sdkResource(e ast.Expr, sc *scope, r *Resource) (*attrNode, error) {
	lit, sc, err := ev.literal(e, sc)
	if err != nil {
		return nil, err
	}
	if n := typeName(lit); n != "Resource" {
		return nil, fmt.Errorf("%s: want a schema.Resource literal, found %s", ev.pos(lit.Pos()), exprString(lit))
	}
	f := fields(lit)
	var node *attrNode
	switch {
	case f["Schema"] != nil:
		node, err = ev.sdkSchemaMap(f["Schema"], sc, r)
	case f["SchemaFunc"] != nil:
		fn, ok, ferr := ev.lookupFunc(f["SchemaFunc"], sc)
		if ferr != nil || !ok {
			return nil, fmt.Errorf("%s: cannot follow SchemaFunc %s: %w", ev.pos(lit.Pos()), exprString(f["SchemaFunc"]), ferr)
		}
		ret, rsc, rerr := ev.returned(fn, nil, sc)
		if rerr != nil {
			return nil, rerr
		}
		node, err = ev.sdkSchemaMap(ret, rsc, r)
	default:
		return nil, fmt.Errorf("%s: schema.Resource without Schema or SchemaFunc", ev.pos(lit.Pos()))
	}
	if err != nil {
		return nil, err
	}
	if cd := f["CustomizeDiff"]; cd != nil && r != nil {
		if err := ev.customizeDiff(cd, sc, r); err != nil {
			return nil, fmt.Errorf("CustomizeDiff: %w", err)
		}
	}
	return node, nil
}

func (ev *evaluator) sdkSchemaMap(e ast.Expr, sc *scope, r *Resource) (*attrNode, error) {
	lit, sc, err := ev.literal(e, sc)
	if err != nil {
		return nil, err
	}
	if _, ok := lit.Type.(*ast.MapType); !ok {
		return nil, fmt.Errorf("%s: want a map[string]*schema.Schema literal, found %s", ev.pos(lit.Pos()), exprString(lit))
	}
	node := &attrNode{children: map[string]*attrNode{}}
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		name, err := ev.str(kv.Key, sc)
		if err != nil {
			return nil, fmt.Errorf("attribute name: %w", err)
		}
		child, err := ev.sdkSchema(kv.Value, sc, r)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", name, err)
		}
		node.children[name] = child
	}
	return node, nil
}

func (ev *evaluator) sdkSchema(e ast.Expr, sc *scope, r *Resource) (*attrNode, error) {
	lit, lsc, err := ev.literal(e, sc)
	if err != nil {
		// A schema built at run time (WAFv2's nested statements: levels of
		// an array filled in a sync.Once loop, returned by a method of a
		// package variable) has no literal to read. It is read as opaque
		// when nothing its code reaches names a replacement.
		if at, serr := ev.namesReplacement(e, sc); serr == nil && at == "" {
			return &attrNode{opaque: exprString(e) + " at " + ev.pos(e.Pos())}, nil
		}
		return nil, err
	}
	sc = lsc
	if n := typeName(lit); n != "" && n != "Schema" {
		return nil, fmt.Errorf("%s: want a schema.Schema literal, found %s", ev.pos(lit.Pos()), exprString(lit))
	}
	f := fields(lit)
	node := &attrNode{}
	if t := f["Type"]; t != nil {
		if t, _, err := ev.resolve(t, sc); err == nil {
			if s, ok := t.(*ast.SelectorExpr); ok {
				node.set = s.Sel.Name == "TypeSet"
			}
		}
	}
	if fn := f["ForceNew"]; fn != nil {
		v, err := ev.boolean(fn, sc)
		if err != nil {
			return nil, fmt.Errorf("ForceNew: %w", err)
		}
		if v {
			node.replace = &Attribute{Origin: "ForceNew: true at " + ev.pos(fn.Pos())}
		}
	}
	if el := f["Elem"]; el != nil {
		if err := ev.sdkElem(el, sc, r, node); err != nil {
			return nil, fmt.Errorf("reading Elem: %w", err)
		}
	}
	return node, nil
}

// sdkElem reads the Elem of an attribute into its node: the nested block of
// an &schema.Resource, or the element schema of a primitive collection,
// whose ForceNew makes the whole attribute replace-only.
func (ev *evaluator) sdkElem(e ast.Expr, sc *scope, r *Resource, node *attrNode) error {
	elem, esc, err := ev.literal(e, sc)
	if err != nil {
		return err
	}
	switch typeName(elem) {
	case "Resource":
		// The SDK has no CustomizeDiff for a nested block: pass no
		// resource so that none is looked for.
		sub, err := ev.sdkResource(elem, esc, nil)
		if err != nil {
			return err
		}
		node.children = sub.children
	case "Schema":
		sub, err := ev.sdkSchema(elem, esc, r)
		if err != nil {
			return err
		}
		if sub.replace != nil && node.replace == nil {
			node.replace = &Attribute{Origin: "Elem with " + sub.replace.Origin}
		}
	default:
		return fmt.Errorf("%s: unknown Elem %s", ev.pos(elem.Pos()), exprString(elem))
	}
	return nil
}

// customizeDiff records the attributes a CustomizeDiff can force a new
// resource for. It follows the customdiff combinators and the functions of
// the resource's own package that the CustomizeDiff is built from, looking
// for customdiff.ForceNewIf* and for calls of ForceNew on the diff.
func (ev *evaluator) customizeDiff(e ast.Expr, sc *scope, r *Resource) error {
	w := &diffWalker{ev: ev, r: r, home: sc.file.pkg, visited: map[*ast.BlockStmt]bool{}}
	return w.expr(e, sc)
}

type diffWalker struct {
	ev      *evaluator
	r       *Resource
	home    *goPkg
	visited map[*ast.BlockStmt]bool
}

func (w *diffWalker) expr(e ast.Expr, sc *scope) error {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return w.expr(x.X, sc)
	case *ast.CallExpr:
		return w.callExpr(x, sc)
	case *ast.FuncLit:
		return w.body(funcTarget{typ: x.Type, body: x.Body, sc: sc, name: "func literal"})
	case *ast.Ident, *ast.SelectorExpr:
		if fn, ok, err := w.ev.lookupFunc(x, sc); err == nil && ok {
			return w.body(fn)
		}
	}
	return nil
}

// callExpr walks a call in a CustomizeDiff expression: a customdiff
// combinator, or a helper of the package that returns a CustomizeDiffFunc.
func (w *diffWalker) callExpr(x *ast.CallExpr, sc *scope) error {
	if err := w.call(x, sc, nil); err != nil {
		return err
	}
	if fn, ok, err := w.ev.lookupFunc(x.Fun, sc); err == nil && ok && w.inHome(fn) {
		// Walk what the helper returns, with its arguments bound, and what
		// its body does.
		if ret, rsc, err := w.ev.returned(fn, x.Args, sc); err == nil {
			if err := w.expr(ret, rsc); err != nil {
				return err
			}
		}
		if err := w.body(fn); err != nil {
			return err
		}
	}
	for _, a := range x.Args {
		if err := w.expr(a, sc); err != nil {
			return err
		}
	}
	return nil
}

func (w *diffWalker) inHome(fn funcTarget) bool {
	return fn.sc != nil && fn.sc.file != nil && fn.sc.file.pkg == w.home
}

// body scans a function of the resource's package, and the functions of that
// package it names, for forced replacements.
func (w *diffWalker) body(fn funcTarget) error {
	if fn.body == nil || w.visited[fn.body] || !w.inHome(fn) {
		return nil
	}
	w.visited[fn.body] = true
	bsc := &scope{file: fn.sc.file, body: fn.body, parent: fn.sc}
	var err error
	ast.Inspect(fn.body, func(n ast.Node) bool {
		if err != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.CallExpr:
			err = w.call(n, bsc, fn.body)
		case *ast.Ident:
			if fd, ok := w.home.funcs[n.Name]; ok {
				err = w.body(funcTarget{typ: fd.decl.Type, body: fd.decl.Body, sc: &scope{file: fd.file}, name: n.Name})
			}
		}
		return true
	})
	return err
}

// call records a call that forces a new resource: customdiff.ForceNewIf(key,
// ...), customdiff.ForceNewIfChange(key, ...) or diff.ForceNew(key). A key
// that is not a constant is looked for in a GetChangedKeysPrefix call of the
// same function (the ECS service forces new on every changed key under a
// prefix); failing that it is recorded as dynamic.
func (w *diffWalker) call(c *ast.CallExpr, sc *scope, body *ast.BlockStmt) error {
	name := calleeName(c)
	sel, isSel := c.Fun.(*ast.SelectorExpr)
	var how string
	switch {
	case (name == "ForceNewIf" || name == "ForceNewIfChange") && isSel && strings.HasSuffix(importPath(sel.X, sc), "/customdiff"):
		how = "customdiff." + name
	case name == "ForceNew" && isSel && len(c.Args) == 1 && importPath(sel.X, sc) == "":
		how = exprString(sel.X) + ".ForceNew"
	default:
		return nil
	}
	if len(c.Args) == 0 {
		return nil
	}
	at := w.ev.pos(c.Pos())
	key, err := w.ev.str(c.Args[0], sc)
	if err != nil && body != nil {
		key = changedKeysPrefix(w.ev, body, sc)
	}
	if key == "" {
		w.r.Dynamic = append(w.r.Dynamic, fmt.Sprintf("CustomizeDiff %s(%s) at %s", how, exprString(c.Args[0]), at))
		return nil
	}
	w.r.add(Attribute{Path: stateKeyPath(key), Conditional: true, Origin: "CustomizeDiff " + how + " at " + at})
	return nil
}

// changedKeysPrefix is the constant argument of a GetChangedKeysPrefix call in
// a function body, "" if there is none.
func changedKeysPrefix(ev *evaluator, body *ast.BlockStmt, sc *scope) string {
	prefix := ""
	ast.Inspect(body, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok && prefix == "" && calleeName(c) == "GetChangedKeysPrefix" && len(c.Args) == 1 {
			if s, err := ev.str(c.Args[0], sc); err == nil {
				prefix = s
			}
		}
		return prefix == ""
	})
	return prefix
}

// stateKeyPath turns an SDK state key (capacity_provider_strategy.0.base,
// tags.%) into an attribute path, dropping list indexes, set hashes and
// counts.
func stateKeyPath(key string) string {
	var keep []string
	for _, p := range strings.Split(key, ".") {
		if p == "" || p == "#" || p == "%" || strings.Trim(p, "0123456789") == "" {
			continue
		}
		keep = append(keep, p)
	}
	return strings.Join(keep, ".")
}
