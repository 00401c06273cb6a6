package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/crossplane-contrib/function-langfuse/internal/fakeaws"
)

// The waves a Langfuse XR goes through with every resource Ready as soon as
// it is created: each lists the composed resources first emitted in it.
// Seven is the fewest the graph allows, for two chains of seven:
//
//   - the user's VPC and subnets are observed first: the load balancer and
//     the mount targets wait for subnets in distinct zones, ClickHouse's
//     service for the VPC's DNS (both within the chains below);
//   - the web ACL: its IP sets → the web ACL → its association with the
//     load balancer, once both exist (within the chains below);
//   - the front door: certificate → its validation records (they need its
//     validation options) → the validation → the HTTPS listener (it needs an
//     issued certificate) → the host record → the Cognito domain (its parent
//     name must resolve) → the auth record (it needs the domain's CloudFront);
//   - Langfuse: the secrets, roles and the cache's parameter group → the
//     cache (ElastiCache refuses a parameter group that does not exist yet)
//     and ClickHouse's task definition → the task definitions of the
//     migrations, web and worker (they need the cache's endpoint) and
//     ClickHouse's service → the migrations' service (Ready once they ran)
//     → worker and web (web also needs the HTTPS listener, wave 4) → their
//     scaling targets → their scaling policies.
//
// The Usages of the deletion order follow what uses a resource, a wave
// after it exists, and add none.
var wantWaves = [][]string{
	sorted(append([]string{
		ingressRuleName(443, "0.0.0.0/0"), ingressRuleName(80, "0.0.0.0/0"), "alb-listener-http", "alb-security-group", "alb-target-group",
		"app-task-role", "bucket", "bucket-encryption", "bucket-ownership-controls", "bucket-public-access-block",
		"cache-parameters-valkey", "cache-security-group", "cache-subnet-group", "cache-token",
		"cert-auth", "cert-host", "clickhouse-discovery", "clickhouse-security-group", "clickhouse-task-role", "cognito-client", "cognito-client-secret", "cognito-user-pool",
		"credentials", "credentials-secret", "database", "database-parameters", "database-password", "database-security-group", "database-subnet-group", "efs", "efs-access-point",
		"ecs-capacity-providers", "ecs-cluster", "efs-security-group", "execution-role", "log-group-clickhouse", "log-group-web", "log-group-worker", "service-namespace",
		"network-vpc", "network-public-subnet-subnet-0a1b2c3d4e5f60001", "network-public-subnet-subnet-0a1b2c3d4e5f60002",
		"network-private-subnet-subnet-0a1b2c3d4e5f60003", "network-private-subnet-subnet-0a1b2c3d4e5f60004",
		"waf-ipv4-allowlist", "waf-ipv6-allowlist",
	}, append(flowRuleNames(), "web-security-group", "worker-security-group")...)),
	{
		"alb", "app-task-role-policy", "bucket-policy", "cache", validationRecordName(compCertAuth, "auth.langfuse.example.com"), validationRecordName(compCertHost, "langfuse.example.com"),
		"clickhouse-task-<revision>", "clickhouse-task-role-policy",
		"cognito-branding", "cognito-client-secret-version", "credentials-secret-version", "database-instance", "database-password-version",
		"efs-mount-target-subnet-0a1b2c3d4e5f60003", "efs-mount-target-subnet-0a1b2c3d4e5f60004", "efs-policy", "execution-role-policy",
		"waf-web-acl",
	},
	{
		"cache-token-version", "cert-auth-validation", "cert-host-validation", "clickhouse-service", "migrate-task-<revision>",
		"usage-efs-subnet-0a1b2c3d4e5f60003", "usage-efs-subnet-0a1b2c3d4e5f60004", "waf-web-acl-association", "web-task-<revision>", "worker-task-<revision>",
	},
	{"alb-listener-https", "migrate-service", "usage-clickhouse-task-role", "usage-clickhouse-task-role-policy", "usage-regional-web-acl"},
	{"dns-record-host", "web-service", "worker-service"},
	{
		"cognito-domain", "usage-target-group", "usage-web-task-role", "usage-web-task-role-policy", "usage-worker-task-role", "usage-worker-task-role-policy",
		"web-scaling-target", "worker-scaling-target",
	},
	{"dns-record-auth", "usage-auth-certificate", "usage-user-pool", "web-scaling-policy", "worker-scaling-policy"},
}

