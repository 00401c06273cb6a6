package main

import (
	"maps"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

func TestS3EndpointService(t *testing.T) {
	for region, want := range map[string]string{"eu-west-1": "com.amazonaws.eu-west-1.s3", "cn-north-1": "cn.com.amazonaws.cn-north-1.s3"} {
		if got := s3EndpointService(region); got != want {
			t.Errorf("s3EndpointService(%s) = %s, want %s", region, got, want)
		}
	}
}

func TestSubnetLayout(t *testing.T) {
	cases := map[string]struct {
		vpc                  VPC
		wantPublic, wantPriv []string
	}{
		"DefaultTwoZones": {
			vpc:        VPC{CIDR: "10.0.0.0/16", AvailabilityZones: []string{"eu-west-1a", "eu-west-1b"}},
			wantPublic: []string{"10.0.0.0/20", "10.0.16.0/20"},
			wantPriv:   []string{"10.0.64.0/18", "10.0.128.0/18"},
		},
		"ThreeZones": {
			vpc:        VPC{CIDR: "172.16.0.0/16", AvailabilityZones: []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}},
			wantPublic: []string{"172.16.0.0/20", "172.16.16.0/20", "172.16.32.0/20"},
			wantPriv:   []string{"172.16.64.0/18", "172.16.128.0/18", "172.16.192.0/18"},
		},
		// The smallest VPC: public subnets of a /27, what the load
		// balancer needs at least.
		"Smallest": {
			vpc:        VPC{CIDR: "10.9.8.0/23", AvailabilityZones: []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}},
			wantPublic: []string{"10.9.8.0/27", "10.9.8.32/27", "10.9.8.64/27"},
			wantPriv:   []string{"10.9.8.128/25", "10.9.9.0/25", "10.9.9.128/25"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			public, private, err := zoneCIDRs(&tc.vpc)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantPublic, public); diff != "" {
				t.Errorf("public subnets: -want, +got:\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantPriv, private); diff != "" {
				t.Errorf("private subnets: -want, +got:\n%s", diff)
			}
			// No two overlap, and each is inside the VPC.
			vpc := netip.MustParsePrefix(tc.vpc.CIDR)
			all := slices.Concat(public, private)
			for i, a := range all {
				pa := netip.MustParsePrefix(a)
				if !vpc.Contains(pa.Addr()) || pa.Bits() < vpc.Bits() {
					t.Errorf("%s is not inside %s", a, vpc)
				}
				for _, b := range all[i+1:] {
					if pa.Overlaps(netip.MustParsePrefix(b)) {
						t.Errorf("%s overlaps %s", a, b)
					}
				}
			}
		})
	}
}

// ownVPCXR is the example claim with a VPC of its own.
func ownVPCXR(t testing.TB, vpc map[string]any) *structpb.Struct {
	t.Helper()
	return withSpec(t, loadXR(t, exampleClaimXR), ownVPC(vpc))
}

// assertWaves checks the wave some resources were first emitted in, and the
// number of waves.
func assertWaves(t *testing.T, waves [][]string, want map[string]int, count int) {
	t.Helper()
	got := waveOf(waves)
	picked := map[string]int{}
	for n := range want {
		picked[n] = got[n]
	}
	if diff := cmp.Diff(want, picked); diff != "" {
		t.Errorf("waves: -want, +got:\n%s", diff)
	}
	if len(waves) != count {
		t.Errorf("%d waves, want %d", len(waves), count)
	}
}

// waveOf is the wave each resource was first emitted in, from 1.
func waveOf(waves [][]string) map[string]int {
	out := map[string]int{}
	for i, w := range revisionless(waves) {
		for _, n := range w {
			out[n] = i + 1
		}
	}
	return out
}

