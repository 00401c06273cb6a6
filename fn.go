package main

import (
	"context"
	"slices"
	"time"

	"google.golang.org/protobuf/proto"
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

// Function composes a production Langfuse on AWS from a Langfuse XR.
type Function struct {
	fnv1.UnimplementedFunctionRunnerServiceServer

	log logging.Logger
	// generate makes the credentials the function generates.
	generate generator
	// containers remembers the container of each task definition ARN it
	// decoded (release.go).
	containers *containerCache
	// memo answers a call for an XR from its last answer when nothing the
	// function reads has changed (memo.go); nil remembers nothing.
	memo *memo
}

// NewFunction returns a Function that logs to log and remembers the last
// answer of up to memoXRs XRs.
func NewFunction(log logging.Logger, memoXRs int) *Function {
	return &Function{log: log, generate: generateRandom, containers: newContainerCache(), memo: newMemo(memoXRs)}
}

// RunFunction answers from memory when nothing it reads has changed since
// the XR's last call, and composes afresh otherwise.
func (f *Function) RunFunction(_ context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	key := memoKey(req)
	if e := f.memo.recall(key, req); e != nil {
		return f.recalled(req, e)
	}
	var inputs memoInputs
	if f.memo != nil && key != "" {
		// Composing changes the request's desired state, which the
		// response shares.
		inputs = inputsOf(req)
	}
	rsp, observed, answer := f.compose(req)
	if observed != nil {
		f.memo.remember(key, inputs, observed, answer)
	}
	return rsp, nil
}

// recalled answers the request from the XR's last answer.
func (f *Function) recalled(req *fnv1.RunFunctionRequest, e *memoEntry) (*fnv1.RunFunctionResponse, error) {
	var fresh *fnv1.RunFunctionResponse
	if f.memo.verify {
		fresh, _, _ = f.compose(proto.Clone(req).(*fnv1.RunFunctionRequest)) //nolint:forcetypeassert // Clone returns the type it is given.
	}
	rsp := response.To(req, e.answer.ttl)
	e.answer.respond(rsp)
	if fresh != nil {
		if what := differs(rsp, fresh); what != "" {
			return nil, errors.Errorf("the answer from memory differs from a fresh one in %s", what)
		}
	}
	f.logComposed(req, e.answer.summary, true)
	return rsp, nil
}

// compose parses the spec, walks the dependency graph over what is
// observed, and answers with what to compose, its readiness and the XR's
// status. Unless the answer is Fatal or holds a generated credential, it
// also returns the observed resources as the call read them and what the
// call added to the response, for the memo.
func (f *Function) compose(req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, map[resource.Name]*observedMR, memoAnswer) {
	rsp := response.To(req, defaultReadyTTL)

	// A bad spec, a bad input or an edit AWS cannot apply is Fatal: Crossplane
	// then applies nothing and deletes nothing, so what exists stays.
	c, err := readCall(req)
	if err != nil {
		response.Fatal(rsp, err)
		return rsp, nil, memoAnswer{}
	}
	w := c.world(req, f.generate)
	w.containers = f.containers
	if errs := slices.Concat(w.networkEdits(), w.immutableEdits(), w.migrationEdits(), w.capacityEdits()); len(errs) > 0 {
		response.Fatal(rsp, errors.Wrapf(errs.ToAggregate(), "invalid %s %q", c.oxr.Resource.GetKind(), c.oxr.Resource.GetName()))
		return rsp, nil, memoAnswer{}
	}

	// Build what the graph allows, keeping whatever exists, each resource
	// Ready once its observed copy is.
	p := w.Walk()
	allReady := p.readiness(w, c.desired)
	if err := setDesired(rsp, c.desired); err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot set desired composed resources"))
		return rsp, nil, memoAnswer{}
	}

	// XR status, readiness, conditions and events.
	st := statusOf(w, p)
	if err := setStatus(c.dxr, st); err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot set XR status"))
		return rsp, nil, memoAnswer{}
	}
	c.dxr.Ready = lowerReadiness(c.dxr.Ready, len(p.held) == 0 && len(p.rolloutWaits) == 0 && allReady)
	if doc, err := w.credentialsDocument(); err == nil && !w.credentialsInSecret() {
		// A claim's credentials live in its XR's connection secret.
		c.dxr.ConnectionDetails[credentialsKey] = doc
	}
	if err := response.SetDesiredCompositeResource(rsp, c.dxr); err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot set desired composite resource"))
		return rsp, nil, memoAnswer{}
	}
	setConditions(rsp, w, p)
	setReleaseCondition(rsp, w)
	emitEvents(rsp, c.oxr, st.WaitingFor)
	emitFailureEvents(rsp, c.oxr, st.Failures)

	ttl := ttlOr(c.in.ReadyTTL, defaultReadyTTL)
	if len(p.held) > 0 || len(p.rolloutWaits) > 0 || !allReady {
		ttl = ttlOr(c.in.WaitingTTL, defaultWaitingTTL)
	}
	rsp.Meta.Ttl = durationpb.New(ttl)

	summary := composeSummary{desired: len(p.order), held: len(p.held), ready: allReady}
	for _, k := range p.kept {
		summary.kept = append(summary.kept, [2]string{k.component.name, k.describe()})
	}
	f.logComposed(req, summary, false)
	if w.generated {
		return rsp, nil, memoAnswer{}
	}
	return rsp, c.observed, answerOf(rsp, c.desired, ttl, summary)
}

