package main

import (
	"encoding/json"
	"maps"
	"net/netip"
	"slices"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// The CloudFront front (spec.loadBalancer.cloudFront), as the CDK
// reference's prod setup builds it: the load balancer internal, in the
// private subnets, reachable only through a CloudFront VPC origin; a
// distribution on the host with a certificate in us-east-1 (CloudFront reads
// certificates only there) and the WAF web ACL of waf.go; the host record an
// alias of the distribution. The Cognito domain still waits for the host
// record, which now resolves to CloudFront.
//
// CloudFront speaks HTTPS to the load balancer, and forwards the viewer's
// Host header (the AllViewer origin request policy): CloudFront then checks
// the load balancer's certificate, the host's, against that name. Nothing
// is cached but Next.js's content-hashed static files.
//
// provider-aws v2.4.0 has no kind for a VPC origin, so it goes through Cloud
// Control, as the managed login branding does.

// Components of the CloudFront front.
const (
	compCertEdge           = "cert-edge"
	compCertEdgeRecords    = "cert-edge-validation-record"
	compCertEdgeValidation = "cert-edge-validation"
	compVPCOrigin          = "cloudfront-vpc-origin"
	compDistribution       = "cloudfront-distribution"
	compDNSRecordHostIPv6  = "dns-record-host-ipv6"
)

// conditionCloudFront reports the CloudFront front's gate.
const conditionCloudFront = "CloudFrontReady"

// statusPathDomainName is a distribution's name, the host record's target.
const statusPathDomainName = "status.atProvider.domainName"

// cloudFrontRegion is where CloudFront reads certificates and WAF web ACLs
// of scope CLOUDFRONT from.
const cloudFrontRegion = "us-east-1"

// CloudFront's managed policies (their ids are the same in every account):
// CachingDisabled and CachingOptimized cache policies, and the AllViewer
// origin request policy, which forwards every header (Host among them),
// cookie and query string.
const (
	cachePolicyCachingDisabled  = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	cachePolicyCachingOptimized = "658327ea-f89d-4fab-a63d-7e88639e58f6"
	originRequestAllViewer      = "216adef6-5c7f-47e4-b989-5492eafa07d3"
)

// albOriginID names the load balancer among the distribution's origins.
const albOriginID = "alb"

// originReadTimeout is how long CloudFront waits for Langfuse to answer, in
// seconds: the load balancer's idle timeout, after which it closes the
// connection anyway (CloudFront's default, 30, would cut long exports).
const originReadTimeout = 60

// nextStaticPath is where Next.js serves its content-hashed files, which
// never change under one name: the one path CloudFront caches.
const nextStaticPath = "/_next/static/*"

// maxVPCOriginName is CloudFront's limit on a VPC origin's name.
const maxVPCOriginName = 64

func withCloudFront(s *Spec) bool { return s.LoadBalancer.CloudFront.Enabled }

func withoutCloudFront(s *Spec) bool { return !s.LoadBalancer.CloudFront.Enabled }

// withCloudFrontIPv6 says whether the distribution answers IPv6 clients:
// only when some IPv6 block is allowed, as WAF would block every other
// IPv6 client, and browsers prefer IPv6 where they have it.
func withCloudFrontIPv6(s *Spec) bool { return withCloudFront(s) && len(s.allowedCIDRs(false)) > 0 }

// withCloudFrontOnly makes a need apply only behind CloudFront.
func withCloudFrontOnly(n need) need { return n.onlyWhen(withCloudFront) }

// withoutCloudFrontOnly makes a need apply only to an internet-facing load
// balancer.
func withoutCloudFrontOnly(n need) need { return n.onlyWhen(withoutCloudFront) }

// edgeCertificate serves the host on CloudFront, in us-east-1. ACM asks
// for the same validation record as for the host's certificate, whose
// record then serves both (certificate.coveredBy).
var edgeCertificate = certificate{
	component: compCertEdge, records: compCertEdgeRecords, validation: compCertEdgeValidation,
	subject:   (*Spec).FQDN,
	region:    func(*Spec) string { return cloudFrontRegion },
	coveredBy: &hostCertificate,
}

// allowedCIDRs are the allowed blocks of one address family.
func (s *Spec) allowedCIDRs(ipv4 bool) []string {
	var out []string
	for _, c := range s.Network.AllowedCIDRs {
		if p, err := netip.ParsePrefix(c); err == nil && p.Addr().Is4() == ipv4 {
			out = append(out, p.String())
		}
	}
	return out
}

// buildVPCOrigin lets CloudFront reach the internal load balancer over
// HTTPS, TLS 1.2 at least.
func buildVPCOrigin(w *world) (*composed.Unstructured, error) {
	arn, err := w.reported(compALB, statusPathARN)
	if err != nil {
		return nil, err
	}
	state, err := json.Marshal(map[string]any{
		"VpcOriginEndpointConfig": map[string]any{
			"Name":                 w.names.name("alb", maxVPCOriginName),
			"Arn":                  arn,
			"HTTPPort":             httpPort,
			"HTTPSPort":            httpsPort,
			"OriginProtocolPolicy": "https-only",
			"OriginSSLProtocols":   []string{"TLSv1.2"},
		},
		"Tags": cloudFormationTags(w.style.Tags, compVPCOrigin),
	})
	if err != nil {
		return nil, errors.Wrap(err, "cannot encode the VPC origin")
	}
	return w.style.New(compVPCOrigin, kindCloudControlResource, w.spec.Region, map[string]any{
		"typeName":     "AWS::CloudFront::VpcOrigin",
		"desiredState": string(state),
	}, mrOptions{}), nil
}

// cloudFormationTags are the tags every resource gets, as CloudFormation
// lists them.
func cloudFormationTags(tags map[string]string, component string) []map[string]string {
	all := maps.Clone(tags)
	if all == nil {
		all = map[string]string{}
	}
	all[tagManagedBy] = "function-langfuse"
	all[labelComponent] = component
	out := make([]map[string]string, 0, len(all))
	for _, k := range slices.Sorted(maps.Keys(all)) {
		out = append(out, map[string]string{"Key": k, "Value": all[k]})
	}
	return out
}

// buildDistribution serves the host through CloudFront, from the VPC
// origin, behind the WAF web ACL.
func buildDistribution(w *world) (*composed.Unstructured, error) {
	origin, err := w.reported(compVPCOrigin, statusPathID)
	if err != nil {
		return nil, err
	}
	albName, err := w.reported(compALB, statusPathLBDNSName)
	if err != nil {
		return nil, err
	}
	cert, err := w.reported(compCertEdge, statusPathARN)
	if err != nil {
		return nil, err
	}
	acl, err := w.reported(compWebACL, statusPathARN)
	if err != nil {
		return nil, err
	}
	behavior := func(cachePolicy string, methods []any) map[string]any {
		return map[string]any{
			"targetOriginId":        albOriginID,
			"viewerProtocolPolicy":  "redirect-to-https",
			"allowedMethods":        methods,
			"cachedMethods":         []any{"GET", "HEAD"},
			"compress":              true,
			"cachePolicyId":         cachePolicy,
			"originRequestPolicyId": originRequestAllViewer,
		}
	}
	static := behavior(cachePolicyCachingOptimized, []any{"GET", "HEAD"})
	static["pathPattern"] = nextStaticPath
	fqdn := w.spec.FQDN()
	return w.style.New(compDistribution, kindDistribution, w.spec.Region, map[string]any{
		"comment":       "Langfuse " + fqdn,
		"enabled":       true,
		"aliases":       []any{fqdn},
		"httpVersion":   "http2and3",
		"isIpv6Enabled": withCloudFrontIPv6(w.spec),
		"priceClass":    "PriceClass_All",
		"webAclId":      acl,
		"origin": []any{map[string]any{
			"originId":   albOriginID,
			"domainName": albName,
			"vpcOriginConfig": map[string]any{
				"vpcOriginId":            origin,
				"originReadTimeout":      int64(originReadTimeout),
				"originKeepaliveTimeout": int64(5),
			},
		}},
		"defaultCacheBehavior": behavior(cachePolicyCachingDisabled, []any{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}),
		"orderedCacheBehavior": []any{static},
		"viewerCertificate": map[string]any{
			"acmCertificateArn":      cert,
			"sslSupportMethod":       "sni-only",
			"minimumProtocolVersion": "TLSv1.2_2021",
		},
		"restrictions": map[string]any{"geoRestriction": map[string]any{"restrictionType": "none"}},
	}, mrOptions{tagged: true, skipLateInitialize: true, extraTags: map[string]string{tagName: fqdn}}), nil
}

// albIngressSources are who may open connections to the load balancer:
// the allowed CIDRs, or behind CloudFront the private subnets, where
// CloudFront's VPC origin puts its network interfaces.
func (w *world) albIngressSources() ([]string, error) {
	if !withCloudFront(w.spec) {
		return w.spec.Network.AllowedCIDRs, nil
	}
	return w.privateSubnetCIDRs()
}