// The waves of a Langfuse with a VPC of its own. Nine, two more than with
// the user's VPC, for the chain the network adds before the first task:
// the VPC (1) → its subnets, internet gateway and route tables, which name
// its id (2) → the NAT gateways (an address, a public subnet and an
// attached internet gateway each) and the subnets' route table
// associations (3) → the private routes through the NAT gateways, and the
// load balancer, once its subnets route to the internet (4) → ClickHouse's
// service, the first task, once its subnet routes out (5) → the migrations
// (6) → worker and web (7) → their scaling targets (8) → their policies (9).
// The front door's chain of seven fits beside it.
func TestConvergenceWithOwnVPC(t *testing.T) {
	p, last, waves := converge(t, ownVPCXR(t, map[string]any{}))
	want := map[string]int{
		"network-vpc": 1, "network-nat-address-eu-west-1a": 1, "network-nat-address-eu-west-1b": 1,
		"network-public-subnet-eu-west-1a": 2, "network-private-subnet-eu-west-1b": 2, "network-internet-gateway": 2,
		"network-public-route-table": 2, "network-private-route-table-eu-west-1a": 2, "alb-security-group": 2, "service-namespace": 2,
		"network-nat-gateway-eu-west-1a": 3, "network-nat-gateway-eu-west-1b": 3, "network-public-route": 3,
		"database-subnet-group": 3, "cache-subnet-group": 3, "network-s3-endpoint": 2,
		"alb": 4, "clickhouse-service": 5, "migrate-service": 6, "web-service": 7, "worker-service": 7,
		"web-scaling-policy": 9,
	}
	assertWaves(t, waves, want, 9)
	for _, n := range []string{compPrivateRoutes, compPrivateRouteAssociations, compPublicRouteAssociations, compPrivateRouteTables, compEFSMountTargets, compS3EndpointRoutes} {
		if members := membersOf(waveOf(waves), n); len(members) != 2 {
			t.Errorf("%s has members %v, want one per zone", n, members)
		}
	}

	// Everything is placed in what was composed, by the ids AWS reported.
	status := func(name, path string) any { return lookup(p.observed[name].GetResource().AsMap(), path) }
	desired := last.GetDesired().GetResources()
	spec := func(name string) map[string]any { return fp(desired[name].GetResource().AsMap()) }
	vpc := status("network-vpc", statusPathID)
	for _, n := range []string{compALBSecurityGroup, compALBTargetGroup, "network-private-subnet-eu-west-1a", compInternetGateway} {
		if got := spec(n)["vpcId"]; got != vpc {
			t.Errorf("%s is placed in %v, want the composed VPC %v", n, got, vpc)
		}
	}
	public := []any{status("network-public-subnet-eu-west-1a", statusPathID), status("network-public-subnet-eu-west-1b", statusPathID)}
	private := []any{status("network-private-subnet-eu-west-1a", statusPathID), status("network-private-subnet-eu-west-1b", statusPathID)}
	if diff := cmp.Diff(public, spec(compALB)["subnets"]); diff != "" {
		t.Errorf("the load balancer's subnets: -want, +got:\n%s", diff)
	}
	for _, n := range []string{compDatabaseSubnetGroup, compCacheSubnetGroup} {
		if diff := cmp.Diff(private, spec(n)["subnetIds"]); diff != "" {
			t.Errorf("%s: -want, +got:\n%s", n, diff)
		}
	}
	if diff := cmp.Diff(private, lookup(spec(compWebService), "networkConfiguration.subnets")); diff != "" {
		t.Errorf("the web service's subnets: -want, +got:\n%s", diff)
	}
	// S3 goes through the endpoint, in every private route table.
	if got := spec(compS3Endpoint)["serviceName"]; got != "com.amazonaws.eu-west-1.s3" {
		t.Errorf("the S3 endpoint's service is %v", got)
	}
	// Each zone goes out through its own NAT gateway.
	for _, zone := range []string{"eu-west-1a", "eu-west-1b"} {
		table := status("network-private-route-table-"+zone, statusPathID).(string)
		route := spec("network-private-route-" + table)
		if got, want := route["natGatewayId"], status("network-nat-gateway-"+zone, statusPathID); got != want {
			t.Errorf("%s routes through %v, want its own NAT gateway %v", zone, got, want)
		}
	}
	for _, c := range last.GetConditions() {
		if c.GetStatus() != fnv1.Status_STATUS_CONDITION_TRUE {
			t.Errorf("condition %s is %s (%s) once everything is Ready", c.GetType(), c.GetStatus(), c.GetMessage())
		}
	}
}

