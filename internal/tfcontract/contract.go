// Package tfcontract tells, from the sources provider-aws is built from,
// which attributes of a Terraform resource are replace-only, and which of
// them an edit of a managed resource's spec.forProvider changes.
//
// upjet never replaces an external resource: when the Terraform plan of an
// update requires replacement (SDKv2 ForceNew, plugin framework
// RequiresReplace), its Update fails with "refuse to update the external
// resource because the following update requires replacing it" (SDKv2) or
// "diff contains fields that require resource replacement" (framework), and
// the MR stays out of sync. A composition that edits such a field of a
// resource it keeps under the same name is stuck; tests use this package to
// catch that before a cluster does.
//
// Nothing here is typed by hand: the kind to Terraform type mapping is read
// from provider-aws's apis/ (GetTerraformResourceType), the schemas from the
// Terraform provider's internal/service/<service>/ packages (with go/ast, no
// type checking and no build), and provider-aws's own schema overrides from
// its config/ package.
package tfcontract

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/mod/modfile"
)

// Attribute is one replace-only attribute of a Terraform resource.
type Attribute struct {
	// Path is the dotted snake_case path, through nested blocks:
	// volume.efs_volume_configuration.file_system_id.
	Path string
	// Conditional is true when replacement depends on the values: a
	// framework RequiresReplaceIf*, or an SDKv2 CustomizeDiff that calls
	// ForceNew (e.g. only on an engine downgrade).
	Conditional bool
	// Origin says what in the source makes the attribute replace-only, and
	// where (file:line in its module).
	Origin string
}

// Resource is what the sources say about one Terraform resource type. The
// Contract caches and shares it: do not modify it.
type Resource struct {
	Type string
	// Framework is true for a plugin framework resource, false for SDKv2.
	Framework bool
	// Definition is the function that builds the resource, and where.
	Definition string
	// Replace lists the replace-only attributes, sorted by path.
	Replace []Attribute
	// Dynamic lists the places where the resource decides on replacement
	// from values the source does not name as a constant attribute (a
	// framework ModifyPlan, a ForceNew on a computed key). They are not in
	// Replace; a reader has to check them.
	Dynamic []string
	// Opaque lists the attributes whose schema is built at run time, which
	// the source has no literal of, each with the expression that builds
	// it: nothing that code reaches names ForceNew or RequiresReplace, so
	// neither they nor anything under them is replace-only, but what is
	// under them (and whether they are sets) is not read.
	Opaque []string

	root *attrNode
}

// attrNode is one attribute (or the resource itself, at the root) in the
// schema tree: whether it is a set (element order does not matter to
// Terraform), whether it is replace-only, and its nested attributes.
type attrNode struct {
	set      bool
	replace  *Attribute
	children map[string]*attrNode
	// opaque is where a schema built at run time comes from (see
	// Resource.Opaque); such a node has no children.
	opaque string
}

func (r *Resource) add(a Attribute) {
	for i, old := range r.Replace {
		if old.Path != a.Path {
			continue
		}
		if old.Conditional && !a.Conditional {
			r.Replace[i] = a
		}
		return
	}
	r.Replace = append(r.Replace, a)
}

// remove drops an attribute that provider-aws's config makes updatable.
func (r *Resource) remove(p string) {
	out := r.Replace[:0]
	for _, a := range r.Replace {
		if a.Path != p {
			out = append(out, a)
		}
	}
	r.Replace = out
}

func (r *Resource) collect(n *attrNode, prefix string) {
	names := make([]string, 0, len(n.children))
	for k := range n.children {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		c := n.children[k]
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		if c.replace != nil {
			a := *c.replace
			a.Path = p
			r.add(a)
		}
		if c.opaque != "" {
			r.Opaque = append(r.Opaque, p+": "+c.opaque)
		}
		r.collect(c, p)
	}
}

// Contract reads the sources lazily: a service package of the Terraform
// provider is parsed the first time one of its resources is asked for.
// It is safe for concurrent use.
type Contract struct {
	src Sources

	mu         sync.Mutex
	tf         *loader
	ev         *evaluator
	tfTypes    map[string]string     // "group/Kind" -> Terraform type
	resources  map[string]*Resource  // by Terraform type
	regs       map[string]string     // Terraform type -> service package directory
	overrides  map[string][]override // by Terraform type, from provider-aws config
	typesErr   map[string]error      // negative cache of TerraformType
	loadErr    map[string]error      // negative cache of Resource
	regOnce    sync.Once
	regErr     error
	ovOnce     sync.Once
	ovErr      error
	regionOnce sync.Once
	regionAt   map[bool]string // framework? -> where a region change forces replacement
	regionErr  error
}

var (
	loadOnce sync.Once
	loaded   *Contract
	loadErr  error
)

