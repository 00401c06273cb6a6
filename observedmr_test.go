package main

import (
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestObservedMRReadsAsDecoded holds the in-place readers against the
// decoded resource they stand in for: every string, boolean and presence
// the function reads of every resource of the full stack, the forProvider,
// the annotations, and the conditions.
func TestObservedMRReadsAsDecoded(t *testing.T) {
	paths := []string{
		statusPathID, statusPathARN, statusPathLBDNSName, statusPathCIDRBlock, statusPathEndpoint, statusPathPrimaryENI,
		"status.atProvider.taskDefinition", "status.atProvider.enableDnsSupport", "spec.forProvider.name",
		"spec.forProvider.masterPasswordSecretRef.name", "metadata.name", "kind", "apiVersion",
		"status.atProvider", "status.atProvider.id.nothing", "nothing.at.all", "",
	}
	state := allReadyState(t)
	for _, name := range slices.Sorted(maps.Keys(state)) {
		o := newObservedMR(state[name])
		u := newObservedMR(state[name]).Unstructured()
		for _, path := range paths {
			want, wantErr := u.GetString(path)
			got, gotErr := o.GetString(path)
			if got != want || (gotErr == nil) != (wantErr == nil) {
				t.Errorf("%s: GetString(%q) = %q, %v; decoded: %q, %v", name, path, got, gotErr, want, wantErr)
			}
			wantBool, wantErr := u.GetBool(path)
			gotBool, gotErr := o.GetBool(path)
			if gotBool != wantBool || (gotErr == nil) != (wantErr == nil) {
				t.Errorf("%s: GetBool(%q) = %v, %v; decoded: %v, %v", name, path, gotBool, gotErr, wantBool, wantErr)
			}
			v, err := u.GetValue(path)
			wantNonEmpty := err == nil && v != nil && v != "" && !isEmptyCollection(v)
			if got := o.nonEmpty(path); got != wantNonEmpty {
				t.Errorf("%s: nonEmpty(%q) = %v, decoded %v", name, path, got, wantNonEmpty)
			}
		}
		spec, _ := u.Object["spec"].(map[string]any)
		fp, _ := spec["forProvider"].(map[string]any)
		if diff := cmp.Diff(fp, o.ForProvider()); diff != "" {
			t.Errorf("%s: ForProvider: -decoded, +read:\n%s", name, diff)
		}
		if diff := cmp.Diff(u.GetAnnotations(), o.GetAnnotations(), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: annotations: -decoded, +read:\n%s", name, diff)
		}
		for _, typ := range []string{"Ready", "Synced", "LastAsyncOperation"} {
			var want [3]string
			for _, c := range lookupList(u.Object, "status", "conditions") {
				if c, ok := c.(map[string]any); ok && c["type"] == typ {
					want = [3]string{str(c["status"]), str(c["reason"]), str(c["message"])}
					break
				}
			}
			status, reason, message := o.condition(typ)
			if diff := cmp.Diff(want, [3]string{status, reason, message}); diff != "" {
				t.Errorf("%s: condition %s: -decoded, +read:\n%s", name, typ, diff)
			}
		}
	}
}

// TestNilObservedMRReadsEmpty: a resource not observed reads as one
// without fields, as the builders expect of observedOne's nil.
func TestNilObservedMRReadsEmpty(t *testing.T) {
	var o *observedMR
	if s, err := o.GetString(statusPathID); s != "" || err == nil {
		t.Errorf("GetString = %q, %v; want an error", s, err)
	}
	if o.nonEmpty(statusPathID) || isReady(o) || providerFailure(o) != "" || observedForProvider(o) != nil || memberBody(o) != nil {
		t.Error("a nil observed resource reads as having fields")
	}
	if got := newObservedMR(nil).ForProvider(); got != nil {
		t.Errorf("an empty resource's forProvider is %v", got)
	}
}

func isEmptyCollection(v any) bool {
	switch t := v.(type) {
	case []any:
		return len(t) == 0
	case map[string]any:
		return len(t) == 0
	}
	return false
}

func lookupList(m map[string]any, keys ...string) []any {
	var v any = m
	for _, k := range keys {
		mm, _ := v.(map[string]any)
		v = mm[k]
	}
	l, _ := v.([]any)
	return l
}
