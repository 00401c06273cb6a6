package main

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/crossplane/function-sdk-go/resource/composed"
)

// TestGraphOrder checks the graph is written in dependency order and every
// need names a component that exists: Walk relies on both.
func TestGraphOrder(t *testing.T) {
	seen := map[string]bool{}
	conditions := map[string]bool{}
	for _, c := range graph {
		for _, n := range c.needs {
			if !seen[n.component] {
				t.Errorf("%s needs %s, which does not come before it in the graph", c.name, n.component)
			}
		}
		if seen[c.name] {
			t.Errorf("%s is in the graph twice", c.name)
		}
		seen[c.name] = true
		if c.condition != "" {
			conditions[c.condition] = true
		}
	}
	if !conditions[conditionCognitoDomain] {
		t.Errorf("no component reports %s", conditionCognitoDomain)
	}
}

func TestIsReady(t *testing.T) {
	cases := map[string]struct {
		status any
		want   bool
	}{
		"ReadyTrue":            {status: map[string]any{"conditions": []any{map[string]any{"type": "Synced", "status": "True"}, map[string]any{"type": "Ready", "status": "True"}}}, want: true},
		"ReadyFalse":           {status: map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "False"}}}, want: false},
		"NoReadyCondition":     {status: map[string]any{"conditions": []any{map[string]any{"type": "Synced", "status": "True"}}}, want: false},
		"NoStatus":             {status: nil, want: false},
		"ConditionsNotAList":   {status: map[string]any{"conditions": "Ready"}, want: false},
		"ConditionNotAnObject": {status: map[string]any{"conditions": []any{"Ready", 7.0}}, want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			mr := composed.New()
			if tc.status != nil {
				mr.Object["status"] = tc.status
			}
			if got := isReady(newObservedMR(mustStruct(t, mr.Object))); got != tc.want {
				t.Errorf("isReady: got %v, want %v", got, tc.want)
			}
		})
	}
	if isReady(nil) {
		t.Error("isReady(nil) is true")
	}
}

// TestComponentOfNames finds the component of every resource name of the
// full stack, of each NAT mode's VPC, and of some that are no component's,
// as a scan of the whole graph for the longest name it begins with does.
func TestComponentOfNames(t *testing.T) {
	scan := func(name string) (string, bool) {
		if c, ok := componentIndex[name]; ok {
			return c.name, c.memberKey == nil || c.revisioned()
		}
		var best *component
		for i := range graph {
			c := &graph[i]
			if c.memberKey != nil && len(name) > len(c.name)+1 && strings.HasPrefix(name, c.name+"-") && (best == nil || len(c.name) > len(best.name)) {
				best = c
			}
		}
		if best == nil {
			return "", false
		}
		return best.name, true
	}
	names := []string{"network-private-route-table-eu-west-1a", "network-private-route-rtb-0123", "web-task", "web-task-", "alb-ingress-", "nothing", "nothing-at-all", "-", ""}
	for _, egress := range egressModes {
		p, _, _ := converge(t, ownVPCXR(t, map[string]any{"egress": egress}))
		names = append(names, slices.Collect(maps.Keys(p.observed))...)
	}
	p, _, _ := converge(t, loadXR(t, exampleClaimXR))
	names = append(names, slices.Collect(maps.Keys(p.observed))...)
	for _, name := range names {
		want, wantOK := scan(name)
		c, ok := componentOf(name)
		got := ""
		if c != nil {
			got = c.name
		}
		if got != want || ok != wantOK {
			t.Errorf("componentOf(%q) = %q, %v; want %q, %v", name, got, ok, want, wantOK)
		}
	}
}
