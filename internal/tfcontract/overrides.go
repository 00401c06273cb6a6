package tfcontract

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// provider-aws configures upjet resources in config/{cluster,namespaced}/
// <group>/config.go with p.AddResourceConfigurator("aws_x", func(r
// *config.Resource) {...}). Upjet runs the Terraform provider in-process and
// diffs with the very *schema.Resource that r.TerraformResource points to, so
// a configurator that sets ForceNew changes what upjet refuses to update. Two
// forms exist, and both are read:
//
//	r.TerraformResource.Schema["name"].ForceNew = true
//	if s, ok := r.TerraformResource.Schema["name"]; ok { s.ForceNew = true }
//
// A ForceNew assignment in any other form is an error, so that a new form is
// noticed rather than ignored.

type override struct {
	path     string
	forceNew bool
	origin   string
}

func (c *Contract) applyOverrides(r *Resource) error {
	c.ovOnce.Do(func() { c.overrides, c.ovErr = readOverrides(c.src.Provider.Dir) })
	if c.ovErr != nil {
		return fmt.Errorf("provider-aws config: %w", c.ovErr)
	}
	for _, o := range c.overrides[r.Type] {
		if !o.forceNew {
			r.remove(o.path)
			continue
		}
		// An override is unconditional, so it wins over a conditional
		// replacement the Terraform provider's CustomizeDiff may add.
		r.add(Attribute{Path: o.path, Origin: "provider-aws config ForceNew = true at " + o.origin})
	}
	return nil
}

func readOverrides(providerDir string) (map[string][]override, error) {
	out := map[string][]override{}
	root := filepath.Join(providerDir, "config")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		// Most config files never mention ForceNew; skip parsing them.
		if !bytes.Contains(data, []byte("ForceNew")) {
			return nil
		}
		rel, _ := filepath.Rel(providerDir, p)
		return fileOverrides(p, filepath.ToSlash(rel), data, out)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", root, err)
	}
	return out, nil
}

func fileOverrides(file, rel string, data []byte, out map[string][]override) error {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, data, parser.SkipObjectResolution)
	if err != nil {
		return fmt.Errorf("cannot parse: %w", err)
	}
	var ferr error
	ast.Inspect(f, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok || calleeName(c) != "AddResourceConfigurator" || len(c.Args) != 2 {
			return ferr == nil
		}
		lit, ok := c.Args[0].(*ast.BasicLit)
		fn, ok2 := c.Args[1].(*ast.FuncLit)
		if !ok || !ok2 {
			return true
		}
		tfType, err := strconv.Unquote(lit.Value)
		if err != nil {
			ferr = err
			return false
		}
		ferr = configuratorOverrides(fset, rel, fn.Body, func(o override) { out[tfType] = append(out[tfType], o) })
		return ferr == nil
	})
	return ferr
}

// configuratorOverrides reads the ForceNew assignments of one resource
// configurator.
func configuratorOverrides(fset *token.FileSet, rel string, body *ast.BlockStmt, add func(override)) error {
	var ferr error
	ast.Inspect(body, func(n ast.Node) bool {
		a, ok := n.(*ast.AssignStmt)
		if !ok {
			return ferr == nil
		}
		for i, l := range a.Lhs {
			s, ok := l.(*ast.SelectorExpr)
			if !ok || s.Sel.Name != "ForceNew" || i >= len(a.Rhs) {
				continue
			}
			at := fmt.Sprintf("%s:%d", rel, fset.Position(a.Pos()).Line)
			p, err := schemaPath(s.X, body)
			if err != nil {
				ferr = fmt.Errorf("%s: %w", at, err)
				return false
			}
			v, ok := a.Rhs[i].(*ast.Ident)
			if !ok || (v.Name != "true" && v.Name != "false") {
				ferr = fmt.Errorf("%s: ForceNew is set to %s, not a constant", at, exprString(a.Rhs[i]))
				return false
			}
			add(override{path: p, forceNew: v.Name == "true", origin: at})
		}
		return true
	})
	return ferr
}

// schemaPath is the attribute path of an expression that denotes a schema of
// r.TerraformResource: r.TerraformResource.Schema["a"], its
// .Elem.(*schema.Resource).Schema["b"], or a variable assigned one of those.
func schemaPath(e ast.Expr, body *ast.BlockStmt) (string, error) {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return schemaPath(x.X, body)
	case *ast.Ident:
		// Also finds s in if s, ok := r.TerraformResource.Schema["a"]; ok.
		var def ast.Expr
		ast.Inspect(body, func(n ast.Node) bool {
			if a, ok := n.(*ast.AssignStmt); ok && len(a.Rhs) >= 1 {
				if id, ok := a.Lhs[0].(*ast.Ident); ok && id.Name == x.Name {
					def = a.Rhs[0]
				}
			}
			return def == nil
		})
		if def == nil {
			return "", fmt.Errorf("cannot find what %s is", x.Name)
		}
		return schemaPath(def, body)
	case *ast.IndexExpr:
		return indexedSchemaPath(x, body)
	}
	return "", errors.New("cannot tell which attribute " + exprString(e) + " is")
}

// indexedSchemaPath is the path of <schemas>.Schema["name"].
func indexedSchemaPath(x *ast.IndexExpr, body *ast.BlockStmt) (string, error) {
	sel, ok := x.X.(*ast.SelectorExpr)
	lit, ok2 := x.Index.(*ast.BasicLit)
	if !ok || !ok2 || sel.Sel.Name != "Schema" {
		return "", errors.New("cannot tell which attribute " + exprString(x) + " is")
	}
	name, err := strconv.Unquote(lit.Value)
	if err != nil {
		return "", err
	}
	switch base := sel.X.(type) {
	case *ast.SelectorExpr:
		if base.Sel.Name == "TerraformResource" {
			return name, nil
		}
	case *ast.TypeAssertExpr:
		if elem, ok := base.X.(*ast.SelectorExpr); ok && elem.Sel.Name == "Elem" {
			parent, err := schemaPath(elem.X, body)
			if err != nil {
				return "", err
			}
			return parent + "." + name, nil
		}
	}
	return "", errors.New("cannot tell which attribute " + exprString(x) + " is")
}
