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
