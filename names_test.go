package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/types"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composite"
)

func xrNamed(namespace, name, uid string, labels map[string]string) *resource.Composite {
	u := composite.New()
	u.SetNamespace(namespace)
	u.SetName(name)
	u.SetUID(types.UID(uid))
	u.SetLabels(labels)
	return &resource.Composite{Resource: u}
}

func TestNamerName(t *testing.T) {
	cases := map[string]struct {
		reason string
		namer  namer
		suffix string
		maxLen int
		want   string
	}{
		"Fits": {
			reason: "A short name is the readable part, the hash and the suffix.",
			namer:  namer{readable: "team-ml-langfuse", hash: "0123456789"}, suffix: "alb", maxLen: 32,
			want: "team-ml-langfuse-0123456789-alb",
		},
		"Shortens": {
			reason: "A long readable part is cut, never the hash or the suffix, and no dash is left where it was cut.",
			namer:  namer{readable: "a-very-long-namespace-and-langfuse-name", hash: "0123456789"}, suffix: "alb", maxLen: 32,
			want: "a-very-long-names-0123456789-alb",
		},
		"InternalPrefix": {
			reason: "ELB refuses load balancer names beginning with internal-.",
			namer:  namer{readable: "internal", hash: "0123456789"}, suffix: "alb", maxLen: 32,
			want: "lf-internal-0123456789-alb",
		},
		"SGPrefix": {
			reason: "EC2 refuses security group names beginning with sg-.",
			namer:  namer{readable: "sg", hash: "0123456789"}, suffix: "alb", maxLen: 255,
			want: "lf-sg-0123456789-alb",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tc.namer.name(tc.suffix, tc.maxLen); got != tc.want {
				t.Errorf("%s\nname: got %q, want %q", tc.reason, got, tc.want)
			}
		})
	}
}

// TestNamesNeverCollide checks that XRs whose namespace and name join to the
// same string, and an XR created again under its old name, get different
// AWS names.
func TestNamesNeverCollide(t *testing.T) {
	cases := map[string]struct {
		a, b *resource.Composite
	}{
		"NamespaceAndNameJoinTheSame": {a: xrNamed("team-a", "b", "", nil), b: xrNamed("team", "a-b", "", nil)},
		"RecreatedWithTheSameName":    {a: xrNamed("team", "lf", "8c4f-1", nil), b: xrNamed("team", "lf", "8c4f-2", nil)},
		"ClaimsJoinTheSame": {
			a: xrNamed("", "langfuse-abcde", "", map[string]string{"crossplane.io/claim-namespace": "team-a", "crossplane.io/claim-name": "b"}),
			b: xrNamed("", "langfuse-fghij", "", map[string]string{"crossplane.io/claim-namespace": "team", "crossplane.io/claim-name": "a-b"}),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			for _, suffix := range []string{"alb", "web", "users", "cognito-client-secret"} {
				if a, b := namerFor(tc.a).name(suffix, 32), namerFor(tc.b).name(suffix, 32); a == b {
					t.Errorf("two XRs share the AWS name %q", a)
				}
			}
		})
	}
}

// AWS's rules for the names the function gives, by the component that
// carries the name.
var awsNameRules = map[string]struct {
	maxLen int
	re     *regexp.Regexp
	not    []string // prefixes AWS refuses
}{
	compALB:                   {maxLen: 32, re: regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$`), not: []string{"internal-"}},
	compALBTargetGroup:        {maxLen: 32, re: regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$`)},
	compALBSecurityGroup:      {maxLen: 255, re: regexp.MustCompile(`^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+$`), not: []string{"sg-"}},
	compWebSecurityGroup:      {maxLen: 255, re: regexp.MustCompile(`^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+$`), not: []string{"sg-"}},
	compUserPool:              {maxLen: 128, re: regexp.MustCompile(`^[\w\s+=,.@-]+$`)},
	compUserPoolClient:        {maxLen: 128, re: regexp.MustCompile(`^[\w\s+=,.@-]+$`)},
	compClientSecret:          {maxLen: 512, re: regexp.MustCompile(`^[a-zA-Z0-9/_+=.@-]+$`)},
	compCacheParametersValkey: {maxLen: 255, re: regexp.MustCompile(`^[a-z]([a-z0-9]|-[a-z0-9])*$`)},
}

