package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// behindCloudFront is the example claim behind CloudFront, allowing blocks
// of both address families.
func behindCloudFront(t testing.TB, cidrs ...any) *structpb.Struct {
	t.Helper()
	if len(cidrs) == 0 {
		cidrs = []any{"198.51.100.0/24", "2001:db8::/32"}
	}
	return withSpec(t, loadXR(t, exampleClaimXR), map[string]any{
		"spec.loadBalancer.cloudFront.enabled": true,
		"spec.network.allowedCidrs":            cidrs,
	})
}

// The waves of a Langfuse behind CloudFront. Nine, two more than in front
// of the internet, for the chain CloudFront adds between the load balancer
// and the host record: the certificates (1) → their validation records (2)
// → the validations (3) → the HTTPS listener (4) → the VPC origin, which
// CloudFront connects only to a load balancer that serves (5) → the
// distribution (6) → the host's records, which alias it (7) → the Cognito
// domain, whose parent name now resolves to CloudFront (8) → its record
// (9). The WAF's allowlists (1) and web ACL (2) are ready long before.
func TestConvergenceBehindCloudFront(t *testing.T) {
	p, last, waves := converge(t, behindCloudFront(t))
	assertWaves(t, waves, map[string]int{
		"cert-edge": 1, compIPv4Allowlist: 1, compIPv6Allowlist: 1, compWebACL: 2, "alb": 2,
		"cert-edge-validation": 3, "alb-listener-https": 4, compVPCOrigin: 5, compDistribution: 6,
		compDNSRecordHost: 7, compDNSRecordHostIPv6: 7, compUserPoolDomain: 8, compDNSRecordAuth: 9,
		"web-service": 5,
	}, 9)

	status := func(name, path string) any { return lookup(p.observed[name].GetResource().AsMap(), path) }
	desired := last.GetDesired().GetResources()
	spec := func(name string) map[string]any { return fp(desired[name].GetResource().AsMap()) }

	// The load balancer is internal, in the private subnets, and opens 443
	// only to them, where CloudFront's network interfaces are.
	alb := spec(compALB)
	if alb["internal"] != true {
		t.Errorf("the load balancer is not internal: %v", alb["internal"])
	}
	private := []any{"subnet-0a1b2c3d4e5f60003", "subnet-0a1b2c3d4e5f60004"}
	if diff := cmp.Diff(private, alb["subnets"]); diff != "" {
		t.Errorf("the load balancer's subnets: -want, +got:\n%s", diff)
	}
	var sources []string
	for _, n := range membersOf(desired, compALBIngress) {
		rule := spec(n)
		if rule["fromPort"] != float64(httpsPort) {
			t.Errorf("%s opens port %v: behind CloudFront only %d", n, rule["fromPort"], httpsPort)
		}
		sources = append(sources, str(rule["cidrIpv4"]))
	}
	slices.Sort(sources)
	var subnetBlocks []string
	for _, n := range membersOf(p.observed, compPrivateSubnets) {
		subnetBlocks = append(subnetBlocks, status(n, statusPathCIDRBlock).(string))
	}
	slices.Sort(subnetBlocks)
	if diff := cmp.Diff(subnetBlocks, sources); diff != "" {
		t.Errorf("the load balancer is open to: -want (the private subnets), +got:\n%s", diff)
	}

	// CloudFront reaches it through the VPC origin, behind the web ACL,
	// with the host's certificate from us-east-1.
	origin := lookup(spec(compDistribution), "origin").([]any)[0].(map[string]any)
	if origin["domainName"] != status(compALB, statusPathLBDNSName) || lookup(origin, "vpcOriginConfig.vpcOriginId") != status(compVPCOrigin, statusPathID) {
		t.Errorf("the distribution's origin is %v, want the load balancer through the VPC origin", origin)
	}
	var state map[string]any
	if err := json.Unmarshal([]byte(str(spec(compVPCOrigin)["desiredState"])), &state); err != nil {
		t.Fatal(err)
	}
	if got := lookup(state, "VpcOriginEndpointConfig.Arn"); got != status(compALB, statusPathARN) {
		t.Errorf("the VPC origin points at %v, want the load balancer", got)
	}
	if got := lookup(state, "VpcOriginEndpointConfig.OriginProtocolPolicy"); got != "https-only" {
		t.Errorf("CloudFront speaks %v to the load balancer, want https-only", got)
	}
	if got := spec(compDistribution)["webAclId"]; got != status(compWebACL, statusPathARN) {
		t.Errorf("the distribution's web ACL is %v", got)
	}
	if got := lookup(spec(compDistribution), "viewerCertificate.acmCertificateArn"); got != status(compCertEdge, statusPathARN) || spec(compCertEdge)["region"] != cloudFrontRegion {
		t.Errorf("the distribution's certificate is %v, in %v; want cert-edge's, in us-east-1", got, spec(compCertEdge)["region"])
	}
	for _, n := range []string{compWebACL, compIPv4Allowlist, compIPv6Allowlist} {
		if spec(n)["region"] != cloudFrontRegion || spec(n)["scope"] != "CLOUDFRONT" {
			t.Errorf("%s is in %v with scope %v, want us-east-1 and CLOUDFRONT", n, spec(n)["region"], spec(n)["scope"])
		}
	}

	// The host's A and AAAA records alias the distribution.
	for _, n := range []string{compDNSRecordHost, compDNSRecordHostIPv6} {
		alias := lookup(spec(n), "alias").(map[string]any)
		if alias["name"] != status(compDistribution, statusPathDomainName) || alias["zoneId"] != cloudFrontHostedZoneID || alias["evaluateTargetHealth"] != false {
			t.Errorf("%s aliases %v, want the distribution", n, alias)
		}
	}
	if spec(compDNSRecordHost)["type"] != "A" || spec(compDNSRecordHostIPv6)["type"] != "AAAA" {
		t.Errorf("the host's records are of types %v and %v", spec(compDNSRecordHost)["type"], spec(compDNSRecordHostIPv6)["type"])
	}
}

