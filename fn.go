package main

import (
	"context"
	"regexp"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/response"

	"github.com/crossplane-contrib/function-langfuse/input/v1beta1"
)

// Defaults of the function's input.
const (
	defaultSecretNamespace = "crossplane-system"
	defaultWaitingTTL      = 30 * time.Second
	defaultReadyTTL        = response.DefaultTTL
)

// Function composes a production Langfuse front door on AWS from a Langfuse XR.
type Function struct {
	fnv1.UnimplementedFunctionRunnerServiceServer

	log logging.Logger
}

// NewFunction returns a Function that logs to log.
func NewFunction(log logging.Logger) *Function {
	return &Function{log: log}
}

// RunFunction runs the five steps of DESIGN.md §1: parse the spec, build the
// graph's resources, gate them, set their readiness, and report status.
func (f *Function) RunFunction(_ context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	rsp := response.To(req, defaultReadyTTL)

	// 1. Parse, default and validate. A bad spec is Fatal: Crossplane then
	// applies nothing and deletes nothing, so what exists stays.
	c, err := readCall(req)
	if err != nil {
		response.Fatal(rsp, err)
		return rsp, nil
	}
	log := f.log.WithValues("xr-kind", c.oxr.Resource.GetKind(), "xr-name", c.oxr.Resource.GetName(), "xr-namespace", c.oxr.Resource.GetNamespace())

	// 2 and 3. Build what the graph allows, keeping whatever exists.
	w := newWorld(c.spec, styleFor(c.oxr, c.spec, c.in), baseName(c.oxr), c.observed)
	p := w.Walk()

	// 4. Readiness of every desired resource, from its observed copy.
	allReady := setReadiness(w, p, c.desired)
	if err := response.SetDesiredComposedResources(rsp, c.desired); err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot set desired composed resources"))
		return rsp, nil
	}

	// 5. XR status, readiness, conditions and events.
	st := statusOf(w, p)
	if err := setStatus(c.dxr, st); err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot set XR status"))
		return rsp, nil
	}
	if len(p.held) > 0 {
		// Crossplane v2 would otherwise call the XR Ready as soon as what
		// exists is Ready, although something is still held back.
		c.dxr.Ready = resource.ReadyFalse
	}
	if err := response.SetDesiredCompositeResource(rsp, c.dxr); err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot set desired composite resource"))
		return rsp, nil
	}
	setConditions(rsp, w, p)
	emitEvents(rsp, c.oxr, st.WaitingFor)

	ttl := ttlOr(c.in.ReadyTTL, defaultReadyTTL)
	if len(p.held) > 0 || !allReady {
		ttl = ttlOr(c.in.WaitingTTL, defaultWaitingTTL)
	}
	rsp.Meta.Ttl = durationpb.New(ttl)

	for _, k := range p.kept {
		log.Debug("Keeping an existing resource although a dependency is not satisfied", "component", k.component.name, "reason", k.describe())
	}
	log.Debug("Composed", "desired", len(p.order), "held", len(p.held), "ready", allReady)
	return rsp, nil
}

// call is what one request gives the function to work with.
type call struct {
	in       *v1beta1.Input
	oxr      *resource.Composite
	dxr      *resource.Composite
	spec     *Spec
	observed map[resource.Name]resource.ObservedComposed
	desired  map[resource.Name]*resource.DesiredComposed
}

// readCall decodes the request: the input, the XR and its validated spec, and
// the observed and desired composed resources.
func readCall(req *fnv1.RunFunctionRequest) (*call, error) {
	c := &call{in: &v1beta1.Input{}}
	if req.GetInput() != nil {
		if err := request.GetInput(req, c.in); err != nil {
			return nil, errors.Wrap(err, "invalid function input")
		}
	}
	var err error
	if c.oxr, err = request.GetObservedCompositeResource(req); err != nil {
		return nil, errors.Wrap(err, "cannot get observed composite resource")
	}
	if c.spec, err = ParseSpec(specOf(c.oxr)); err != nil {
		return nil, errors.Wrapf(err, "invalid %s %q", c.oxr.Resource.GetKind(), c.oxr.Resource.GetName())
	}
	if c.observed, err = request.GetObservedComposedResources(req); err != nil {
		return nil, errors.Wrap(err, "cannot get observed composed resources")
	}
	if c.desired, err = request.GetDesiredComposedResources(req); err != nil {
		return nil, errors.Wrap(err, "cannot get desired composed resources")
	}
	if c.dxr, err = request.GetDesiredCompositeResource(req); err != nil {
		return nil, errors.Wrap(err, "cannot get desired composite resource")
	}
	return c, nil
}

// setReadiness puts the plan's resources into desired, each Ready when its
// observed copy is Ready and reports what its dependants read from it. It
// says whether all of them are.
func setReadiness(w *world, p *plan, desired map[resource.Name]*resource.DesiredComposed) bool {
	needed := neededFields(w.spec)
	allReady := true
	for _, name := range p.order {
		e := p.desired[name]
		ready := resource.ReadyFalse
		if w.ready[name] && hasAll(w, name, needed[e.component.name]) {
			ready = resource.ReadyTrue
		}
		allReady = allReady && ready == resource.ReadyTrue
		desired[name] = &resource.DesiredComposed{Resource: e.resource, Ready: ready}
	}
	return allReady
}

func specOf(oxr *resource.Composite) map[string]any {
	s, _ := oxr.Resource.Object["spec"].(map[string]any)
	return s
}

// hasAll says whether the observed resource reports every field in paths.
func hasAll(w *world, name resource.Name, paths []string) bool {
	for _, p := range paths {
		if !w.hasField(string(name), p) {
			return false
		}
	}
	return true
}

// styleFor picks the MR style of the XR: a namespaced XR composes the
// namespaced .m. kinds, a claim's cluster-scoped XR the cluster kinds.
func styleFor(oxr *resource.Composite, spec *Spec, in *v1beta1.Input) MRStyle {
	ns := in.ConnectionSecretNamespace
	if ns == "" {
		ns = defaultSecretNamespace
	}
	return MRStyle{
		Namespaced:         oxr.Resource.GetNamespace() != "",
		ProviderConfigName: spec.ProviderConfigName,
		SecretNamespace:    ns,
		Orphan:             spec.DeletionPolicy == DeletionPolicyOrphan,
		Tags:               in.Tags,
	}
}

var notNameChars = regexp.MustCompile(`[^a-z0-9-]+`)

// baseName prefixes the AWS names of an XR's resources. A claim's XR name is
// unique in the cluster; a namespaced XR's name only in its namespace.
func baseName(oxr *resource.Composite) string {
	name := oxr.Resource.GetName()
	if ns := oxr.Resource.GetNamespace(); ns != "" {
		name = ns + "-" + name
	}
	name = strings.Trim(notNameChars.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if name == "" {
		return "langfuse"
	}
	return name
}

func ttlOr(d *metav1.Duration, def time.Duration) time.Duration {
	if d == nil || d.Duration <= 0 {
		return def
	}
	return d.Duration
}
