package main

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/crossplane/function-sdk-go/resource/composed"
)

// langfuseWebPort is the port the Langfuse web container listens on.

// langfuseHealthPath answers 200 once the web container serves requests.
const langfuseHealthPath = "/api/public/health"

// langfuseReadyPath answers as the health path does, and 500 once the
// container received SIGTERM (web/src/pages/api/public/ready.ts, in 3.174.1
// and 4): the load balancer stops sending it requests while it drains for
// up to 110 s, whatever the order in which ECS deregisters and stops it.
const langfuseReadyPath = "/api/public/ready"

// maxLoadBalancerName is AWS's limit on the names of load balancers and
// target groups (letters, digits and dashes).
const maxLoadBalancerName = 32

// tlsPolicy allows TLS 1.3 and, for older clients, TLS 1.2 with forward
// secrecy only: the policy AWS recommends for new listeners.
const tlsPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"

// hstsHeader tells browsers to use HTTPS only, for a year.
const hstsHeader = "max-age=31536000; includeSubDomains"

// Ports the load balancer listens on, and what each is for.
var listenerPorts = []struct {
	port int64
	what string
}{{httpsPort, "HTTPS"}, {httpPort, "HTTP redirect"}}

// buildALBIngressRules allows 443, and 80 (which only redirects to 443), from
// each allowed CIDR: one rule per CIDR and port, as EC2 models them, each
// named by its port and CIDR. Behind CloudFront, only 443 (its VPC origin
// speaks HTTPS), from the subnets its network interfaces are in.
func buildALBIngressRules(w *world) (map[string]*composed.Unstructured, error) {
	sources, err := w.albIngressSources()
	if err != nil {
		return nil, err
	}
	out := map[string]*composed.Unstructured{}
	for _, cidr := range sources {
		for _, l := range listenerPorts {
			if withCloudFront(w.spec) && l.port != httpsPort {
				continue
			}
			body := map[string]any{
				"securityGroupIdSelector": selectorFor(compALBSecurityGroup),
				"ipProtocol":              "tcp",
				"fromPort":                l.port,
				"toPort":                  l.port,
				"cidrIpv4":                cidr,
				"description":             "Langfuse " + l.what,
			}
			out[ingressRuleKey(body)] = w.style.New(compALBIngress, kindIngressRule, w.spec.Region, body, mrOptions{tagged: true})
		}
	}
	return out, nil
}

// ingressRuleKey names an ingress rule by its port and source, e.g.
// 443-<hash of 10.0.0.0/8>: removing or reordering allowedCidrs entries
// leaves every other rule as it is.
func ingressRuleKey(forProvider map[string]any) string {
	cidr := str(forProvider["cidrIpv4"]) + str(forProvider["cidrIpv6"])
	if p, err := netip.ParsePrefix(cidr); err == nil {
		cidr = p.Masked().String()
	}
	return fmt.Sprint(forProvider["fromPort"]) + "-" + shortHash(cidr)
}

// buildALB is the load balancer: internet-facing in the public subnets, or
// internal in the private ones behind CloudFront.
func buildALB(w *world) (*composed.Unstructured, error) {
	internal := withCloudFront(w.spec)
	subnets, err := w.publicSubnetIDs()
	if internal {
		subnets, err = w.privateSubnetIDs()
	}
	if err != nil {
		return nil, err
	}
	name := w.awsName(compALB, w.names.name("alb", maxLoadBalancerName))
	body := map[string]any{
		"name":                  name,
		"loadBalancerType":      "application",
		"internal":              internal,
		"ipAddressType":         "ipv4",
		"subnets":               stringList(subnets),
		"securityGroupSelector": selectorFor(compALBSecurityGroup),
		// Requests with header names that are not valid HTTP are dropped
		// rather than passed to Langfuse (request smuggling).
		"dropInvalidHeaderFields": true,
		"desyncMitigationMode":    "strictest",
		"idleTimeout":             int64(60),
	}
	if logs := w.albAccessLogs(); logs != nil {
		body["accessLogs"] = logs
	}
	return w.style.New(compALB, kindLB, w.spec.Region, body, mrOptions{tagged: true, extraTags: map[string]string{tagName: name}}), nil
}

func buildTargetGroup(w *world) (*composed.Unstructured, error) {
	vpc, err := w.vpcID()
	if err != nil {
		return nil, err
	}
	name := w.awsName(compALBTargetGroup, w.names.name("web", maxLoadBalancerName))
	return w.style.New(compALBTargetGroup, kindLBTargetGroup, w.spec.Region, map[string]any{
		"name":            name,
		"port":            int64(langfuseWebPort),
		"protocol":        "HTTP",
		"protocolVersion": "HTTP1",
		"targetType":      "ip", // Fargate tasks register by IP
		"vpcId":           vpc,
		"healthCheck": map[string]any{
			"enabled":            true,
			"path":               langfuseReadyPath,
			"port":               "traffic-port",
			"protocol":           "HTTP",
			"matcher":            "200",
			"interval":           int64(30),
			"timeout":            int64(5),
			"healthyThreshold":   int64(2),
			"unhealthyThreshold": int64(3),
		},
		"deregistrationDelay": "30",
	}, mrOptions{tagged: true, extraTags: map[string]string{tagName: name}}), nil
}

// buildHTTPListener answers plain HTTP with a permanent redirect to HTTPS.
func buildHTTPListener(w *world) (*composed.Unstructured, error) {
	return w.style.New(compALBListenerHTTP, kindLBListener, w.spec.Region, map[string]any{
		"loadBalancerArnSelector": selectorFor(compALB),
		"port":                    int64(httpPort),
		"protocol":                "HTTP",
		"defaultAction": []any{map[string]any{
			"type": "redirect",
			"redirect": map[string]any{
				"port":       strconv.Itoa(httpsPort),
				"protocol":   "HTTPS",
				"statusCode": "HTTP_301",
			},
		}},
	}, mrOptions{tagged: true}), nil
}

// buildHTTPSListener serves Langfuse with the host certificate once ACM has
// issued it: a listener with a pending certificate is rejected.
func buildHTTPSListener(w *world) (*composed.Unstructured, error) {
	arn, err := w.reported(compCertHost, statusPathARN)
	if err != nil {
		return nil, err
	}
	return w.style.New(compALBListenerHTTPS, kindLBListener, w.spec.Region, map[string]any{
		"loadBalancerArnSelector": selectorFor(compALB),
		"port":                    int64(httpsPort),
		"protocol":                "HTTPS",
		"sslPolicy":               tlsPolicy,
		"certificateArn":          arn,
		"routingHttpResponseStrictTransportSecurityHeaderValue": hstsHeader,
		"defaultAction": []any{map[string]any{
			"type":                   "forward",
			"targetGroupArnSelector": selectorFor(compALBTargetGroup),
		}},
	}, mrOptions{tagged: true}), nil
}
