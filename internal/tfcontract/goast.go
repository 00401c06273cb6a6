package tfcontract

import (
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// This file is a small symbolic evaluator over go/ast. The provider builds
// its schemas from literals, constants and helper functions; following those
// by hand (without type checking, so without compiling the provider and its
// hundreds of dependencies) is enough to read them, and it keeps every fact
// in the source rather than retyped here.

// maxDepth bounds how many calls and identifiers resolve follows, so that a
// recursive helper cannot hang the evaluator.
const maxDepth = 64

// goPkg is one parsed package directory, test files left out.
type goPkg struct {
	dir     string
	path    string
	funcs   map[string]funcDecl
	methods map[string]map[string]funcDecl // receiver type -> method name
	types   map[string]typeDecl
	values  map[string]valueDecl // package-level consts and vars
	// varTypes are the named types of package-level variables declared
	// with one (var cache schemaCache), for the methods called on them.
	varTypes map[string]string
}

type srcFile struct {
	pkg     *goPkg
	name    string
	imports map[string]string // local name -> import path
}

type funcDecl struct {
	decl *ast.FuncDecl
	file *srcFile
}

type typeDecl struct {
	spec *ast.TypeSpec
	file *srcFile
}

type valueDecl struct {
	expr ast.Expr
	file *srcFile
}

// loader parses packages of one module on demand and caches them.
type loader struct {
	fset    *token.FileSet
	modPath string
	modDir  string
	pkgs    map[string]*goPkg // by directory
}

func newLoader(modPath, modDir string) *loader {
	return &loader{fset: token.NewFileSet(), modPath: modPath, modDir: modDir, pkgs: map[string]*goPkg{}}
}

// dirOf is the directory of an import path of the loader's module.
func (l *loader) dirOf(importPath string) (string, bool) {
	if importPath == l.modPath {
		return l.modDir, true
	}
	rel, ok := strings.CutPrefix(importPath, l.modPath+"/")
	if !ok {
		return "", false
	}
	return filepath.Join(l.modDir, filepath.FromSlash(rel)), true
}

func (l *loader) importPathOf(dir string) string {
	rel, err := filepath.Rel(l.modDir, dir)
	if err != nil || rel == "." {
		return l.modPath
	}
	return l.modPath + "/" + filepath.ToSlash(rel)
}

// load parses the non-test Go files of a directory that the default build
// context would compile.
func (l *loader) load(dir string) (*goPkg, error) {
	if p, ok := l.pkgs[dir]; ok {
		return p, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot read package directory: %w", err)
	}
	p := &goPkg{
		dir:      dir,
		path:     l.importPathOf(dir),
		funcs:    map[string]funcDecl{},
		methods:  map[string]map[string]funcDecl{},
		types:    map[string]typeDecl{},
		values:   map[string]valueDecl{},
		varTypes: map[string]string{},
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		// Generators and other files behind //go:build ignore are not part
		// of the package; their declarations would clash with real ones.
		if ok, err := build.Default.MatchFile(dir, name); err != nil || !ok {
			continue
		}
		f, err := parser.ParseFile(l.fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("cannot parse: %w", err)
		}
		p.add(f, name)
	}
	l.pkgs[dir] = p
	return p, nil
}

func (p *goPkg) add(f *ast.File, name string) {
	sf := &srcFile{pkg: p, name: name, imports: map[string]string{}}
	for _, imp := range f.Imports {
		ip, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		local := defaultImportName(ip)
		if imp.Name != nil {
			local = imp.Name.Name
		}
		sf.imports[local] = ip
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				p.funcs[d.Name.Name] = funcDecl{d, sf}
				continue
			}
			recv := receiverType(d.Recv)
			if p.methods[recv] == nil {
				p.methods[recv] = map[string]funcDecl{}
			}
			p.methods[recv][d.Name.Name] = funcDecl{d, sf}
		case *ast.GenDecl:
			p.addGen(d, sf)
		}
	}
}