// reRevision matches a task definition revision's name (revisions.go).
var reRevision = regexp.MustCompile(`^(web-task|worker-task|clickhouse-task|migrate-task)-[0-9a-f]{10}$`)

// revisionless names each task definition revision <task>-<revision>: its
// hash is of its whole content, which each test variant changes.
func revisionless(waves [][]string) [][]string {
	out := make([][]string, len(waves))
	for i, w := range waves {
		for _, n := range w {
			out[i] = append(out[i], reRevision.ReplaceAllString(n, "$1-<revision>"))
		}
		slices.Sort(out[i])
	}
	return out
}

// ingressRuleName is the name of the ALB's ingress rule for a port and CIDR.
func ingressRuleName(port int64, cidr string) string {
	return string(resourceName(compALBIngress, ingressRuleKey(map[string]any{"fromPort": port, "cidrIpv4": cidr})))
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}

// flowRuleNames lists the names of the network's rules: an egress rule per
// flow, and an ingress rule per flow inside the VPC.
func flowRuleNames() []string {
	var out []string
	for _, f := range flows {
		out = append(out, string(resourceName(compNetworkEgress, flowKey(f.from, f.to, f.port))))
		if f.to != internet {
			out = append(out, string(resourceName(compNetworkIngress, flowKey(f.to, f.from, f.port))))
		}
	}
	return out
}

// validationRecordName is the name of the validation record the fake
// provider asks for when a certificate of domain is created as component.
func validationRecordName(component, domain string) string {
	dvos := fakeaws.AtProvider("Certificate", component, "eu-west-1", map[string]any{"domainName": domain})["domainValidationOptions"].([]any)
	name := dvos[0].(map[string]any)["resourceRecordName"].(string)
	records := hostCertificate.records
	if component == compCertAuth {
		records = authCertificate.records
	}
	return string(resourceName(records, validationRecordKey(map[string]any{"name": name})))
}

// converge plays the provider until the XR is Ready, checking at every wave
// that nothing is emitted before what it needs is observed, and that nothing
// observed is ever dropped. It returns the provider and the last response.
func converge(t testing.TB, xr *structpb.Struct) (*fakeProvider, *fnv1.RunFunctionResponse, [][]string) {
	t.Helper()
	return convergeOn(t, xr, false)
}

// convergeOn is converge on Crossplane v1 (coreV1) or v2.2.
func convergeOn(t testing.TB, xr *structpb.Struct, coreV1 bool) (*fakeProvider, *fnv1.RunFunctionResponse, [][]string) {
	t.Helper()
	p := newFakeProvider()
	p.coreV1 = coreV1
	var waves [][]string
	for call := 1; call <= 20; call++ {
		rsp := run(t, p.request(xr, nil))
		if msg := fatal(rsp); msg != "" {
			t.Fatalf("call %d: unexpected Fatal result: %s", call, msg)
		}
		names := desiredNames(rsp)
		for n := range p.observed {
			if !slices.Contains(names, n) {
				t.Errorf("call %d: observed resource %s was dropped from the desired state, which would delete it", call, n)
			}
		}
		assertNeedsObserved(t, call, p, rsp, parseSpecOf(t, xr))
		if xrReady(rsp) {
			for _, n := range names {
				if _, ok := p.observed[n]; !ok {
					t.Fatalf("call %d: XR reported Ready while %s is not even observed", call, n)
				}
			}
			return p, rsp, waves
		}
		added := p.observeAll(t, rsp)
		if len(added) == 0 {
			t.Fatalf("call %d: nothing new emitted and the XR is not Ready; waiting for: %v", call, rsp.GetDesired().GetComposite().GetResource().AsMap()["status"])
		}
		waves = append(waves, added)
		xr = carryXRStatus(t, xr, rsp)
	}
	t.Fatal("the XR did not become Ready in 20 calls")
	return nil, nil, nil
}

// parseSpecOf is the defaulted spec of an XR.
func parseSpecOf(t testing.TB, xr *structpb.Struct) *Spec {
	t.Helper()
	s, err := ParseSpec(xr.AsMap()["spec"].(map[string]any))
	if err != nil {
		t.Fatalf("invalid spec: %v", err)
	}
	return s
}