// Load locates the sources (downloading them into the module cache if
// needed) and returns the contract they define. Parsing is lazy; Load itself
// only reads go.mod files. Every call returns the same Contract.
func Load() (*Contract, error) {
	loadOnce.Do(func() {
		src, err := LocateSources()
		if err != nil {
			loadErr = err
			return
		}
		loaded, loadErr = newContract(src)
	})
	return loaded, loadErr
}

func newContract(src Sources) (*Contract, error) {
	gomod := filepath.Join(src.Terraform.Dir, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", gomod, err)
	}
	// The fork keeps the upstream module path; its packages import each
	// other by it.
	tfPath := modfile.ModulePath(data)
	if tfPath == "" {
		return nil, fmt.Errorf("%s has no module line", gomod)
	}
	tf := newLoader(tfPath, src.Terraform.Dir)
	return &Contract{
		src:       src,
		tf:        tf,
		ev:        &evaluator{l: tf},
		tfTypes:   map[string]string{},
		resources: map[string]*Resource{},
		typesErr:  map[string]error{},
		loadErr:   map[string]error{},
	}, nil
}

// Sources are the modules the contract was read from.
func (c *Contract) Sources() Sources { return c.src }

// ReplaceOnly lists the replace-only attribute paths of a Terraform resource
// type, dotted snake_case through nested blocks, sorted. It includes the
// conditional ones (see Attribute.Conditional); Resource tells them apart.
// A resource whose schema cannot be located or read is an error, never an
// empty list.
func (c *Contract) ReplaceOnly(tfType string) ([]string, error) {
	r, err := c.Resource(tfType)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(r.Replace))
	for i, a := range r.Replace {
		out[i] = a.Path
	}
	return out, nil
}

// Resource reads a Terraform resource type's schema.
func (c *Contract) Resource(tfType string) (*Resource, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.resources[tfType]; ok {
		return r, nil
	}
	if err, ok := c.loadErr[tfType]; ok {
		return nil, err
	}
	r, err := c.readResource(tfType)
	if err != nil {
		err = fmt.Errorf("terraform resource %s: %w", tfType, err)
		c.loadErr[tfType] = err
		return nil, err
	}
	c.resources[tfType] = r
	return r, nil
}

func (c *Contract) readResource(tfType string) (*Resource, error) {
	dir, err := c.registrations(tfType)
	if err != nil {
		return nil, err
	}
	p, err := c.tf.load(dir)
	if err != nil {
		return nil, fmt.Errorf("service package %s: %w", dir, err)
	}
	reg, err := c.register(p, tfType)
	if err != nil {
		return nil, err
	}
	factory := reg.factory
	fd, ok := p.funcs[factory]
	if !ok {
		return nil, fmt.Errorf("factory %s is not a function of %s", factory, p.path)
	}
	r := &Resource{Type: tfType, Framework: reg.framework, Definition: factory + " at " + c.ev.pos(fd.decl.Pos())}
	if reg.framework {
		r.root, err = c.ev.frameworkResource(fd, r)
	} else {
		var ret ast.Expr
		var sc *scope
		ret, sc, err = c.ev.returned(funcTarget{typ: fd.decl.Type, body: fd.decl.Body, sc: &scope{file: fd.file}, name: factory}, nil, &scope{file: fd.file})
		if err == nil {
			r.root, err = c.ev.sdkResource(ret, sc, r)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.Definition, err)
	}
	if len(r.root.children) == 0 {
		return nil, fmt.Errorf("%s: schema has no attributes", r.Definition)
	}
	r.collect(r.root, "")
	if reg.region != "" {
		// The provider adds a region attribute to every regional resource
		// at run time, outside the resource's schema, and replaces the
		// resource when it changes.
		at, err := c.regionReplace(reg.framework)
		if err != nil {
			return nil, err
		}
		if at != "" {
			r.add(Attribute{Path: "region", Origin: "region injected (registered at " + reg.region + "), replaced on change by " + at})
		}
	}
	if err := c.applyOverrides(r); err != nil {
		return nil, err
	}
	sort.Slice(r.Replace, func(i, j int) bool { return r.Replace[i].Path < r.Replace[j].Path })
	sort.Strings(r.Dynamic)
	sort.Strings(r.Opaque)
	return r, nil
}

var typeNameRE = regexp.MustCompile(`TypeName:\s*"([a-z0-9_]+)"`)

