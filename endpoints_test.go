package main

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// noInternetNAT is a Langfuse with a VPC of its own, NAT gateways, and what
// a move to no route out needs already set (ECR images, no Cognito).
func noInternetNAT() map[string]any {
	edit := ownVPC(map[string]any{})
	maps.Copy(edit, withoutInternet)
	return edit
}

// endpointServiceKeys are the interface endpoints' member keys.
func endpointServiceKeys() []string {
	var out []string
	for _, s := range interfaceEndpointServices {
		out = append(out, compInterfaceEndpoints+"-"+strings.ReplaceAll(s, ".", "-"))
	}
	slices.Sort(out)
	return out
}

// The waves without a route out: the VPC (1) → its subnets, route tables,
// the endpoints and their group (2) → the endpoints in the subnets and with
// the group, the S3 endpoint in the route tables (3) → ClickHouse (4) → the
// migrations (5) → worker and web (6) → scaling targets (7) and policies
// (8). No NAT, no route out, and no task before every endpoint it uses is
// there.
func TestConvergenceWithVPCEndpoints(t *testing.T) {
	p, last, waves := converge(t, ownVPCXR(t, map[string]any{"egress": "vpcEndpoints"}))
	assertWaves(t, waves, map[string]int{
		"network-vpc": 1, compEndpointSG: 2, "network-interface-endpoint-ecr-dkr": 2,
		"clickhouse-service": 4, "web-service": 6, "web-scaling-policy": 8,
	}, 8)
	desired := last.GetDesired().GetResources()
	for _, c := range []string{compNATGateways, compNATAddresses, compNATInstance, compPrivateRoutes} {
		if m := membersOf(desired, c); len(m) != 0 {
			t.Errorf("a VPC without a route out has %v", m)
		}
	}
	if diff := cmp.Diff(endpointServiceKeys(), membersOf(desired, compInterfaceEndpoints)); diff != "" {
		t.Errorf("interface endpoints: -want, +got:\n%s", diff)
	}
	group := lookup(p.observed[compEndpointSG].GetResource().AsMap(), statusPathID)
	subnets := map[any]bool{}
	for _, zone := range []string{"eu-west-1a", "eu-west-1b"} {
		subnets[lookup(p.observed["network-private-subnet-"+zone].GetResource().AsMap(), statusPathID)] = true
	}
	for _, n := range membersOf(desired, compInterfaceEndpoints) {
		body := fp(desired[n].GetResource().AsMap())
		if body["vpcEndpointType"] != "Interface" || body["privateDnsEnabled"] != true || !strings.HasPrefix(str(body["serviceName"]), "com.amazonaws.eu-west-1.") {
			t.Errorf("%s is %v, want an interface endpoint of eu-west-1 with private DNS", n, body)
		}
		id := lookup(p.observed[n].GetResource().AsMap(), statusPathID)
		in := map[any]bool{}
		for _, a := range membersOf(desired, compInterfaceEndpointSubnet) {
			if b := fp(desired[a].GetResource().AsMap()); b["vpcEndpointId"] == id {
				in[b["subnetId"]] = true
			}
		}
		if diff := cmp.Diff(subnets, in); diff != "" {
			t.Errorf("%s is in the private subnets: -want, +got:\n%s", n, diff)
		}
		groups := 0
		for _, a := range membersOf(desired, compInterfaceEndpointGroup) {
			if b := fp(desired[a].GetResource().AsMap()); b["vpcEndpointId"] == id {
				groups++
				if b["securityGroupId"] != group || b["replaceDefaultAssociation"] != true {
					t.Errorf("%s is %v, want the endpoints' group in place of the default", a, b)
				}
			}
		}
		if groups != 1 {
			t.Errorf("%s has %d group associations, want 1", n, groups)
		}
	}
	ingress := fp(desired[compEndpointIngress].GetResource().AsMap())
	if ingress["cidrIpv4"] != "10.0.0.0/16" || ingress["fromPort"] != 443.0 {
		t.Errorf("the endpoints let in %v, want HTTPS from the VPC", ingress)
	}
}

