package awscontract

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

func load(t *testing.T) *Contract {
	t.Helper()
	start := time.Now()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	t.Logf("Load took %v", time.Since(start))
	return c
}

// violations runs Check and splits what it finds by Advisory.
func violations(t *testing.T, c *Contract, group, kind, externalName string, fp map[string]any) (refused, advised []*Violation) {
	t.Helper()
	for _, err := range c.Check(group, kind, externalName, fp) {
		var v *Violation
		if !errors.As(err, &v) {
			t.Fatalf("Check returned a non-violation: %v", err)
		}
		if v.Advisory {
			advised = append(advised, v)
		} else {
			refused = append(refused, v)
		}
	}
	return refused, advised
}

func TestCheck(t *testing.T) {
	c := load(t)
	containers := func(healthCheck string) string {
		return `[{"name":"web","image":"langfuse/langfuse:3.174.1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","essential":true,` +
			`"portMappings":[{"name":"web","containerPort":3000,"protocol":"tcp"}],` +
			`"environment":[{"name":"HOSTNAME","value":"0.0.0.0"}],"stopTimeout":120,` +
			`"healthCheck":` + healthCheck + `}]`
	}
	fargate := func(cpu, memory string) map[string]any {
		return map[string]any{
			"family": "team-ml-langfuse-web", "cpu": cpu, "memory": memory, "networkMode": "awsvpc",
			"requiresCompatibilities": []any{"FARGATE"},
			"containerDefinitions":    containers(`{"command":["CMD-SHELL","true"],"interval":15,"timeout":5,"retries":3,"startPeriod":30}`),
		}
	}
	cases := map[string]struct {
		group, kind, externalName string
		forProvider               map[string]any
		// want are substrings of the one violation expected; none means
		// no violation.
		want     []string
		advisory bool
	}{
		"SecurityGroupDescriptionApostrophe": {
			group: "ec2", kind: "SecurityGroup",
			forProvider: map[string]any{"name": "langfuse-efs", "description": "ClickHouse's EFS mount targets"},
			want:        []string{"spec.forProvider.description", "ec2.CreateSecurityGroup", "GroupDescription", `"'"`, "Valid characters"},
		},
		"SecurityGroupDescription": {
			group: "ec2", kind: "SecurityGroup",
			forProvider: map[string]any{"name": "langfuse-efs", "description": "ClickHouse EFS mount targets"},
		},
		"SecurityGroupNameSG": {
			group: "ec2", kind: "SecurityGroup",
			forProvider: map[string]any{"name": "sg-langfuse", "description": "x"},
			want:        []string{"GroupName", `begins with "sg-"`},
		},
		"IngressRuleToGroupApostrophe": {
			group: "ec2", kind: "SecurityGroupIngressRule",
			forProvider: map[string]any{
				"description": "Langfuse's web", "referencedSecurityGroupIdSelector": map[string]any{"matchControllerRef": true},
			},
			want: []string{"IpPermissions.UserIdGroupPairs.Description"},
		},
		"EgressRuleToCIDR": {
			group: "ec2", kind: "SecurityGroupEgressRule",
			forProvider: map[string]any{"description": "HTTPS & more", "cidrIpv4": "0.0.0.0/0"},
		},
		// The & that IpRanges allows is not in the list for a rule whose
		// peer is a security group.
		"IngressRuleToGroupAmpersand": {
			group: "ec2", kind: "SecurityGroupIngressRule",
			forProvider: map[string]any{"description": "web & worker", "referencedSecurityGroupId": "sg-0123"},
			want:        []string{"UserIdGroupPairs.Description", `"&"`},
		},
		"LBName33": {
			group: "elbv2", kind: "LB",
			forProvider: map[string]any{"name": strings.Repeat("a", 33)},
			want:        []string{"elasticloadbalancingv2.CreateLoadBalancer.Name", "33 characters", "maximum of 32"},
		},
		"LBName32": {
			group: "elbv2", kind: "LB",
			forProvider: map[string]any{"name": strings.Repeat("a", 32), "idleTimeout": int64(60), "desyncMitigationMode": "strictest"},
		},
		"LBNameLeadingHyphen": {
			group: "elbv2", kind: "LB",
			forProvider: map[string]any{"name": "-abc"},
			want:        []string{"begins with a hyphen"},
		},
		"LBNameInternal": {
			group: "elbv2", kind: "LB",
			forProvider: map[string]any{"name": "internal-x"},
			want:        []string{`begins with "internal-"`},
		},
		"LBIdleTimeout": {
			group: "elbv2", kind: "LB",
			forProvider: map[string]any{"name": "alb", "idleTimeout": 4001.0},
			want:        []string{"ModifyLoadBalancerAttributes", "outside 1..4000"},
		},
		"TargetGroupHealthCheck": {
			group: "elbv2", kind: "LBTargetGroup",
			forProvider: map[string]any{"name": "web", "healthCheck": map[string]any{"interval": 301, "path": "/api/public/health"}},
			want:        []string{"spec.forProvider.healthCheck.interval", "HealthCheckIntervalSeconds", "more than 300"},
		},
		"TargetGroupHealthCheckList": {
			group: "elbv2", kind: "LBTargetGroup",
			forProvider: map[string]any{"name": "web", "healthCheck": []any{map[string]any{"timeout": 1}}, "deregistrationDelay": "30"},
			want:        []string{"healthCheck[0].timeout", "less than 2"},
		},
		"FargateNotAPair": {
			group: "ecs", kind: "TaskDefinition", forProvider: fargate("2048", "3000"),
			want: []string{"spec.forProvider.cpu", "ecs.RegisterTaskDefinition.cpu", "memory 3000", "4096..16384 step 1024"},
		},
		"FargatePair": {group: "ecs", kind: "TaskDefinition", forProvider: fargate("2048", "4096")},
		"FargateCPU": {
			group: "ecs", kind: "TaskDefinition", forProvider: fargate("3072", "8192"),
			want: []string{"not a Fargate CPU size"},
		},
		"HealthCheckInterval301": {
			group: "ecs", kind: "TaskDefinition",
			forProvider: map[string]any{"family": "web", "containerDefinitions": containers(`{"command":["CMD-SHELL","true"],"interval":301}`)},
			want:        []string{"spec.forProvider.containerDefinitions#[0].healthCheck.interval", "containerDefinitions.healthCheck.interval", "outside 5..300", "You may specify between 5 and 300 seconds"},
		},
		"ContainerDefinitionUnknownKey": {
			group: "ecs", kind: "TaskDefinition",
			forProvider: map[string]any{"family": "web", "containerDefinitions": containers(`{"command":["CMD-SHELL","true"],"startPeriods":30}`)},
			want:        []string{"containerDefinitions#[0].healthCheck.startPeriods", `HealthCheck has no member "startPeriods"`},
		},
		"ContainerDefinitionUlimit": {
			group: "ecs", kind: "TaskDefinition",
			forProvider: map[string]any{"family": "web", "containerDefinitions": `[{"name":"c","ulimits":[{"name":"nofiles","softLimit":1,"hardLimit":1}]}]`},
			want:        []string{"containerDefinitions#[0].ulimits[0].name", "not one of"},
		},
		"ContainerDefinitionNotJSON": {
			group: "ecs", kind: "TaskDefinition",
			forProvider: map[string]any{"family": "web", "containerDefinitions": `[{`},
			want:        []string{"is not JSON"},
		},
		"ClusterInstanceDoubleHyphen": {
			group: "rds", kind: "ClusterInstance", externalName: "langfuse--database-1",
			forProvider: map[string]any{"engine": "aurora-postgresql"},
			want:        []string{"metadata.annotations[crossplane.io/external-name]", "rds.CreateDBInstance.DBInstanceIdentifier", "two consecutive hyphens"},
		},
		"ClusterInstance": {
			group: "rds", kind: "ClusterInstance", externalName: "langfuse-database-1",
			forProvider: map[string]any{"engine": "aurora-postgresql", "tags": map[string]any{"managed-by": "function-langfuse"}},
		},
		"ClusterCapacityHalfStep": {
			group: "rds", kind: "Cluster", externalName: "langfuse-database",
			forProvider: map[string]any{"serverlessv2ScalingConfiguration": map[string]any{"minCapacity": 0.5, "maxCapacity": 2.25}},
			want:        []string{"maxCapacity", "multiple of 0.5"},
		},
		// 256 ACUs is past the pinned text's 128, which AWS has since raised.
		"ClusterCapacity256": {
			group: "rds", kind: "Cluster", externalName: "langfuse-database",
			forProvider: map[string]any{"serverlessv2ScalingConfiguration": map[string]any{"minCapacity": 0.5, "maxCapacity": 256}},
		},
		"RDSTagPrefix": {
			group: "rds", kind: "SubnetGroup", externalName: "langfuse-database",
			forProvider: map[string]any{"tags": map[string]any{"aws:owner": "x"}},
			want:        []string{`tags["aws:owner"]`, "Tags.Key", `begins with "aws:"`},
		},
		"ReplicationGroupID": {
			group: "elasticache", kind: "ReplicationGroup", externalName: "1cache",
			forProvider: map[string]any{"numCacheClusters": 2, "automaticFailoverEnabled": true},
			want:        []string{"ReplicationGroupId", "does not begin with a letter"},
		},
		"SecretSuffix": {
			group: "secretsmanager", kind: "Secret",
			forProvider: map[string]any{"name": "langfuse/x-credentials-secret", "recoveryWindowInDays": 0},
			want:        []string{"hyphen and 6 characters", `"-secret"`}, advisory: true,
		},
		"SecretRecoveryWindow": {
			group: "secretsmanager", kind: "Secret",
			forProvider: map[string]any{"name": "langfuse/x-credentials", "recoveryWindowInDays": 3},
			want:        []string{"DeleteSecret.RecoveryWindowInDays", "outside 7..30"},
		},
		"UserPoolCustomDomain": {
			group: "cognitoidp", kind: "UserPoolDomain",
			forProvider: map[string]any{"domain": "auth.langfuse.example.com", "certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/12ed86b7"},
		},
		"UserPoolPrefixDomain": {
			group: "cognitoidp", kind: "UserPoolDomain",
			forProvider: map[string]any{"domain": "Langfuse_auth"},
			want:        []string{"CreateUserPoolDomain.Domain", "does not match pattern"},
		},
		"RoleDescription": {
			group: "iam", kind: "Role", externalName: "langfuse role",
			forProvider: map[string]any{"description": "Task role \u2013 web"},
			want:        []string{"iam.CreateRole"},
		},
		"LogRetention": {
			group: "cloudwatchlogs", kind: "Group", externalName: "/ecs/langfuse-web",
			forProvider: map[string]any{"retentionInDays": 31},
			want:        []string{"retentionInDays", "not one of 1, 3, 5"},
		},
		"IPSetDescriptionParentheses": {
			group: "wafv2", kind: "IPSet",
			forProvider: map[string]any{"name": "langfuse-ipv4", "description": "Who may reach Langfuse (ipv4)"},
			want:        []string{"spec.forProvider.description", "wafv2.CreateIPSet.Description", "does not match pattern", "EntityDescription"},
		},
		"IPSet": {
			group: "wafv2", kind: "IPSet",
			forProvider: map[string]any{
				"name": "team-ml-langfuse-ipv6", "description": "Who may reach Langfuse, ipv6", "scope": "CLOUDFRONT",
				"ipAddressVersion": "IPV6", "addresses": []any{"::/1", "8000::/1", "2001:db8::/32"},
				"tags": map[string]any{"langfuse.fn.crossplane.io/component": "waf-ipv6-allowlist"},
			},
		},
		"IPSetEverything": {
			group: "wafv2", kind: "IPSet",
			forProvider: map[string]any{"name": "all", "addresses": []any{"0.0.0.0/0"}},
			want:        []string{"addresses[0]", "CreateIPSet.Addresses", `ends with "/0"`, "except for /0"},
		},
		"IPSetAddressNotCIDR": {
			group: "wafv2", kind: "IPSet",
			forProvider: map[string]any{"name": "one", "addresses": []any{"192.0.2.44"}},
			want:        []string{"addresses[0]", "not an address block in CIDR notation"},
		},
		// The rate limit is under the pinned model's 100, which AWS has
		// since lowered to 10; SearchString is a blob that Terraform
		// base64-encodes itself, so the document holds plain text.
		"WebACLRules": {
			group: "wafv2", kind: "WebACL",
			forProvider: map[string]any{
				"name": "langfuse", "scope": "REGIONAL", "defaultAction": map[string]any{"block": map[string]any{}},
				"visibilityConfig": map[string]any{"metricName": "langfuse", "cloudwatchMetricsEnabled": true, "sampledRequestsEnabled": true},
				"ruleJson":         webACLRules(`"Limit":10,"EvaluationWindowSec":300`, "rate-limit"),
			},
		},
		"WebACLRulesUnknownKey": {
			group: "wafv2", kind: "WebACL",
			forProvider: map[string]any{"name": "langfuse", "ruleJson": webACLRules(`"Limit":100,"EvaluationWindow":300`, "rate-limit")},
			want:        []string{"ruleJson#[0].Statement.RateBasedStatement.EvaluationWindow", `RateBasedStatement has no member "EvaluationWindow"`},
		},
		"WebACLRulesWindow": {
			group: "wafv2", kind: "WebACL",
			forProvider: map[string]any{"name": "langfuse", "ruleJson": webACLRules(`"Limit":100,"EvaluationWindowSec":900`, "rate-limit")},
			want:        []string{"EvaluationWindowSec", "not one of 60, 120, 300, 600"},
		},
		"WebACLRulesLimit": {
			group: "wafv2", kind: "WebACL",
			forProvider: map[string]any{"name": "langfuse", "ruleJson": webACLRules(`"Limit":2000000001,"EvaluationWindowSec":300`, "rate-limit")},
			want:        []string{"RateBasedStatement.Limit", "more than 2000000000"},
		},
		"WebACLRuleMetricReserved": {
			group: "wafv2", kind: "WebACL",
			forProvider: map[string]any{"name": "langfuse", "ruleJson": webACLRules(`"Limit":100`, "Default_Action")},
			want:        []string{"ruleJson#[0].VisibilityConfig.MetricName", `is "Default_Action"`},
		},
		"WebACLMetricName": {
			group: "wafv2", kind: "WebACL",
			forProvider: map[string]any{"name": "langfuse", "visibilityConfig": map[string]any{"metricName": "langfuse metrics"}},
			want:        []string{"visibilityConfig.metricName", "does not match pattern"},
		},
		"Distribution": {
			group: "cloudfront", kind: "Distribution",
			forProvider: distribution(nil),
		},
		"DistributionCertificateRegion": {
			group: "cloudfront", kind: "Distribution",
			forProvider: distribution(map[string]any{"viewerCertificate": map[string]any{
				"acmCertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/165c65bb", "sslSupportMethod": "sni-only",
			}}),
			want: []string{"viewerCertificate.acmCertificateArn", `in region "eu-west-1", not us-east-1`},
		},
		"DistributionCachedMethods": {
			group: "cloudfront", kind: "Distribution",
			forProvider: distribution(map[string]any{"orderedCacheBehavior": []any{map[string]any{
				"pathPattern": "/x/*", "allowedMethods": []any{"GET", "HEAD", "POST"}, "cachedMethods": []any{"GET", "HEAD", "POST"},
			}}}),
			want: []string{"orderedCacheBehavior[0].cachedMethods[2]", "not one of GET, HEAD, OPTIONS"},
		},
		"DistributionComment": {
			group: "cloudfront", kind: "Distribution",
			forProvider: distribution(map[string]any{"comment": "Langfuse " + strings.Repeat("a", 120) + ".example.com"}),
			want:        []string{"comment", "not at most 128"},
		},
		"DistributionHTTPVersion": {
			group: "cloudfront", kind: "Distribution",
			forProvider: distribution(map[string]any{"httpVersion": "http3only"}),
			want:        []string{"httpVersion", "not one of http1.1, http2, http3, http2and3"},
		},
		"AccessPointPath": {
			group: "efs", kind: "AccessPoint",
			forProvider: map[string]any{"rootDirectory": map[string]any{"path": "/.clickhouse"}},
			want:        []string{"RootDirectory.Path", "does not match pattern"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			refused, advised := violations(t, c, tc.group, tc.kind, tc.externalName, tc.forProvider)
			got := refused
			if tc.advisory {
				got = advised
			}
			switch {
			case len(tc.want) == 0 && len(refused)+len(advised) > 0:
				t.Fatalf("want no violation, got %v", append(refused, advised...))
			case len(tc.want) == 0:
				return
			case len(got) == 0:
				t.Fatalf("want a violation with %q, got none (refused %v, advised %v)", tc.want, refused, advised)
			}
			// The two descriptions of a rule whose peer is a security group
			// and one that is an IAM name both break more than one rule; one
			// of the violations must say everything wanted.
			for _, v := range got {
				msg := v.Error()
				ok := true
				for _, w := range tc.want {
					ok = ok && strings.Contains(msg, w)
				}
				if ok {
					return
				}
			}
			t.Errorf("no violation says all of %q:\n%v", tc.want, got)
		})
	}
}

