package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/types/known/structpb"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/crossplane-contrib/function-langfuse/internal/tfcontract"
)

// Contract tests: what the function renders, held against contracts nobody
// here wrote. This file holds every allowed edit against Terraform's
// replace-only attributes (read from the terraform-provider-aws source that
// provider-aws v2.4.0 pins, internal/tfcontract): upjet never replaces a
// resource, it refuses the update, so an edit that changes a replace-only
// attribute of a resource kept under the same name would never reach AWS.

// terraformContract is Terraform's schema (tfcontract.Load reads it once
// per test binary).
func terraformContract(t *testing.T) *tfcontract.Contract {
	t.Helper()
	c, err := tfcontract.Load()
	if err != nil {
		t.Fatalf("cannot read Terraform's schema: %v", err)
	}
	return c
}

// inPlaceDespiteCondition are the conditional replacements the source marks
// for an attribute, each with the test of the condition read in the source:
// true where the change before → after does not meet it. Anything else
// conditional counts as a replacement.
var inPlaceDespiteCondition = map[string]func(before, after map[string]any) bool{
	// customizeDiffLoadBalancerALB forces a replacement only for
	// subnet_mapping changes; the subnets of an application load balancer
	// are set in place (SetSubnets). The NLB's rule does not apply.
	"LB/subnets": func(_, _ map[string]any) bool { return true },
	// customizeDiffEngineForceNewOnDowngrade and
	// customizeDiffEngineVersionForceNewOnDowngrade (engine_version.go)
	// replace a replication group only to go from valkey back to redis, or
	// to a lower version: the function moves Redis 7.1 to Valkey 8.1 and
	// refuses the way back (spec.cache.engine).
	"ReplicationGroup/engine":        func(_, _ map[string]any) bool { return true },
	"ReplicationGroup/engineVersion": func(_, _ map[string]any) bool { return true },
	// capacityProviderStrategyCustomizeDiff (ecs/service.go) replaces a
	// service unless force_new_deployment is set and the strategy goes
	// from some to some.
	"Service/capacityProviderStrategy": func(before, after map[string]any) bool {
		some := func(fp map[string]any) bool { s, _ := fp["capacityProviderStrategy"].([]any); return len(s) > 0 }
		return after["forceNewDeployment"] == true && some(before) && some(after)
	},
}

// replaceOnlyChanges lists, for each resource kept under the same name from
// before to after, the replace-only attributes an edit changed.
func replaceOnlyChanges(t *testing.T, before, after *fnv1.RunFunctionResponse) []string {
	t.Helper()
	c := terraformContract(t)
	var out []string
	for _, name := range slices.Sorted(maps.Keys(after.GetDesired().GetResources())) {
		b, ok := before.GetDesired().GetResources()[name]
		if !ok {
			continue
		}
		bm, am := b.GetResource().AsMap(), after.GetDesired().GetResources()[name].GetResource().AsMap()
		group, _, _ := strings.Cut(str(am["apiVersion"]), "/")
		kind := str(am["kind"])
		if !strings.Contains(group, ".aws.") {
			continue // Kubernetes Secrets and Crossplane Usages are no AWS resources
		}
		changes, err := c.Changes(group, kind, fp(bm), fp(am))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, ch := range changes {
			if inPlace, ok := inPlaceDespiteCondition[kind+"/"+ch.Field]; ok && ch.Conditional && inPlace(fp(bm), fp(am)) {
				continue
			}
			out = append(out, fmt.Sprintf("%s (%s).%s: %s", name, kind, ch.Field, ch.Origin))
		}
	}
	return out
}

// TestAllowedEditsChangeNoReplaceOnlyAttribute renders every allowed edit of
// the README's day-2 table on a converged claim and namespaced XR, and lets
// the provider follow for a few calls (a new task definition revision
// becomes Ready, the service switches, the old revision goes): no resource
// kept under the same name may change a replace-only attribute at any step.
func TestAllowedEditsChangeNoReplaceOnlyAttribute(t *testing.T) {
	for _, path := range []string{exampleClaimXR, exampleNamespacedXR} {
		for _, name := range slices.Sorted(maps.Keys(allowedEdits)) {
			t.Run(path+"/"+name, func(t *testing.T) {
				assertEditAppliesInPlace(t, loadXR(t, path), allowedEdits[name])
			})
		}
		for _, name := range slices.Sorted(maps.Keys(allowedEditsFrom)) {
			t.Run(path+"/"+name, func(t *testing.T) {
				e := allowedEditsFrom[name]
				assertEditAppliesInPlace(t, withSpec(t, loadXR(t, path), e.from), e.edit)
			})
		}
	}
}

