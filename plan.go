package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// emitted is one desired resource and the component it belongs to.
type emitted struct {
	component *component
	resource  *composed.Unstructured
}

// held is a component the graph holds back, and why.
type held struct {
	component *component
	unmet     need
	// err is set when the needs were met but the observed values were not
	// usable, e.g. a certificate whose validation options lack a value.
	err error
	// problem is what the check of the unmet component found wrong.
	problem error
}

// plan is the outcome of walking the graph once.
type plan struct {
	desired map[resource.Name]*emitted
	// order lists desired names in graph order, for stable output and tests.
	order []resource.Name
	// names lists the desired names of each component.
	names map[string][]resource.Name
	// held are components not emitted because a need is unmet.
	held []held
	// kept are components emitted only because they already exist.
	kept []held
	// componentReady records, per emitted component, whether all its
	// resources are observed Ready (and pass the component's check).
	componentReady map[string]bool
	// problems are what the checks of Ready components found wrong.
	problems map[string]error
	// rolloutWaits say why a new Langfuse release waits (release.go).
	rolloutWaits []string
}

// Walk decides, component by component, what to emit: a component is emitted
// when everything it needs is satisfied, or when it already exists (sticky:
// dropping an existing resource from the desired state deletes it in AWS,
// whatever its dependencies report now). A disabled component is emitted only
// when it exists and is retained.
func (w *world) Walk() *plan {
	p := &plan{desired: map[resource.Name]*emitted{}, names: map[string][]resource.Name{}, componentReady: map[string]bool{}, problems: map[string]error{}}
	for i := range graph {
		c := &graph[i]
		exists := w.exists(c.name)
		if !c.enabled(w.spec) && (!exists || c.retained == nil || !c.retained(w.spec)) {
			continue
		}
		unmet, blocked := w.firstUnmet(c, p)
		var built map[string]*composed.Unstructured
		var err error
		if !blocked {
			built, err = c.build(w)
		}

		switch {
		case !blocked && err == nil:
			p.add(w, c, built)
		case exists:
			// Keep what exists. Rebuild it where the inputs are still there,
			// and carry over the observed copy of anything the builder can't
			// produce now.
			if blocked {
				built, _ = c.build(w)
			}
			if blocked && checked(unmet.component) {
				// What it needs is checked, and is wrong or not checked
				// yet (a new subnet, maybe in a taken zone): keep what
				// exists, but add no member on it.
				built = existingMembers(w, c, built)
			}
			p.add(w, c, built)
			for _, name := range w.byComponent[c.name] {
				if _, ok := p.desired[name]; !ok {
					p.put(c, name, carryOver(c, w.observed[name]))
				}
			}
			p.kept = append(p.kept, held{component: c, unmet: unmet, err: err, problem: p.problems[unmet.component]})
		default:
			p.held = append(p.held, held{component: c, unmet: unmet, err: err, problem: p.problems[unmet.component]})
			continue
		}

		p.componentReady[c.name] = p.ready(w, c)
	}
	p.rolloutWaits = w.rolloutWaits()
	return p
}

// ready says whether every resource of an emitted component is observed
// Ready and what it observes passes the component's check (whose problem it
// records).
func (p *plan) ready(w *world, c *component) bool {
	for _, name := range p.names[c.name] {
		if !w.ready[name] {
			return false
		}
	}
	if c.check != nil {
		if err := c.check(w); err != nil {
			p.problems[c.name] = err
			return false
		}
	}
	return true
}

// checked says whether a component's readiness includes a check of what it
// observes (prerequisites.go).
func checked(component string) bool {
	c, ok := componentByName(component)
	return ok && c.check != nil
}

// existingMembers keeps, of what a component of several resources built,
// the members observed already (by their current name).
func existingMembers(w *world, c *component, built map[string]*composed.Unstructured) map[string]*composed.Unstructured {
	if c.memberKey == nil {
		return built
	}
	out := map[string]*composed.Unstructured{}
	for k, mr := range built {
		if _, ok := w.observed[resourceName(c.name, k)]; ok {
			out[k] = mr
		}
	}
	return out
}

// firstUnmet returns the first need of c that is not satisfied yet.
func (w *world) firstUnmet(c *component, p *plan) (need, bool) {
	for _, n := range c.needs {
		if !n.applies(w.spec) {
			continue
		}
		if n.ready && !p.componentReady[n.component] {
			return n, true
		}
		for _, f := range n.fields {
			if !w.hasField(n.component, f) {
				return n, true
			}
		}
	}
	return need{}, false
}