func (p *goPkg) addGen(d *ast.GenDecl, sf *srcFile) {
	for _, s := range d.Specs {
		switch s := s.(type) {
		case *ast.TypeSpec:
			p.types[s.Name.Name] = typeDecl{s, sf}
		case *ast.ValueSpec:
			for i, n := range s.Names {
				if i < len(s.Values) {
					p.values[n.Name] = valueDecl{s.Values[i], sf}
				}
				if s.Type == nil {
					continue
				}
				if t := receiverType(&ast.FieldList{List: []*ast.Field{{Type: s.Type}}}); t != "" {
					p.varTypes[n.Name] = t
				}
			}
		}
	}
}

// defaultImportName is the name a package is known by when imported without
// a name: the last path element, skipping a /vN major version suffix. The
// provider's own packages follow this convention.
func defaultImportName(importPath string) string {
	base := path.Base(importPath)
	if len(base) > 1 && base[0] == 'v' && strings.Trim(base[1:], "0123456789") == "" {
		base = path.Base(path.Dir(importPath))
	}
	return strings.ReplaceAll(base, "-", "_")
}

func receiverType(fl *ast.FieldList) string {
	if fl == nil || len(fl.List) == 0 {
		return ""
	}
	t := fl.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	switch t := t.(type) {
	case *ast.IndexExpr: // generic receiver
		t2, _ := t.X.(*ast.Ident)
		if t2 != nil {
			return t2.Name
		}
	case *ast.IndexListExpr:
		t2, _ := t.X.(*ast.Ident)
		if t2 != nil {
			return t2.Name
		}
	case *ast.Ident:
		return t.Name
	}
	return ""
}

// scope is where an expression is evaluated: the file it is written in (for
// its imports and package), the arguments bound to the parameters of the
// function being evaluated, and that function's body for its local variables.
type scope struct {
	file   *srcFile
	params map[string]bound
	body   *ast.BlockStmt
	parent *scope // the enclosing function, for closures
}

type bound struct {
	expr ast.Expr
	sc   *scope
}

// evaluator resolves expressions across the packages of one module.
type evaluator struct {
	l *loader
}

func (ev *evaluator) pos(p token.Pos) string {
	position := ev.l.fset.Position(p)
	rel, err := filepath.Rel(ev.l.modDir, position.Filename)
	if err != nil {
		rel = position.Filename
	}
	return fmt.Sprintf("%s:%d", filepath.ToSlash(rel), position.Line)
}

// pkgOf returns the package a selector's left-hand identifier names, if it
// names an import of the loader's module.
func (ev *evaluator) pkgOf(x ast.Expr, sc *scope) (*goPkg, bool, error) {
	id, ok := x.(*ast.Ident)
	if !ok || sc == nil || sc.file == nil {
		return nil, false, nil
	}
	ip, ok := sc.file.imports[id.Name]
	if !ok {
		return nil, false, nil
	}
	dir, ok := ev.l.dirOf(ip)
	if !ok {
		return nil, false, nil
	}
	p, err := ev.l.load(dir)
	if err != nil {
		return nil, false, fmt.Errorf("package %s: %w", ip, err)
	}
	return p, true, nil
}

// importPath is the import path a selector's left-hand identifier names, or "".
func importPath(x ast.Expr, sc *scope) string {
	id, ok := x.(*ast.Ident)
	if !ok || sc == nil || sc.file == nil {
		return ""
	}
	return sc.file.imports[id.Name]
}

// lookupLocal finds the value assigned to a local variable of the function
// being evaluated (or of an enclosing one), the first assignment that defines
// it, or the argument bound to a parameter of that name.
func lookupLocal(name string, sc *scope) (ast.Expr, *scope, bool) {
	for s := sc; s != nil; s = s.parent {
		if b, ok := s.params[name]; ok {
			return b.expr, b.sc, true
		}
		if s.body == nil {
			continue
		}
		if v := localAssignment(s.body, name); v != nil {
			return v, s, true
		}
	}
	return nil, nil, false
}