// allowedEditsFrom are allowed edits of a claim that does not run the
// defaults: what older releases composed.
var allowedEditsFrom = map[string]struct{ from, edit map[string]any }{
	"RedisToValkey":  {from: map[string]any{"spec.cache.engine": "redis"}, edit: map[string]any{"spec.cache.engine": "valkey"}},
	"Langfuse3To4":   {from: map[string]any{"spec.langfuse.version": "3.174.1"}, edit: map[string]any{"spec.langfuse.version": "4.16.0"}},
	"LegacyToDual":   {from: map[string]any{"spec.langfuse.migration": map[string]any{"writeMode": "legacy"}}, edit: map[string]any{"spec.langfuse.migration": map[string]any{"writeMode": "dual"}}},
	"DualToCutOver":  {from: map[string]any{"spec.langfuse.migration": map[string]any{"writeMode": "dual"}}, edit: map[string]any{"spec.langfuse.migration": map[string]any{"writeMode": "events_only"}}},
	"DataAPIOff":     {from: map[string]any{"spec.database.dataApi": true}, edit: map[string]any{"spec.database.dataApi": false}},
	"ClickHouse2512": {from: map[string]any{"spec.langfuse.version": "3.174.1", "spec.clickhouse.version": "24.8.14.39"}, edit: map[string]any{"spec.clickhouse.version": "25.12.9.61"}},
	// A composed VPC's egress: the routes change their target in place.
	"OneNATGateway":      {from: ownVPC(map[string]any{"availabilityZones": []any{"eu-west-1a", "eu-west-1b", "eu-west-1c"}}), edit: map[string]any{"spec.network.vpc.egress": "natGateway"}},
	"NATGatewayPerZone":  {from: ownVPC(map[string]any{"egress": "natGateway"}), edit: map[string]any{"spec.network.vpc.egress": "natGatewayPerZone"}},
	"AccessLogsOff":      {from: map[string]any{"spec.loadBalancer.accessLogs": map[string]any{"enabled": true}}, edit: map[string]any{"spec.loadBalancer.accessLogs": map[string]any{"enabled": false}}},
	"AccessLogRetention": {from: map[string]any{"spec.loadBalancer.accessLogs": map[string]any{"enabled": true}}, edit: map[string]any{"spec.loadBalancer.accessLogs": map[string]any{"enabled": true, "expireAfterDays": int64(365)}}},
	"AddZone":            {from: ownVPC(map[string]any{}), edit: map[string]any{"spec.network.vpc.availabilityZones": []any{"eu-west-1a", "eu-west-1b", "eu-west-1c"}}},
	// The routes move between a NAT gateway and the NAT instance in place.
	"ToNATInstance":   {from: ownVPC(map[string]any{}), edit: map[string]any{"spec.network.vpc.egress": "natInstance"}},
	"FromNATInstance": {from: ownVPC(map[string]any{"egress": "natInstance"}), edit: map[string]any{"spec.network.vpc.egress": "natGatewayPerZone"}},
	// Between a NAT and no route out: the routes go or come, the endpoints
	// come or go.
	"ToVPCEndpoints":   {from: noInternetNAT(), edit: map[string]any{"spec.network.vpc.egress": "vpcEndpoints"}},
	"FromVPCEndpoints": {from: ownVPC(map[string]any{"egress": "vpcEndpoints"}), edit: map[string]any{"spec.network.vpc.egress": "natGateway"}},
	// Behind CloudFront: the IP sets and the web ACL change in place.
	"AllowIPv6":           {from: map[string]any{"spec.loadBalancer.cloudFront.enabled": true}, edit: map[string]any{"spec.network.allowedCidrs": []any{"0.0.0.0/0", "2001:db8::/32"}}},
	"CloudFrontRateLimit": {from: map[string]any{"spec.loadBalancer.cloudFront.enabled": true}, edit: map[string]any{"spec.loadBalancer.waf.rateLimit": int64(1000)}},
	"RegionalWAF":         {from: map[string]any{}, edit: map[string]any{"spec.loadBalancer.waf.enabled": true}},
	"RegionalWAFOff":      {from: map[string]any{"spec.loadBalancer.waf.enabled": true}, edit: map[string]any{"spec.loadBalancer.waf.enabled": false}},
}

// assertEditAppliesInPlace converges xr, applies an edit and lets the
// provider follow for a few calls (a new task definition revision becomes
// Ready, the service switches, the old revision goes): no resource kept
// under the same name may change a replace-only attribute at any step.
func assertEditAppliesInPlace(t *testing.T, from *structpb.Struct, edit map[string]any) {
	t.Helper()
	p, before, _ := converge(t, from)
	edited := withSpec(t, from, edit)
	for step := range 3 {
		after := run(t, p.request(edited, nil))
		if msg := fatal(after); msg != "" {
			t.Fatalf("step %d: an allowed edit was refused: %s", step, msg)
		}
		for _, c := range replaceOnlyChanges(t, before, after) {
			t.Errorf("step %d: upjet would refuse this update, so the edit never reaches AWS: %s", step, c)
		}
		p.observeAll(t, after)
		before = after
	}
}

// TestReplaceOnlyCheckCatchesAnInPlaceEdit makes sure the check above can
// fail: a task definition or a security group description edited under the
// same name is caught.
func TestReplaceOnlyCheckCatchesAnInPlaceEdit(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	_, before, _ := converge(t, xr)
	edit := func(name, field, value string) *fnv1.RunFunctionResponse {
		m := before.GetDesired().GetResources()[name].GetResource().AsMap()
		m["spec"].(map[string]any)["forProvider"].(map[string]any)[field] = value
		after := &fnv1.RunFunctionResponse{Desired: &fnv1.State{Resources: map[string]*fnv1.Resource{name: {Resource: mustStruct(t, m)}}}}
		return after
	}
	task := revisionsOf(before, compWebTask)[0]
	for _, tc := range []struct{ name, field, value, want string }{
		{task, "containerDefinitions", "[]", "containerDefinitions"},
		{compEFSSecurityGroup, "description", "ClickHouse's EFS mount targets", "description"},
	} {
		got := replaceOnlyChanges(t, before, edit(tc.name, tc.field, tc.value))
		if len(got) != 1 || !strings.Contains(got[0], "."+tc.want+":") {
			t.Errorf("an in-place edit of %s.%s: the check found %q", tc.name, tc.field, got)
		}
	}
}
