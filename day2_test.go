package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// These tests edit a claim that has converged, as its owners do over the
// years, and check what the function would do to AWS.

// desiredSpecs maps each desired resource to its spec.
func desiredSpecs(rsp *fnv1.RunFunctionResponse) map[string]any {
	out := map[string]any{}
	for n, r := range rsp.GetDesired().GetResources() {
		out[n] = r.GetResource().AsMap()["spec"]
	}
	return out
}

// TestEditAllowedCIDRs removes and reorders allowedCidrs entries: exactly
// the rules of the CIDRs that changed are added or removed, and every other
// rule keeps its name and spec (a rule rewritten in place would briefly
// close its CIDR, or be stuck where AWS cannot change it).
func TestEditAllowedCIDRs(t *testing.T) {
	const a, b, c = "10.0.0.0/8", "192.0.2.0/24", "198.51.100.0/24"
	cases := map[string]struct {
		before, after []any
		removed       []string
		added         []string
	}{
		"RemoveFirst": {before: []any{a, b}, after: []any{b}, removed: []string{a}},
		"Reorder":     {before: []any{a, b}, after: []any{b, a}},
		"InsertFirst": {before: []any{a, b}, after: []any{c, a, b}, added: []string{c}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := withSpec(t, loadXR(t, exampleClaimXR), map[string]any{"spec.network.allowedCidrs": tc.before})
			p, before, _ := converge(t, xr)
			after := run(t, p.request(withSpec(t, xr, map[string]any{"spec.network.allowedCidrs": tc.after}), nil))
			if msg := fatal(after); msg != "" {
				t.Fatalf("unexpected Fatal: %s", msg)
			}
			var wantGone, wantNew []string
			for _, cidr := range tc.removed {
				wantGone = append(wantGone, ingressRuleName(443, cidr), ingressRuleName(80, cidr))
			}
			for _, cidr := range tc.added {
				wantNew = append(wantNew, ingressRuleName(443, cidr), ingressRuleName(80, cidr))
			}
			bs, as := desiredSpecs(before), desiredSpecs(after)
			// The web ACL's IPv4 allowlist is the one resource whose
			// addresses follow the list, in place.
			if diff := cmp.Diff(wafAddresses(stringsOf(tc.after)), lookup(as[compIPv4Allowlist].(map[string]any), "forProvider.addresses")); diff != "" {
				t.Errorf("the web ACL's IPv4 allowlist: -want, +got:\n%s", diff)
			}
			delete(bs, compIPv4Allowlist)
			delete(as, compIPv4Allowlist)
			var gone, added, changed []string
			for n := range bs {
				if _, ok := as[n]; !ok {
					gone = append(gone, n)
				} else if diff := cmp.Diff(bs[n], as[n]); diff != "" {
					changed = append(changed, n+":\n"+diff)
				}
			}
			for n := range as {
				if _, ok := bs[n]; !ok {
					added = append(added, n)
				}
			}
			slices.Sort(gone)
			slices.Sort(added)
			slices.Sort(wantGone)
			slices.Sort(wantNew)
			if diff := cmp.Diff(wantGone, gone); diff != "" {
				t.Errorf("removed resources: -want, +got:\n%s", diff)
			}
			if diff := cmp.Diff(wantNew, added); diff != "" {
				t.Errorf("added resources: -want, +got:\n%s", diff)
			}
			if len(changed) > 0 {
				t.Errorf("resources changed in place:\n%s", strings.Join(changed, "\n"))
			}
		})
	}
}

// stringsOf is a JSON list of strings as a []string.
func stringsOf(l []any) []string {
	out := make([]string, 0, len(l))
	for _, v := range l {
		out = append(out, v.(string))
	}
	return out
}

