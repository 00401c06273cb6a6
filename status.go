package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/crossplane/function-sdk-go/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/response"
)

// statusWaitingFor is the XR status field listing what is held back and why.
// Besides telling users, it is the function's memory between calls (with the
// gate conditions where an XRD lacks it): an event is sent only when this list
// changes, never once per call.
const statusWaitingFor = "status.waitingFor"

// statusFailures is the XR status field listing what the provider could not
// do, the function's memory for the Warning events as waitingFor is for
// the Normal ones.
const statusFailures = "status.failures"

// heldSeparator joins what one gate holds back in its condition's message.
const heldSeparator = "; "

// Event reasons.
const (
	reasonWaiting         = "WaitingForDependency"
	reasonDependencyReady = "DependencyReady"
	reasonAvailable       = "Available"
	reasonCreating        = "Creating"
	reasonKeptAsIs        = "KeptAsIs"
	reasonPrerequisite    = "PrerequisiteMissing"
	reasonRefused         = "ProviderFailure"
	reasonRecovered       = "ProviderRecovered"
	// reasonUpgradeOrder: a release waits for what it needs to run first.
	reasonUpgradeOrder = "WaitingForClickHouseUpgrade"
)

// xrStatus is what the function reports on the XR (and so on the claim).
type xrStatus struct {
	URL        string         `json:"url"`
	AuthURL    string         `json:"authUrl,omitempty"`
	Bucket     string         `json:"bucket,omitempty"`
	Cognito    *cognitoStatus `json:"cognito,omitempty"`
	Database   *endpoint      `json:"database,omitempty"`
	Cache      *endpoint      `json:"cache,omitempty"`
	ECS        *ecsStatus     `json:"ecs,omitempty"`
	WaitingFor []string       `json:"waitingFor"`
	Failures   []string       `json:"failures"`
}

// endpoint is where a data store answers; never a credential.
type endpoint struct {
	Endpoint string `json:"endpoint"`
}

// ecsStatus names what an operator looks for in the ECS console, or passes
// to aws ecs execute-command.
type ecsStatus struct {
	Cluster           string `json:"cluster"`
	WebService        string `json:"webService,omitempty"`
	WorkerService     string `json:"workerService,omitempty"`
	ClickHouseService string `json:"clickhouseService,omitempty"`
	// ClickHouseHost is ClickHouse's name inside the VPC.
	ClickHouseHost string `json:"clickhouseHost,omitempty"`
}

type cognitoStatus struct {
	UserPoolID string `json:"userPoolId,omitempty"`
	ClientID   string `json:"clientId,omitempty"`
	Issuer     string `json:"issuer,omitempty"`
}

// statusOf derives the XR status from the spec and what AWS reports.
func statusOf(w *world, p *plan) xrStatus {
	st := xrStatus{URL: "https://" + w.spec.FQDN(), WaitingFor: waitingFor(p), Failures: p.failures(w)}
	if st.Failures == nil {
		st.Failures = []string{}
	}
	if w.exists(compBucket) {
		st.Bucket = w.bucketName()
	}
	if ep := w.statusString(compDatabase, statusPathEndpoint); ep != "" {
		st.Database = &endpoint{Endpoint: ep}
	}
	if ep := w.statusString(compCache, statusPathPrimaryEndpoint); ep != "" {
		st.Cache = &endpoint{Endpoint: ep}
	}
	st.ECS = ecsStatusOf(w)
	if !w.spec.CognitoEnabled() {
		return st
	}
	st.AuthURL = "https://" + w.spec.AuthFQDN()
	c := cognitoStatus{
		UserPoolID: w.statusString(compUserPool, statusPathID),
		ClientID:   w.statusString(compUserPoolClient, statusPathID),
	}
	if ep := w.statusString(compUserPool, statusPathPoolEndpoint); ep != "" {
		// Langfuse discovers OIDC from the pool's regional endpoint, not
		// from the custom domain, which serves no discovery document.
		c.Issuer = "https://" + ep
	}
	if c != (cognitoStatus{}) {
		st.Cognito = &c
	}
	return st
}

// ecsStatusOf names the cluster and the services that exist.
func ecsStatusOf(w *world) *ecsStatus {
	if !w.exists(compECSCluster) {
		return nil
	}
	e := &ecsStatus{Cluster: w.ecsClusterName()}
	if w.exists(compWebService) {
		e.WebService = w.serviceName(webService)
	}
	if w.exists(compWorkerService) {
		e.WorkerService = w.serviceName(workerService)
	}
	if w.exists(compClickHouseService) {
		e.ClickHouseService = w.serviceName(clickHouseService)
		e.ClickHouseHost = w.clickHouseHost()
	}
	return e
}

