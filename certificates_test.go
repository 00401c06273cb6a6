package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

func TestValidationRecords(t *testing.T) {
	dvo := func(name, value string) map[string]any {
		return map[string]any{"domainName": "d", "resourceRecordName": name, "resourceRecordType": "CNAME", "resourceRecordValue": value}
	}
	cases := map[string]struct {
		reason string
		dvos   []any
		want   []validationRecord
	}{
		"DedupedAndSorted": {
			reason: "ACM repeats a record for names that share it; one record per name, sorted, whatever the order.",
			dvos:   []any{dvo("_b.example.com.", "_v2.acm-validations.aws."), dvo("_a.example.com.", "_v1.acm-validations.aws."), dvo("_B.example.com", "_v2.acm-validations.aws.")},
			want: []validationRecord{
				{Name: "_a.example.com.", Type: "CNAME", Value: "_v1.acm-validations.aws."},
				{Name: "_b.example.com.", Type: "CNAME", Value: "_v2.acm-validations.aws."},
			},
		},
		"IncompleteSkipped": {
			reason: "An option without its record value (ACM fills it in a little later) is no record yet.",
			dvos:   []any{dvo("_a.example.com.", "")},
			want:   nil,
		},
		"Garbage": {
			reason: "Values of the wrong type are ignored, not a panic.",
			dvos:   []any{"not-an-object", map[string]any{"resourceRecordName": 3}},
			want:   nil,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cert := composed.New()
			cert.Object = map[string]any{"status": map[string]any{"atProvider": map[string]any{"domainValidationOptions": tc.dvos}}}
			w := newWorld(&Spec{}, MRStyle{}, "b", map[resource.Name]resource.ObservedComposed{compCertHost: {Resource: cert}})
			if diff := cmp.Diff(tc.want, w.validationRecords(compCertHost)); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

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
			if got := isReady(mr); got != tc.want {
				t.Errorf("isReady: got %v, want %v", got, tc.want)
			}
		})
	}
	if isReady(nil) {
		t.Error("isReady(nil) is true")
	}
}
