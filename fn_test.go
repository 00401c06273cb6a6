package main

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
)

func TestRunFunction(t *testing.T) {
	type want struct {
		names      []string
		ready      map[string]fnv1.Ready
		xrReady    fnv1.Ready
		conditions map[string]string // type → status/reason
		ttl        *durationpb.Duration
		fatal      bool
	}
	cases := map[string]struct {
		reason string
		xr     map[string]any // spec overrides
		input  *structpb.Struct
		// prepare turns the fake provider into the observed state of the call.
		prepare func(t *testing.T, p *fakeProvider, xr *structpb.Struct)
		want    want
	}{
		"FirstCall": {
			reason: "With nothing observed, only what needs nothing is emitted; the XR is not Ready and each gate says what it waits for.",
			want: want{
				names:   wantWaves[0],
				xrReady: fnv1.Ready_READY_FALSE,
				conditions: map[string]string{
					conditionHostCertificate:  "False/WaitingForHostCertificate",
					conditionAuthCertificate:  "False/WaitingForAuthCertificate",
					conditionLoadBalancer:     "False/WaitingForPublicSubnets",
					conditionHostRecord:       "False/WaitingForLoadBalancer",
					conditionClientSecret:     "False/WaitingForUserPoolClient",
					conditionManagedLoginBrnd: "False/WaitingForUserPool",
					conditionCognitoDomain:    "False/WaitingForHostRecord",
					conditionAuthRecord:       "False/WaitingForCognitoDomain",
				},
				ttl: durationpb.New(defaultWaitingTTL),
			},
		},
		"HostRecordNotReady": {
			reason: "The Cognito domain waits while the host record exists but is not Ready.",
			prepare: func(t *testing.T, p *fakeProvider, xr *structpb.Struct) {
				untilObserved(t, p, xr, compDNSRecordHost)
				p.setReady(t, compDNSRecordHost, false)
			},
			want: want{
				xrReady: fnv1.Ready_READY_FALSE,
				ready:   map[string]fnv1.Ready{compDNSRecordHost: fnv1.Ready_READY_FALSE, compALB: fnv1.Ready_READY_TRUE},
				conditions: map[string]string{
					conditionHostRecord:    "False/Creating",
					conditionCognitoDomain: "False/WaitingForHostRecord",
					conditionLoadBalancer:  "True/Available",
				},
				ttl: durationpb.New(defaultWaitingTTL),
			},
		},
		"HostRecordReady": {
			reason: "Once the host record is Ready, the Cognito domain is emitted with the issued us-east-1 certificate.",
			prepare: func(t *testing.T, p *fakeProvider, xr *structpb.Struct) {
				untilObserved(t, p, xr, compDNSRecordHost)
			},
			want: want{
				xrReady:    fnv1.Ready_READY_FALSE,
				ready:      map[string]fnv1.Ready{compUserPoolDomain: fnv1.Ready_READY_FALSE, compDNSRecordHost: fnv1.Ready_READY_TRUE},
				conditions: map[string]string{conditionCognitoDomain: "False/Creating", conditionAuthRecord: "False/WaitingForCognitoDomain"},
				ttl:        durationpb.New(defaultWaitingTTL),
			},
		},
		"CognitoDisabled": {
			reason: "Without Cognito there is no user pool, no auth certificate and no gate on the host record.",
			xr:     map[string]any{"spec.auth.cognito.enabled": false, "spec.auth.disableEmailPasswordAuth": false, "spec.auth.allowSignUp": true},
			want: want{
				names: slices.DeleteFunc(slices.Clone(wantWaves[0]), func(n string) bool {
					return slices.Contains([]string{compCertAuth, compUserPool, compUserPoolClient, compClientSecret}, n)
				}),
				xrReady: fnv1.Ready_READY_FALSE,
				conditions: map[string]string{
					conditionHostCertificate: "False/WaitingForHostCertificate",
					conditionLoadBalancer:    "False/WaitingForPublicSubnets",
					conditionHostRecord:      "False/WaitingForLoadBalancer",
				},
				ttl: durationpb.New(defaultWaitingTTL),
			},
		},
		"InputTTL": {
			reason: "The input's waitingTTL replaces the default while waiting.",
			input:  resource.MustStructJSON(`{"apiVersion":"langfuse.fn.crossplane.io/v1beta1","kind":"Input","waitingTTL":"5s"}`),
			want:   want{names: wantWaves[0], xrReady: fnv1.Ready_READY_FALSE, ttl: durationpb.New(5 * time.Second)},
		},
		"UnknownInputField": {
			reason: "An input field the function does not know is Fatal rather than silently ignored.",
			input:  resource.MustStructJSON(`{"apiVersion":"langfuse.fn.crossplane.io/v1beta1","kind":"Input","waitingTtl":"5s"}`),
			want:   want{fatal: true},
		},
		"BadSpecKeepsNothingOut": {
			reason: "A bad spec is Fatal, so Crossplane applies and deletes nothing, whatever exists.",
			xr:     map[string]any{"spec.network.publicSubnetIds": []any{"subnet-0a1b2c3d4e5f60001"}},
			prepare: func(t *testing.T, p *fakeProvider, _ *structpb.Struct) {
				p.observeAll(t, run(t, p.request(loadXR(t, exampleClaimXR), nil)))
			},
			want: want{fatal: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := withSpec(t, loadXR(t, exampleClaimXR), tc.xr)
			p := newFakeProvider()
			if tc.prepare != nil {
				tc.prepare(t, p, xr)
			}
			rsp := run(t, p.request(xr, tc.input))

			if got := fatal(rsp) != ""; got != tc.want.fatal {
				t.Fatalf("%s\nFatal = %v, want %v (%s)", tc.reason, got, tc.want.fatal, fatal(rsp))
			}
			if tc.want.fatal {
				if n := len(rsp.GetDesired().GetResources()); n != 0 {
					t.Errorf("%s\na Fatal response carries %d desired resources", tc.reason, n)
				}
				return
			}
			if tc.want.names != nil {
				if diff := cmp.Diff(tc.want.names, desiredNames(rsp), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
					t.Errorf("%s\ndesired resources: -want, +got:\n%s", tc.reason, diff)
				}
			}
			for n, want := range tc.want.ready {
				if got := rsp.GetDesired().GetResources()[n].GetReady(); got != want {
					t.Errorf("%s\n%s ready = %v, want %v", tc.reason, n, got, want)
				}
			}
			if got := rsp.GetDesired().GetComposite().GetReady(); got != tc.want.xrReady {
				t.Errorf("%s\nXR ready = %v, want %v", tc.reason, got, tc.want.xrReady)
			}
			got := map[string]string{}
			for _, c := range rsp.GetConditions() {
				if _, ok := tc.want.conditions[c.GetType()]; ok {
					got[c.GetType()] = map[fnv1.Status]string{fnv1.Status_STATUS_CONDITION_TRUE: "True", fnv1.Status_STATUS_CONDITION_FALSE: "False"}[c.GetStatus()] + "/" + c.GetReason()
				}
				if c.GetTarget() != fnv1.Target_TARGET_COMPOSITE_AND_CLAIM {
					t.Errorf("%s\ncondition %s does not target the claim", tc.reason, c.GetType())
				}
			}
			if tc.want.conditions != nil {
				if diff := cmp.Diff(tc.want.conditions, got); diff != "" {
					t.Errorf("%s\nconditions: -want, +got:\n%s", tc.reason, diff)
				}
			}
			if diff := cmp.Diff(tc.want.ttl, rsp.GetMeta().GetTtl(), protocmp.Transform()); diff != "" {
				t.Errorf("%s\nTTL: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// untilObserved plays waves until the named resource is observed (Ready).
func untilObserved(t *testing.T, p *fakeProvider, xr *structpb.Struct, name string) {
	t.Helper()
	for range 10 {
		if _, ok := p.observed[name]; ok {
			return
		}
		p.observeAll(t, run(t, p.request(xr, nil)))
	}
	t.Fatalf("%s never emitted", name)
}

// TestNoSecretInOutput checks that no secret value reaches what the function
// returns: the client secret travels from the client's connection secret to
// Secrets Manager by reference only.
func TestNoSecretInOutput(t *testing.T) {
	const secret = "s3cr3t-client-value-9f8e7d"
	xr := loadXR(t, exampleClaimXR)
	p, _, _ := converge(t, xr)
	req := p.request(xr, nil)
	req.Observed.Resources[compUserPoolClient].ConnectionDetails = map[string][]byte{clientSecretKey: []byte(secret)}
	rsp := run(t, req)
	b, err := protojsonMarshal(rsp)
	if err != nil {
		t.Fatal(err)
	}
	if containsBytes(b, secret) {
		t.Error("the response contains the Cognito client secret")
	}
	ref := rsp.GetDesired().GetResources()[compClientSecretVersion].GetResource().AsMap()
	want := map[string]any{"name": "team-ml-langfuse-" + shortHash("/langfuse-x7k2p/") + "-cognito-client", "namespace": "crossplane-system", "key": clientSecretKey}
	if diff := cmp.Diff(want, fp(ref)["secretStringSecretRef"]); diff != "" {
		t.Errorf("secretStringSecretRef: -want, +got:\n%s", diff)
	}
}