// add puts a component's built resources into the plan, in key order. A
// member observed under another name with the same content (a name an older
// release gave it) keeps that name: renaming it would delete it and create
// it again.
func (p *plan) add(w *world, c *component, mrs map[string]*composed.Unstructured) {
	names := make(map[string]resource.Name, len(mrs))
	if c.memberKey != nil && w.someUnobserved(c, mrs) {
		for _, n := range w.byComponent[c.name] {
			k := c.memberKey(memberBody(w.observed[n]))
			if _, built := mrs[k]; built && names[k] == "" && n != resourceName(c.name, k) {
				if _, current := w.observed[resourceName(c.name, k)]; !current {
					names[k] = n
				}
			}
		}
	}
	keys := make([]string, 0, len(mrs))
	for k := range mrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name, ok := names[k]
		if !ok {
			name = resourceName(c.name, k)
		}
		if c.memberKey != nil {
			setLabels(mrs[k], labelComponent, c.name, labelMember, k)
		}
		p.put(c, name, mrs[k])
	}
}

// someUnobserved says whether a member built is not observed under its own
// name, the only case in which another name can be kept for it: otherwise
// no observed member's key need be worked out (which decodes its
// forProvider).
func (w *world) someUnobserved(c *component, mrs map[string]*composed.Unstructured) bool {
	for k := range mrs {
		if _, ok := w.observed[resourceName(c.name, k)]; !ok {
			return true
		}
	}
	return false
}

func (p *plan) put(c *component, name resource.Name, mr *composed.Unstructured) {
	if _, dup := p.desired[name]; dup {
		return
	}
	p.desired[name] = &emitted{component: c, resource: mr}
	p.order = append(p.order, name)
	p.names[c.name] = append(p.names[c.name], name)
}

// resourceName is the composition-resource-name of a component's resource.
func resourceName(component, key string) resource.Name {
	if key == "" {
		return resource.Name(component)
	}
	return resource.Name(component + "-" + key)
}

// readiness puts the plan's resources into desired, each Ready when its
// observed copy is Ready and reports what its dependants read from it. It
// says whether all of them are.
func (p *plan) readiness(w *world, desired map[resource.Name]*resource.DesiredComposed) bool {
	needed := neededFields(w.spec)
	allReady := true
	for _, name := range p.order {
		e := p.desired[name]
		ready := resource.ReadyFalse
		// A resource whose last change the provider could not make is not
		// done, though upjet calls it Ready because it exists.
		if w.ready[name] && w.failed[name] == "" && w.hasAll(name, needed[e.component.name]) {
			ready = resource.ReadyTrue
		}
		allReady = allReady && ready == resource.ReadyTrue
		desired[name] = &resource.DesiredComposed{Resource: e.resource, Ready: ready}
	}
	return allReady
}

// failures lists what the provider could not do with the plan's resources,
// in graph order: "<resource> (<kind>): <the provider's message>".
func (p *plan) failures(w *world) []string {
	var out []string
	for _, name := range p.order {
		if f := p.failure(w, name); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// failure says what the provider could not do with one resource, or "".
func (p *plan) failure(w *world, name resource.Name) string {
	msg := w.failed[name]
	if msg == "" {
		return ""
	}
	return fmt.Sprintf("%s (%s): %s", name, p.desired[name].resource.GetKind(), msg)
}

// describe says what a held component waits for, in words.
func (h held) describe() string {
	if h.err != nil {
		return fmt.Sprintf("%s waits for usable observed values: %v", h.component.name, h.err)
	}
	if h.problem != nil {
		return fmt.Sprintf("%s waits for %s: %v", h.component.name, h.unmet.component, h.problem)
	}
	if len(h.unmet.fields) > 0 && !h.unmet.ready {
		return fmt.Sprintf("%s waits for %s to report %s", h.component.name, h.unmet.component, strings.Join(h.unmet.fields, " and "))
	}
	return fmt.Sprintf("%s waits for %s to be Ready", h.component.name, h.unmet.component)
}

// reason is the condition reason of a held component, e.g. WaitingForHostRecord.
func (h held) reason() string {
	if c, ok := componentByName(h.unmet.component); ok {
		return "WaitingFor" + c.title
	}
	return "WaitingForDependency"
}
