package main

import (
	"strings"
	"testing"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// withCondition sets a condition on an observed resource, as the provider
// would.
func withCondition(t *testing.T, p *fakeProvider, name, typ, status, reason, message string) {
	t.Helper()
	m := p.observed[name].GetResource().AsMap()
	st, _ := m["status"].(map[string]any)
	var kept []any
	for _, c := range st["conditions"].([]any) {
		if c.(map[string]any)["type"] != typ {
			kept = append(kept, c)
		}
	}
	st["conditions"] = append(kept, map[string]any{"type": typ, "status": status, "reason": reason, "message": message})
	p.observed[name] = resourceOf(mustStruct(t, m))
}

// gateCondition is a custom condition the function set.
func gateCondition(rsp *fnv1.RunFunctionResponse, typ string) *fnv1.Condition {
	for _, c := range rsp.GetConditions() {
		if c.GetType() == typ {
			return c
		}
	}
	return nil
}

// warnings lists the Warning results of a response.
func warnings(rsp *fnv1.RunFunctionResponse) []string {
	var out []string
	for _, r := range rsp.GetResults() {
		if r.GetSeverity() == fnv1.Severity_SEVERITY_WARNING {
			out = append(out, r.GetMessage())
		}
	}
	return out
}

// TestProviderFailureReachesTheClaim checks that what upjet reports but still
// calls Ready reaches the claim: a refused update (Synced=False) and a failed
// asynchronous operation (LastAsyncOperation=False, e.g. an ECS service whose
// steady-state wait timed out). The gate's condition names the resource and
// the provider's message, one Warning event says it once, the XR is not
// Ready while it lasts, and one Normal event says when it is over.
func TestProviderFailureReachesTheClaim(t *testing.T) {
	const refused = `refuse to update the external resource because the following update requires replacing it: cannot change the value of the argument "description"`
	cases := map[string]struct {
		resource, typ, reason, message, gate string
	}{
		"RefusedUpdate":     {resource: compEFSSecurityGroup, typ: conditionSynced, reason: "ReconcileError", message: refused, gate: ""},
		"AccessDenied":      {resource: compDatabase, typ: conditionSynced, reason: "ReconcileError", message: "api error AccessDenied: not authorized to perform rds:ModifyDBCluster", gate: conditionDatabase},
		"FailedSteadyState": {resource: compClickHouseService, typ: conditionLastAsyncOperation, reason: "ApplyFailure", message: "waiting for ECS Service to reach steady state: timeout while waiting", gate: conditionClickHouse},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := loadXR(t, exampleClaimXR)
			p, last, _ := converge(t, xr)
			xr = carryXRStatus(t, xr, last)
			withCondition(t, p, tc.resource, tc.typ, "False", tc.reason, tc.message)

			rsp := run(t, p.request(xr, nil))
			if xrReady(rsp) {
				t.Errorf("the XR is Ready while the provider reports %s=False on %s", tc.typ, tc.resource)
			}
			if got := rsp.GetDesired().GetResources()[tc.resource].GetReady(); got != fnv1.Ready_READY_FALSE {
				t.Errorf("%s is %v, want READY_FALSE while its last change failed", tc.resource, got)
			}
			if tc.gate != "" {
				c := gateCondition(rsp, tc.gate)
				if c == nil || c.GetStatus() != fnv1.Status_STATUS_CONDITION_FALSE || c.GetReason() != reasonRefused ||
					!strings.Contains(c.GetMessage(), tc.resource) || !strings.Contains(c.GetMessage(), tc.message) {
					t.Errorf("%s = %v, want False, %s, naming %s and the provider's message", tc.gate, c, reasonRefused, tc.resource)
				}
			}
			w := warnings(rsp)
			if len(w) != 1 || !strings.Contains(w[0], tc.resource) || !strings.Contains(w[0], tc.message) {
				t.Errorf("Warning events %q, want one naming %s with the provider's message", w, tc.resource)
			}

			// Once per change: the next call with the same failure says nothing.
			xr = carryXRStatus(t, xr, rsp)
			again := run(t, p.request(xr, nil))
			if w := warnings(again); len(w) != 0 {
				t.Errorf("the same failure was warned about again: %q", w)
			}

			// The provider recovers: Ready again, and one Normal event.
			withCondition(t, p, tc.resource, tc.typ, "True", "ReconcileSuccess", "")
			xr = carryXRStatus(t, xr, again)
			ok := run(t, p.request(xr, nil))
			if !xrReady(ok) {
				t.Errorf("the XR is not Ready once the provider recovered")
			}
			if !strings.Contains(strings.Join(events(ok), "\n"), reasonRecovered) {
				t.Errorf("no %s event once the failure is gone: %q", reasonRecovered, events(ok))
			}
		})
	}
}