// TestCognitoDomainWaitsForCloudFront holds the mission's edge behind
// CloudFront: the Cognito domain waits for the host record, which waits
// for the distribution, and neither leaves once there when what it waited
// for flaps.
func TestCognitoDomainWaitsForCloudFront(t *testing.T) {
	xr := behindCloudFront(t)
	p, _, _ := converge(t, xr)
	for _, n := range []string{compDistribution, compDNSRecordHost, compVPCOrigin, compWebACL, compCertEdgeValidation} {
		p.setReady(t, n, false)
	}
	rsp := run(t, p.request(xr, nil))
	names := desiredNames(rsp)
	for n := range p.observed {
		if !slices.Contains(names, n) {
			t.Errorf("%s was dropped while what it needs flapped, which would delete it", n)
		}
	}

	// On the way up, the Cognito domain is not there before the host
	// record is Ready.
	p = newFakeProvider()
	for range 20 {
		rsp := run(t, p.request(xr, nil))
		if _, ok := rsp.GetDesired().GetResources()[compUserPoolDomain]; ok {
			if !p.isReady(t, compDNSRecordHost) {
				t.Fatalf("%s composed before %s was Ready", compUserPoolDomain, compDNSRecordHost)
			}
			return
		}
		p.observeAll(t, rsp)
	}
	t.Fatalf("%s was never composed", compUserPoolDomain)
}

// TestCloudFrontIPv6FollowsTheAllowlist: the distribution answers IPv6
// clients, and the host has an AAAA record, only while an IPv6 block is
// allowed (WAF would block every other IPv6 client, and browsers prefer
// IPv6). Allowing one later is an edit in place.
func TestCloudFrontIPv6FollowsTheAllowlist(t *testing.T) {
	xr := behindCloudFront(t, "198.51.100.0/24")
	p, last, _ := converge(t, xr)
	if got := fp(last.GetDesired().GetResources()[compDistribution].GetResource().AsMap())["isIpv6Enabled"]; got != false {
		t.Errorf("isIpv6Enabled = %v with IPv4 blocks only", got)
	}
	if _, ok := last.GetDesired().GetResources()[compDNSRecordHostIPv6]; ok {
		t.Errorf("%s composed with IPv4 blocks only", compDNSRecordHostIPv6)
	}
	before := desiredNames(last)

	edited := behindCloudFront(t, "198.51.100.0/24", "2001:db8::/32")
	rsp := settle(t, p, edited)
	desired := rsp.GetDesired().GetResources()
	if got := fp(desired[compDistribution].GetResource().AsMap())["isIpv6Enabled"]; got != true {
		t.Errorf("isIpv6Enabled = %v once an IPv6 block is allowed", got)
	}
	if diff := cmp.Diff([]any{"2001:db8::/32"}, fp(desired[compIPv6Allowlist].GetResource().AsMap())["addresses"]); diff != "" {
		t.Errorf("the IPv6 allowlist: -want, +got:\n%s", diff)
	}
	after := desiredNames(rsp)
	if diff := cmp.Diff(append(slices.Clone(before), compDNSRecordHostIPv6), after, cmp.Transformer("sort", func(s []string) []string { return slices.Sorted(slices.Values(s)) })); diff != "" {
		t.Errorf("allowing IPv6 changed the composed resources: -want, +got:\n%s", diff)
	}
}

// isReady says whether an observed resource reports Ready.
func (p *fakeProvider) isReady(_ *testing.T, name string) bool {
	o, ok := p.observed[name]
	return ok && isReady(newObservedMR(o.GetResource()))
}

