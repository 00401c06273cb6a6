package tfcontract

import (
	"errors"
	"fmt"
	"go/ast"
	"strings"
)

// Reading plugin framework resources: the factory returns a pointer to the
// resource type, whose Schema method (perhaps of an embedded type) assigns
// response.Schema = schema.Schema{Attributes: ..., Blocks: ...}. An attribute
// or block is replace-only when its PlanModifiers include a RequiresReplace
// modifier (stringplanmodifier.RequiresReplace(), listplanmodifier.
// RequiresReplaceIfConfigured(), ...). A ModifyPlan method can also set
// response.RequiresReplace at plan time; those places are recorded.

// opaquePkgPrefixes are packages outside the provider module whose schema
// helpers define no replace-only attribute (the timeouts block), so they
// need not be followed.
var opaquePkgPrefixes = []string{
	"github.com/hashicorp/terraform-plugin-framework-timeouts/",
}

func (ev *evaluator) frameworkResource(factory funcDecl, r *Resource) (*attrNode, error) {
	p := factory.file.pkg
	typ := ""
	ast.Inspect(factory.decl.Body, func(n ast.Node) bool {
		if typ != "" {
			return false
		}
		if lit, ok := n.(*ast.CompositeLit); ok {
			if id, ok := lit.Type.(*ast.Ident); ok {
				if _, local := p.types[id.Name]; local {
					typ = id.Name
				}
			}
		}
		return typ == ""
	})
	if typ == "" {
		return nil, fmt.Errorf("%s: the factory builds no resource type of its package", ev.pos(factory.decl.Pos()))
	}
	schemaFn, ok := findMethod(p, typ, "Schema", 0)
	if !ok {
		return nil, fmt.Errorf("type %s (or a type it embeds) has no Schema method", typ)
	}
	rhs, err := responseAssignment(schemaFn.decl, "Schema")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ev.pos(schemaFn.decl.Pos()), err)
	}
	sc := &scope{file: schemaFn.file, body: schemaFn.decl.Body}
	root, err := ev.fwObject(rhs, sc)
	if err != nil {
		return nil, fmt.Errorf("%s.Schema: %w", typ, err)
	}
	if mp, ok := findMethod(p, typ, "ModifyPlan", 0); ok {
		ev.modifyPlan(mp, r)
	}
	return root, nil
}

// findMethod finds a method of a type of the package, or of a type of the
// package it embeds.
func findMethod(p *goPkg, typ, method string, depth int) (funcDecl, bool) {
	if fd, ok := p.methods[typ][method]; ok {
		return fd, true
	}
	td, ok := p.types[typ]
	if !ok || depth > 8 {
		return funcDecl{}, false
	}
	st, ok := td.spec.Type.(*ast.StructType)
	if !ok {
		return funcDecl{}, false
	}
	for _, f := range st.Fields.List {
		if len(f.Names) != 0 {
			continue
		}
		t := f.Type
		if s, ok := t.(*ast.StarExpr); ok {
			t = s.X
		}
		if id, ok := t.(*ast.Ident); ok {
			if fd, ok := findMethod(p, id.Name, method, depth+1); ok {
				return fd, true
			}
		}
	}
	return funcDecl{}, false
}

// responseAssignment returns what a framework method assigns to a field of
// its response parameter (the last one): response.Schema = ...
func responseAssignment(fd *ast.FuncDecl, field string) (ast.Expr, error) {
	params := fd.Type.Params.List
	if len(params) == 0 || len(params[len(params)-1].Names) == 0 {
		return nil, errors.New("method has no named response parameter")
	}
	resp := params[len(params)-1].Names[0].Name
	var rhs ast.Expr
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		a, ok := n.(*ast.AssignStmt)
		if !ok || rhs != nil || len(a.Lhs) != len(a.Rhs) {
			return rhs == nil
		}
		for i, l := range a.Lhs {
			if s, ok := l.(*ast.SelectorExpr); ok && s.Sel.Name == field {
				if id, ok := s.X.(*ast.Ident); ok && id.Name == resp {
					rhs = a.Rhs[i]
				}
			}
		}
		return rhs == nil
	})
	if rhs == nil {
		return nil, fmt.Errorf("no assignment to %s.%s", resp, field)
	}
	return rhs, nil
}

// fwObject reads a literal with Attributes and Blocks fields: the schema
// itself, a NestedBlockObject, a NestedAttributeObject or a single nested
// attribute or block.
func (ev *evaluator) fwObject(e ast.Expr, sc *scope) (*attrNode, error) {
	lit, sc, err := ev.literal(e, sc)
	if err != nil {
		return nil, err
	}
	node := &attrNode{children: map[string]*attrNode{}}
	if err := ev.fwFields(lit, sc, node); err != nil {
		return nil, err
	}
	return node, nil
}