// assertNeedsObserved checks that every newly emitted resource's needs, as the
// graph states them, were satisfied by what was observed when it appeared.
func assertNeedsObserved(t testing.TB, call int, p *fakeProvider, rsp *fnv1.RunFunctionResponse, spec *Spec) {
	t.Helper()
	for name, r := range rsp.GetDesired().GetResources() {
		if _, seen := p.observed[name]; seen {
			continue
		}
		c := componentLabel(r.GetResource().AsMap())
		for _, need := range componentNamed(t, c).needs {
			if !need.applies(spec) {
				continue
			}
			var deps []map[string]any
			for _, o := range p.observed {
				if m := o.GetResource().AsMap(); componentLabel(m) == need.component {
					deps = append(deps, m)
				}
			}
			// A claim's XR keeps its credentials in its connection secret,
			// so their component composes nothing to observe.
			if len(deps) == 0 && (need.component != compCredentials || len(p.xrConnection) == 0) {
				t.Errorf("call %d: %s emitted before %s was observed", call, name, need.component)
			}
			for _, m := range deps {
				if need.ready && !conditionTrue(m, "Ready") && (m["apiVersion"] != "v1" || m["kind"] != "Secret") {
					t.Errorf("call %d: %s emitted before %s was Ready", call, name, need.component)
				}
				for _, f := range need.fields {
					if v := lookup(m, f); v == nil || v == "" {
						t.Errorf("call %d: %s emitted before %s reported %s", call, name, need.component, f)
					}
				}
			}
		}
	}
}

func componentLabel(m map[string]any) string {
	meta, _ := m["metadata"].(map[string]any)
	labels, _ := meta["labels"].(map[string]any)
	c, _ := labels[labelComponent].(string)
	return c
}

func componentNamed(t testing.TB, name string) component {
	t.Helper()
	c, ok := componentByName(name)
	if !ok {
		t.Fatalf("no component %q in the graph", name)
	}
	return *c
}

func conditionTrue(m map[string]any, typ string) bool {
	st, _ := m["status"].(map[string]any)
	cs, _ := st["conditions"].([]any)
	for _, c := range cs {
		cm, _ := c.(map[string]any)
		if cm["type"] == typ {
			return cm["status"] == "True"
		}
	}
	return false
}

func lookup(m map[string]any, path string) any {
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		cm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = cm[p]
	}
	if l, ok := cur.([]any); ok && len(l) == 0 {
		return nil
	}
	return cur
}

// wantWavesOf is wantWaves for a core: on Crossplane v1 a claim's XR keeps
// its credentials in its connection secret and composes no Secret for them.
func wantWavesOf(secret bool) [][]string {
	out := make([][]string, len(wantWaves))
	for i, w := range wantWaves {
		out[i] = slices.Clone(w)
	}
	if !secret {
		out[0] = slices.DeleteFunc(out[0], func(n string) bool { return n == compCredentials })
	}
	return out
}

func TestConvergence(t *testing.T) {
	cases := map[string]struct {
		xr     string
		coreV1 bool
	}{
		"ClaimXR":             {xr: exampleClaimXR},
		"ClaimXRCrossplaneV1": {xr: exampleClaimXR, coreV1: true},
		"NamespacedXR":        {xr: exampleNamespacedXR},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := loadXR(t, tc.xr)
			p, last, waves := convergeOn(t, xr, tc.coreV1)

			if diff := cmp.Diff(wantWavesOf(!tc.coreV1), revisionless(waves)); diff != "" {
				t.Errorf("waves of emitted resources: -want, +got:\n%s", diff)
			}

			// The same input renders the same output.
			again := run(t, p.request(xr, nil))
			if diff := cmp.Diff(last, again, protocmp.Transform()); diff != "" {
				t.Errorf("the same input rendered a different output: -first, +second:\n%s", diff)
			}

			st := last.GetDesired().GetComposite().GetResource().AsMap()["status"].(map[string]any)
			cognito := st["cognito"].(map[string]any)
			if got, want := cognito["issuer"], "https://cognito-idp.eu-west-1.amazonaws.com/"+cognito["userPoolId"].(string); got != want {
				t.Errorf("status.cognito.issuer: got %v, want %v", got, want)
			}
			if got := st["url"]; got != "https://langfuse.example.com" {
				t.Errorf("status.url: got %v", got)
			}
			if got := st["authUrl"]; got != "https://auth.langfuse.example.com" {
				t.Errorf("status.authUrl: got %v", got)
			}
			bucket := p.observed[compBucket].GetResource().AsMap()["metadata"].(map[string]any)["annotations"].(map[string]any)[annotationExternalName]
			if got := st["bucket"]; got == nil || got != bucket {
				t.Errorf("status.bucket: got %v, want the bucket's name %v", got, bucket)
			}
			if got := last.GetMeta().GetTtl().AsDuration(); got != defaultReadyTTL {
				t.Errorf("TTL once Ready: got %v, want %v", got, defaultReadyTTL)
			}
			for _, c := range last.GetConditions() {
				if c.GetStatus() != fnv1.Status_STATUS_CONDITION_TRUE {
					t.Errorf("condition %s is %s (%s) once everything is Ready", c.GetType(), c.GetStatus(), c.GetMessage())
				}
			}
		})
	}
}