// TestMembersKeepOlderNames checks that members observed under names an
// older release gave them (by list position) keep those names while their
// content is unchanged, rather than being deleted and created again.
func TestMembersKeepOlderNames(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	p, before, _ := converge(t, xr)
	legacy := map[string]string{
		ingressRuleName(443, "0.0.0.0/0"):                          "alb-ingress-443-0",
		ingressRuleName(80, "0.0.0.0/0"):                           "alb-ingress-80-0",
		validationRecordName(compCertHost, "langfuse.example.com"): "cert-host-validation-record-0",
	}
	for current, old := range legacy {
		p.observed[old] = p.observed[current]
		delete(p.observed, current)
	}
	after := run(t, p.request(xr, nil))
	for current, old := range legacy {
		if _, ok := after.GetDesired().GetResources()[current]; ok {
			t.Errorf("%s was composed beside %s, which has the same content", current, old)
		}
		got, ok := after.GetDesired().GetResources()[old]
		if !ok {
			t.Errorf("%s was dropped, which would delete it in AWS", old)
			continue
		}
		if diff := cmp.Diff(before.GetDesired().GetResources()[current].GetResource().AsMap()["spec"], got.GetResource().AsMap()["spec"]); diff != "" {
			t.Errorf("%s changed: -want, +got:\n%s", old, diff)
		}
	}
}

// TestImmutableEditsRefused edits, on a converged XR, each field AWS can only
// replace: the function answers Fatal naming the field and both values, and
// changes nothing.
func TestImmutableEditsRefused(t *testing.T) {
	cases := map[string]struct {
		set      map[string]any
		field    string
		was, now string
	}{
		"Region":       {set: map[string]any{"spec.region": "eu-central-1"}, field: "spec.region", was: "eu-west-1", now: "eu-central-1"},
		"VPC":          {set: map[string]any{"spec.network.vpcId": "vpc-0123456789abcdef1"}, field: "spec.network.vpcId", was: "vpc-0123456789abcdef0", now: "vpc-0123456789abcdef1"},
		"ZoneID":       {set: map[string]any{"spec.domain.zoneId": "Z9876543210ABCDEFGHIJ"}, field: "spec.domain.zoneId", was: "Z0123456789ABCDEFGHIJ", now: "Z9876543210ABCDEFGHIJ"},
		"HostName":     {set: map[string]any{"spec.domain.hostName": "observability"}, field: "spec.domain.hostName", was: "langfuse", now: "observability"},
		"ZoneName":     {set: map[string]any{"spec.domain.zoneName": "example.org"}, field: "spec.domain.zoneName", was: "example.com", now: "example.org"},
		"DomainPrefix": {set: map[string]any{"spec.auth.cognito.domainPrefix": "login"}, field: "spec.auth.cognito.domainPrefix", was: "auth", now: "login"},
		// The parameter group's family follows the major version.
		"DatabaseMajor": {set: map[string]any{"spec.database.engineVersion": "17.7"}, field: "spec.database.engineVersion", was: "16", now: "17"},
		// Valkey back to Redis is a downgrade, which Terraform replaces for.
		"CacheEngine": {set: map[string]any{"spec.cache.engine": "redis"}, field: "spec.cache.engine", was: "valkey", now: "redis"},
		// An internet-facing load balancer cannot become internal.
		"CloudFront": {set: map[string]any{"spec.loadBalancer.cloudFront.enabled": true}, field: "spec.loadBalancer.cloudFront.enabled", was: "false", now: "true"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := loadXR(t, exampleClaimXR)
			p, _, _ := converge(t, xr)
			rsp := run(t, p.request(withSpec(t, xr, tc.set), nil))
			msg := fatal(rsp)
			if msg == "" {
				t.Fatalf("an edit of %s was not refused", tc.field)
			}
			for _, want := range []string{tc.field, `"` + tc.was + `"`, `"` + tc.now + `"`, "immutable"} {
				if !strings.Contains(msg, want) {
					t.Errorf("the Fatal result does not say %s: %s", want, msg)
				}
			}
			if n := len(rsp.GetDesired().GetResources()); n != 0 {
				t.Errorf("a refused edit still composed %d resources", n)
			}
		})
	}
}