func (ev *evaluator) fwFields(lit *ast.CompositeLit, sc *scope, node *attrNode) error {
	f := fields(lit)
	for _, k := range []string{"Attributes", "Blocks"} {
		if f[k] == nil {
			continue
		}
		if err := ev.fwMap(f[k], sc, node); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	if no := f["NestedObject"]; no != nil {
		sub, err := ev.fwObject(no, sc)
		if err != nil {
			return fmt.Errorf("NestedObject: %w", err)
		}
		for k, v := range sub.children {
			node.children[k] = v
		}
	}
	if pm := f["PlanModifiers"]; pm != nil {
		a, err := ev.planModifiers(pm, sc)
		if err != nil {
			return fmt.Errorf("PlanModifiers: %w", err)
		}
		node.replace = a
	}
	return nil
}

func (ev *evaluator) fwMap(e ast.Expr, sc *scope, node *attrNode) error {
	lit, sc, err := ev.literal(e, sc)
	if err != nil {
		return err
	}
	if _, ok := lit.Type.(*ast.MapType); !ok {
		return fmt.Errorf("%s: want a map literal, found %s", ev.pos(lit.Pos()), exprString(lit))
	}
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		name, err := ev.str(kv.Key, sc)
		if err != nil {
			return fmt.Errorf("attribute name: %w", err)
		}
		child, err := ev.fwAttribute(kv.Value, sc)
		if err != nil {
			return fmt.Errorf("attribute %q: %w", name, err)
		}
		node.children[name] = child
	}
	return nil
}

// fwAttribute reads one attribute or block: schema.StringAttribute{...},
// schema.ListNestedBlock{...}, or a helper that returns one.
func (ev *evaluator) fwAttribute(e ast.Expr, sc *scope) (*attrNode, error) {
	re, rsc, err := ev.resolve(e, sc)
	if err != nil {
		return nil, err
	}
	if c, ok := re.(*ast.CallExpr); ok {
		if sel, ok := c.Fun.(*ast.SelectorExpr); ok {
			ip := importPath(sel.X, rsc)
			for _, prefix := range opaquePkgPrefixes {
				if strings.HasPrefix(ip+"/", prefix) {
					return &attrNode{children: map[string]*attrNode{}}, nil
				}
			}
		}
	}
	lit, lsc, err := ev.literal(re, rsc)
	if err != nil {
		return nil, err
	}
	tn := typeName(lit)
	if !strings.HasSuffix(tn, "Attribute") && !strings.HasSuffix(tn, "Block") {
		return nil, fmt.Errorf("%s: want a schema attribute or block, found %s", ev.pos(lit.Pos()), exprString(lit))
	}
	node := &attrNode{set: strings.HasPrefix(tn, "Set"), children: map[string]*attrNode{}}
	if err := ev.fwFields(lit, lsc, node); err != nil {
		return nil, err
	}
	return node, nil
}

// planModifiers finds a RequiresReplace modifier in a PlanModifiers slice.
// Modifiers are calls; a call of the provider's own helper is followed to
// the modifier it returns.
func (ev *evaluator) planModifiers(e ast.Expr, sc *scope) (*Attribute, error) {
	lit, sc, err := ev.literal(e, sc)
	if err != nil {
		return nil, err
	}
	var found *Attribute
	for _, el := range lit.Elts {
		names := []string{}
		if c, ok := el.(*ast.CallExpr); ok {
			names = append(names, exprString(c.Fun))
		}
		re, _, err := ev.resolve(el, sc)
		if err != nil {
			return nil, err
		}
		if c, ok := re.(*ast.CallExpr); ok && re != el {
			names = append(names, exprString(c.Fun))
		}
		for _, n := range names {
			short := n[strings.LastIndex(n, ".")+1:]
			if !strings.Contains(short, "RequiresReplace") {
				continue
			}
			a := &Attribute{Conditional: short != "RequiresReplace", Origin: n + " at " + ev.pos(el.Pos())}
			if found == nil || (found.Conditional && !a.Conditional) {
				found = a
			}
		}
	}
	return found, nil
}

// modifyPlan records where a ModifyPlan method sets response.RequiresReplace.
// A path.Root("attr") of a constant names a conditional attribute; anything
// else is recorded as dynamic.
func (ev *evaluator) modifyPlan(fd funcDecl, r *Resource) {
	sc := &scope{file: fd.file, body: fd.decl.Body}
	ast.Inspect(fd.decl.Body, func(n ast.Node) bool {
		var rhs []ast.Expr
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				if s, ok := l.(*ast.SelectorExpr); ok && s.Sel.Name == "RequiresReplace" && i < len(n.Rhs) {
					rhs = append(rhs, n.Rhs[i])
				}
			}
		case *ast.CallExpr:
			// A call of Append on response.RequiresReplace.
			if s, ok := n.Fun.(*ast.SelectorExpr); ok && s.Sel.Name == "Append" {
				if x, ok := s.X.(*ast.SelectorExpr); ok && x.Sel.Name == "RequiresReplace" {
					rhs = append(rhs, n)
				}
			}
		}
		for _, e := range rhs {
			ev.requiresReplacePaths(e, sc, r)
		}
		return true
	})
}

func (ev *evaluator) requiresReplacePaths(e ast.Expr, sc *scope, r *Resource) {
	ast.Inspect(e, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok || calleeName(c) != "Root" || len(c.Args) != 1 {
			return true
		}
		at := ev.pos(c.Pos())
		if s, err := ev.str(c.Args[0], sc); err == nil {
			r.add(Attribute{Path: s, Conditional: true, Origin: "ModifyPlan RequiresReplace at " + at})
		} else {
			r.Dynamic = append(r.Dynamic, fmt.Sprintf("ModifyPlan RequiresReplace path.Root(%s) at %s", exprString(c.Args[0]), at))
		}
		return false
	})
	if _, isCall := e.(*ast.CallExpr); !isCall && !containsRoot(e) {
		r.Dynamic = append(r.Dynamic, "ModifyPlan RequiresReplace = "+exprString(e)+" at "+ev.pos(e.Pos()))
	}
}

func containsRoot(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok && calleeName(c) == "Root" {
			found = true
		}
		return !found
	})
	return found
}