// logComposed logs what a call composed, and whether it answered from memory.
func (f *Function) logComposed(req *fnv1.RunFunctionRequest, s composeSummary, recalled bool) {
	kind, namespace, name := xrIdentity(req)
	log := f.log.WithValues("xr-kind", kind, "xr-name", name, "xr-namespace", namespace)
	for _, k := range s.kept {
		log.Debug("Keeping an existing resource although a dependency is not satisfied", "component", k[0], "reason", k[1])
	}
	log.Debug("Composed", "desired", s.desired, "held", s.held, "ready", s.ready, "from-memory", recalled)
}

// lowerReadiness is the XR readiness to answer, given what earlier steps of
// the pipeline said (the request's desired XR) and whether everything this
// function composes is there and Ready. It only ever lowers: an earlier
// step's False stays False, and Crossplane v2, which takes an explicit value
// over the composed resources' readiness, never calls the XR Ready while
// something is held back.
func lowerReadiness(earlier resource.Ready, ours bool) resource.Ready {
	if !ours {
		return resource.ReadyFalse
	}
	return earlier
}

// call is what one request gives the function to work with.
type call struct {
	in       *v1beta1.Input
	oxr      *resource.Composite
	dxr      *resource.Composite
	spec     *Spec
	observed map[resource.Name]*observedMR
	// desired are the resources this function composes. What earlier
	// steps of the pipeline composed is in the response already
	// (response.To), untouched unless a name is the same.
	desired map[resource.Name]*resource.DesiredComposed
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
	if errs := validateTags(c.in.Tags); len(errs) > 0 {
		return nil, errors.Wrap(errs.ToAggregate(), "invalid function input")
	}
	if c.spec, err = ParseSpec(specOf(c.oxr)); err != nil {
		return nil, errors.Wrapf(err, "invalid %s %q", c.oxr.Resource.GetKind(), c.oxr.Resource.GetName())
	}
	// Read in place as builders ask (observedmr.go), not decoded up front,
	// each with room for what a call reads of most, from one block.
	c.observed = make(map[resource.Name]*observedMR, len(req.GetObserved().GetResources()))
	reads := make([]read, 0, readsPerResource*len(req.GetObserved().GetResources()))
	for name, r := range req.GetObserved().GetResources() {
		o := newObservedMR(r.GetResource())
		o.reads, reads = reads[:0:readsPerResource], reads[readsPerResource:readsPerResource:cap(reads)]
		c.observed[resource.Name(name)] = o
	}
	c.desired = map[resource.Name]*resource.DesiredComposed{}
	if c.dxr, err = request.GetDesiredCompositeResource(req); err != nil {
		return nil, errors.Wrap(err, "cannot get desired composite resource")
	}
	// The SDK leaves out the readiness an earlier step of the pipeline set.
	c.dxr.Ready = readinessOf(req.GetDesired().GetComposite().GetReady())
	return c, nil
}

// world is what the builders of this call may read.
func (c *call) world(req *fnv1.RunFunctionRequest, generate generator) *world {
	w := newWorld(c.spec, styleFor(c.oxr, c.spec, c.in), namerFor(c.oxr), c.observed)
	w.generate = generate
	w.coreV2 = request.AdvertisesCapabilities(req)
	w.userNamespace = c.oxr.Resource.GetNamespace()
	if ns := c.oxr.Resource.GetLabels()["crossplane.io/claim-namespace"]; ns != "" {
		w.userNamespace = ns
	}
	w.xrConnection = c.oxr.ConnectionDetails
	w.xrSecret.name, _ = c.oxr.Resource.GetString("spec.writeConnectionSecretToRef.name")
	w.xrSecret.namespace, _ = c.oxr.Resource.GetString("spec.writeConnectionSecretToRef.namespace")
	w.defaultCacheEngine()
	return w
}

// readinessOf converts the wire's readiness to the SDK's.
func readinessOf(r fnv1.Ready) resource.Ready {
	switch r {
	case fnv1.Ready_READY_TRUE:
		return resource.ReadyTrue
	case fnv1.Ready_READY_FALSE:
		return resource.ReadyFalse
	default:
		return resource.ReadyUnspecified
	}
}

func specOf(oxr *resource.Composite) map[string]any {
	s, _ := oxr.Resource.Object["spec"].(map[string]any)
	return s
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

func ttlOr(d *metav1.Duration, def time.Duration) time.Duration {
	if d == nil || d.Duration <= 0 {
		return def
	}
	return d.Duration
}