// allowedEdits are edits that apply in place in AWS.
var allowedEdits = map[string]map[string]any{
	"MFA":                {"spec.auth.cognito.mfa": "ON"},
	"SelfSignUp":         {"spec.auth.cognito.selfSignUp": true},
	"Classic":            {"spec.auth.cognito.managedLogin": "classic"},
	"CIDRs":              {"spec.network.allowedCidrs": []any{"10.0.0.0/8"}},
	"DeletePolicy":       {"spec.deletionPolicy": "Delete"},
	"ProviderConfig":     {"spec.providerConfigName": "aws-prod"},
	"Subnets":            {"spec.network.publicSubnetIds": []any{"subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60005"}},
	"PrivateSubnets":     {"spec.network.privateSubnetIds": []any{"subnet-0a1b2c3d4e5f60003", "subnet-0a1b2c3d4e5f60006"}},
	"DisableCognito":     {"spec.auth.cognito.enabled": false, "spec.auth.disableEmailPasswordAuth": false, "spec.auth.allowSignUp": true},
	"EmailPasswordAuth":  {"spec.auth.disableEmailPasswordAuth": false},
	"LangfuseVersion":    {"spec.langfuse.version": "4.17.0"},
	"ClickHouseVersion":  {"spec.clickhouse.version": "25.12.8.9"},
	"DatabaseMinor":      {"spec.database.engineVersion": "16.9"},
	"DatabaseCapacity":   {"spec.database.minCapacity": 1.0, "spec.database.maxCapacity": 4.0},
	"DataAPI":            {"spec.database.dataApi": true},
	"CacheNodeType":      {"spec.cache.nodeType": "cache.t4g.medium"},
	"CacheToValkey":      {"spec.cache.engine": "valkey"},
	"Logging":            {"spec.langfuse.logLevel": "debug", "spec.langfuse.logFormat": "json"},
	"StorageProvisioned": {"spec.clickhouse.storage": map[string]any{"throughputMode": "provisioned", "provisionedThroughputMibps": 64.0}},
	"StorageIA":          {"spec.clickhouse.storage": map[string]any{"throughputMode": "bursting", "infrequentAccessAfterDays": int64(30)}},
	"InitUser": {"spec.langfuse.init": map[string]any{"secretName": "langfuse-init", "keys": []any{"LANGFUSE_INIT_ORG_ID", "LANGFUSE_INIT_USER_EMAIL", "LANGFUSE_INIT_USER_PASSWORD"}},
		"spec.auth.disableEmailPasswordAuth": false},
	"Digest":        {"spec.langfuse.web.digest": "sha256:" + strings.Repeat("ab", 32)},
	"Replicas":      {"spec.langfuse.web.replicas": int64(3), "spec.langfuse.web.maxReplicas": int64(6)},
	"TaskSize":      {"spec.langfuse.worker.cpu": int64(4096), "spec.langfuse.worker.memory": int64(8192)},
	"ImageRegistry": {"spec.langfuse.imageRegistry": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub"},
	"Organization":  {"spec.langfuse.defaultOrganization": map[string]any{"id": "acme"}},
	"Init":          {"spec.langfuse.init": map[string]any{"secretName": "langfuse-init"}},
	"AccessLogs":    {"spec.loadBalancer.accessLogs": map[string]any{"enabled": true, "expireAfterDays": int64(7)}},
	"Spot":          {"spec.langfuse.web.spot": true, "spec.langfuse.worker.spot": true},
}

// TestAllowedEditsApply checks that an edit AWS applies in place is not
// refused, and keeps every AWS name.
func TestAllowedEditsApply(t *testing.T) {
	for name, set := range allowedEdits {
		t.Run(name, func(t *testing.T) {
			xr := loadXR(t, exampleClaimXR)
			p, before, _ := converge(t, xr)
			after := run(t, p.request(withSpec(t, xr, set), nil))
			if msg := fatal(after); msg != "" {
				t.Fatalf("an allowed edit was refused: %s", msg)
			}
			for n := range awsNameRules {
				b, a := before.GetDesired().GetResources()[n], after.GetDesired().GetResources()[n]
				if b == nil || a == nil {
					continue
				}
				if bn, an := fp(b.GetResource().AsMap())["name"], fp(a.GetResource().AsMap())["name"]; bn != an {
					t.Errorf("%s: the AWS name changed from %v to %v", n, bn, an)
				}
			}
		})
	}
}

// TestDisableCognitoKeepsUsers disables Cognito on a converged XR and enables
// it again: with deletionPolicy Orphan the user pool (its users) and the
// client secret's secret (whose name a deleted secret keeps for 7 days) stay,
// and come back as they were; with Delete they go, the secret without a
// recovery window.
func TestDisableCognitoKeepsUsers(t *testing.T) {
	disable := map[string]any{"spec.auth.cognito.enabled": false, "spec.auth.disableEmailPasswordAuth": false, "spec.auth.allowSignUp": true}
	gone := []string{compUserPoolClient, compUserPoolDomain, compCertAuth, compDNSRecordAuth, compClientSecretVersion, compManagedLoginBranding, compCertAuthValidation}
	cases := map[string]struct {
		policy   string
		retained []string
	}{
		"Orphan": {policy: "Orphan", retained: []string{compUserPool, compClientSecret}},
		"Delete": {policy: "Delete"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := withSpec(t, loadXR(t, exampleClaimXR), map[string]any{"spec.deletionPolicy": tc.policy})
			p, before, _ := converge(t, xr)
			off := run(t, p.request(withSpec(t, xr, disable), nil))
			if msg := fatal(off); msg != "" {
				t.Fatalf("unexpected Fatal: %s", msg)
			}
			got := off.GetDesired().GetResources()
			for _, n := range gone {
				if _, ok := got[n]; ok {
					t.Errorf("%s is still composed without Cognito", n)
				}
			}
			for _, n := range []string{compUserPool, compClientSecret} {
				_, kept := got[n]
				if want := slices.Contains(tc.retained, n); kept != want {
					t.Errorf("%s composed without Cognito: %v, want %v", n, kept, want)
				}
				if kept {
					if diff := cmp.Diff(before.GetDesired().GetResources()[n].GetResource().AsMap()["spec"], got[n].GetResource().AsMap()["spec"]); diff != "" {
						t.Errorf("%s changed when Cognito was disabled: -before, +after:\n%s", n, diff)
					}
				}
			}
			if s, ok := before.GetDesired().GetResources()[compClientSecret]; ok {
				want := float64(secretRecoveryDays)
				if tc.policy == "Delete" {
					want = 0
				}
				if got := fp(s.GetResource().AsMap())["recoveryWindowInDays"]; got != want {
					t.Errorf("recoveryWindowInDays = %v, want %v", got, want)
				}
			}

			// Enabling it again: what stayed is composed as it was.
			for n := range p.observed {
				if _, ok := got[n]; !ok {
					delete(p.observed, n)
				}
			}
			on := run(t, p.request(xr, nil))
			for _, n := range tc.retained {
				if diff := cmp.Diff(before.GetDesired().GetResources()[n].GetResource().AsMap()["spec"], on.GetDesired().GetResources()[n].GetResource().AsMap()["spec"]); diff != "" {
					t.Errorf("%s is not the one from before Cognito was disabled: -before, +after:\n%s", n, diff)
				}
			}
		})
	}
}