// registrations finds the service package that registers a Terraform type.
// The provider generates internal/service/<svc>/service_package_gen.go from
// the @SDKResource and @FrameworkResource annotations; a textual scan of
// those files indexes every type, and the one package is then parsed.
func (c *Contract) registrations(tfType string) (string, error) {
	c.regOnce.Do(func() {
		root := filepath.Join(c.src.Terraform.Dir, "internal", "service")
		files, err := filepath.Glob(filepath.Join(root, "*", "service_package_gen.go"))
		if err != nil || len(files) == 0 {
			c.regErr = fmt.Errorf("no service_package_gen.go under %s (%w)", root, err)
			return
		}
		c.regs = map[string]string{}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				c.regErr = fmt.Errorf("cannot read registrations: %w", err)
				return
			}
			for _, m := range typeNameRE.FindAllSubmatch(data, -1) {
				// Data sources and ephemeral resources share the type name
				// of a resource, always in the same package.
				c.regs[string(m[1])] = filepath.Dir(f)
			}
		}
	})
	if c.regErr != nil {
		return "", c.regErr
	}
	dir, ok := c.regs[tfType]
	if !ok {
		return "", fmt.Errorf("no service package of %s registers it", c.src.Terraform)
	}
	return dir, nil
}

// registration is how a service package registers a resource type.
type registration struct {
	factory   string
	framework bool
	// region is set when the provider injects a top-level region attribute
	// into the resource (a Region with IsOverrideEnabled): where it says so.
	region string
}

// register finds how a service package registers a resource type, in its
// SDKResources or FrameworkResources method.
func (c *Contract) register(p *goPkg, tfType string) (registration, error) {
	for _, m := range []struct {
		method    string
		framework bool
	}{{"SDKResources", false}, {"FrameworkResources", true}} {
		fd, ok := p.methods["servicePackage"][m.method]
		if !ok {
			continue
		}
		lit, sc, err := c.registered(fd, tfType)
		if err != nil {
			return registration{}, err
		}
		if lit == nil {
			continue
		}
		f := fields(lit)
		id, ok := f["Factory"].(*ast.Ident)
		if !ok {
			return registration{}, fmt.Errorf("%s: factory %s is not a function name", c.ev.pos(lit.Pos()), exprString(f["Factory"]))
		}
		reg := registration{factory: id.Name, framework: m.framework}
		if r := f["Region"]; r != nil {
			on, err := c.ev.regionOverride(r, sc)
			if err != nil {
				return registration{}, fmt.Errorf("region of %s: %w", tfType, err)
			}
			if on {
				reg.region = c.ev.pos(r.Pos())
			}
		}
		return reg, nil
	}
	return registration{}, fmt.Errorf("%s registers no resource %s (only a data source or ephemeral resource?)", p.path, tfType)
}

// registered finds the literal that registers a resource type in a method
// of the service package, nil if there is none.
func (c *Contract) registered(fd funcDecl, tfType string) (*ast.CompositeLit, *scope, error) {
	sc := &scope{file: fd.file, body: fd.decl.Body}
	var lit *ast.CompositeLit
	var err error
	ast.Inspect(fd.decl.Body, func(n ast.Node) bool {
		l, ok := n.(*ast.CompositeLit)
		if !ok {
			return lit == nil && err == nil
		}
		f := fields(l)
		if f["TypeName"] == nil || f["Factory"] == nil {
			return true
		}
		var tn string
		if tn, err = c.ev.str(f["TypeName"], sc); err == nil && tn == tfType {
			lit = l
		}
		return lit == nil && err == nil
	})
	return lit, sc, err
}

// regionOverride reads IsOverrideEnabled of a registration's
// Region: unique.Make(inttypes.ResourceRegionDefault()).
func (ev *evaluator) regionOverride(e ast.Expr, sc *scope) (bool, error) {
	e, sc, err := ev.resolve(e, sc)
	if err != nil {
		return false, err
	}
	if c, ok := e.(*ast.CallExpr); ok && len(c.Args) == 1 {
		if sel, ok := c.Fun.(*ast.SelectorExpr); ok && importPath(sel.X, sc) == "unique" && sel.Sel.Name == "Make" {
			return ev.regionOverride(c.Args[0], sc)
		}
	}
	lit, sc, err := ev.literal(e, sc)
	if err != nil {
		return false, err
	}
	v := fields(lit)["IsOverrideEnabled"]
	if v == nil {
		return false, nil
	}
	return ev.boolean(v, sc)
}

// regionReplace finds where the provider forces replacement when the region
// it injects changes: a ForceNew("region") in internal/provider/sdkv2, or a
// RequiresReplace of path.Root("region") in internal/provider/framework.
// It returns "" when the source has no such place.
func (c *Contract) regionReplace(framework bool) (string, error) {
	c.regionOnce.Do(func() {
		c.regionAt = map[bool]string{}
		for fw, dir := range map[bool]string{false: "sdkv2", true: "framework"} {
			p, err := c.tf.load(filepath.Join(c.tf.modDir, "internal", "provider", dir))
			if err != nil {
				c.regionErr = fmt.Errorf("internal/provider/%s: %w", dir, err)
				return
			}
			probe := &Resource{}
			for _, fd := range p.funcs {
				c.ev.findRegionReplace(fd, probe)
			}
			for _, ms := range p.methods {
				for _, fd := range ms {
					c.ev.findRegionReplace(fd, probe)
				}
			}
			for _, a := range probe.Replace {
				if a.Path == "region" {
					c.regionAt[fw] = a.Origin
				}
			}
		}
	})
	return c.regionAt[framework], c.regionErr
}

