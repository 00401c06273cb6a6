package main

import (
	"strings"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// A composed VPC without a route to the internet (spec.network.vpc.egress:
// vpcEndpoints): the private subnets keep the S3 gateway endpoint (vpc.go)
// and gain an interface endpoint, with private DNS, for each AWS API the
// tasks reach: ECR's API and registry (image pulls, whose layers come from
// S3), CloudWatch Logs (awslogs), Secrets Manager (the secrets ECS injects),
// SSM messages (ECS Exec) and STS. The images come from ECR in the region
// (spec.langfuse.imageRegistry), and Cognito is off: its token endpoint is
// on the user pool's domain, which AWS PrivateLink does not serve
// (spec.go's validateNoInternet).
//
// The provider keeps an endpoint's subnets and security groups in
// associations of their own (VPCEndpointSubnetAssociation,
// VPCEndpointSecurityGroupAssociation; upjet moves the endpoint's fields to
// its status), so each endpoint gets one per private subnet and one for the
// endpoints' group, which replaces the VPC's default group AWS gives an
// endpoint created without one.
//
// Switching in place: to vpcEndpoints, the endpoints come first and each
// private route is removed once all of them and their associations are
// Ready, then the NAT gateways or instance go (nothing uses them). From
// vpcEndpoints, the routes come back through the new NAT, and the endpoints
// go once every zone's route is Ready.

// Components of the interface endpoints.
const (
	compEndpointSG              = "network-endpoint-security-group"
	compEndpointIngress         = "network-endpoint-ingress"
	compInterfaceEndpoints      = "network-interface-endpoint"
	compInterfaceEndpointSubnet = "network-interface-endpoint-subnet"
	compInterfaceEndpointGroup  = "network-interface-endpoint-group"
)

// interfaceEndpointServices are the AWS APIs the tasks reach, by the last
// part of their endpoint service's name.
var interfaceEndpointServices = []string{"ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssmmessages", "sts"}

func withVPCEndpoints(s *Spec) bool {
	return s.Network.OwnVPC() && s.Network.VPC.Egress == EgressVPCEndpoints
}

// withRouteOut says whether a composed VPC's private subnets route out
// through a NAT.
func withRouteOut(s *Spec) bool { return s.Network.OwnVPC() && !withVPCEndpoints(s) }

// withVPCEndpointsOnly makes a need apply only without a route out.
func withVPCEndpointsOnly(n need) need { return n.onlyWhen(withVPCEndpoints) }

// endpointService is an AWS service's endpoint service in a region; China's
// regions name theirs with a cn. prefix.
func endpointService(region, service string) string {
	name := "com.amazonaws." + region + "." + service
	if strings.HasPrefix(region, "cn-") {
		return "cn." + name
	}
	return name
}

// endpointKey names an interface endpoint by its service, e.g. ecr-api.
func endpointKey(forProvider map[string]any) string {
	name := str(forProvider["serviceName"])
	for _, s := range interfaceEndpointServices {
		if strings.HasSuffix(name, "."+s) {
			return strings.ReplaceAll(s, ".", "-")
		}
	}
	return ""
}

// endpointSubnetKey names a subnet association by its endpoint and subnet.
func endpointSubnetKey(forProvider map[string]any) string {
	return str(forProvider["vpcEndpointId"]) + "-" + str(forProvider["subnetId"])
}

// endpointGroupKey names a security group association by its endpoint and
// group.
func endpointGroupKey(forProvider map[string]any) string {
	return str(forProvider["vpcEndpointId"]) + "-" + str(forProvider["securityGroupId"])
}

// interfaceEndpointsKept says whether the interface endpoints are composed:
// asked for, or still carrying the tasks' traffic because some zone has no
// Ready route out yet.
func (w *world) interfaceEndpointsKept() bool {
	if withVPCEndpoints(w.spec) {
		return true
	}
	if !w.exists(compInterfaceEndpoints) {
		return false
	}
	for _, zone := range w.spec.Network.VPC.AvailabilityZones {
		table := w.memberStatus(compPrivateRouteTables, zone, statusPathID)
		route := w.observedMember(compPrivateRoutes, table)
		if table == "" || route == nil || !w.ready[resourceName(compPrivateRoutes, table)] {
			return true
		}
	}
	return false
}

// interfaceEndpointsReady says whether every interface endpoint is Ready in
// each private subnet with its group, and the S3 endpoint in each private
// route table: the tasks then reach all they need without a route out.
func (w *world) interfaceEndpointsReady() bool {
	zones := len(w.spec.Network.VPC.AvailabilityZones)
	want := map[string]int{
		compInterfaceEndpoints:      len(interfaceEndpointServices),
		compInterfaceEndpointSubnet: len(interfaceEndpointServices) * zones,
		compInterfaceEndpointGroup:  len(interfaceEndpointServices),
		compS3EndpointRoutes:        zones,
	}
	for component, n := range want {
		ready := 0
		for _, name := range w.byComponent[component] {
			if w.ready[name] {
				ready++
			}
		}
		if ready < n {
			return false
		}
	}
	return true
}

// buildInterfaceEndpoints are the endpoints, one per service, with private
// DNS: the services' own names then resolve to the endpoints inside the VPC
// (which needs the VPC's DNS support and hostnames, both on).
func buildInterfaceEndpoints(w *world) (map[string]*composed.Unstructured, error) {
	out := map[string]*composed.Unstructured{}
	if !w.interfaceEndpointsKept() {
		return out, nil
	}
	vpc, err := w.vpcID()
	if err != nil {
		return nil, err
	}
	for _, service := range interfaceEndpointServices {
		body := map[string]any{
			"vpcId":             vpc,
			"serviceName":       endpointService(w.spec.Region, service),
			"vpcEndpointType":   "Interface",
			"privateDnsEnabled": true,
		}
		key := endpointKey(body)
		out[key] = w.style.New(compInterfaceEndpoints, kindVPCEndpoint, w.spec.Region, body,
			mrOptions{tagged: true, extraTags: map[string]string{tagName: w.names.name(key, maxTagValueLength)}})
	}
	return out, nil
}

// endpointIDs are the ids AWS reported of the interface endpoints composed
// now, by service key.
func (w *world) endpointIDs() map[string]string {
	ids := map[string]string{}
	if !w.interfaceEndpointsKept() {
		return ids
	}
	for _, service := range interfaceEndpointServices {
		key := strings.ReplaceAll(service, ".", "-")
		if id := w.memberStatus(compInterfaceEndpoints, key, statusPathID); id != "" {
			ids[key] = id
		}
	}
	return ids
}

// buildInterfaceEndpointSubnets put each endpoint in each private subnet,
// which gives it a network interface in every zone.
func buildInterfaceEndpointSubnets(w *world) (map[string]*composed.Unstructured, error) {
	out := map[string]*composed.Unstructured{}
	for _, endpoint := range w.endpointIDs() {
		for _, zone := range w.spec.Network.VPC.AvailabilityZones {
			subnet := w.memberStatus(compPrivateSubnets, zone, statusPathID)
			if subnet == "" {
				return nil, errors.Errorf("the private subnet of %s reports no id yet", zone)
			}
			body := map[string]any{"vpcEndpointId": endpoint, "subnetId": subnet}
			out[endpointSubnetKey(body)] = w.style.New(compInterfaceEndpointSubnet, kindVPCEndpointSubnetAssociation, w.spec.Region, body, mrOptions{})
		}
	}
	return out, nil
}

// buildInterfaceEndpointGroups give each endpoint the endpoints' group in
// place of the VPC's default group, which lets in only its own members.
func buildInterfaceEndpointGroups(w *world) (map[string]*composed.Unstructured, error) {
	out := map[string]*composed.Unstructured{}
	ids := w.endpointIDs()
	if len(ids) == 0 {
		return out, nil
	}
	group := w.statusString(compEndpointSG, statusPathID)
	if group == "" {
		return nil, errors.New("the endpoints' security group reports no id yet")
	}
	for _, endpoint := range ids {
		body := map[string]any{"vpcEndpointId": endpoint, "securityGroupId": group, "replaceDefaultAssociation": true}
		out[endpointGroupKey(body)] = w.style.New(compInterfaceEndpointGroup, kindVPCEndpointSecurityGroupAssociation, w.spec.Region, body, mrOptions{})
	}
	return out, nil
}