// TestPipelineReadiness checks the function keeps the XR readiness an
// earlier step of the pipeline set, and only ever lowers it.
func TestPipelineReadiness(t *testing.T) {
	cases := map[string]struct {
		converged bool
		earlier   fnv1.Ready
		want      fnv1.Ready
	}{
		"EarlierFalseKept":       {converged: true, earlier: fnv1.Ready_READY_FALSE, want: fnv1.Ready_READY_FALSE},
		"EarlierTrueKept":        {converged: true, earlier: fnv1.Ready_READY_TRUE, want: fnv1.Ready_READY_TRUE},
		"UnspecifiedKept":        {converged: true, earlier: fnv1.Ready_READY_UNSPECIFIED, want: fnv1.Ready_READY_UNSPECIFIED},
		"EarlierTrueLoweredHeld": {converged: false, earlier: fnv1.Ready_READY_TRUE, want: fnv1.Ready_READY_FALSE},
		"UnspecifiedLoweredHeld": {converged: false, earlier: fnv1.Ready_READY_UNSPECIFIED, want: fnv1.Ready_READY_FALSE},
		"EarlierFalseStaysFalse": {converged: false, earlier: fnv1.Ready_READY_FALSE, want: fnv1.Ready_READY_FALSE},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := loadXR(t, exampleClaimXR)
			p := newFakeProvider()
			if tc.converged {
				p, _, _ = converge(t, xr)
			}
			req := p.request(xr, nil)
			req.Desired = &fnv1.State{Composite: &fnv1.Resource{Resource: &structpb.Struct{}, Ready: tc.earlier}}
			if got := run(t, req).GetDesired().GetComposite().GetReady(); got != tc.want {
				t.Errorf("XR readiness: got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestEarlierStepsResourcesPass checks that what an earlier step of the
// pipeline composed reaches Crossplane as that step said it, beside what
// this function composes.
func TestEarlierStepsResourcesPass(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	p, _, _ := converge(t, xr)
	req := p.request(xr, nil)
	earlier := &fnv1.Resource{Resource: mustStruct(t, map[string]any{
		"apiVersion": "s3.aws.upbound.io/v1beta1", "kind": "Bucket",
		"spec": map[string]any{"forProvider": map[string]any{"region": "eu-west-1", "tags": map[string]any{"team": "ml"}}},
	}), Ready: fnv1.Ready_READY_TRUE}
	req.Desired = &fnv1.State{Resources: map[string]*fnv1.Resource{"extra-bucket": earlier}}
	want := proto.Clone(earlier)
	rsp := run(t, req)
	if diff := cmp.Diff(want, rsp.GetDesired().GetResources()["extra-bucket"], protocmp.Transform()); diff != "" {
		t.Errorf("an earlier step's resource: -sent, +answered:\n%s", diff)
	}
	if _, ok := rsp.GetDesired().GetResources()[compWebService]; !ok {
		t.Error("the function's own resources are missing beside it")
	}
}

// TestStickyWithoutLabels strips the component label from every observed
// resource and flaps what the Cognito domain waits for: nothing is dropped,
// because a composed resource is known by the name Crossplane gives it.
func TestStickyWithoutLabels(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	p, before, _ := converge(t, xr)
	for n, r := range p.observed {
		m := r.GetResource().AsMap()
		delete(m["metadata"].(map[string]any), "labels")
		p.observed[n] = resourceOf(mustStruct(t, m))
		p.forgetStatus(t, n)
	}
	after := run(t, p.request(xr, nil))
	if diff := cmp.Diff(desiredNames(before), desiredNames(after)); diff != "" {
		t.Errorf("desired resources once labels are gone: -before, +after:\n%s", diff)
	}
	for n, r := range after.GetDesired().GetResources() {
		if got := componentLabel(r.GetResource().AsMap()); got == "" {
			t.Errorf("%s is composed without its component label, which selectors need", n)
		}
	}
}

// TestLeastPrivilegeEgress checks the load balancer may send to the web
// tasks' group on 3000 only, and that only the tasks reach a CIDR (the
// internet, on 443); every other flow names a group.
func TestLeastPrivilegeEgress(t *testing.T) {
	_, last, _ := converge(t, loadXR(t, exampleClaimXR))
	egress := 0
	for n, r := range last.GetDesired().GetResources() {
		m := r.GetResource().AsMap()
		if m["kind"] != "SecurityGroupEgressRule" {
			continue
		}
		egress++
		f := fp(m)
		from := tierOf(f["securityGroupIdSelector"])
		switch {
		case from == tierALB:
			if diff := cmp.Diff(selectorFor(compWebSecurityGroup), f["referencedSecurityGroupIdSelector"]); diff != "" || f["fromPort"] != float64(langfuseWebPort) {
				t.Errorf("%s: the load balancer may send elsewhere than the web tasks on 3000: -want, +got:\n%s", n, diff)
			}
		case f["cidrIpv4"] != nil:
			if f["cidrIpv4"] != "0.0.0.0/0" || f["fromPort"] != float64(443) || !slices.Contains([]tier{tierWeb, tierWorker, tierClickHouse}, from) {
				t.Errorf("%s: %s may reach %v on %v", n, from, f["cidrIpv4"], f["fromPort"])
			}
		case f["referencedSecurityGroupIdSelector"] == nil:
			t.Errorf("%s allows egress to neither a group nor the internet", n)
		}
		if f["cidrIpv6"] != nil {
			t.Errorf("%s allows egress to an IPv6 CIDR", n)
		}
	}
	if egress != len(flows) {
		t.Errorf("%d egress rules, want one per flow (%d)", egress, len(flows))
	}
}

// TestImmutableFieldsRefusedByXRD applies, against both XRDs' schemas with
// the API server's CEL, each edit of an immutable field (refused, naming it)
// and each allowed edit (accepted), as kubectl apply of an edited claim would.
func TestImmutableFieldsRefusedByXRD(t *testing.T) {
	immutableEdits := map[string]struct {
		set, old map[string]any
		field    string
	}{
		"Region":       {set: map[string]any{"spec.region": "eu-central-1"}, field: "spec.region"},
		"VPC":          {set: map[string]any{"spec.network.vpcId": "vpc-0123456789abcdef1"}, field: "spec.network.vpcId"},
		"ZoneID":       {set: map[string]any{"spec.domain.zoneId": "Z9876543210ABCDEFGHIJ"}, field: "spec.domain"},
		"HostName":     {set: map[string]any{"spec.domain.hostName": "observability"}, field: "spec.domain"},
		"DomainPrefix": {set: map[string]any{"spec.auth.cognito.domainPrefix": "login"}, field: "spec.auth.cognito.domainPrefix"},
		"DatabaseMajor": {
			set: map[string]any{"spec.database.engineVersion": "17.7"}, old: map[string]any{"spec.database.engineVersion": "16.8"},
			field: "spec.database.engineVersion",
		},
		"CacheEngine": {
			set: map[string]any{"spec.cache.engine": "redis"}, old: map[string]any{"spec.cache.engine": "valkey"},
			field: "spec.cache.engine",
		},
		"UserVPCToOwn": {set: ownVPC(map[string]any{}), field: "spec.network.vpc"},
		"OwnVPCToUser": {set: nil, old: ownVPC(map[string]any{}), field: "spec.network.vpc"},
		"VPCBlock": {
			set: ownVPC(map[string]any{"cidr": "10.1.0.0/16"}), old: ownVPC(map[string]any{"cidr": "10.0.0.0/16"}),
			field: "spec.network.vpc.cidr",
		},
		"CloudFrontOn":  {set: map[string]any{"spec.loadBalancer.cloudFront.enabled": true}, field: "spec.loadBalancer.cloudFront.enabled"},
		"CloudFrontOff": {set: nil, old: map[string]any{"spec.loadBalancer.cloudFront.enabled": true}, field: "spec.loadBalancer.cloudFront.enabled"},
	}
	for _, path := range []string{exampleXRD, exampleNamespacedXRD} {
		v := xrdValidator(t, path)
		object := func(set map[string]any) map[string]any {
			m := withSpec(t, loadXR(t, exampleClaimXR), set).AsMap()
			delete(m, "metadata")
			return m
		}
		for name, tc := range immutableEdits {
			t.Run(path+"/"+name, func(t *testing.T) {
				errs, _ := v.validateUpdate(object(tc.set), object(tc.old))
				if len(errs) == 0 {
					t.Fatalf("the XRD accepts an edit of %s", tc.field)
				}
				if got := errs.ToAggregate().Error(); !strings.Contains(got, tc.field+" is immutable") {
					t.Errorf("the XRD's error does not say %s is immutable: %s", tc.field, got)
				}
			})
		}
		for name, set := range allowedEdits {
			t.Run(path+"/Allowed"+name, func(t *testing.T) {
				if errs, _ := v.validateUpdate(object(set), object(nil)); len(errs) > 0 {
					t.Errorf("the XRD refuses an allowed edit: %v", errs)
				}
			})
		}
	}
}

// TestBadInputTags checks that tags AWS would refuse are a Fatal result
// naming the tag, before anything reaches AWS.
func TestBadInputTags(t *testing.T) {
	many := map[string]any{}
	for i := range maxTagsPerResource {
		many[strings.Repeat("k", i+1)] = "v"
	}
	cases := map[string]struct {
		tags map[string]any
		want string
	}{
		"AWSPrefix":    {tags: map[string]any{"aws:team": "ml"}, want: "input.tags[aws:team]"},
		"AWSPrefixCap": {tags: map[string]any{"AWS:team": "ml"}, want: "input.tags[AWS:team]"},
		"LongKey":      {tags: map[string]any{strings.Repeat("k", maxTagKeyLength+1): "v"}, want: "input.tags[" + strings.Repeat("k", maxTagKeyLength+1) + "]"},
		"LongValue":    {tags: map[string]any{"team": strings.Repeat("v", maxTagValueLength+1)}, want: "input.tags[team]"},
		"BadChars":     {tags: map[string]any{"team": "ml;drop"}, want: "input.tags[team]"},
		"Reserved":     {tags: map[string]any{"Name": "mine"}, want: "input.tags[Name]"},
		"TooMany":      {tags: many, want: "input.tags"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in, err := structpb.NewStruct(map[string]any{"apiVersion": "langfuse.fn.crossplane.io/v1beta1", "kind": "Input", "tags": tc.tags})
			if err != nil {
				t.Fatal(err)
			}
			rsp := run(t, newFakeProvider().request(loadXR(t, exampleClaimXR), in))
			if msg := fatal(rsp); !strings.Contains(msg, tc.want) {
				t.Errorf("want a Fatal result naming %s, got %q", tc.want, msg)
			}
		})
	}
	ok, _ := structpb.NewStruct(map[string]any{"apiVersion": "langfuse.fn.crossplane.io/v1beta1", "kind": "Input", "tags": map[string]any{"team": "ml", "cost-center": "42", "owner": "ml@example.com"}})
	if msg := fatal(run(t, newFakeProvider().request(loadXR(t, exampleClaimXR), ok))); msg != "" {
		t.Errorf("good tags were refused: %s", msg)
	}
}

// TestOneEventPerChangeWithoutWaitingFor runs the event test with an XRD
// that has no status.waitingFor (teams reshape the API): the API server
// prunes the field, and the function compares with the gate conditions
// Crossplane v2 copies onto the XR instead.
func TestOneEventPerChangeWithoutWaitingFor(t *testing.T) {
	xrd := readYAMLFile(t, exampleXRD)
	version := xrd["spec"].(map[string]any)["versions"].([]any)[0].(map[string]any)
	status := version["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any)["properties"].(map[string]any)["status"].(map[string]any)
	delete(status["properties"].(map[string]any), "waitingFor")
	v := validatorOfXRD(t, xrd)

	// carry writes what Crossplane v2 writes back: the status, pruned by
	// the XRD, and the function's conditions.
	carry := func(xr *structpb.Struct, rsp *fnv1.RunFunctionResponse) *structpb.Struct {
		m := carryXRStatus(t, xr, rsp).AsMap()
		var conditions []any
		for _, c := range rsp.GetConditions() {
			conditions = append(conditions, map[string]any{
				"type": c.GetType(), "status": map[fnv1.Status]string{fnv1.Status_STATUS_CONDITION_TRUE: "True", fnv1.Status_STATUS_CONDITION_FALSE: "False"}[c.GetStatus()],
				"reason": c.GetReason(), "message": c.GetMessage(), "lastTransitionTime": "2026-01-01T00:00:00Z",
			})
		}
		_, _ = v.validate(m)
		if _, kept := m["status"].(map[string]any)["waitingFor"]; kept {
			t.Fatal("the XRD without status.waitingFor kept it")
		}
		// Crossplane's CRD of an XRD always has status.conditions.
		m["status"].(map[string]any)["conditions"] = conditions
		return mustStruct(t, m)
	}

	xr := loadXR(t, exampleClaimXR)
	p := newFakeProvider()
	first := run(t, p.request(xr, nil))
	if len(events(first)) == 0 {
		t.Fatal("the first call sent no event about what it waits for")
	}
	xr = carry(xr, first)
	if got := events(run(t, p.request(xr, nil))); len(got) != 0 {
		t.Errorf("a second call with nothing changed sent events: %v", got)
	}
	p.observeAll(t, first)
	third := run(t, p.request(xr, nil))
	if len(events(third)) == 0 {
		t.Error("a call after the first wave became Ready sent no event")
	}
	xr = carry(xr, third)
	if got := events(run(t, p.request(xr, nil))); len(got) != 0 {
		t.Errorf("a repeated call sent events again: %v", got)
	}
}

// TestImmutableEditSeenByEveryWitness edits each immutable field with only one
// of its witnesses observed at a time: each alone refuses the edit.
func TestImmutableEditSeenByEveryWitness(t *testing.T) {
	edits := map[string]map[string]any{
		"spec.region":                          {"spec.region": "eu-central-1"},
		"spec.network.vpcId":                   {"spec.network.vpcId": "vpc-0123456789abcdef1"},
		"spec.domain.zoneId":                   {"spec.domain.zoneId": "Z9876543210ABCDEFGHIJ"},
		"spec.domain.hostName":                 {"spec.domain.hostName": "observability"},
		"spec.domain.zoneName":                 {"spec.domain.zoneName": "example.org"},
		"spec.auth.cognito.domainPrefix":       {"spec.auth.cognito.domainPrefix": "login"},
		"spec.database.engineVersion":          {"spec.database.engineVersion": "17.7"},
		"spec.cache.engine":                    {"spec.cache.engine": "redis"},
		"spec.network.vpc.cidr":                {"spec.network.vpc.cidr": "10.1.0.0/16"},
		"spec.loadBalancer.cloudFront.enabled": {"spec.loadBalancer.cloudFront.enabled": true},
	}
	// The fields of a composed VPC are edited on a Langfuse that has one.
	ownVPCFields := map[string]bool{"spec.network.vpc.cidr": true}
	xr := loadXR(t, exampleClaimXR)
	ownXR := withSpec(t, xr, ownVPC(map[string]any{}))
	full, _, _ := converge(t, xr)
	fullOwn, _, _ := converge(t, ownXR)
	for _, f := range immutables {
		for _, witness := range f.in {
			t.Run(f.field+"/"+witness, func(t *testing.T) {
				base, observed := xr, full.observed
				if ownVPCFields[f.field] {
					base, observed = ownXR, fullOwn.observed
				}
				p := newFakeProvider()
				p.observed[witness] = observed[witness]
				msg := fatal(run(t, p.request(withSpec(t, base, edits[f.field]), nil)))
				if !strings.Contains(msg, f.field) || !strings.Contains(msg, "immutable") {
					t.Errorf("with only %s observed, an edit of %s was not refused naming it: %q", witness, f.field, msg)
				}
			})
		}
	}
}

// TestDatabaseVersion checks Aurora's version: a new cluster gets the
// long-term-support default (16.6 is one AWS no longer creates), an existing
// cluster keeps what it was created with until the spec names a version, and
// the parameter group's family follows the major version.
func TestDatabaseVersion(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	p, rsp, _ := converge(t, xr)
	version := func(rsp *fnv1.RunFunctionResponse, name string, field string) any {
		return fp(rsp.GetDesired().GetResources()[name].GetResource().AsMap())[field]
	}
	if got := version(rsp, compDatabase, "engineVersion"); got != defaultDatabaseEngineVersion || defaultDatabaseEngineVersion == "16.6" {
		t.Errorf("a new cluster gets engineVersion %v, want %s (and not 16.6, which AWS retired)", got, defaultDatabaseEngineVersion)
	}
	if got := version(rsp, compDatabaseParameters, "family"); got != "aurora-postgresql16" {
		t.Errorf("parameter group family %v, want aurora-postgresql16", got)
	}

	// A cluster created by an older release, at 16.6.
	m := p.observed[compDatabase].GetResource().AsMap()
	m["spec"].(map[string]any)["forProvider"].(map[string]any)["engineVersion"] = "16.6"
	p.observed[compDatabase] = &fnv1.Resource{Resource: mustStruct(t, m)}
	if got := version(run(t, p.request(xr, nil)), compDatabase, "engineVersion"); got != "16.6" {
		t.Errorf("an existing cluster's version became %v without an edit, want it kept at 16.6", got)
	}
	edited := run(t, p.request(withSpec(t, xr, map[string]any{"spec.database.engineVersion": "16.9"}), nil))
	if got := version(edited, compDatabase, "engineVersion"); got != "16.9" {
		t.Errorf("spec.database.engineVersion 16.9 rendered %v", got)
	}
}

// TestDataAPIFollowsTheSpec turns Aurora's Data API on and off again: the
// cluster always says which, so off is an edit upjet sends (left out, the
// provider would keep the value AWS reports, on).
func TestDataAPIFollowsTheSpec(t *testing.T) {
	endpoint := func(rsp *fnv1.RunFunctionResponse) any {
		v, ok := fp(rsp.GetDesired().GetResources()[compDatabase].GetResource().AsMap())["enableHttpEndpoint"]
		if !ok {
			return "left out"
		}
		return v
	}
	on := withSpec(t, loadXR(t, exampleClaimXR), map[string]any{"spec.database.dataApi": true})
	p, last, _ := converge(t, on)
	if got := endpoint(last); got != true {
		t.Errorf("with dataApi the cluster's enableHttpEndpoint is %v, want true", got)
	}
	off := withSpec(t, on, map[string]any{"spec.database.dataApi": false})
	if got := endpoint(run(t, p.request(off, nil))); got != false {
		t.Errorf("with dataApi off the cluster's enableHttpEndpoint is %v, want false", got)
	}
}