// TestEgressMovesToAndFromVPCEndpoints switches a running Langfuse from a NAT
// gateway per zone to no route out and on to one NAT gateway: the routes
// stay until every endpoint is Ready, the gateways go once no route uses
// them; back, the endpoints stay until every zone routes out again, and
// their group stays with the VPC.
func TestEgressMovesToAndFromVPCEndpoints(t *testing.T) {
	nat := withSpec(t, loadXR(t, exampleClaimXR), noInternetNAT())
	p, _, _ := converge(t, nat)
	natA := lookup(p.observed["network-nat-gateway-eu-west-1a"].GetResource().AsMap(), statusPathID)
	natB := lookup(p.observed["network-nat-gateway-eu-west-1b"].GetResource().AsMap(), statusPathID)
	step := func(rsp *fnv1.RunFunctionResponse) {
		p.observeAll(t, rsp)
		p.applyRoutes(t)
	}

	none := withSpec(t, nat, map[string]any{"spec.network.vpc.egress": "vpcEndpoints"})
	var rsp *fnv1.RunFunctionResponse
	for range 4 { // the endpoints and their group, then their associations
		rsp = run(t, p.request(none, nil))
		if gone := p.deleteUndesired(rsp); len(gone) > 0 {
			t.Fatalf("deleted before the endpoints carry the traffic: %v", gone)
		}
		if len(membersOf(rsp.GetDesired().GetResources(), compInterfaceEndpointGroup)) > 0 {
			break
		}
		step(rsp)
	}
	// Every endpoint is in its subnets, one not Ready yet: the routes stay.
	p.observeAll(t, rsp)
	p.setReady(t, "network-interface-endpoint-sts", false)
	rsp = run(t, p.request(none, nil))
	if diff := cmp.Diff(map[string]any{"eu-west-1a": natA, "eu-west-1b": natB}, natRoutes(t, p, rsp)); diff != "" {
		t.Errorf("routes went before every endpoint is Ready: -want, +got:\n%s", diff)
	}
	if gone := p.deleteUndesired(rsp); len(gone) > 0 {
		t.Errorf("deleted before every endpoint is Ready: %v", gone)
	}
	p.setReady(t, "network-interface-endpoint-sts", true)
	rsp = run(t, p.request(none, nil))
	if diff := cmp.Diff(membersOf(p.observed, compPrivateRoutes), p.deleteUndesired(rsp)); diff != "" {
		t.Errorf("deleted once the endpoints carry the traffic: -want, +got:\n%s", diff)
	}
	rsp = run(t, p.request(none, nil))
	if diff := cmp.Diff([]string{"network-nat-gateway-eu-west-1a", "network-nat-gateway-eu-west-1b"}, p.deleteUndesired(rsp)); diff != "" {
		t.Errorf("deleted once no route uses them: -want, +got:\n%s", diff)
	}
	rsp = run(t, p.request(none, nil))
	if diff := cmp.Diff([]string{"network-nat-address-eu-west-1a", "network-nat-address-eu-west-1b"}, p.deleteUndesired(rsp)); diff != "" {
		t.Errorf("deleted after their gateways: -want, +got:\n%s", diff)
	}
	rsp = settle(t, p, none)
	for _, c := range []string{compNATGateways, compNATAddresses, compPrivateRoutes} {
		if m := membersOf(rsp.GetDesired().GetResources(), c); len(m) != 0 {
			t.Errorf("without a route out, %v stay", m)
		}
	}
	untouched(t, p, rsp)

	// To one NAT gateway: the endpoints carry the traffic until every zone
	// routes out through it, and go after; their group stays.
	shared := withSpec(t, nat, map[string]any{"spec.network.vpc.egress": "natGateway"})
	for range 6 {
		rsp = run(t, p.request(shared, nil))
		if _, ok := rsp.GetDesired().GetResources()["network-interface-endpoint-ecr-dkr"]; !ok {
			for _, zone := range []string{"eu-west-1a", "eu-west-1b"} {
				table := lookup(p.observed["network-private-route-table-"+zone].GetResource().AsMap(), statusPathID)
				if _, ok := p.observed[string(resourceName(compPrivateRoutes, str(table)))]; !ok {
					t.Fatalf("the endpoints left while %s has no route out", zone)
				}
			}
		}
		p.deleteUndesired(rsp)
		step(rsp)
	}
	rsp = settle(t, p, shared)
	p.deleteUndesired(rsp)
	rsp = settle(t, p, shared)
	gateway := lookup(p.observed["network-nat-gateway-eu-west-1a"].GetResource().AsMap(), statusPathID)
	if diff := cmp.Diff(map[string]any{"eu-west-1a": gateway, "eu-west-1b": gateway}, natRoutes(t, p, rsp)); diff != "" {
		t.Errorf("routes on one gateway: -want, +got:\n%s", diff)
	}
	desired := rsp.GetDesired().GetResources()
	for _, c := range []string{compInterfaceEndpoints, compInterfaceEndpointSubnet, compInterfaceEndpointGroup} {
		if m := membersOf(desired, c); len(m) != 0 {
			t.Errorf("%v stay once every zone routes out", m)
		}
	}
	if _, ok := desired[compEndpointSG]; !ok {
		t.Error("the endpoints' group went with them: AWS refuses while their interfaces are deleted")
	}
	untouched(t, p, rsp)
}

// untouched checks that the data stores and the tasks' services are still
// desired: a change of egress must not touch them.
func untouched(t *testing.T, p *fakeProvider, rsp *fnv1.RunFunctionResponse) {
	t.Helper()
	for _, n := range []string{compDatabase, compDatabaseInstance, compCache, compEFS, compWebService, compWorkerService, compClickHouseService} {
		if _, ok := rsp.GetDesired().GetResources()[n]; !ok {
			t.Errorf("%s left the desired state", n)
		}
		if _, ok := p.observed[n]; !ok {
			t.Errorf("%s was deleted", n)
		}
	}
}