// localAssignment is the first value a function body assigns to a variable,
// nil if it assigns none (closures left out: their variables are theirs).
func localAssignment(body *ast.BlockStmt, name string) ast.Expr {
	var found ast.Expr
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) == len(n.Rhs) {
				for i, lhs := range n.Lhs {
					if id, ok := lhs.(*ast.Ident); ok && id.Name == name {
						found = n.Rhs[i]
					}
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if id.Name == name && i < len(n.Values) {
					found = n.Values[i]
				}
			}
		case *ast.FuncLit:
			return false
		}
		return found == nil
	})
	return found
}

// funcTarget is a function an expression names: its signature and body, and
// the scope its body is evaluated in (before parameters are bound).
type funcTarget struct {
	typ  *ast.FuncType
	body *ast.BlockStmt
	sc   *scope
	name string
}

// lookupFunc returns the function an expression names: a function literal, a
// package-level function of the module, a variable holding either, or a call
// that returns one.
func (ev *evaluator) lookupFunc(e ast.Expr, sc *scope) (funcTarget, bool, error) {
	for range maxDepth {
		var next ast.Expr
		var nsc *scope
		switch x := unwrapFunc(e).(type) {
		case *ast.FuncLit:
			return funcTarget{typ: x.Type, body: x.Body, sc: sc, name: "func literal at " + ev.pos(x.Pos())}, true, nil
		case *ast.CallExpr:
			var err error
			if next, nsc, err = ev.calledFunc(x, sc); err != nil {
				return funcTarget{}, false, err
			}
		case *ast.Ident, *ast.SelectorExpr:
			t, found, v, vsc, err := ev.namedFunc(x, sc)
			if err != nil || found {
				return t, found, err
			}
			next, nsc = v, vsc
		}
		if next == nil {
			return funcTarget{}, false, nil
		}
		e, sc = next, nsc
	}
	return funcTarget{}, false, errors.New("too deep")
}

// unwrapFunc strips parentheses and type arguments from a function
// expression.
func unwrapFunc(e ast.Expr) ast.Expr {
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
		case *ast.IndexExpr: // a generic function instantiated with types
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		default:
			return e
		}
	}
}

// calledFunc is the expression for the function a call evaluates to, nil if
// it cannot tell.
func (ev *evaluator) calledFunc(x *ast.CallExpr, sc *scope) (ast.Expr, *scope, error) {
	// var TagsSchema = sync.OnceValue(func() *schema.Schema {...}): calling
	// the variable calls the wrapped function.
	if sel, ok := x.Fun.(*ast.SelectorExpr); ok && importPath(sel.X, sc) == "sync" && strings.HasPrefix(sel.Sel.Name, "Once") && len(x.Args) == 1 {
		return x.Args[0], sc, nil
	}
	fn, ok, err := ev.lookupFunc(x.Fun, sc)
	if err != nil || !ok {
		return nil, nil, err
	}
	return ev.returned(fn, x.Args, sc)
}

// namedFunc looks up an identifier or a package-qualified name: a function
// (found), or a value to follow (next), or neither.
func (ev *evaluator) namedFunc(e ast.Expr, sc *scope) (t funcTarget, found bool, next ast.Expr, nsc *scope, err error) {
	var p *goPkg
	var name string
	switch x := e.(type) {
	case *ast.Ident:
		if v, vsc, ok := lookupLocal(x.Name, sc); ok {
			return funcTarget{}, false, v, vsc, nil
		}
		if sc == nil || sc.file == nil {
			return funcTarget{}, false, nil, nil, nil
		}
		p, name = sc.file.pkg, x.Name
	case *ast.SelectorExpr:
		var ok bool
		if p, ok, err = ev.pkgOf(x.X, sc); err != nil || !ok {
			return funcTarget{}, false, nil, nil, err
		}
		name = x.Sel.Name
	default:
		return funcTarget{}, false, nil, nil, nil
	}
	if fd, ok := p.funcs[name]; ok {
		return funcTarget{typ: fd.decl.Type, body: fd.decl.Body, sc: &scope{file: fd.file}, name: name}, true, nil, nil, nil
	}
	if v, ok := p.values[name]; ok {
		return funcTarget{}, false, v.expr, &scope{file: v.file}, nil
	}
	return funcTarget{}, false, nil, nil, nil
}

