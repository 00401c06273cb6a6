package main

import (
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// world is what builders may read: the spec, how to shape and name MRs, and
// the observed state of the XR's composed resources.
type world struct {
	spec  *Spec
	style MRStyle
	// names derives the AWS names of this XR's resources.
	names    namer
	observed map[resource.Name]*observedMR
	// byComponent indexes observed resources by the component their
	// composition-resource name belongs to. Crossplane owns that name; a
	// label can be edited or stripped by anyone, so it is never the key.
	byComponent map[string][]resource.Name
	// revisions names, per replace-only component, the revision the spec
	// asks for, once its builder has run (revisions.go).
	revisions map[string]resource.Name
	// ready records which observed resources report Ready=True, read once:
	// decoding conditions is the costliest read of an observed resource.
	ready map[resource.Name]bool
	// failed records, per observed resource, what the provider says it
	// could not do: a refused request or a failed wait (providerFailure).
	failed map[resource.Name]string
	// generate makes a credential's value; generated says it did, in this
	// call (the memo forgets such a call: memo.go).
	generate  generator
	generated bool
	// xrConnection and xrSecret are the XR's connection details and the
	// Secret they are written to, which hold a claim's credentials.
	xrConnection map[string][]byte
	xrSecret     struct{ name, namespace string }
	// userNamespace is where the user's own Secrets are: the claim's
	// namespace, or the namespaced XR's.
	userNamespace string
	// coreV2 is set when the core says it is Crossplane v2.2 or later.
	coreV2 bool
	// credentialsDoc or credentialsErr is the credentials' JSON document,
	// worked out once per call.
	credentialsDoc []byte
	credentialsErr error
	// running is the container each service runs, read off its revision
	// once per call (release.go), from containers when a call before
	// decoded it.
	running    map[string]running
	containers *containerCache
}

func newWorld(spec *Spec, style MRStyle, names namer, observed map[resource.Name]*observedMR) *world {
	w := &world{spec: spec, style: style, names: names, observed: observed, byComponent: map[string][]resource.Name{}, revisions: map[string]resource.Name{}, running: map[string]running{}, ready: map[resource.Name]bool{}, failed: map[resource.Name]string{}, generate: generateRandom}
	for name, o := range observed {
		if c, ok := componentOf(string(name)); ok {
			w.byComponent[c.name] = append(w.byComponent[c.name], name)
		}
		w.ready[name] = isReady(o) || isKubernetesSecret(o) || isUsage(o)
		if msg := providerFailure(o); msg != "" {
			w.failed[name] = msg
		}
	}
	for _, names := range w.byComponent {
		sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	}
	return w
}

// exists says whether any resource of a component is observed.
func (w *world) exists(component string) bool { return len(w.byComponent[component]) > 0 }

// observedOne is the observed resource of a single-resource component, or of
// the revision a replace-only component's spec asks for.
func (w *world) observedOne(component string) *observedMR {
	name := resource.Name(component)
	if r, ok := w.revisions[component]; ok {
		name = r
	}
	return w.observed[name]
}

// statusString reads a string a component's observed resource reports.
func (w *world) statusString(component, path string) string {
	mr := w.observedOne(component)
	if mr == nil {
		return ""
	}
	v, _ := mr.GetString(path)
	return v
}

// memberStatus reads a string the member of a component of several
// resources reports, "" when it is not observed or does not report it.
func (w *world) memberStatus(component, key, path string) string {
	v, _ := w.observed[resourceName(component, key)].GetString(path)
	return v
}

// observedMember is the observed member of a component, or nil.
func (w *world) observedMember(component, key string) *observedMR {
	return w.observed[resourceName(component, key)]
}

// memberExists says whether the member of a component is observed.
func (w *world) memberExists(component, key string) bool {
	_, ok := w.observed[resourceName(component, key)]
	return ok
}

// readyMemberID is the id a member reports once it is Ready, else "".
func (w *world) readyMemberID(component, key string) string {
	if !w.ready[resourceName(component, key)] {
		return ""
	}
	return w.memberStatus(component, key, statusPathID)
}

// memberBody is what a member's key derives from: an MR's forProvider, or
// the spec of what has none (a Usage).
func memberBody(o *observedMR) map[string]any {
	if o == nil {
		return nil
	}
	if fp := o.ForProvider(); fp != nil {
		return fp
	}
	v, _, _ := unstructured.NestedFieldNoCopy(o.Unstructured().Object, "spec")
	spec, _ := v.(map[string]any)
	return spec
}

// reported is the string a component's observed resource reports at path,
// for a builder whose needs promise it; an error says it does not yet.
func (w *world) reported(component, path string) (string, error) {
	v := w.statusString(component, path)
	if v == "" {
		return "", errors.Errorf("%s reports no %s", component, path)
	}
	return v, nil
}

// arns are the ARNs the components' resources report, in order.
func (w *world) arns(components ...string) ([]string, error) {
	out := make([]string, 0, len(components))
	for _, c := range components {
		arn, err := w.reported(c, statusPathARN)
		if err != nil {
			return nil, err
		}
		out = append(out, arn)
	}
	return out, nil
}

// observedForProvider is the forProvider an observed resource was given.
func observedForProvider(o *observedMR) map[string]any {
	if o == nil {
		return nil
	}
	return o.ForProvider()
}

// hasField says whether the observed resource reports a non-empty value at path.
func (w *world) hasField(component, path string) bool {
	return w.observedOne(component).nonEmpty(path)
}

// hasAll says whether the observed resource reports every field in paths.
func (w *world) hasAll(name resource.Name, paths []string) bool {
	for _, p := range paths {
		if !w.hasField(string(name), p) {
			return false
		}
	}
	return true
}

// isReady says whether an observed resource reports Ready=True. It reads the
// conditions as they are, where GetCondition would decode them through JSON.
func isReady(o *observedMR) bool {
	status, _, _ := o.condition(string(xpv2.TypeReady))
	return status == string(corev1.ConditionTrue)
}

// Conditions through which the provider says what it could not do. upjet
// marks an MR Ready once the resource exists in AWS, whatever happened to the
// last change: a refused update (a replace-only argument, AccessDenied, a
// request AWS rejects) turns Synced False, and a failed asynchronous
// operation, such as an ECS service whose steady-state wait failed or timed
// out, turns LastAsyncOperation False (upjet's pkg/resource/conditions.go).
const (
	conditionSynced             = "Synced"
	conditionLastAsyncOperation = "LastAsyncOperation"
)

// maxFailureMessage bounds what the XR repeats of a provider's message.
const maxFailureMessage = 400

// providerFailure is what the provider says it could not do with an observed
// resource, or "" when nothing failed.
func providerFailure(o *observedMR) string {
	for _, t := range []string{conditionSynced, conditionLastAsyncOperation} {
		status, reason, msg := o.condition(t)
		if status != string(corev1.ConditionFalse) {
			continue
		}
		if msg == "" {
			msg = reason
		}
		msg = strings.Join(strings.Fields(msg), " ")
		if len(msg) > maxFailureMessage {
			msg = msg[:maxFailureMessage] + "…"
		}
		return t + "=False: " + msg
	}
	return ""
}

// carryOver copies what the function owns of an observed resource: its type,
// name, external name and everything but its metadata and status (an MR's
// spec, a Secret's data), labelled with its component (and member). Status and server-set
// metadata stay behind.
func carryOver(c *component, observed *observedMR) *composed.Unstructured {
	o := observed.Unstructured()
	mr := composed.New()
	for k, v := range o.Object {
		if k != "metadata" && k != "status" {
			mr.Object[k] = v
		}
	}
	labels := map[string]string{labelComponent: c.name}
	if c.memberKey != nil {
		labels[labelMember] = c.memberKey(memberBody(observed))
	}
	mr.SetLabels(labels)
	if en := o.GetAnnotations()[annotationExternalName]; en != "" {
		mr.SetAnnotations(map[string]string{annotationExternalName: en})
	}
	if isKubernetesSecret(o) {
		mr.SetName(o.GetName())
		mr.SetNamespace(o.GetNamespace())
	}
	return mr
}