// findRegionReplace records, in a probe Resource, the constant attributes a
// function forces replacement of.
func (ev *evaluator) findRegionReplace(fd funcDecl, probe *Resource) {
	if fd.decl.Body == nil {
		return
	}
	sc := &scope{file: fd.file, body: fd.decl.Body}
	w := &diffWalker{ev: ev, r: probe, home: fd.file.pkg, visited: map[*ast.BlockStmt]bool{}}
	ast.Inspect(fd.decl.Body, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			_ = w.call(c, sc, nil)
		}
		return true
	})
	ev.modifyPlan(fd, probe)
}

// TerraformType is the Terraform resource type of a provider-aws kind:
// ("ecs", "TaskDefinition") is "aws_ecs_task_definition". group is the short
// group, as in <group>.aws.upbound.io; a full group name is shortened.
// It reads GetTerraformResourceType from the generated
// apis/{namespaced,cluster}/<group>/<version>/zz_<kind>_terraformed.go of
// every version, and fails if they disagree.
func (c *Contract) TerraformType(group, kind string) (string, error) {
	group, _, _ = strings.Cut(group, ".")
	key := group + "/" + kind
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.tfTypes[key]; ok {
		return t, nil
	}
	if err, ok := c.typesErr[key]; ok {
		return "", err
	}
	t, err := c.readTerraformType(group, kind)
	if err != nil {
		err = fmt.Errorf("kind %s of group %s: %w", kind, group, err)
		c.typesErr[key] = err
		return "", err
	}
	c.tfTypes[key] = t
	return t, nil
}

func (c *Contract) readTerraformType(group, kind string) (string, error) {
	pattern := filepath.Join(c.src.Provider.Dir, "apis", "*", group, "*", "zz_"+strings.ToLower(kind)+"_terraformed.go")
	files, err := filepath.Glob(pattern)
	if err != nil {
		return "", fmt.Errorf("cannot list %s: %w", pattern, err)
	}
	if len(files) == 0 {
		return "", fmt.Errorf("no %s in %s", filepath.Base(pattern), c.src.Provider)
	}
	found := ""
	for _, f := range files {
		// Only two small files of the generated package are read: the
		// package's types and deepcopy files are large.
		if err := checkGroup(filepath.Join(filepath.Dir(f), "zz_groupversion_info.go"), group); err != nil {
			return "", err
		}
		t, err := terraformedType(f, kind)
		if err != nil {
			return "", err
		}
		if found != "" && t != found {
			return "", fmt.Errorf("API versions disagree: %s and %s", found, t)
		}
		found = t
	}
	return found, nil
}

// terraformedType reads the string a kind's GetTerraformResourceType returns.
func terraformedType(file, kind string) (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
	if err != nil {
		return "", fmt.Errorf("cannot parse: %w", err)
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != "GetTerraformResourceType" || receiverType(fd.Recv) != kind || fd.Body == nil || len(fd.Body.List) != 1 {
			continue
		}
		if r, ok := fd.Body.List[0].(*ast.ReturnStmt); ok && len(r.Results) == 1 {
			if lit, ok := r.Results[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				return strconv.Unquote(lit.Value)
			}
		}
		return "", fmt.Errorf("%s: %s.GetTerraformResourceType does not return a string literal", file, kind)
	}
	return "", fmt.Errorf("%s: no %s.GetTerraformResourceType", file, kind)
}

// checkGroup makes sure a package of apis/ serves the group its directory is
// named after: <group>.aws.upbound.io or <group>.aws.m.upbound.io.
func checkGroup(file, group string) error {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
	if err != nil {
		return fmt.Errorf("cannot parse: %w", err)
	}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, s := range gd.Specs {
			vs, ok := s.(*ast.ValueSpec)
			if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "CRDGroup" || len(vs.Values) != 1 {
				continue
			}
			lit, ok := vs.Values[0].(*ast.BasicLit)
			if !ok {
				break
			}
			g, err := strconv.Unquote(lit.Value)
			if err != nil || !strings.HasPrefix(g, group+".aws.") {
				return fmt.Errorf("%s: CRDGroup %s is not of group %s", file, lit.Value, group)
			}
			return nil
		}
	}
	return fmt.Errorf("%s: no CRDGroup constant", file)
}