// returned is the expression a function returns (its first result), in the
// scope of a call with the given arguments. Helpers that build a schema have
// one return at the end of their body; that is the one taken.
func (ev *evaluator) returned(fn funcTarget, args []ast.Expr, callerSc *scope) (ast.Expr, *scope, error) {
	if fn.body == nil {
		return nil, nil, fmt.Errorf("%s has no body", fn.name)
	}
	sc := &scope{file: fn.sc.file, params: map[string]bound{}, body: fn.body, parent: fn.sc}
	if fn.sc.file == nil {
		sc.file = callerSc.file
	}
	i := 0
	for _, field := range fn.typ.Params.List {
		for _, n := range field.Names {
			if i < len(args) {
				sc.params[n.Name] = bound{args[i], callerSc}
			}
			i++
		}
		if len(field.Names) == 0 {
			i++
		}
	}
	stmts := fn.body.List
	for j := len(stmts) - 1; j >= 0; j-- {
		if r, ok := stmts[j].(*ast.ReturnStmt); ok && len(r.Results) > 0 {
			return r.Results[0], sc, nil
		}
	}
	return nil, nil, fmt.Errorf("%s does not end with a return", fn.name)
}

// resolve follows an expression to the expression that gives its value:
// through parentheses, parameters, local and package variables and
// constants, and calls of the module's functions. It stops at anything else
// (a literal, a call of another module's function) and returns that.
func (ev *evaluator) resolve(e ast.Expr, sc *scope) (ast.Expr, *scope, error) {
	for range maxDepth {
		var next ast.Expr
		var nsc *scope
		var err error
		switch x := e.(type) {
		case *ast.ParenExpr:
			next, nsc = x.X, sc
		case *ast.Ident, *ast.SelectorExpr:
			next, nsc, err = ev.value(x, sc)
		case *ast.CallExpr:
			var fn funcTarget
			var ok bool
			if fn, ok, err = ev.lookupFunc(x.Fun, sc); err == nil && ok {
				next, nsc, err = ev.returned(fn, x.Args, sc)
			}
		}
		if err != nil {
			return nil, nil, err
		}
		if next == nil {
			return e, sc, nil
		}
		e, sc = next, nsc
	}
	return nil, nil, fmt.Errorf("expression at %s resolves too deep", ev.pos(e.Pos()))
}

// predeclared are the constants every ForceNew: true and Optional: false
// names; looking them up as variables would search whole function bodies.
var predeclared = map[string]bool{"true": true, "false": true, "nil": true}

// value is what a name stands for when it is a parameter, a local variable,
// or a constant or variable of a package of the module; nil otherwise.
func (ev *evaluator) value(e ast.Expr, sc *scope) (ast.Expr, *scope, error) {
	switch x := e.(type) {
	case *ast.Ident:
		if predeclared[x.Name] {
			return nil, nil, nil
		}
		if v, vsc, ok := lookupLocal(x.Name, sc); ok {
			return v, vsc, nil
		}
		if sc == nil || sc.file == nil {
			return nil, nil, nil
		}
		if v, ok := sc.file.pkg.values[x.Name]; ok {
			return v.expr, &scope{file: v.file}, nil
		}
	case *ast.SelectorExpr:
		p, ok, err := ev.pkgOf(x.X, sc)
		if err != nil || !ok {
			return nil, nil, err
		}
		if v, ok := p.values[x.Sel.Name]; ok {
			return v.expr, &scope{file: v.file}, nil
		}
	}
	return nil, nil, nil
}