// setStatus writes each status field the function owns, leaving others that
// earlier pipeline steps may have set.
func setStatus(dxr *resource.Composite, st xrStatus) error {
	b, err := json.Marshal(st)
	if err != nil {
		return errors.Wrap(err, "cannot encode status")
	}
	fields := map[string]any{}
	if err := json.Unmarshal(b, &fields); err != nil {
		return errors.Wrap(err, "cannot decode status")
	}
	status, ok := dxr.Resource.Object["status"].(map[string]any)
	if !ok {
		status = make(map[string]any, len(fields))
		dxr.Resource.Object["status"] = status
	}
	maps.Copy(status, fields)
	return nil
}

func waitingFor(p *plan) []string {
	out := make([]string, 0, len(p.held)+len(p.rolloutWaits))
	for _, h := range p.held {
		out = append(out, h.describe())
	}
	return append(out, p.rolloutWaits...)
}

// setConditions sets one custom condition per gate of the graph, on the XR
// and its claim. Crossplane v1 drops these, which is why events say the same.
func setConditions(rsp *fnv1.RunFunctionResponse, w *world, p *plan) {
	order, gates := gatesOf(w, p)
	for _, t := range order {
		gates[t].set(rsp, t)
	}
}

// gate is what one condition reports on.
type gate struct {
	// failed are the gate's resources the provider could not change, with
	// its message.
	failed []string
	// problems are what the checks of the gate's components found wrong.
	problems []string
	held     []held
	// rolloutWaits say why a new release is not rolled out yet.
	rolloutWaits []string
	// stuck are components kept as they are because their builder refused
	// what it observed (not because a need flapped): they cannot follow the
	// spec.
	stuck   []held
	unready []string
}

// gatesOf sorts the plan's components by gate, in graph order.
func gatesOf(w *world, p *plan) ([]string, map[string]*gate) {
	gates := map[string]*gate{}
	var order []string
	for _, c := range graph {
		if c.condition == "" || !c.enabled(w.spec) || gates[c.condition] != nil {
			continue
		}
		gates[c.condition] = &gate{}
		order = append(order, c.condition)
	}
	for _, h := range p.held {
		if g := gates[h.component.condition]; g != nil {
			g.held = append(g.held, h)
		}
	}
	for _, k := range p.kept {
		if g := gates[k.component.condition]; g != nil && k.err != nil {
			g.stuck = append(g.stuck, k)
		}
	}
	if g := gates[conditionMigrations]; g != nil {
		g.rolloutWaits = p.rolloutWaits
	}
	p.sortFailures(w, gates)
	for _, c := range graph {
		ready, emitted := p.componentReady[c.name]
		if g := gates[c.condition]; g != nil && emitted && !ready {
			g.unready = append(g.unready, c.name)
		}
	}
	return order, gates
}

// sortFailures gives each gate the failures of its resources and the
// problems its components' checks found.
func (p *plan) sortFailures(w *world, gates map[string]*gate) {
	for _, name := range p.order {
		f := p.failure(w, name)
		if g := gates[p.desired[name].component.condition]; g != nil && f != "" {
			g.failed = append(g.failed, f)
		}
	}
	for _, c := range graph {
		if err := p.problems[c.name]; err != nil && gates[c.condition] != nil {
			gates[c.condition].problems = append(gates[c.condition].problems, err.Error())
		}
	}
}

// set sets the gate's condition: what the provider could not do, else what
// it holds back, else what it keeps as it is, else what AWS has not made
// Ready yet, else Available.
func (g *gate) set(rsp *fnv1.RunFunctionResponse, condition string) {
	switch {
	case len(g.failed) > 0:
		response.ConditionFalse(rsp, condition, reasonRefused).
			WithMessage(strings.Join(g.failed, heldSeparator)).TargetCompositeAndClaim()
	case len(g.problems) > 0:
		response.ConditionFalse(rsp, condition, reasonPrerequisite).
			WithMessage(strings.Join(g.problems, heldSeparator)).TargetCompositeAndClaim()
	case len(g.held) > 0:
		msgs := make([]string, 0, len(g.held))
		for _, h := range g.held {
			msgs = append(msgs, h.describe())
		}
		response.ConditionFalse(rsp, condition, g.held[0].reason()).
			WithMessage(strings.Join(msgs, heldSeparator)).TargetCompositeAndClaim()
	case len(g.rolloutWaits) > 0:
		response.ConditionFalse(rsp, condition, reasonUpgradeOrder).
			WithMessage(strings.Join(g.rolloutWaits, heldSeparator)).TargetCompositeAndClaim()
	case len(g.stuck) > 0:
		msgs := make([]string, 0, len(g.stuck))
		for _, k := range g.stuck {
			msgs = append(msgs, k.component.name+" is kept as it is: "+k.err.Error())
		}
		response.ConditionFalse(rsp, condition, reasonKeptAsIs).
			WithMessage(strings.Join(msgs, heldSeparator)).TargetCompositeAndClaim()
	case len(g.unready) > 0:
		response.ConditionFalse(rsp, condition, reasonCreating).
			WithMessage(fmt.Sprintf("waiting for AWS to report %s Ready", strings.Join(g.unready, ", "))).TargetCompositeAndClaim()
	default:
		response.ConditionTrue(rsp, condition, reasonAvailable).TargetCompositeAndClaim()
	}
}

