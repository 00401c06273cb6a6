package main

import (
	"encoding/json"
	"net/netip"
	"slices"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// The WAF web ACL in front of Langfuse (spec.loadBalancer.waf): CloudFront's
// (scope CLOUDFRONT, in us-east-1), always there behind CloudFront, or the
// load balancer's (scope REGIONAL, associated with it). Who may reach
// Langfuse is an allowlist of IP sets, one per address family, and everyone
// else is blocked. Before the allowlist, a rate limit per
// address and AWS's managed rules block what is known to be bad.
//
// Langfuse's requests carry what people send to their models: prompts and
// completions with code, HTML and file paths in them, and ingestion batches
// far over 8 KB. The managed rules that inspect request bodies would block
// exactly that, so they only count.

// Components of the web ACL.
const (
	compIPv4Allowlist     = "waf-ipv4-allowlist"
	compIPv6Allowlist     = "waf-ipv6-allowlist"
	compWebACL            = "waf-web-acl"
	compWebACLAssociation = "waf-web-acl-association"
)

// conditionWAF reports the web ACL's gate.
const conditionWAF = "WebACLReady"

// withWAF says whether a web ACL is composed: behind CloudFront, or asked
// for on the load balancer.
func withWAF(s *Spec) bool { return s.LoadBalancer.CloudFront.Enabled || s.LoadBalancer.WAF.Enabled }

// withRegionalWAF says whether the web ACL is the load balancer's.
func withRegionalWAF(s *Spec) bool {
	return s.LoadBalancer.WAF.Enabled && !s.LoadBalancer.CloudFront.Enabled
}

// wafScope is the web ACL's scope, and the region it lives in: CloudFront's
// are global, kept in us-east-1. Whether Langfuse is behind CloudFront is
// immutable, so neither ever changes (both are replace-only).
func wafScope(s *Spec) (scope, region string) {
	if s.LoadBalancer.CloudFront.Enabled {
		return "CLOUDFRONT", cloudFrontRegion
	}
	return "REGIONAL", s.Region
}

// The rate limit's bounds (wafv2 RateBasedStatement Limit) and default:
// the SDKs' ingestion is not counted, so this is people and scripts using
// the UI and the rest of the API from one address.
const (
	minRateLimit     = 10
	maxRateLimit     = 2000000000
	defaultRateLimit = 20000
)

// publicAPIPath is Langfuse's public API, where the SDKs send their batches:
// the rate limit leaves it out.
const publicAPIPath = "/api/public/"

// maxWAFName is WAF's limit on the names of web ACLs and IP sets.
const maxWAFName = 128

// managedRuleGroup is an AWS managed rule group and the rules of it that
// only count.
type managedRuleGroup struct {
	name     string
	countAll []string
}

// managedRuleGroups are the AWS managed rules the web ACL applies, in order.
var managedRuleGroups = []managedRuleGroup{
	{name: "AWSManagedRulesAmazonIpReputationList"},
	{name: "AWSManagedRulesKnownBadInputsRuleSet", countAll: []string{"JavaDeserializationRCE_BODY", "Log4JRCE_BODY"}},
	{name: "AWSManagedRulesCommonRuleSet", countAll: []string{
		"SizeRestrictions_BODY", "CrossSiteScripting_BODY", "GenericLFI_BODY", "GenericRFI_BODY", "EC2MetaDataSSRF_BODY",
	}},
}

// wafAddresses are the blocks of one family's IP set, sorted (a set: the
// order of allowedCidrs changes nothing). WAF takes every prefix length but
// /0, which is allowed as its two halves.
func wafAddresses(cidrs []string) []any {
	var blocks []string
	for _, c := range cidrs {
		p, err := netip.ParsePrefix(c)
		if err != nil {
			continue
		}
		if p.Bits() > 0 {
			blocks = append(blocks, p.String())
			continue
		}
		upper := netip.AddrFrom4([4]byte{128})
		if p.Addr().Is6() {
			upper = netip.AddrFrom16([16]byte{0x80})
		}
		blocks = append(blocks, netip.PrefixFrom(p.Addr(), 1).String(), netip.PrefixFrom(upper, 1).String())
	}
	slices.Sort(blocks)
	return stringList(blocks)
}

// buildAllowlist returns the builder of one family's IP set. Both exist
// whatever the list holds, so allowing the first IPv6 block is an edit of
// a set, not of the web ACL.
func buildAllowlist(component string, ipv4 bool) func(*world) (*composed.Unstructured, error) {
	version, family := "IPV6", "ipv6"
	if ipv4 {
		version, family = "IPV4", "ipv4"
	}
	return func(w *world) (*composed.Unstructured, error) {
		name := w.awsName(component, w.names.name(family, maxWAFName))
		scope, region := wafScope(w.spec)
		return w.style.New(component, kindIPSet, w.spec.Region, map[string]any{
			"name":             name,
			"description":      "Who may reach Langfuse, " + family,
			"scope":            scope,
			"ipAddressVersion": version,
			"addresses":        wafAddresses(w.spec.allowedCIDRs(ipv4)),
		}, mrOptions{region: region, tagged: true}), nil
	}
}

// buildWebACL blocks everyone but the allowlist, after the rate limit and
// the managed rules.
func buildWebACL(w *world) (*composed.Unstructured, error) {
	arns, err := w.arns(compIPv4Allowlist, compIPv6Allowlist)
	if err != nil {
		return nil, err
	}
	rules, err := json.Marshal(webACLRules(w.spec.LoadBalancer.WAF.RateLimit, arns[0], arns[1]))
	if err != nil {
		return nil, errors.Wrap(err, "cannot encode the web ACL's rules")
	}
	name := w.awsName(compWebACL, w.names.name("langfuse", maxWAFName))
	scope, region := wafScope(w.spec)
	return w.style.New(compWebACL, kindWebACL, w.spec.Region, map[string]any{
		"name":          name,
		"description":   "Langfuse " + w.spec.FQDN(),
		"scope":         scope,
		"defaultAction": map[string]any{"block": map[string]any{}},
		"ruleJson":      string(rules),
		"visibilityConfig": map[string]any{
			"cloudwatchMetricsEnabled": true,
			"metricName":               "langfuse",
			"sampledRequestsEnabled":   true,
		},
	}, mrOptions{region: region, tagged: true, skipLateInitialize: true}), nil
}

// buildWebACLAssociation puts the web ACL in front of the load balancer.
func buildWebACLAssociation(w *world) (*composed.Unstructured, error) {
	arns, err := w.arns(compWebACL, compALB)
	if err != nil {
		return nil, err
	}
	return w.style.New(compWebACLAssociation, kindWebACLAssociation, w.spec.Region, map[string]any{
		"webAclArn":   arns[0],
		"resourceArn": arns[1],
	}, mrOptions{}), nil
}

// webACLRules are the web ACL's rules as WAF's API has them (Terraform
// decodes rule_json into the SDK's []Rule), in the order they apply.
func webACLRules(rateLimit int64, ipv4Set, ipv6Set string) []map[string]any {
	visibility := func(name string) map[string]any {
		return map[string]any{"CloudWatchMetricsEnabled": true, "MetricName": name, "SampledRequestsEnabled": true}
	}
	rules := []map[string]any{{
		"Name":     "rate-limit",
		"Priority": 0,
		"Action":   map[string]any{"Block": map[string]any{}},
		"Statement": map[string]any{"RateBasedStatement": map[string]any{
			"Limit":               rateLimit,
			"EvaluationWindowSec": 300,
			"AggregateKeyType":    "IP",
			"ScopeDownStatement": map[string]any{"NotStatement": map[string]any{"Statement": map[string]any{
				"ByteMatchStatement": map[string]any{
					"FieldToMatch":         map[string]any{"UriPath": map[string]any{}},
					"PositionalConstraint": "STARTS_WITH",
					"SearchString":         publicAPIPath,
					"TextTransformations":  []any{map[string]any{"Priority": 0, "Type": "NONE"}},
				},
			}}},
		}},
		"VisibilityConfig": visibility("rate-limit"),
	}}
	for i, g := range managedRuleGroups {
		statement := map[string]any{"VendorName": "AWS", "Name": g.name}
		if len(g.countAll) > 0 {
			var overrides []any
			for _, r := range g.countAll {
				overrides = append(overrides, map[string]any{"Name": r, "ActionToUse": map[string]any{"Count": map[string]any{}}})
			}
			statement["RuleActionOverrides"] = overrides
		}
		rules = append(rules, map[string]any{
			"Name":             g.name,
			"Priority":         i + 1,
			"OverrideAction":   map[string]any{"None": map[string]any{}},
			"Statement":        map[string]any{"ManagedRuleGroupStatement": statement},
			"VisibilityConfig": visibility(g.name),
		})
	}
	inSet := func(arn string) map[string]any {
		return map[string]any{"IPSetReferenceStatement": map[string]any{"ARN": arn}}
	}
	return append(rules, map[string]any{
		"Name":             "allowlist",
		"Priority":         len(managedRuleGroups) + 1,
		"Action":           map[string]any{"Allow": map[string]any{}},
		"Statement":        map[string]any{"OrStatement": map[string]any{"Statements": []any{inSet(ipv4Set), inSet(ipv6Set)}}},
		"VisibilityConfig": visibility("allowlist"),
	})
}