// webACLRules is a web ACL's rule_json: a rate limit (statement holds its
// Limit and EvaluationWindowSec) that leaves the public API out, with the
// metric name given.
func webACLRules(statement, metric string) string {
	return `[{"Action":{"Block":{}},"Name":"rate-limit","Priority":0,"Statement":{"RateBasedStatement":{"AggregateKeyType":"IP",` + statement + `,` +
		`"ScopeDownStatement":{"NotStatement":{"Statement":{"ByteMatchStatement":{"FieldToMatch":{"UriPath":{}},"PositionalConstraint":"STARTS_WITH",` +
		`"SearchString":"/api/public/","TextTransformations":[{"Priority":0,"Type":"NONE"}]}}}}}},` +
		`"VisibilityConfig":{"CloudWatchMetricsEnabled":true,"MetricName":"` + metric + `","SampledRequestsEnabled":true}}]`
}

// distribution is a CloudFront distribution's forProvider as the function
// renders it, with some fields replaced.
func distribution(with map[string]any) map[string]any {
	behavior := func(methods ...any) map[string]any {
		return map[string]any{
			"targetOriginId": "alb", "viewerProtocolPolicy": "redirect-to-https", "allowedMethods": methods,
			"cachedMethods": []any{"GET", "HEAD"}, "compress": true,
			"cachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "originRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3",
		}
	}
	static := behavior("GET", "HEAD")
	static["pathPattern"] = "/_next/static/*"
	fp := map[string]any{
		"comment": "Langfuse langfuse.example.com", "enabled": true, "aliases": []any{"langfuse.example.com"},
		"httpVersion": "http2and3", "isIpv6Enabled": true, "priceClass": "PriceClass_All",
		"webAclId": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/langfuse/69885d80-ed35-1376-ba0d-6dc1cca0106c",
		"origin": []any{map[string]any{
			"originId": "alb", "domainName": "internal-langfuse-alb-1234567890.eu-west-1.elb.amazonaws.com",
			"vpcOriginConfig": map[string]any{"vpcOriginId": "vo_2de669f93ba3e164473668", "originReadTimeout": 60, "originKeepaliveTimeout": 5},
		}},
		"defaultCacheBehavior": behavior("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"),
		"orderedCacheBehavior": []any{static},
		"viewerCertificate": map[string]any{
			"acmCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/165c65bb-fef1-2789-4581-92954e381963",
			"sslSupportMethod":  "sni-only", "minimumProtocolVersion": "TLSv1.2_2021",
		},
		"restrictions": map[string]any{"geoRestriction": map[string]any{"restrictionType": "none"}},
		"tags":         map[string]any{"Name": "langfuse.example.com", "managed-by": "function-langfuse"},
	}
	for k, v := range with {
		fp[k] = v
	}
	return fp
}