func TestWAFAddresses(t *testing.T) {
	cases := map[string]struct {
		cidrs []string
		want  []any
	}{
		"Blocks":        {cidrs: []string{"10.0.0.0/8", "192.0.2.0/24"}, want: []any{"10.0.0.0/8", "192.0.2.0/24"}},
		"EveryIPv4":     {cidrs: []string{"0.0.0.0/0"}, want: []any{"0.0.0.0/1", "128.0.0.0/1"}},
		"EveryIPv6":     {cidrs: []string{"::/0"}, want: []any{"8000::/1", "::/1"}},
		"Sorted":        {cidrs: []string{"192.0.2.0/24", "10.0.0.0/8"}, want: []any{"10.0.0.0/8", "192.0.2.0/24"}},
		"IPv6Canonical": {cidrs: []string{"2001:DB8:0::/48"}, want: []any{"2001:db8::/48"}},
		"None":          {cidrs: nil, want: []any{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, wafAddresses(tc.cidrs)); diff != "" {
				t.Errorf("-want, +got:\n%s", diff)
			}
		})
	}
}

// TestWebACLLetsInOnlyTheAllowlist reads the web ACL's rules as WAF applies
// them, in priority order: everyone is blocked but the allowlist, which
// comes last, so the rate limit and the managed rules apply to it too; the
// SDKs' batches are not rate limited; rules that inspect request bodies,
// where Langfuse's traces carry prompts with code and HTML, only count.
func TestWebACLLetsInOnlyTheAllowlist(t *testing.T) {
	_, last, _ := converge(t, behindCloudFront(t))
	acl := fp(last.GetDesired().GetResources()[compWebACL].GetResource().AsMap())
	if diff := cmp.Diff(map[string]any{"block": map[string]any{}}, acl["defaultAction"]); diff != "" {
		t.Errorf("default action: -want, +got:\n%s", diff)
	}
	var rules []map[string]any
	if err := json.Unmarshal([]byte(str(acl["ruleJson"])), &rules); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(rules, func(a, b map[string]any) int { return int(a["Priority"].(float64) - b["Priority"].(float64)) })
	allow := rules[len(rules)-1]
	var sets []any
	for _, s := range lookup(allow, "Statement.OrStatement.Statements").([]any) {
		sets = append(sets, lookup(s.(map[string]any), "IPSetReferenceStatement.ARN"))
	}
	arnOf := func(c string) any {
		return lookup(last.GetDesired().GetResources()[c].GetResource().AsMap(), "spec.forProvider.name")
	}
	if allow["Action"] == nil || lookup(allow, "Action.Allow") == nil || len(sets) != 2 {
		t.Errorf("the last rule is %v, want the allowlist of both IP sets", allow)
	}
	for i, arn := range sets {
		if !strings.Contains(str(arn), "/"+str(arnOf([]string{compIPv4Allowlist, compIPv6Allowlist}[i]))+"/") {
			t.Errorf("the allowlist's set %d is %v", i, arn)
		}
	}
	for _, r := range rules[:len(rules)-1] {
		if lookup(r, "Action.Allow") != nil {
			t.Errorf("rule %v allows before the allowlist", r["Name"])
		}
		for _, o := range asSlice(lookup(r, "Statement.ManagedRuleGroupStatement.RuleActionOverrides")) {
			if lookup(o.(map[string]any), "ActionToUse.Count") == nil {
				t.Errorf("%v overrides %v to other than count", r["Name"], o)
			}
		}
	}
	if got := lookup(rules[0], "Statement.RateBasedStatement.ScopeDownStatement.NotStatement.Statement.ByteMatchStatement.SearchString"); got != publicAPIPath {
		t.Errorf("the rate limit leaves out %v, want %s", got, publicAPIPath)
	}
	counted := map[string]bool{}
	for _, r := range rules {
		for _, o := range asSlice(lookup(r, "Statement.ManagedRuleGroupStatement.RuleActionOverrides")) {
			counted[str(o.(map[string]any)["Name"])] = true
		}
	}
	for _, body := range []string{"SizeRestrictions_BODY", "CrossSiteScripting_BODY", "GenericLFI_BODY", "GenericRFI_BODY", "Log4JRCE_BODY"} {
		if !counted[body] {
			t.Errorf("%s blocks: Langfuse's bodies carry prompts and batches over 8 KB", body)
		}
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// TestEdgeCertificateSharesTheHostRecord: ACM asks for one validation
// record per name in an account, so the edge certificate, of the host's
// name, asks for the host certificate's record. It is written once: two
// MRs of one record would delete it under the other, and with it the
// renewal of both certificates.
func TestEdgeCertificateSharesTheHostRecord(t *testing.T) {
	xr := behindCloudFront(t)
	p := newFakeProvider()
	var rsp *fnv1.RunFunctionResponse
	for range 3 {
		rsp = run(t, p.request(xr, nil))
		p.observeAll(t, rsp)
		if _, ok := p.observed[compCertEdge]; ok {
			p.setAtProvider(t, compCertEdge, "domainValidationOptions", lookup(p.observed[compCertHost].GetResource().AsMap(), statusPathDVO))
		}
	}
	rsp = settle(t, p, xr)
	if got := membersOf(rsp.GetDesired().GetResources(), compCertEdgeRecords); len(got) != 0 {
		t.Errorf("the edge certificate writes %v, the host certificate's record again", got)
	}
	if _, ok := rsp.GetDesired().GetResources()[compCertEdgeValidation]; !ok {
		t.Errorf("%s is not composed: it waits for a record of its own that is never written", compCertEdgeValidation)
	}
}