// natRoutes are the NAT gateway (or NAT instance interface) ids the private
// routes are told to use, by zone.
func natRoutes(t *testing.T, p *fakeProvider, rsp *fnv1.RunFunctionResponse) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, zone := range []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"} {
		table, ok := p.observed["network-private-route-table-"+zone]
		if !ok {
			continue
		}
		id := lookup(table.GetResource().AsMap(), statusPathID).(string)
		if r, ok := rsp.GetDesired().GetResources()[string(resourceName(compPrivateRoutes, id))]; ok {
			target := routeTargetOf(fp(r.GetResource().AsMap()))
			out[zone] = target.id
		}
	}
	return out
}

// applyRoutes plays EC2's ReplaceRoute: each route goes through what it is
// told to.
func (p *fakeProvider) applyRoutes(t *testing.T) {
	t.Helper()
	for _, n := range membersOf(p.observed, compPrivateRoutes) {
		m := p.observed[n].GetResource().AsMap()
		ap := m["status"].(map[string]any)["atProvider"].(map[string]any)
		for _, target := range []string{"natGatewayId", "networkInterfaceId"} {
			ap[target] = fp(m)[target]
		}
		p.observed[n] = resourceOf(mustStruct(t, m))
	}
}

// setAtProvider sets (or, with nil, removes) a value an observed resource
// reports.
func (p *fakeProvider) setAtProvider(t *testing.T, name, key string, v any) {
	t.Helper()
	m := p.observed[name].GetResource().AsMap()
	ap := m["status"].(map[string]any)["atProvider"].(map[string]any)
	if v == nil {
		delete(ap, key)
	} else {
		ap[key] = v
	}
	p.observed[name] = resourceOf(mustStruct(t, m))
}

// deleteUndesired plays Crossplane deleting what left the desired state.
func (p *fakeProvider) deleteUndesired(rsp *fnv1.RunFunctionResponse) []string {
	var gone []string
	for n := range p.observed {
		if _, ok := rsp.GetDesired().GetResources()[n]; !ok {
			delete(p.observed, n)
			gone = append(gone, n)
		}
	}
	slices.Sort(gone)
	return gone
}