// emitEvents sends, when what is waited for changed since the previous call,
// one event saying what is now waited for and one saying what no longer is,
// each listing every item. One event per change, never one per call or per
// item: Kubernetes folds more than ten similar events in ten minutes into
// one, and the message of an early, important item would be lost.
func emitEvents(rsp *fnv1.RunFunctionResponse, oxr *resource.Composite, now []string) {
	started, ended := changes(waitedFor(oxr), now)
	if len(started) > 0 {
		response.Normal(rsp, "Waiting: "+strings.Join(started, heldSeparator)).WithReason(reasonWaiting).TargetCompositeAndClaim()
	}
	if len(ended) > 0 {
		response.Normal(rsp, "No longer waiting: "+strings.Join(ended, heldSeparator)).WithReason(reasonDependencyReady).TargetCompositeAndClaim()
	}
}

// changes lists the items of now that before lacks, and those of before that
// now lacks.
func changes(before, now []string) (started, ended []string) {
	for _, m := range now {
		if !slices.Contains(before, m) {
			started = append(started, m)
		}
	}
	for _, m := range before {
		if !slices.Contains(now, m) {
			ended = append(ended, m)
		}
	}
	return started, ended
}

// emitFailureEvents sends one Warning event when the provider newly could not
// do something, listing each such resource with the provider's message, and
// one Normal event when such a failure is gone: once per change, as
// emitEvents does for what is waited for.
func emitFailureEvents(rsp *fnv1.RunFunctionResponse, oxr *resource.Composite, now []string) {
	started, ended := changes(failedBefore(oxr), now)
	if len(started) > 0 {
		response.Warning(rsp, errors.New("The provider could not apply: "+strings.Join(started, heldSeparator))).WithReason(reasonRefused).TargetCompositeAndClaim()
	}
	if len(ended) > 0 {
		response.Normal(rsp, "The provider applied what it could not before: "+strings.Join(ended, heldSeparator)).WithReason(reasonRecovered).TargetCompositeAndClaim()
	}
}

// failedBefore is what the previous call reported as failed: its
// status.failures, or where the XRD has no such field the gate conditions
// Crossplane v2 keeps on the XR, whose messages name each resource as the
// status does.
func failedBefore(oxr *resource.Composite) []string {
	return remembered(oxr, statusFailures, func(_, _, reason string) bool { return reason == reasonRefused })
}

// waitedFor is what the previous call held back, as the observed XR tells:
// its status.waitingFor where the XRD keeps that field, or else the gate
// conditions Crossplane v2 copies onto the XR (their messages list what each
// gate holds). Teams may reshape the XRD, and Crossplane v1 drops the
// conditions; only with neither is every call a change.
func waitedFor(oxr *resource.Composite) []string {
	return remembered(oxr, statusWaitingFor, func(typ, status, reason string) bool {
		return gateConditions[typ] && status == string(corev1.ConditionFalse) && strings.HasPrefix(reason, "WaitingFor")
	})
}

// gateConditions are the condition types of the graph's gates.
var gateConditions = func() map[string]bool {
	out := map[string]bool{}
	for _, c := range graph {
		if c.condition != "" {
			out[c.condition] = true
		}
	}
	return out
}()

// remembered is a list the previous call wrote to the XR's status at path,
// or, where the XRD has no such field, the items of the messages of the
// conditions that match.
func remembered(oxr *resource.Composite, path string, match func(typ, status, reason string) bool) []string {
	var before []string
	if err := oxr.Resource.GetValueInto(path, &before); err == nil {
		return before
	}
	var conditions []struct {
		Type    string `json:"type"`
		Status  string `json:"status"`
		Reason  string `json:"reason"`
		Message string `json:"message"`
	}
	_ = oxr.Resource.GetValueInto("status.conditions", &conditions)
	for _, c := range conditions {
		if c.Message != "" && match(c.Type, c.Status, c.Reason) {
			before = append(before, strings.Split(c.Message, heldSeparator)...)
		}
	}
	return before
}