// A stale bound of the table must still be in the model: an update that
// fixes it fails the load, so that the rule stops saying so.
func TestLoadDirFailsOnAGoneStaleBound(t *testing.T) {
	dir, err := ModelsDir()
	if err != nil {
		t.Fatal(err)
	}
	_, err = LoadDir(dir, []Rule{rule("wafv2/WebACL ruleJson#", "wafv2 CreateWebACL Rules", deep(), stale("EvaluationWindowSec", "min", "x"))})
	if err == nil || !strings.Contains(err.Error(), "EvaluationWindowSec has no min") {
		t.Fatalf("want a gone stale bound error, got %v", err)
	}
	_, err = LoadDir(dir, []Rule{rule("wafv2/WebACL name", "wafv2 CreateWebACL Name", stale("RateLimit", "min", "x"))})
	if err == nil || !strings.Contains(err.Error(), "does not reach") {
		t.Fatalf("want an unreached stale bound error, got %v", err)
	}
}

// A docs sentence that the table depends on and that a new model no longer
// has must fail the load, naming the sentence.
func TestLoadDirFailsWhenASentenceIsGone(t *testing.T) {
	dir, err := ModelsDir()
	if err != nil {
		t.Fatal(err)
	}
	const sentence = "Cannot start with <code>sg-</code>."
	tmp := t.TempDir()
	src, err := filepath.Glob(filepath.Join(dir, "ec2", "*"))
	if err != nil || len(src) != 1 {
		t.Fatalf("cannot find the ec2 model: %v", err)
	}
	dst := filepath.Join(tmp, "ec2", filepath.Base(src[0]))
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"api-2.json", "docs-2.json"} {
		data, err := os.ReadFile(filepath.Join(src[0], name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "docs-2.json" {
			if !strings.Contains(string(data), sentence) {
				t.Fatalf("the pinned docs have no %q", sentence)
			}
			data = []byte(strings.ReplaceAll(string(data), sentence, ""))
		}
		if err := os.WriteFile(filepath.Join(dst, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var ec2 []Rule
	for _, r := range table() {
		if r.Service == "ec2" {
			ec2 = append(ec2, r)
		}
	}
	_, err = LoadDir(tmp, ec2)
	if err == nil {
		t.Fatal("LoadDir succeeded without the GroupName sentence")
	}
	if !strings.Contains(err.Error(), "Cannot start with") || !strings.Contains(err.Error(), "CreateSecurityGroupRequest$GroupName") {
		t.Fatalf("the error does not name the sentence and where it was: %v", err)
	}
	t.Logf("as wanted: %.300s", err)
}

func TestLoadDirFailsOnAMissingMember(t *testing.T) {
	dir, err := ModelsDir()
	if err != nil {
		t.Fatal(err)
	}
	_, err = LoadDir(dir, []Rule{rule("ec2/SecurityGroup description", "ec2 CreateSecurityGroup GroupDescription")})
	if err == nil || !strings.Contains(err.Error(), "has no member GroupDescription") {
		t.Fatalf("want a missing member error, got %v", err)
	}
}

func TestDownloadUnavailable(t *testing.T) {
	t.Setenv("GOPROXY", "off")
	_, err := download("example.com/no-such-module@v0.0.1")
	if err == nil || !strings.Contains(err.Error(), "example.com/no-such-module@v0.0.1") {
		t.Fatalf("want an error naming the module, got %v", err)
	}
}

func TestJavaRegex(t *testing.T) {
	cases := []struct {
		pattern string
		yes, no []string
	}{
		// IAM: anchored by the service, so a space anywhere fails.
		{`[\w+=,.@-]+`, []string{"team-ml_langfuse.app@x"}, []string{"a b", ""}},
		// ACM: labels do not begin with a hyphen (lookahead).
		{`^(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])$`,
			[]string{"auth.langfuse.example.com", "*.example.com"}, []string{"-a.example.com", "example", "a.-b.com"}},
		// Cloud Map: a length lookahead inside an alternative.
		{`((?=^.{1,127}$)^([a-zA-Z0-9_][a-zA-Z0-9-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9])(\.([a-zA-Z0-9_][a-zA-Z0-9-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9]))*$)|(^\.$)`,
			[]string{"clickhouse", ".", "_svc._tcp"}, []string{"-x", strings.Repeat("a.", 64) + "a"}},
		// EFS: a repeated lookahead, no segment beginning with a dot.
		{`^(\/|(\/(?!\.)+[^$#<>;` + "`" + `|&?{}^*/\n]+){1,4})$`,
			[]string{"/", "/clickhouse", "/a/b/c/d"}, []string{"/.x", "/a/b/c/d/e", "clickhouse"}},
		// Application Auto Scaling: a UTF-16 surrogate pair range.
		{`[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*`,
			[]string{"service/c/s", "emoji \U0001F600"}, []string{"bell \a"}},
		{`\p{Print}+`, []string{"web-cpu"}, []string{"tab\t"}},
		{`^(HTTPS?|#\{protocol\})$`, []string{"HTTPS", "#{protocol}"}, []string{"https"}},
		{`[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`, []string{"Task role: web"}, []string{"Task role \u2013 web"}},
	}
	for _, tc := range cases {
		re, err := compileJava(tc.pattern)
		if err != nil {
			t.Fatalf("compile %s: %v", tc.pattern, err)
		}
		for _, s := range tc.yes {
			if ok, err := re.matches(s); !ok || err != nil {
				t.Errorf("%s does not match %q (%v)", tc.pattern, s, err)
			}
		}
		for _, s := range tc.no {
			if ok, err := re.matches(s); ok || err != nil {
				t.Errorf("%s matches %q (%v)", tc.pattern, s, err)
			}
		}
	}
	for _, bad := range []string{`(?<=a)b`, `a*+`, `[a&&b]`, `\k<x>`, `a{2`} {
		if _, err := compileJava(bad); err == nil {
			t.Errorf("compile %s: want an error", bad)
		}
	}
}

func TestParseCharset(t *testing.T) {
	allowed, err := parseCharset("a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range "aZ9 ._-:/()#,@[]+=&;{}!$*" {
		if !allowed(r) {
			t.Errorf("%q not allowed", r)
		}
	}
	for _, r := range "'\"?%é" {
		if allowed(r) {
			t.Errorf("%q allowed", r)
		}
	}
	if _, err := parseCharset("letters and emoji"); err == nil {
		t.Error("an unknown word must fail")
	}
}

// The example stack's MRs (every stage of every example) meet every rule AWS enforces, and each of
// their kinds is covered by a rule, except the kinds whose fields AWS's
// models put no constraint on.
func TestExampleStack(t *testing.T) {
	c := load(t)
	var files []string
	for _, dir := range []string{"observed", filepath.Join("namespaced", "observed"), filepath.Join("own-vpc", "observed"), filepath.Join("nat-instance", "observed"), filepath.Join("vpc-endpoints", "observed")} {
		found, err := filepath.Glob(filepath.Join("..", "..", "example", dir, "*", "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, found...)
	}
	if len(files) == 0 {
		t.Skip("no example MRs")
	}
	covered := map[string]bool{}
	for _, r := range c.Rules() {
		covered[r.Group+"/"+r.Kind] = true
	}
	// Kinds whose forProvider fields have no constraint in the models.
	unconstrained := map[string]bool{
		"s3/Bucket":       true, // CreateBucket's Bucket: no constraint; its text points at the S3 user guide
		"s3/BucketPolicy": true, // PutBucketPolicy's Policy: a plain string
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var u struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
			Spec struct {
				ForProvider map[string]any `json:"forProvider"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal(data, &u); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !strings.Contains(u.APIVersion, ".upbound.io/") {
			continue
		}
		group, _, _ := strings.Cut(u.APIVersion, ".")
		gk := group + "/" + u.Kind
		name, _ := filepath.Rel(filepath.Join("..", ".."), f)
		if !covered[gk] && !unconstrained[gk] {
			t.Errorf("%s: no rule covers %s", name, gk)
		}
		refused, advised := violations(t, c, group, u.Kind, u.Metadata.Annotations["crossplane.io/external-name"], u.Spec.ForProvider)
		for _, v := range refused {
			t.Errorf("%s: %v", name, v)
		}
		if strings.Contains(f, "5-all-ready") && !strings.Contains(f, "namespaced") {
			for _, v := range advised {
				t.Logf("%s: %v", name, v)
			}
		}
	}
}