// TestFlappingDependencyRemovesNothing flips dependencies back once
// everything exists: nothing may leave the desired state, since leaving it
// deletes the resource in AWS.
func TestFlappingDependencyRemovesNothing(t *testing.T) {
	cases := map[string]struct {
		reason string
		flap   func(t *testing.T, p *fakeProvider)
	}{
		"HostRecordNotReady": {
			reason: "The Cognito domain stays when the host record it waited for reports not Ready.",
			flap:   func(t *testing.T, p *fakeProvider) { p.setReady(t, compDNSRecordHost, false) },
		},
		"EverythingNotReady": {
			reason: "Every resource stays when every resource reports not Ready.",
			flap: func(t *testing.T, p *fakeProvider) {
				for n := range p.observed {
					p.setReady(t, n, false)
				}
			},
		},
		"StatusForgotten": {
			reason: "Every resource stays, with the spec it had, when the provider forgets every status value the builders read.",
			flap: func(t *testing.T, p *fakeProvider) {
				for n := range p.observed {
					p.forgetStatus(t, n)
				}
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := loadXR(t, exampleClaimXR)
			p, before, _ := converge(t, xr)
			tc.flap(t, p)
			after := run(t, p.request(xr, nil))
			if msg := fatal(after); msg != "" {
				t.Fatalf("%s\nunexpected Fatal: %s", tc.reason, msg)
			}
			if diff := cmp.Diff(desiredNames(before), desiredNames(after)); diff != "" {
				t.Errorf("%s\ndesired resources: -before, +after:\n%s", tc.reason, diff)
			}
			for n, r := range before.GetDesired().GetResources() {
				want := r.GetResource().AsMap()["spec"]
				got := after.GetDesired().GetResources()[n].GetResource().AsMap()["spec"]
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s\n%s spec changed: -before, +after:\n%s", tc.reason, n, diff)
				}
			}
			if xrReady(after) {
				t.Errorf("%s\nthe XR is Ready although resources are not", tc.reason)
			}
		})
	}
}

// TestOneEventPerChange checks that calling again with nothing changed sends
// no event, and a change sends one event for what is now waited for and one
// for what no longer is, each listing every item.
func TestOneEventPerChange(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	p := newFakeProvider()

	first := run(t, p.request(xr, nil))
	if got := events(first); len(got) != 1 || !strings.Contains(got[0], "cognito-domain waits for dns-record-host to be Ready") {
		t.Fatalf("the first call should send one event listing everything it waits for, the Cognito domain too; got %q", got)
	}
	xr = carryXRStatus(t, xr, first)
	if got := events(run(t, p.request(xr, nil))); len(got) != 0 {
		t.Errorf("a second call with nothing changed sent events: %v", got)
	}
	p.observeAll(t, first)
	third := run(t, p.request(xr, nil))
	if got := events(third); len(got) != 2 || !strings.HasPrefix(got[0], reasonWaiting+": Waiting: ") || !strings.HasPrefix(got[1], reasonDependencyReady+": No longer waiting: ") {
		t.Errorf("a call after the first wave became Ready should send one event of what it now waits for and one of what it no longer does; got %q", got)
	}
	xr = carryXRStatus(t, xr, third)
	if got := events(run(t, p.request(xr, nil))); len(got) != 0 {
		t.Errorf("a repeated call sent events again: %v", got)
	}
}

func events(rsp *fnv1.RunFunctionResponse) []string {
	var out []string
	for _, r := range rsp.GetResults() {
		out = append(out, fmt.Sprintf("%s: %s", r.GetReason(), r.GetMessage()))
	}
	return out
}