// TestEgressMovesInPlace switches a running Langfuse from a NAT gateway per
// zone to one shared, and back: routes change in place, a NAT gateway goes
// only once no route uses it (its address after it), a new one carries
// traffic only once it is there, and the subnets and everything in them
// stay as they were.
func TestEgressMovesInPlace(t *testing.T) {
	zones := []any{"eu-west-1a", "eu-west-1b", "eu-west-1c"}
	perZone := ownVPCXR(t, map[string]any{"availabilityZones": zones})
	p, before, _ := converge(t, perZone)
	nat := func(zone string) any {
		return lookup(p.observed["network-nat-gateway-"+zone].GetResource().AsMap(), statusPathID)
	}
	natA := nat("eu-west-1a")
	desired := func(rsp *fnv1.RunFunctionResponse, n string) bool {
		_, ok := rsp.GetDesired().GetResources()[n]
		return ok
	}

	// One shared: the routes move first, the gateways they left stay.
	shared := withSpec(t, perZone, map[string]any{"spec.network.vpc.egress": "natGateway"})
	rsp := run(t, p.request(shared, nil))
	if msg := fatal(rsp); msg != "" {
		t.Fatalf("the switch was refused: %s", msg)
	}
	if diff := cmp.Diff(map[string]any{"eu-west-1a": natA, "eu-west-1b": natA, "eu-west-1c": natA}, natRoutes(t, p, rsp)); diff != "" {
		t.Errorf("routes after the switch: -want, +got:\n%s", diff)
	}
	if gone := p.deleteUndesired(rsp); len(gone) > 0 {
		t.Errorf("deleted while routes still go through them: %v", gone)
	}
	p.observeAll(t, rsp)
	p.applyRoutes(t)
	rsp = run(t, p.request(shared, nil))
	if diff := cmp.Diff([]string{"network-nat-gateway-eu-west-1b", "network-nat-gateway-eu-west-1c"}, p.deleteUndesired(rsp)); diff != "" {
		t.Errorf("deleted once no route uses them: -want, +got:\n%s", diff)
	}
	// The gateways' MRs are gone while AWS deletes them, and they still
	// hold their addresses.
	for _, zone := range []string{"eu-west-1b", "eu-west-1c"} {
		p.setAtProvider(t, "network-nat-address-"+zone, "associationId", "eipassoc-0"+zone)
	}
	rsp = run(t, p.request(shared, nil))
	if gone := p.deleteUndesired(rsp); len(gone) > 0 {
		t.Errorf("released while AWS still reports them associated: %v", gone)
	}
	// Switched back meanwhile: no new gateway takes an address the old one
	// still holds (AWS would fail it).
	if back := run(t, p.request(perZone, nil)); desired(back, "network-nat-gateway-eu-west-1b") {
		t.Error("a new NAT gateway was given an address a deleting one still holds")
	}
	for _, zone := range []string{"eu-west-1b", "eu-west-1c"} {
		p.setAtProvider(t, "network-nat-address-"+zone, "associationId", nil)
	}
	rsp = run(t, p.request(shared, nil))
	if diff := cmp.Diff([]string{"network-nat-address-eu-west-1b", "network-nat-address-eu-west-1c"}, p.deleteUndesired(rsp)); diff != "" {
		t.Errorf("deleted after their NAT gateways: -want, +got:\n%s", diff)
	}
	after := settle(t, p, shared)

	// What lives in the subnets never changed.
	for _, n := range []string{compDatabase, compDatabaseInstance, compDatabaseSubnetGroup, compCache, compCacheSubnetGroup, compEFS,
		"network-vpc", "network-private-subnet-eu-west-1c", "network-public-subnet-eu-west-1b", compWebService, compALB} {
		if diff := cmp.Diff(before.GetDesired().GetResources()[n].GetResource().AsMap()["spec"], after.GetDesired().GetResources()[n].GetResource().AsMap()["spec"]); diff != "" {
			t.Errorf("%s changed with the egress: -before, +after:\n%s", n, diff)
		}
	}

	// One per zone again: new gateways, and each route moves once its
	// gateway is there.
	rsp = run(t, p.request(perZone, nil))
	if !desired(rsp, "network-nat-address-eu-west-1b") || desired(rsp, "network-nat-gateway-eu-west-1b") {
		t.Error("a NAT gateway's address comes first, and the gateway only once it is there")
	}
	p.observeAll(t, rsp)
	rsp = run(t, p.request(perZone, nil))
	if !desired(rsp, "network-nat-gateway-eu-west-1b") {
		t.Fatal("no NAT gateway in eu-west-1b once its address is there")
	}
	// AWS reports the new gateways, still pending.
	p.observeAll(t, rsp)
	p.setReady(t, "network-nat-gateway-eu-west-1b", false)
	p.setReady(t, "network-nat-gateway-eu-west-1c", false)
	rsp = run(t, p.request(perZone, nil))
	if diff := cmp.Diff(map[string]any{"eu-west-1a": natA, "eu-west-1b": natA, "eu-west-1c": natA}, natRoutes(t, p, rsp)); diff != "" {
		t.Errorf("routes moved before their gateways were available: -want, +got:\n%s", diff)
	}
	p.setReady(t, "network-nat-gateway-eu-west-1b", true)
	p.setReady(t, "network-nat-gateway-eu-west-1c", true)
	rsp = run(t, p.request(perZone, nil))
	if diff := cmp.Diff(map[string]any{"eu-west-1a": natA, "eu-west-1b": nat("eu-west-1b"), "eu-west-1c": nat("eu-west-1c")}, natRoutes(t, p, rsp)); diff != "" {
		t.Errorf("routes once every gateway is there: -want, +got:\n%s", diff)
	}
}