// TestNamesWithinAWSLimits renders XRs with the longest namespace and name
// Kubernetes allows, and names that begin like AWS's reserved prefixes, and
// checks every AWS name against its service's rules.
func TestNamesWithinAWSLimits(t *testing.T) {
	longNS, longName := strings.Repeat("n", 63), strings.Repeat("x", 240)+".example.lf"
	cases := map[string]map[string]any{
		"LongestClaim":        {"metadata.labels": map[string]any{"crossplane.io/claim-name": longName, "crossplane.io/claim-namespace": longNS}, "metadata.name": longName[:200] + "-abcde"},
		"LongestNamespacedXR": {"metadata.namespace": longNS, "metadata.name": longName},
		"Internal":            {"metadata.name": "internal", "metadata.labels": nil},
		"SG":                  {"metadata.name": "sg", "metadata.labels": nil},
		"Dots":                {"metadata.name": "..", "metadata.labels": nil},
		"DigitsAndDashes":     {"metadata.name": "1--team--2", "metadata.labels": nil},
	}
	for name, set := range cases {
		t.Run(name, func(t *testing.T) {
			xr := withSpec(t, loadXR(t, exampleClaimXR), set)
			_, last, _ := converge(t, xr)
			for rn, r := range last.GetDesired().GetResources() {
				rule, ok := awsNameRules[rn]
				if !ok {
					continue
				}
				got, _ := fp(r.GetResource().AsMap())["name"].(string)
				if got == "" || len(got) > rule.maxLen || !rule.re.MatchString(got) {
					t.Errorf("%s: name %q breaks AWS's rules (at most %d characters, %s)", rn, got, rule.maxLen, rule.re)
				}
				for _, p := range rule.not {
					if strings.HasPrefix(got, p) {
						t.Errorf("%s: name %q begins with %q, which AWS refuses", rn, got, p)
					}
				}
			}
			bucket := last.GetDesired().GetResources()[compBucket].GetResource().AsMap()["metadata"].(map[string]any)["annotations"].(map[string]any)[annotationExternalName].(string)
			if len(bucket) > maxBucketName || !regexp.MustCompile(`^[a-z0-9][a-z0-9-]*[a-z0-9]$`).MatchString(bucket) || strings.HasPrefix(bucket, "xn--") || strings.HasPrefix(bucket, "sthree-") {
				t.Errorf("bucket name %q breaks S3's rules", bucket)
			}
			if token := fp(last.GetDesired().GetResources()[compEFS].GetResource().AsMap())["creationToken"].(string); len(token) > maxCreationToken {
				t.Errorf("EFS creation token %q is longer than %d", token, maxCreationToken)
			}
			// RDS and ElastiCache identifiers: a letter first, no "--", no dash last.
			for c, maxLen := range map[string]int{compDatabase: maxRDSIdentifier, compDatabaseInstance: maxRDSIdentifier, compCache: maxReplicationGroupID, compDatabaseSubnetGroup: 255, compCacheSubnetGroup: 255, compDatabaseParameters: 255} {
				id := last.GetDesired().GetResources()[c].GetResource().AsMap()["metadata"].(map[string]any)["annotations"].(map[string]any)[annotationExternalName].(string)
				if len(id) > maxLen || !regexp.MustCompile(`^[a-z]([a-z0-9]|-[a-z0-9])*$`).MatchString(id) {
					t.Errorf("%s: identifier %q breaks the service's rules (at most %d characters)", c, id, maxLen)
				}
			}
			externalNames := map[string]*regexp.Regexp{
				compECSCluster:         regexp.MustCompile(`^[a-zA-Z0-9_-]{1,255}$`),
				compLogGroupWeb:        regexp.MustCompile(`^[.\-_/#A-Za-z0-9]{1,512}$`),
				compLogGroupClickHouse: regexp.MustCompile(`^[.\-_/#A-Za-z0-9]{1,512}$`),
			}
			for c, re := range externalNames {
				en := last.GetDesired().GetResources()[c].GetResource().AsMap()["metadata"].(map[string]any)["annotations"].(map[string]any)[annotationExternalName].(string)
				if !re.MatchString(en) {
					t.Errorf("%s: name %q breaks the service's rules (%s)", c, en, re)
				}
			}
			ns := fp(last.GetDesired().GetResources()[compServiceNamespace].GetResource().AsMap())["name"].(string)
			for _, label := range strings.Split(ns, ".") {
				if len(label) == 0 || len(label) > maxDNSLabel {
					t.Errorf("service namespace %q has a label of %d characters", ns, len(label))
				}
			}
			ref := last.GetDesired().GetResources()[compUserPoolClient].GetResource().AsMap()["spec"].(map[string]any)["writeConnectionSecretToRef"].(map[string]any)
			if n := ref["name"].(string); len(n) > maxKubernetesName || !reK8sName.MatchString(n) {
				t.Errorf("the client's connection secret %q is not a Kubernetes name", n)
			}
		})
	}
}

// TestAWSNamesStick checks that a resource that exists keeps the AWS name it
// was created with, whatever the function would name it now: AWS cannot
// rename a load balancer, target group, security group, user pool, secret or
// bucket, nor change a file system's creation token.
func TestAWSNamesStick(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	p, _, _ := converge(t, xr)
	for rn := range awsNameRules {
		m := p.observed[rn].GetResource().AsMap()
		fp(m)["name"] = "created-long-ago-" + rn
		p.observed[rn] = resourceOf(mustStruct(t, m))
	}
	bucket := p.observed[compBucket].GetResource().AsMap()
	bucket["metadata"].(map[string]any)["annotations"].(map[string]any)[annotationExternalName] = "created-long-ago-bucket"
	p.observed[compBucket] = resourceOf(mustStruct(t, bucket))
	efs := p.observed[compEFS].GetResource().AsMap()
	fp(efs)["creationToken"] = "created-long-ago-token"
	p.observed[compEFS] = resourceOf(mustStruct(t, efs))
	renamed := withSpec(t, xr, map[string]any{"metadata.labels": map[string]any{"crossplane.io/claim-name": "renamed", "crossplane.io/claim-namespace": "elsewhere"}})
	rsp := run(t, p.request(renamed, nil))
	if got := rsp.GetDesired().GetResources()[compBucket].GetResource().AsMap()["metadata"].(map[string]any)["annotations"].(map[string]any)[annotationExternalName]; got != "created-long-ago-bucket" {
		t.Errorf("the bucket's name changed to %v", got)
	}
	if got := fp(rsp.GetDesired().GetResources()[compEFS].GetResource().AsMap())["creationToken"]; got != "created-long-ago-token" {
		t.Errorf("the file system's creation token changed to %v", got)
	}
	for rn := range awsNameRules {
		got := fp(rsp.GetDesired().GetResources()[rn].GetResource().AsMap())["name"]
		if diff := cmp.Diff("created-long-ago-"+rn, got); diff != "" {
			t.Errorf("%s: the AWS name changed: -want, +got:\n%s", rn, diff)
		}
	}
}
