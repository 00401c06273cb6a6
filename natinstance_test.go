package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// The waves with a NAT instance: ten, one more than with NAT gateways,
// because the instance fetches its packages at boot and so starts only once
// its public subnet routes out: the VPC (1) → its subnets, gateway, route
// tables and the instance's group (2) → the public route and associations
// (3) → the instance (4) → the private routes through it (5) → ClickHouse
// (6) → the migrations (7) → worker and web (8) → scaling targets (9) and
// policies (10).
func TestConvergenceWithNATInstance(t *testing.T) {
	p, last, waves := converge(t, ownVPCXR(t, map[string]any{"egress": "natInstance"}))
	assertWaves(t, waves, map[string]int{
		"network-vpc": 1, compNATInstanceSG: 2, "network-public-route": 3, "network-nat-instance-eu-west-1a": 4,
		"clickhouse-service": 6, "web-service": 8, "web-scaling-policy": 10,
	}, 10)
	desired := last.GetDesired().GetResources()
	for _, c := range []string{compNATGateways, compNATAddresses} {
		if m := membersOf(desired, c); len(m) != 0 {
			t.Errorf("a NAT instance's VPC has %v", m)
		}
	}
	// Both zones go out through the instance, which is in the first
	// zone's public subnet, forwards, and has a public address.
	eni := lookup(p.observed["network-nat-instance-eu-west-1a"].GetResource().AsMap(), statusPathPrimaryENI)
	if diff := cmp.Diff(map[string]any{"eu-west-1a": eni, "eu-west-1b": eni}, natRoutes(t, p, last)); diff != "" {
		t.Errorf("routes: -want, +got:\n%s", diff)
	}
	instance := desired["network-nat-instance-eu-west-1a"].GetResource().AsMap()
	body := fp(instance)
	if body["subnetId"] != lookup(p.observed["network-public-subnet-eu-west-1a"].GetResource().AsMap(), statusPathID) ||
		body["sourceDestCheck"] != false || body["associatePublicIpAddress"] != true {
		t.Errorf("the instance is %v, want a forwarding one with a public address in the first public subnet", body)
	}
	// Its image is resolved by EC2 at creation, and never compared again.
	if _, ok := body["ami"]; ok {
		t.Errorf("forProvider.ami is %v: the id AWS reports would differ from it forever", body["ami"])
	}
	if got := lookup(instance, "spec.initProvider.ami"); got != natInstanceImage {
		t.Errorf("initProvider.ami = %v, want %s", got, natInstanceImage)
	}
}

// TestEgressMovesToAndFromTheNATInstance switches a running Langfuse from a
// NAT gateway per zone to the NAT instance and on to one NAT gateway: each
// route moves only to a target that is there, what it leaves stays until no
// route uses it, and the instance's group stays with the VPC.
func TestEgressMovesToAndFromTheNATInstance(t *testing.T) {
	perZone := ownVPCXR(t, map[string]any{})
	p, _, _ := converge(t, perZone)
	natA := lookup(p.observed["network-nat-gateway-eu-west-1a"].GetResource().AsMap(), statusPathID)
	natB := lookup(p.observed["network-nat-gateway-eu-west-1b"].GetResource().AsMap(), statusPathID)
	step := func(rsp *fnv1.RunFunctionResponse) {
		p.observeAll(t, rsp)
		p.applyRoutes(t)
	}

	instance := ownVPCXR(t, map[string]any{"egress": "natInstance"})
	var rsp *fnv1.RunFunctionResponse
	for range 5 { // the group, its rules, then the instance
		rsp = run(t, p.request(instance, nil))
		if gone := p.deleteUndesired(rsp); len(gone) > 0 {
			t.Fatalf("deleted before the instance carries the traffic: %v", gone)
		}
		if _, ok := rsp.GetDesired().GetResources()["network-nat-instance-eu-west-1a"]; ok {
			break
		}
		step(rsp)
	}
	// The instance is there but not running yet: the routes stay.
	p.observeAll(t, rsp)
	p.setReady(t, "network-nat-instance-eu-west-1a", false)
	rsp = run(t, p.request(instance, nil))
	if diff := cmp.Diff(map[string]any{"eu-west-1a": natA, "eu-west-1b": natB}, natRoutes(t, p, rsp)); diff != "" {
		t.Errorf("routes moved before the instance runs: -want, +got:\n%s", diff)
	}
	p.setReady(t, "network-nat-instance-eu-west-1a", true)
	eni := lookup(p.observed["network-nat-instance-eu-west-1a"].GetResource().AsMap(), statusPathPrimaryENI)
	rsp = run(t, p.request(instance, nil))
	if diff := cmp.Diff(map[string]any{"eu-west-1a": eni, "eu-west-1b": eni}, natRoutes(t, p, rsp)); diff != "" {
		t.Errorf("routes once the instance runs: -want, +got:\n%s", diff)
	}
	if gone := p.deleteUndesired(rsp); len(gone) > 0 {
		t.Errorf("deleted while the routes still go through them: %v", gone)
	}
	step(rsp)
	rsp = run(t, p.request(instance, nil))
	if diff := cmp.Diff([]string{"network-nat-gateway-eu-west-1a", "network-nat-gateway-eu-west-1b"}, p.deleteUndesired(rsp)); diff != "" {
		t.Errorf("deleted once no route uses them: -want, +got:\n%s", diff)
	}
	rsp = run(t, p.request(instance, nil))
	if diff := cmp.Diff([]string{"network-nat-address-eu-west-1a", "network-nat-address-eu-west-1b"}, p.deleteUndesired(rsp)); diff != "" {
		t.Errorf("deleted after their gateways: -want, +got:\n%s", diff)
	}
	settle(t, p, instance)

	// To one NAT gateway: the instance carries the traffic until the
	// gateway is there, and goes after; its group stays.
	shared := ownVPCXR(t, map[string]any{"egress": "natGateway"})
	for range 4 {
		rsp = run(t, p.request(shared, nil))
		if _, ok := rsp.GetDesired().GetResources()["network-nat-instance-eu-west-1a"]; !ok {
			if routes := natRoutes(t, p, rsp); routes["eu-west-1a"] == eni {
				t.Fatal("the instance left while a route is told to use it")
			}
		}
		p.deleteUndesired(rsp)
		step(rsp)
	}
	rsp = settle(t, p, shared)
	gateway := lookup(p.observed["network-nat-gateway-eu-west-1a"].GetResource().AsMap(), statusPathID)
	if diff := cmp.Diff(map[string]any{"eu-west-1a": gateway, "eu-west-1b": gateway}, natRoutes(t, p, rsp)); diff != "" {
		t.Errorf("routes on one gateway: -want, +got:\n%s", diff)
	}
	p.deleteUndesired(rsp)
	desired := rsp.GetDesired().GetResources()
	if _, ok := desired["network-nat-instance-eu-west-1a"]; ok {
		t.Error("the instance stays once no route uses it")
	}
	if _, ok := desired[compNATInstanceSG]; !ok {
		t.Error("the instance's group went with it: AWS refuses while the instance terminates")
	}
}
