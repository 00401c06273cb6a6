package main

import (
	"fmt"
	"strings"

	"github.com/crossplane/function-sdk-go/resource/composed"
)

// The network of a Langfuse: one security group per tier, and rules that
// name groups, not CIDRs, so each tier reaches exactly the next one. EC2
// revokes the default allow-all egress of a group the provider creates, so
// every flow is an egress rule on its source and an ingress rule on its
// target.

// maxSecurityGroupName is EC2's limit on a security group's name.
const maxSecurityGroupName = 255

// securityGroup is one tier's group: its component is <tier>-security-group.
type securityGroup struct {
	tier        tier
	description string
	// keptWithData is set on the group of a stateful resource: with
	// deletionPolicy Orphan the group stays with it, as AWS refuses to
	// delete a group a database still uses.
	keptWithData bool
}

// securityGroups lists every tier.
var securityGroups = []securityGroup{
	{tier: tierALB, description: "Langfuse load balancer: HTTPS and HTTP (redirected) from the allowed CIDRs"},
	{tier: tierWeb, description: "Langfuse web tasks"},
	{tier: tierWorker, description: "Langfuse worker tasks"},
	{tier: tierClickHouse, description: "ClickHouse task"},
	{tier: tierDatabase, description: "Aurora PostgreSQL", keptWithData: true},
	{tier: tierCache, description: "ElastiCache Redis"},
	{tier: tierEFS, description: "ClickHouse EFS mount targets"},
}

// tier is a part of the stack with a security group of its own.
type tier string

// The tiers. internet is no tier, but the target of flows out of the VPC.
const (
	tierALB        tier = "alb"
	tierWeb        tier = "web"
	tierWorker     tier = "worker"
	tierClickHouse tier = "clickhouse"
	tierDatabase   tier = "database"
	tierCache      tier = "cache"
	tierEFS        tier = "efs"
	internet       tier = "internet"
)

// securityGroupComponent is the component of a tier's security group.
func securityGroupComponent(t tier) string { return string(t) + "-security-group" }

// flow is traffic one tier may send to another on a port.
type flow struct {
	from, to tier
	port     int64
	what     string
}

// flows is the whole network, least privilege: nothing flows that is not here.
var flows = []flow{
	{from: tierALB, to: tierWeb, port: langfuseWebPort, what: "Langfuse web and its health checks"},
	{from: tierWeb, to: tierDatabase, port: databasePort, what: "PostgreSQL"},
	{from: tierWorker, to: tierDatabase, port: databasePort, what: "PostgreSQL"},
	{from: tierWeb, to: tierCache, port: cachePort, what: "Redis"},
	{from: tierWorker, to: tierCache, port: cachePort, what: "Redis"},
	{from: tierWeb, to: tierClickHouse, port: clickHouseHTTPPort, what: "ClickHouse HTTP"},
	{from: tierWeb, to: tierClickHouse, port: clickHouseNativePort, what: "ClickHouse native (migrations)"},
	{from: tierWorker, to: tierClickHouse, port: clickHouseHTTPPort, what: "ClickHouse HTTP"},
	{from: tierWorker, to: tierClickHouse, port: clickHouseNativePort, what: "ClickHouse native (migrations)"},
	{from: tierClickHouse, to: tierEFS, port: nfsPort, what: "NFS"},
	// Image pulls, Cognito's OIDC discovery, S3 and the other AWS APIs.
	{from: tierWeb, to: internet, port: httpsPort, what: "HTTPS"},
	{from: tierWorker, to: internet, port: httpsPort, what: "HTTPS"},
	{from: tierClickHouse, to: internet, port: httpsPort, what: "HTTPS (image pulls)"},
}

// buildSecurityGroup returns the builder of a tier's group.
func buildSecurityGroup(t tier) func(*world) (*composed.Unstructured, error) {
	var sg securityGroup
	for _, g := range securityGroups {
		if g.tier == t {
			sg = g
		}
	}
	component := securityGroupComponent(t)
	return func(w *world) (*composed.Unstructured, error) {
		vpc, err := w.vpcID()
		if err != nil {
			return nil, err
		}
		name := w.awsName(component, w.names.name(string(t), maxSecurityGroupName))
		return w.style.New(component, kindSecurityGroup, w.spec.Region, map[string]any{
			"name":                name,
			"description":         sg.description,
			"vpcId":               vpc,
			"revokeRulesOnDelete": true,
		}, mrOptions{tagged: true, stateful: sg.keptWithData, extraTags: map[string]string{tagName: name}}), nil
	}
}

