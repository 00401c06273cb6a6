package main

import (
	"encoding/binary"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// A VPC of Langfuse's own (spec.network.vpc), as the CDK reference makes
// one: DNS support and hostnames on (Cloud Map's private DNS needs both), a
// public and a private subnet in each availability zone, an internet
// gateway and one public route table, and a private route table per zone
// whose default route goes out through a NAT gateway. Every reference
// between these is an ID AWS reported, read off the observed resource, so
// each waits for exactly what it names.
//
// The layout is derived from the VPC's CIDR block and the position of each
// zone in the list, both immutable: the private subnets are the quarters
// 1-3 of the block (a /18 each in a /16), the public ones the sixteenths
// 0-2 (a /20 each), so the load balancer and the NAT gateways have room and
// the tasks have the most.
//
// Egress switches in place: each private route names the NAT gateway of its
// zone, or the shared one of the first zone. A NAT gateway (and its address)
// stays while a route still uses it, so moving to one shared gateway drops
// the others only once no route goes through them; moving to one per zone
// keeps each route on the shared gateway until its own is there. Nothing
// else changes: the subnets, and the data stores in them, stay.

// Components of the composed VPC (the VPC and its subnets are the
// components that observe the user's VPC otherwise, graph.go).
const (
	compInternetGateway          = "network-internet-gateway"
	compPublicRouteTable         = "network-public-route-table"
	compPublicRoute              = "network-public-route"
	compPublicRouteAssociations  = "network-public-route-association"
	compPrivateRouteTables       = "network-private-route-table"
	compNATAddresses             = "network-nat-address"
	compNATGateways              = "network-nat-gateway"
	compPrivateRoutes            = "network-private-route"
	compPrivateRouteAssociations = "network-private-route-association"
	compS3Endpoint               = "network-s3-endpoint"
	compS3EndpointRoutes         = "network-s3-endpoint-route"
)

// tagZone tags the per-zone resources of a composed VPC with their zone,
// which names the member.
const tagZone = "langfuse-zone"

// defaultRoute is the destination of the routes out of the VPC.
const defaultRoute = "0.0.0.0/0"

// Subnet layout: how many prefix bits each kind of subnet adds to the VPC's
// block, and the first of its blocks.
const (
	privateSubnetBits  = 2
	privateSubnetFirst = 1
	publicSubnetBits   = 4
	publicSubnetFirst  = 0
	minZones           = 2
	maxZones           = 3
)

func withOwnVPC(s *Spec) bool { return s.Network.OwnVPC() }

// withOwnVPCOnly makes a need apply only to a composed VPC.
func withOwnVPCOnly(n need) need {
	n.when = withOwnVPC
	return n
}

// zoneKey is the member key of a per-zone resource: its zone.
func zoneKey(forProvider map[string]any) string {
	tags, _ := forProvider["tags"].(map[string]any)
	return str(tags[tagZone])
}

// routeKey names a route by its route table: each table has one default route.
func routeKey(forProvider map[string]any) string { return str(forProvider["routeTableId"]) }

// associationKey names a route table association by its subnet, which has one.
func associationKey(forProvider map[string]any) string { return str(forProvider["subnetId"]) }

// subnetCIDR is the index-th block of bits more prefix bits in vpc.
func subnetCIDR(vpc netip.Prefix, bits, index int) netip.Prefix {
	a := vpc.Masked().Addr().As4()
	size := 32 - (vpc.Bits() + bits)
	binary.BigEndian.PutUint32(a[:], binary.BigEndian.Uint32(a[:])+uint32(index)<<size) //nolint:gosec // index < 4, size <= 16
	return netip.PrefixFrom(netip.AddrFrom4(a), vpc.Bits()+bits)
}

// zoneCIDRs are the public and private subnet blocks of each zone, in order.
func zoneCIDRs(v *VPC) (public, private []string, err error) {
	vpc, err := netip.ParsePrefix(v.CIDR)
	if err != nil {
		return nil, nil, errors.Wrap(err, "spec.network.vpc.cidr")
	}
	for i := range v.AvailabilityZones {
		public = append(public, subnetCIDR(vpc, publicSubnetBits, publicSubnetFirst+i).String())
		private = append(private, subnetCIDR(vpc, privateSubnetBits, privateSubnetFirst+i).String())
	}
	return public, private, nil
}

// buildVPC is the VPC itself.
func buildVPC(w *world) (*composed.Unstructured, error) {
	v := w.spec.Network.VPC
	name := w.names.name("vpc", maxTagValueLength)
	return w.style.New(compNetworkVPC, kindVPC, w.spec.Region, map[string]any{
		"cidrBlock":          v.CIDR,
		"enableDnsSupport":   true,
		"enableDnsHostnames": true,
	}, mrOptions{tagged: true, stateful: true, extraTags: map[string]string{tagName: name}}), nil
}

// buildNetworkVPC is the VPC component: the user's, observed, or our own.
func buildNetworkVPC(w *world) (*composed.Unstructured, error) {
	if w.spec.Network.OwnVPC() {
		return buildVPC(w)
	}
	return buildObservedVPC(w)
}

// buildNetworkSubnets is a subnet component: the user's, observed, or one
// of our own per zone.
func buildNetworkSubnets(component string) func(*world) (map[string]*composed.Unstructured, error) {
	observed := buildObservedSubnets(component, func(s *Spec) []string {
		if component == compPublicSubnets {
			return s.Network.PublicSubnetIDs
		}
		return s.Network.PrivateSubnetIDs
	})
	return func(w *world) (map[string]*composed.Unstructured, error) {
		if !w.spec.Network.OwnVPC() {
			return observed(w)
		}
		vpc, err := w.vpcID()
		if err != nil {
			return nil, err
		}
		public, private, err := zoneCIDRs(w.spec.Network.VPC)
		if err != nil {
			return nil, err
		}
		cidrs, kind := private, "private"
		if component == compPublicSubnets {
			cidrs, kind = public, "public"
		}
		out := map[string]*composed.Unstructured{}
		for i, zone := range w.spec.Network.VPC.AvailabilityZones {
			name := w.names.name(kind+"-"+zone, maxTagValueLength)
			out[zone] = w.style.New(component, kindSubnet, w.spec.Region, map[string]any{
				"vpcId":            vpc,
				"cidrBlock":        cidrs[i],
				"availabilityZone": zone,
				// Nothing in either gets a public address: the load
				// balancer and NAT gateways bring their own.
				"mapPublicIpOnLaunch": false,
			}, mrOptions{tagged: true, stateful: true, extraTags: map[string]string{tagName: name, tagZone: zone}})
		}
		return out, nil
	}
}

// buildInternetGateway attaches the VPC to the internet.
func buildInternetGateway(w *world) (*composed.Unstructured, error) {
	vpc, err := w.vpcID()
	if err != nil {
		return nil, err
	}
	return w.style.New(compInternetGateway, kindInternetGateway, w.spec.Region, map[string]any{"vpcId": vpc},
		mrOptions{tagged: true, extraTags: map[string]string{tagName: w.names.name("igw", maxTagValueLength)}}), nil
}

// buildPublicRouteTable is the route table of every public subnet.
func buildPublicRouteTable(w *world) (*composed.Unstructured, error) {
	vpc, err := w.vpcID()
	if err != nil {
		return nil, err
	}
	return w.style.New(compPublicRouteTable, kindRouteTable, w.spec.Region, map[string]any{"vpcId": vpc},
		mrOptions{tagged: true, extraTags: map[string]string{tagName: w.names.name("public", maxTagValueLength)}}), nil
}

// buildPublicRoute sends the public subnets' traffic out through the
// internet gateway.
func buildPublicRoute(w *world) (*composed.Unstructured, error) {
	table, err := w.reported(compPublicRouteTable, statusPathID)
	if err != nil {
		return nil, err
	}
	gateway, err := w.reported(compInternetGateway, statusPathID)
	if err != nil {
		return nil, err
	}
	return w.style.New(compPublicRoute, kindRoute, w.spec.Region, map[string]any{
		"routeTableId":         table,
		"destinationCidrBlock": defaultRoute,
		"gatewayId":            gateway,
	}, mrOptions{}), nil
}

// buildRouteAssociations puts each subnet of a kind in its route table:
// the one public table, or its zone's private one.
func buildRouteAssociations(component, subnets string) func(*world) (map[string]*composed.Unstructured, error) {
	return func(w *world) (map[string]*composed.Unstructured, error) {
		out := map[string]*composed.Unstructured{}
		for _, zone := range w.spec.Network.VPC.AvailabilityZones {
			subnet := w.memberStatus(subnets, zone, statusPathID)
			table := w.memberStatus(compPrivateRouteTables, zone, statusPathID)
			if component == compPublicRouteAssociations {
				table = w.statusString(compPublicRouteTable, statusPathID)
			}
			if subnet == "" || table == "" {
				return nil, errors.Errorf("the subnet or route table of %s reports no id yet", zone)
			}
			body := map[string]any{"subnetId": subnet, "routeTableId": table}
			out[associationKey(body)] = w.style.New(component, kindRouteTableAssociation, w.spec.Region, body, mrOptions{})
		}
		return out, nil
	}
}

// buildPrivateRouteTables gives each zone's private subnet a route table of
// its own, so its egress can change alone.
func buildPrivateRouteTables(w *world) (map[string]*composed.Unstructured, error) {
	vpc, err := w.vpcID()
	if err != nil {
		return nil, err
	}
	out := map[string]*composed.Unstructured{}
	for _, zone := range w.spec.Network.VPC.AvailabilityZones {
		out[zone] = w.style.New(compPrivateRouteTables, kindRouteTable, w.spec.Region, map[string]any{"vpcId": vpc},
			mrOptions{tagged: true, extraTags: map[string]string{tagName: w.names.name("private-"+zone, maxTagValueLength), tagZone: zone}})
	}
	return out, nil
}

// natZones are the zones with a NAT gateway: each zone, or the first alone,
// and any zone whose gateway a private route still uses.
func (w *world) natZones() []string {
	v := w.spec.Network.VPC
	var zones []string
	for i, zone := range v.AvailabilityZones {
		asked := v.Egress == EgressNATGatewayPerZone || (v.Egress == EgressNATGateway && i == 0)
		if asked || w.natGatewayInUse(zone) {
			zones = append(zones, zone)
		}
	}
	return zones
}

// natGatewayInUse says whether a private route is told to use, or still
// uses, the NAT gateway of a zone.
func (w *world) natGatewayInUse(zone string) bool {
	id := w.memberStatus(compNATGateways, zone, statusPathID)
	if id == "" {
		return w.memberExists(compNATGateways, zone)
	}
	for _, n := range w.byComponent[compPrivateRoutes] {
		mr := w.observed[n]
		told := str(observedForProvider(mr)["natGatewayId"])
		uses, _ := mr.GetString("status.atProvider.natGatewayId")
		if told == id || uses == id {
			return true
		}
	}
	return false
}

// buildNATAddresses are the Elastic IP addresses of the NAT gateways, one
// per gateway. An address stays while AWS still reports it associated: a
// NAT gateway's MR leaves the observed state when its deletion starts, and
// the gateway holds the address until it is gone.
func buildNATAddresses(w *world) (map[string]*composed.Unstructured, error) {
	zones := w.natZones()
	out := map[string]*composed.Unstructured{}
	for _, zone := range w.spec.Network.VPC.AvailabilityZones {
		if !slices.Contains(zones, zone) && !w.memberExists(compNATGateways, zone) && !w.natAddressAssociated(zone) {
			continue
		}
		// The provider would late-initialize the NAT gateway's network
		// interface into the spec and, once that gateway is gone, try to
		// associate the address with it again.
		out[zone] = w.style.New(compNATAddresses, kindEIP, w.spec.Region, map[string]any{"domain": "vpc"},
			mrOptions{tagged: true, skipLateInitialize: true, extraTags: map[string]string{tagName: w.names.name("nat-"+zone, maxTagValueLength), tagZone: zone}})
	}
	return out, nil
}

// natAddressAssociated says whether AWS reports a zone's NAT address in use.
func (w *world) natAddressAssociated(zone string) bool {
	return w.memberStatus(compNATAddresses, zone, "status.atProvider.associationId") != ""
}

// buildNATGateways are the NAT gateways, each in its zone's public subnet
// with its address.
func buildNATGateways(w *world) (map[string]*composed.Unstructured, error) {
	out := map[string]*composed.Unstructured{}
	for _, zone := range w.natZones() {
		address := w.memberStatus(compNATAddresses, zone, "status.atProvider.allocationId")
		subnet := w.memberStatus(compPublicSubnets, zone, statusPathID)
		exists := w.memberExists(compNATGateways, zone)
		switch {
		case (address == "" || subnet == "") && exists:
			return nil, errors.Errorf("the address or public subnet of the NAT gateway in %s reports no id", zone)
		case address == "" || subnet == "":
			continue // the address comes first
		case !exists && w.natAddressAssociated(zone):
			continue // a gateway being deleted still holds it
		}
		out[zone] = w.style.New(compNATGateways, kindNATGateway, w.spec.Region, map[string]any{
			"allocationId":     address,
			"subnetId":         subnet,
			"connectivityType": "public",
		}, mrOptions{tagged: true, extraTags: map[string]string{tagName: w.names.name("nat-"+zone, maxTagValueLength), tagZone: zone}})
	}
	if len(out) == 0 && len(w.natZones()) > 0 {
		return nil, errors.New("no NAT gateway address is reported yet")
	}
	return out, nil
}

// routeTarget is where a route sends its traffic: a field of the route
// (natGatewayId, networkInterfaceId) and its value.
type routeTarget struct{ field, id string }

// routeTargetOf is the target of an observed route, if any.
func routeTargetOf(forProvider map[string]any) routeTarget {
	for _, f := range []string{"natGatewayId", "networkInterfaceId"} {
		if id := str(forProvider[f]); id != "" {
			return routeTarget{f, id}
		}
	}
	return routeTarget{}
}

// buildPrivateRoutes send each private subnet's traffic out through its
// zone's NAT gateway once that is available, else through the first zone's;
// or through the NAT instance once it runs; or nowhere, without a route
// out, once the interface endpoints are Ready (endpoints.go). A route moves only to a target
// that is available: while none is (a new one pending, or a provider that
// reports none Ready for a while), it keeps the one it has.
func buildPrivateRoutes(w *world) (map[string]*composed.Unstructured, error) {
	v := w.spec.Network.VPC
	gateway := func(zone string) routeTarget {
		return routeTarget{"natGatewayId", w.readyMemberID(compNATGateways, zone)}
	}
	shared := gateway(v.AvailabilityZones[0])
	instance := routeTarget{field: "networkInterfaceId"}
	if w.ready[resourceName(compNATInstance, w.natInstanceZone())] {
		instance.id = w.memberStatus(compNATInstance, w.natInstanceZone(), statusPathPrimaryENI)
	}
	out := map[string]*composed.Unstructured{}
	for _, zone := range v.AvailabilityZones {
		table := w.memberStatus(compPrivateRouteTables, zone, statusPathID)
		current := routeTargetOf(observedForProvider(w.observedMember(compPrivateRoutes, table)))
		target := shared
		switch v.Egress {
		case EgressNATGatewayPerZone:
			target = firstAvailable(gateway(zone), current, shared)
		case EgressNATInstance:
			target = instance
		case EgressVPCEndpoints:
			// No route out, once the endpoints carry what the tasks send.
			if current.id == "" || w.interfaceEndpointsReady() {
				continue
			}
			target = current
		}
		target = firstAvailable(target, current)
		if table == "" || target.id == "" {
			return nil, errors.Errorf("the route table or NAT of %s reports no id yet", zone)
		}
		body := map[string]any{
			"routeTableId":         table,
			"destinationCidrBlock": defaultRoute,
			target.field:           target.id,
		}
		out[routeKey(body)] = w.style.New(compPrivateRoutes, kindRoute, w.spec.Region, body, mrOptions{})
	}
	return out, nil
}

// firstAvailable is the first target with an id.
func firstAvailable(targets ...routeTarget) routeTarget {
	for _, t := range targets {
		if t.id != "" {
			return t
		}
	}
	return routeTarget{}
}

// networkEdits refuses to move a Langfuse between the user's VPC and one of
// its own: everything in it, the data stores first, would have to be
// created again in the other.
func (w *world) networkEdits() field.ErrorList {
	mr := w.observedOne(compNetworkVPC)
	if mr == nil {
		return nil
	}
	network := field.NewPath("spec", "network")
	own := observedForProvider(mr)["cidrBlock"] != nil
	switch {
	case own && !w.spec.Network.OwnVPC():
		return field.ErrorList{field.Forbidden(network.Child("vpcId"), fmt.Sprintf(
			"must be left out: this Langfuse runs in a VPC of its own (spec.network.vpc, %s), and AWS cannot move its subnets, security groups and data stores to another VPC; keep spec.network.vpc, or create a new Langfuse in %s and delete this one",
			str(observedForProvider(mr)["cidrBlock"]), w.spec.Network.VPCID))}
	case !own && w.spec.Network.OwnVPC():
		return field.ErrorList{field.Forbidden(network.Child("vpc"), fmt.Sprintf(
			"must be left out: this Langfuse runs in the VPC %s (spec.network.vpcId), and AWS cannot move its security groups and data stores to another VPC; keep spec.network.vpcId and the subnets, or create a new Langfuse with a VPC of its own and delete this one",
			mr.GetAnnotations()[annotationExternalName]))}
	case own && str(observedForProvider(mr)["cidrBlock"]) == w.spec.Network.VPC.CIDR:
		return w.zoneEdits()
	}
	return nil
}

// zoneEdits refuses to move or drop a zone whose subnets exist in AWS: a
// subnet's zone and block (which follows the zone's position) are
// replace-only, and the data stores live in the subnets. A zone whose
// subnets AWS never created (a zone the account does not have) may be
// corrected.
func (w *world) zoneEdits() field.ErrorList {
	v := w.spec.Network.VPC
	public, private, err := zoneCIDRs(v)
	if err != nil {
		return nil // Validate reports the block
	}
	zones := field.NewPath("spec", "network", "vpc", "availabilityZones")
	moved := map[string]string{}
	for component, cidrs := range map[string][]string{compPublicSubnets: public, compPrivateSubnets: private} {
		for _, n := range w.byComponent[component] {
			mr := w.observed[n]
			id, _ := mr.GetString(statusPathID)
			if id == "" {
				continue // never created
			}
			fp := observedForProvider(mr)
			zone, cidr := subnetKey(fp), str(fp["cidrBlock"])
			if i := slices.Index(v.AvailabilityZones, zone); i < 0 || cidrs[i] != cidr {
				moved[zone] = fmt.Sprintf("%s has the subnet %s (%s)", zone, id, cidr)
			}
		}
	}
	var errs field.ErrorList
	for _, zone := range slices.Sorted(maps.Keys(moved)) {
		errs = append(errs, field.Invalid(zones, v.AvailabilityZones, fmt.Sprintf(
			"must keep %s where it was: %s, and AWS cannot move a subnet to another zone or block; keep the zones that exist in their order (a zone may only be corrected while AWS has not created its subnets), or create a new Langfuse and delete this one",
			zone, moved[zone])))
	}
	return errs
}

// buildVPCGroup is the security group, in a composed VPC, of what the
// tasks send through over HTTPS: the NAT instance, the interface endpoints.
// It stays while the VPC does: an unused group costs nothing, and AWS
// refuses to delete one that a network interface being deleted (the
// instance's, an endpoint's) still uses.
func buildVPCGroup(component, stem, description string) func(*world) (*composed.Unstructured, error) {
	return func(w *world) (*composed.Unstructured, error) {
		vpc, err := w.vpcID()
		if err != nil {
			return nil, err
		}
		name := w.awsName(component, w.names.name(stem, maxSecurityGroupName))
		return w.style.New(component, kindSecurityGroup, w.spec.Region, map[string]any{
			"name":                name,
			"description":         description,
			"vpcId":               vpc,
			"revokeRulesOnDelete": true,
		}, mrOptions{tagged: true, extraTags: map[string]string{tagName: name}}), nil
	}
}

// buildHTTPSFromVPC lets the whole VPC reach a group over HTTPS: all the
// tasks send out (network.go's flows to the internet).
func buildHTTPSFromVPC(component, group string) func(*world) (*composed.Unstructured, error) {
	return func(w *world) (*composed.Unstructured, error) {
		return w.style.New(component, kindIngressRule, w.spec.Region, map[string]any{
			"securityGroupIdSelector": selectorFor(group),
			"ipProtocol":              "tcp",
			"fromPort":                int64(httpsPort),
			"toPort":                  int64(httpsPort),
			"cidrIpv4":                w.spec.Network.VPC.CIDR,
			"description":             "HTTPS from the VPC",
		}, mrOptions{tagged: true}), nil
	}
}

// buildS3Endpoint is the VPC's gateway endpoint for S3: Langfuse writes
// every event it ingests to its bucket first, and through the endpoint
// that traffic stays off the NAT gateways, which charge per GB. It costs
// nothing.
func buildS3Endpoint(w *world) (*composed.Unstructured, error) {
	vpc, err := w.vpcID()
	if err != nil {
		return nil, err
	}
	return w.style.New(compS3Endpoint, kindVPCEndpoint, w.spec.Region, map[string]any{
		"vpcId":           vpc,
		"serviceName":     s3EndpointService(w.spec.Region),
		"vpcEndpointType": "Gateway",
	}, mrOptions{tagged: true, extraTags: map[string]string{tagName: w.names.name("s3", maxTagValueLength)}}), nil
}

// s3EndpointService is S3's endpoint service in a region; China's regions
// name theirs with a cn. prefix.
func s3EndpointService(region string) string {
	name := "com.amazonaws." + region + ".s3"
	if strings.HasPrefix(region, "cn-") {
		return "cn." + name
	}
	return name
}

// buildS3EndpointRoutes adds the S3 endpoint to each private route table,
// named by the table.
func buildS3EndpointRoutes(w *world) (map[string]*composed.Unstructured, error) {
	endpoint, err := w.reported(compS3Endpoint, statusPathID)
	if err != nil {
		return nil, err
	}
	out := map[string]*composed.Unstructured{}
	for _, zone := range w.spec.Network.VPC.AvailabilityZones {
		table := w.memberStatus(compPrivateRouteTables, zone, statusPathID)
		if table == "" {
			return nil, errors.Errorf("the route table of %s reports no id yet", zone)
		}
		body := map[string]any{"vpcEndpointId": endpoint, "routeTableId": table}
		out[routeKey(body)] = w.style.New(compS3EndpointRoutes, kindVPCEndpointRouteTableAssociation, w.spec.Region, body, mrOptions{})
	}
	return out, nil
}