// TestNetworkCannotMove refuses to move a running Langfuse between the
// user's VPC and one of its own, either way, naming the field.
func TestNetworkCannotMove(t *testing.T) {
	byo := loadXR(t, exampleClaimXR)
	own := ownVPCXR(t, map[string]any{})
	cases := map[string]struct {
		from, to  *structpb.Struct
		wantField string
	}{
		"UserToOwn": {from: byo, to: own, wantField: "spec.network.vpc:"},
		"OwnToUser": {from: own, to: byo, wantField: "spec.network.vpcId:"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p, _, _ := converge(t, tc.from)
			msg := fatal(run(t, p.request(tc.to, nil)))
			if !strings.Contains(msg, tc.wantField) || !strings.Contains(msg, "cannot move") {
				t.Errorf("want a Fatal result naming %s, got %q", tc.wantField, msg)
			}
		})
	}
}

// TestOwnVPCFlappingRemovesNothing forgets every status the network's
// builders read once everything exists: nothing leaves the desired state,
// and no spec changes (a subnet list one short would move the load
// balancer, the data stores and the tasks).
func TestOwnVPCFlappingRemovesNothing(t *testing.T) {
	for name, flap := range map[string]func(t *testing.T, p *fakeProvider, n string){
		"StatusForgotten": func(t *testing.T, p *fakeProvider, n string) { p.forgetStatus(t, n) },
		"NotReady":        func(t *testing.T, p *fakeProvider, n string) { p.setReady(t, n, false) },
		// One zone's gateway alone: its route stays on it.
		"OneNATGatewayNotReady": func(t *testing.T, p *fakeProvider, n string) {
			if n == "network-nat-gateway-eu-west-1b" {
				p.setReady(t, n, false)
			}
		},
	} {
		for _, egress := range egressModes {
			t.Run(name+"/"+egress, func(t *testing.T) {
				xr := ownVPCXR(t, map[string]any{"egress": egress})
				p, before, _ := converge(t, xr)
				for _, n := range slices.Sorted(maps.Keys(p.observed)) {
					if strings.HasPrefix(n, "network-") {
						flap(t, p, n)
					}
				}
				after := run(t, p.request(xr, nil))
				if msg := fatal(after); msg != "" {
					t.Fatal(msg)
				}
				for n, r := range before.GetDesired().GetResources() {
					a, ok := after.GetDesired().GetResources()[n]
					if !ok {
						t.Errorf("%s left the desired state", n)
						continue
					}
					if diff := cmp.Diff(r.GetResource().AsMap()["spec"], a.GetResource().AsMap()["spec"]); diff != "" {
						t.Errorf("%s spec changed: -before, +after:\n%s", n, diff)
					}
				}
			})
		}
	}
}

// TestZonesThatExistStay refuses to drop or move a zone whose subnets AWS
// created, names the field and the subnet, lets a zone be added after the
// others, and lets a zone AWS never created subnets in be corrected.
func TestZonesThatExistStay(t *testing.T) {
	xr := ownVPCXR(t, map[string]any{})
	zones := func(z ...any) map[string]any { return map[string]any{"spec.network.vpc.availabilityZones": z} }
	cases := map[string]struct {
		edit map[string]any
		// neverCreated are zones whose subnets AWS never created.
		neverCreated []string
		want         []string
	}{
		"Dropped":             {edit: zones("eu-west-1a", "eu-west-1c"), want: []string{"spec.network.vpc.availabilityZones", "eu-west-1b has the subnet subnet-"}},
		"Reordered":           {edit: zones("eu-west-1b", "eu-west-1a"), want: []string{"must keep eu-west-1a where it was", "must keep eu-west-1b where it was"}},
		"Added":               {edit: zones("eu-west-1a", "eu-west-1b", "eu-west-1c")},
		"CorrectedNeverThere": {edit: zones("eu-west-1a", "eu-west-1c"), neverCreated: []string{"eu-west-1b"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p, _, _ := converge(t, xr)
			for _, zone := range tc.neverCreated {
				p.forgetStatus(t, "network-public-subnet-"+zone)
				p.forgetStatus(t, "network-private-subnet-"+zone)
			}
			msg := fatal(run(t, p.request(withSpec(t, xr, tc.edit), nil)))
			if len(tc.want) == 0 && msg != "" {
				t.Errorf("refused: %s", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("the Fatal result does not say %q: %q", w, msg)
				}
			}
		})
	}
}