// flowKey names a flow's rules by what they allow: <from>-<to>-<port>.
func flowKey(from, to tier, port any) string { return fmt.Sprintf("%s-%s-%v", from, to, port) }

// tierOf reads the tier a rule's selector points at.
func tierOf(selector any) tier {
	sel, _ := selector.(map[string]any)
	labels, _ := sel["matchLabels"].(map[string]any)
	return tier(strings.TrimSuffix(str(labels[labelComponent]), "-security-group"))
}

// egressRuleKey is the key of an egress rule, from its content.
func egressRuleKey(fp map[string]any) string {
	to := tierOf(fp["referencedSecurityGroupIdSelector"])
	if to == "" {
		to = internet
	}
	return flowKey(tierOf(fp["securityGroupIdSelector"]), to, fp["fromPort"])
}

// ingressFlowKey is the key of an ingress rule of a flow, from its content:
// <to>-<from>-<port>, the group it is on first.
func ingressFlowKey(fp map[string]any) string {
	return flowKey(tierOf(fp["securityGroupIdSelector"]), tierOf(fp["referencedSecurityGroupIdSelector"]), fp["fromPort"])
}

// buildEgressRules lets each tier send what the flows allow, and nothing else.
func buildEgressRules(w *world) (map[string]*composed.Unstructured, error) {
	out := map[string]*composed.Unstructured{}
	for _, f := range flows {
		body := map[string]any{
			"securityGroupIdSelector": selectorFor(securityGroupComponent(f.from)),
			"ipProtocol":              "tcp",
			"fromPort":                f.port,
			"toPort":                  f.port,
			"description":             f.what,
		}
		if f.to == internet {
			body["cidrIpv4"] = "0.0.0.0/0"
		} else {
			body["referencedSecurityGroupIdSelector"] = selectorFor(securityGroupComponent(f.to))
		}
		out[egressRuleKey(body)] = w.style.New(compNetworkEgress, kindEgressRule, w.spec.Region, body, mrOptions{tagged: true})
	}
	return out, nil
}

// buildIngressRules lets each tier accept what the flows send it, from the
// sending tier's group only.
func buildIngressRules(w *world) (map[string]*composed.Unstructured, error) {
	out := map[string]*composed.Unstructured{}
	for _, f := range flows {
		if f.to == internet {
			continue
		}
		body := map[string]any{
			"securityGroupIdSelector":           selectorFor(securityGroupComponent(f.to)),
			"referencedSecurityGroupIdSelector": selectorFor(securityGroupComponent(f.from)),
			"ipProtocol":                        "tcp",
			"fromPort":                          f.port,
			"toPort":                            f.port,
			"description":                       f.what + " from " + string(f.from),
		}
		out[ingressFlowKey(body)] = w.style.New(compNetworkIngress, kindIngressRule, w.spec.Region, body, mrOptions{tagged: true})
	}
	return out, nil
}

// buildPrivateSubnetGroup returns the builder of a data store's subnet group:
// the private subnets, named after the tier. RDS and ElastiCache each want
// their own kind of it. A subnet group keptWithData stays with the stateful resource in it on
// deletionPolicy Orphan: AWS refuses to delete a group a database uses.
func buildPrivateSubnetGroup(component string, k kind, t tier, keptWithData bool) func(*world) (*composed.Unstructured, error) {
	return func(w *world) (*composed.Unstructured, error) {
		subnets, err := w.privateSubnetIDs()
		if err != nil {
			return nil, err
		}
		name := w.externalName(component, w.names.name(string(t), maxRDSIdentifier))
		return w.style.New(component, k, w.spec.Region, map[string]any{
			"description": "Langfuse " + string(t) + ": the private subnets",
			"subnetIds":   stringList(subnets),
		}, mrOptions{tagged: true, stateful: keptWithData, externalName: name}), nil
	}
}

// stringList is a []string as JSON-shaped data.
func stringList(s []string) []any {
	out := make([]any, 0, len(s))
	for _, v := range s {
		out = append(out, v)
	}
	return out
}
