package main

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// immutable is a spec field that AWS can only replace, never update: the
// names ACM certifies, the records of the zone, the Cognito domain, the VPC
// of the security and target groups, the region of everything. Its observed
// resources show what they were built from.
type immutable struct {
	field string
	// built reads the field's value from an observed forProvider, given the
	// spec (the domain prefix is read off the auth name with the host's
	// name). "" when the forProvider does not say.
	built func(fp map[string]any, s *Spec) string
	want  func(s *Spec) string
	// in lists the components whose observed resources are read, in order;
	// the first that says is the witness.
	in []string
}

// immutables are the spec fields the XRDs make immutable with CEL transition
// rules. The function checks them too, for crossplane render and for XRDs
// without the rules, by comparing the spec with what exists.
var immutables = []immutable{
	{
		field: "spec.region",
		built: func(fp map[string]any, _ *Spec) string { return str(fp["region"]) },
		want:  func(s *Spec) string { return s.Region },
		in:    []string{compALBSecurityGroup, compALB, compCertHost, compUserPool},
	},
	{
		field: "spec.network.vpcId",
		// Cloud Map names it vpc; EC2 and ELB vpcId. A composed VPC's
		// id is AWS's, and its fields are immutable in their own right.
		built: func(fp map[string]any, s *Spec) string {
			if s.Network.OwnVPC() {
				return ""
			}
			return str(fp["vpcId"]) + str(fp["vpc"])
		},
		want: func(s *Spec) string { return s.Network.VPCID },
		in:   []string{compALBSecurityGroup, compALBTargetGroup, compWebSecurityGroup, compServiceNamespace},
	},
	{
		// A subnet's block and zone are replace-only, and the data stores
		// live in the subnets.
		field: "spec.network.vpc.cidr",
		built: func(fp map[string]any, s *Spec) string {
			if !s.Network.OwnVPC() {
				return ""
			}
			return str(fp["cidrBlock"])
		},
		want: func(s *Spec) string { return s.Network.ownVPC().CIDR },
		in:   []string{compNetworkVPC},
	},
	{
		// Behind CloudFront the load balancer is internal, which AWS can
		// only change by replacing it.
		field: "spec.loadBalancer.cloudFront.enabled",
		built: func(fp map[string]any, _ *Spec) string {
			if internal, ok := fp["internal"].(bool); ok {
				return strconv.FormatBool(internal)
			}
			return ""
		},
		want: func(s *Spec) string { return strconv.FormatBool(s.LoadBalancer.CloudFront.Enabled) },
		in:   []string{compALB},
	},
	{
		field: "spec.domain.zoneId",
		built: func(fp map[string]any, _ *Spec) string { return str(fp["zoneId"]) },
		want:  func(s *Spec) string { return s.Domain.ZoneID },
		in:    []string{compDNSRecordHost, compDNSRecordAuth},
	},
	{
		field: "spec.domain.zoneName",
		built: func(fp map[string]any, s *Spec) string {
			name := hostNameOf(fp)
			switch {
			case name == "" || strings.HasSuffix(name, "."+s.Domain.ZoneName):
				return ""
			case strings.HasPrefix(name, s.Domain.HostName+"."):
				return strings.TrimPrefix(name, s.Domain.HostName+".")
			default: // host and zone changed: say what the whole name was
				return name
			}
		},
		want: func(s *Spec) string { return s.Domain.ZoneName },
		in:   []string{compCertHost, compDNSRecordHost},
	},
	{
		field: "spec.domain.hostName",
		built: func(fp map[string]any, s *Spec) string {
			name := hostNameOf(fp)
			if !strings.HasSuffix(name, "."+s.Domain.ZoneName) {
				return "" // the zone changed, which spec.domain.zoneName reports
			}
			return strings.TrimSuffix(name, "."+s.Domain.ZoneName)
		},
		want: func(s *Spec) string { return s.Domain.HostName },
		in:   []string{compCertHost, compDNSRecordHost},
	},
	{
		field: "spec.auth.cognito.domainPrefix",
		built: func(fp map[string]any, s *Spec) string {
			name := hostNameOf(fp)
			if !strings.HasSuffix(name, "."+s.FQDN()) {
				return "" // the host changed, which spec.domain reports
			}
			return strings.TrimSuffix(name, "."+s.FQDN())
		},
		want: func(s *Spec) string { return s.Auth.Cognito.DomainPrefix },
		in:   []string{compCertAuth, compUserPoolDomain, compDNSRecordAuth},
	},
	{
		// The parameter group's family follows the major version, and a
		// family cannot change: a major upgrade is a new parameter group
		// and allowMajorVersionUpgrade, which this function does not do yet.
		field: "spec.database.engineVersion",
		built: func(fp map[string]any, s *Spec) string {
			if s.Database.EngineVersion == "" {
				return "" // nothing asked: the cluster keeps its version
			}
			return strings.TrimPrefix(str(fp["family"]), databaseEngine)
		},
		want: func(s *Spec) string { major, _, _ := strings.Cut(s.Database.EngineVersion, "."); return major },
		in:   []string{compDatabaseParameters},
	},
	{
		// Redis moves to Valkey in place; back is a downgrade, which
		// Terraform only does by replacing the cache.
		field: "spec.cache.engine",
		built: func(fp map[string]any, _ *Spec) string {
			if e := str(fp["engine"]); e == cacheEngineValkey {
				return e
			}
			return "" // Redis may become anything
		},
		want: func(s *Spec) string { return s.engineOf() },
		in:   []string{compCache},
	},
}

// hostNameOf is the DNS name a certificate, record or Cognito domain was built for.
func hostNameOf(fp map[string]any) string {
	for _, k := range []string{"domainName", "name", "domain"} {
		if v := str(fp[k]); v != "" {
			return strings.TrimSuffix(strings.ToLower(v), ".")
		}
	}
	return ""
}

// immutableEdits names each immutable field the spec changes, with the value
// AWS has and the one the spec asks for. A Fatal result then keeps AWS as it
// is, where applying the edit would leave replaced-only fields stuck and
// update the rest (the client's callback URL would point at a host nobody
// serves).
func (w *world) immutableEdits() field.ErrorList {
	var errs field.ErrorList
	for _, f := range immutables {
		want := f.want(w.spec)
		for _, c := range f.in {
			fp := observedForProvider(w.observedOne(c))
			if fp == nil {
				continue
			}
			got := f.built(fp, w.spec)
			if got == "" {
				break // the witness agrees, or another field reports it
			}
			if got != want {
				errs = append(errs, field.Invalid(fieldPath(f.field), want, fmt.Sprintf(
					"is immutable: %s was created with %q, and AWS can only replace it; keep %q, or create a new Langfuse for %q and delete this one",
					c, got, got, want)))
			}
			break
		}
	}
	return errs
}

// fieldPath turns spec.a.b into a field path.
func fieldPath(dotted string) *field.Path {
	parts := strings.Split(dotted, ".")
	return field.NewPath(parts[0], parts[1:]...)
}