// literal resolves an expression to a composite literal, looking through &.
func (ev *evaluator) literal(e ast.Expr, sc *scope) (*ast.CompositeLit, *scope, error) {
	e, sc, err := ev.resolve(e, sc)
	if err != nil {
		return nil, nil, err
	}
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		if e, sc, err = ev.resolve(u.X, sc); err != nil {
			return nil, nil, err
		}
	}
	// v := *tftags.TagsSchema(); v.ConflictsWith = ...; return &v: a copy
	// of what a pointer points to is that literal. The fields set on the
	// copy afterwards are not read, so a function that sets ForceNew or
	// RequiresReplace on one is refused.
	if s, ok := e.(*ast.StarExpr); ok {
		if at := setsReplacement(sc); at.IsValid() {
			return nil, nil, fmt.Errorf("%s: a copy of %s has a replacement set on it at %s", ev.pos(e.Pos()), exprString(s.X), ev.pos(at))
		}
		if e, sc, err = ev.resolve(s.X, sc); err != nil {
			return nil, nil, err
		}
		if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
			if e, sc, err = ev.resolve(u.X, sc); err != nil {
				return nil, nil, err
			}
		}
	}
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return nil, nil, fmt.Errorf("%s: cannot follow %s to a literal", ev.pos(e.Pos()), exprString(e))
	}
	return lit, sc, nil
}

// str evaluates a constant string expression.
func (ev *evaluator) str(e ast.Expr, sc *scope) (string, error) {
	e, sc, err := ev.resolve(e, sc)
	if err != nil {
		return "", err
	}
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind == token.STRING {
			return strconv.Unquote(x.Value)
		}
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			a, err := ev.str(x.X, sc)
			if err != nil {
				return "", err
			}
			b, err := ev.str(x.Y, sc)
			if err != nil {
				return "", err
			}
			return a + b, nil
		}
	case *ast.CallExpr:
		// A conversion to a string type, e.g. string(awstypes.SomeEnum).
		if len(x.Args) == 1 {
			if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "string" {
				return ev.str(x.Args[0], sc)
			}
		}
	}
	return "", fmt.Errorf("%s: %s is not a constant string", ev.pos(e.Pos()), exprString(e))
}

