package main

import (
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
