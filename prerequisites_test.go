package main

import (
	"strings"
	"testing"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// setAtProvider changes a value the provider reports for an observed resource.
func setAtProvider(t *testing.T, p *fakeProvider, name, field string, value any) {
	t.Helper()
	m := p.observed[name].GetResource().AsMap()
	m["status"].(map[string]any)["atProvider"].(map[string]any)[field] = value
	p.observed[name] = resourceOf(mustStruct(t, m))
}

// TestNetworkPrerequisites checks what the function observes of the user's
// network before it builds on it: a VPC without DNS hostnames holds
// ClickHouse's service (web and worker find it by its private DNS name), two
// private subnets in one zone hold the mount targets (EFS takes one per
// zone). Each is said on the claim, naming the field and what to fix, and
// nothing else is held.
func TestNetworkPrerequisites(t *testing.T) {
	cases := map[string]struct {
		spoil    func(t *testing.T, p *fakeProvider)
		held     string
		gateSays []string
	}{
		"VPCWithoutDNSHostnames": {
			spoil:    func(t *testing.T, p *fakeProvider) { setAtProvider(t, p, compNetworkVPC, "enableDnsHostnames", false) },
			held:     compClickHouseService,
			gateSays: []string{"spec.network.vpcId", "enableDnsHostnames"},
		},
		"PrivateSubnetsInOneZone": {
			spoil: func(t *testing.T, p *fakeProvider) {
				setAtProvider(t, p, string(resourceName(compPrivateSubnets, "subnet-0a1b2c3d4e5f60004")), "availabilityZone", "eu-west-1d")
			},
			held:     string(resourceName(compEFSMountTargets, "subnet-0a1b2c3d4e5f60003")),
			gateSays: []string{"spec.network.privateSubnetIds", "subnet-0a1b2c3d4e5f60003 and subnet-0a1b2c3d4e5f60004 are both in eu-west-1d"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := loadXR(t, exampleClaimXR)
			p := newFakeProvider()
			var rsp *fnv1.RunFunctionResponse
			for call := range 12 {
				rsp = run(t, p.request(xr, nil))
				if call == 0 {
					p.observeAll(t, rsp)
					tc.spoil(t, p)
					continue
				}
				p.observeAll(t, rsp)
				xr = carryXRStatus(t, xr, rsp)
			}
			if _, ok := rsp.GetDesired().GetResources()[tc.held]; ok {
				t.Errorf("%s was composed on a network AWS would refuse it in", tc.held)
			}
			c := gateCondition(rsp, conditionNetwork)
			if c == nil || c.GetStatus() != fnv1.Status_STATUS_CONDITION_FALSE || c.GetReason() != reasonPrerequisite {
				t.Fatalf("%s = %v, want False, %s", conditionNetwork, c, reasonPrerequisite)
			}
			for _, want := range tc.gateSays {
				if !strings.Contains(c.GetMessage(), want) {
					t.Errorf("%s does not say %q: %s", conditionNetwork, want, c.GetMessage())
				}
			}
			// The rest of Langfuse goes ahead: the database is there.
			if _, ok := rsp.GetDesired().GetResources()[compDatabaseInstance]; !ok {
				t.Errorf("a network problem held back what does not depend on it")
			}
		})
	}
}

// TestSubnetInATakenZoneAddsNoMountTarget adds a private subnet that shares
// a zone with another to a converged Langfuse: the mount targets that exist
// stay, and none is added in the new subnet until the zones are distinct.
func TestSubnetInATakenZoneAddsNoMountTarget(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	p, _, _ := converge(t, xr)
	const added = "subnet-0a1b2c3d4e5f60009" // the fake puts ...9 in the zone of ...3
	edited := withSpec(t, xr, map[string]any{"spec.network.privateSubnetIds": []any{"subnet-0a1b2c3d4e5f60003", "subnet-0a1b2c3d4e5f60004", added}})
	var rsp *fnv1.RunFunctionResponse
	for range 3 {
		rsp = run(t, p.request(edited, nil))
		p.observeAll(t, rsp)
	}
	got := rsp.GetDesired().GetResources()
	for _, subnet := range []string{"subnet-0a1b2c3d4e5f60003", "subnet-0a1b2c3d4e5f60004"} {
		if _, ok := got[string(resourceName(compEFSMountTargets, subnet))]; !ok {
			t.Errorf("the mount target in %s was dropped", subnet)
		}
	}
	if _, ok := got[string(resourceName(compEFSMountTargets, added))]; ok {
		t.Errorf("a mount target was added in %s, whose zone already has one", added)
	}
	if c := gateCondition(rsp, conditionNetwork); c == nil || !strings.Contains(c.GetMessage(), added) {
		t.Errorf("%s does not name %s: %v", conditionNetwork, added, c)
	}
}