// boolean evaluates a constant boolean expression.
func (ev *evaluator) boolean(e ast.Expr, sc *scope) (bool, error) {
	e, _, err := ev.resolve(e, sc)
	if err != nil {
		return false, err
	}
	if id, ok := e.(*ast.Ident); ok {
		switch id.Name {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, fmt.Errorf("%s: %s is not a constant bool", ev.pos(e.Pos()), exprString(e))
}

// fields indexes the keyed elements of a struct literal by field name.
func fields(lit *ast.CompositeLit) map[string]ast.Expr {
	m := map[string]ast.Expr{}
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		if id, ok := kv.Key.(*ast.Ident); ok {
			m[id.Name] = kv.Value
		}
	}
	return m
}

// typeName is the unqualified name of a composite literal's type, "" when
// the type is elided (as in the values of a map literal).
func typeName(lit *ast.CompositeLit) string { return unqualifiedName(lit.Type) }

// calleeName is the unqualified name of the function a call calls.
func calleeName(c *ast.CallExpr) string { return unqualifiedName(c.Fun) }

// unqualifiedName is the name an expression of a type or a function ends in,
// past pointers, type arguments and package or receiver qualifiers.
func unqualifiedName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.SelectorExpr:
			return x.Sel.Name
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// exprString renders a short form of an expression for error messages.
func exprString(e ast.Expr) string {
	switch x := e.(type) {
	case nil:
		return "<nil>"
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return exprString(x.X) + "." + x.Sel.Name
	case *ast.CallExpr:
		return exprString(x.Fun) + "(...)"
	case *ast.BasicLit:
		return x.Value
	case *ast.UnaryExpr:
		return x.Op.String() + exprString(x.X)
	case *ast.StarExpr:
		return "*" + exprString(x.X)
	case *ast.CompositeLit:
		return exprString(x.Type) + "{...}"
	case *ast.IndexExpr:
		return exprString(x.X) + "[" + exprString(x.Index) + "]"
	case *ast.FuncLit:
		return "func(...){...}"
	}
	return fmt.Sprintf("%T", e)
}

// namesReplacement looks through everything an expression can reach for a
// name that makes an attribute replace-only: ForceNew (the SDKv2 schema field
// and the diff method) or RequiresReplace* (the framework plan modifiers). It
// follows the functions and variables of the module's packages it names, and
// the methods called on a package-level variable of a named type; it returns
// where the first such name is, "" if there is none. It is for schemas
// built at run time, which literal cannot follow: if nothing reachable names
// a replacement, nothing at or under them is replace-only.
func (ev *evaluator) namesReplacement(e ast.Expr, sc *scope) (string, error) { //nolint:gocyclo // One walk: what it enqueues and what it follows read best together.
	type item struct {
		n  ast.Node
		sc *scope
	}
	seen := map[ast.Node]bool{}
	var queue []item
	enqueue := func(n ast.Node, sc *scope) {
		if n != nil && !seen[n] {
			seen[n] = true
			queue = append(queue, item{n, sc})
		}
	}
	enqueue(e, sc)
	// The functions the expression is written in, whole (its local
	// variables are assigned there: v := ...; v.ForceNew = true), and the
	// arguments they were called with.
	for s := sc; s != nil; s = s.parent {
		if s.body != nil {
			enqueue(s.body, s)
		}
		for _, b := range s.params {
			enqueue(b.expr, b.sc)
		}
	}
	// follow enqueues what a name of package p stands for.
	follow := func(p *goPkg, name string) {
		if fd, ok := p.funcs[name]; ok {
			enqueue(fd.decl, &scope{file: fd.file})
		}
		if v, ok := p.values[name]; ok {
			enqueue(v.expr, &scope{file: v.file})
		}
	}
	replacement := func(name string) bool {
		return name == "ForceNew" || strings.HasPrefix(name, "RequiresReplace")
	}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		found := ""
		var err error
		var inspect func(ast.Node) bool
		inspect = func(n ast.Node) bool {
			if found != "" || err != nil {
				return false
			}
			switch x := n.(type) {
			case *ast.Ident:
				if replacement(x.Name) {
					found = ev.pos(x.Pos())
					return false
				}
				if it.sc != nil && it.sc.file != nil {
					follow(it.sc.file.pkg, x.Name)
				}
			case *ast.SelectorExpr:
				if replacement(x.Sel.Name) {
					found = ev.pos(x.Sel.Pos())
					return false
				}
				var p *goPkg
				var ok bool
				if p, ok, err = ev.pkgOf(x.X, it.sc); err != nil {
					return false
				}
				if ok {
					follow(p, x.Sel.Name)
					return false
				}
				if id, isID := x.X.(*ast.Ident); isID && it.sc != nil && it.sc.file != nil {
					home := it.sc.file.pkg
					if t, typed := home.varTypes[id.Name]; typed {
						if md, ok := home.methods[t][x.Sel.Name]; ok {
							enqueue(md.decl, &scope{file: md.file})
						}
					}
				}
				ast.Inspect(x.X, inspect)
				return false
			}
			return true
		}
		ast.Inspect(it.n, inspect)
		if err != nil || found != "" {
			return found, err
		}
	}
	return "", nil
}

// setsReplacement is where the body of the function of a scope assigns a
// ForceNew or RequiresReplace* field (v.ForceNew = true), NoPos if nowhere.
func setsReplacement(sc *scope) token.Pos {
	if sc == nil || sc.body == nil {
		return token.NoPos
	}
	at := token.NoPos
	ast.Inspect(sc.body, func(n ast.Node) bool {
		if a, ok := n.(*ast.AssignStmt); ok {
			for _, lhs := range a.Lhs {
				if sel, ok := lhs.(*ast.SelectorExpr); ok && (sel.Sel.Name == "ForceNew" || strings.HasPrefix(sel.Sel.Name, "RequiresReplace")) {
					at = sel.Pos()
				}
			}
		}
		return !at.IsValid()
	})
	return at
}
