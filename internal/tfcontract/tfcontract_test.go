package tfcontract

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// composed are the (group, kind) pairs the function composes.
var composed = []struct{ group, kind string }{
	{"acm", "Certificate"},
	{"acm", "CertificateValidation"},
	{"route53", "Record"},
	{"ec2", "SecurityGroup"},
	{"ec2", "SecurityGroupIngressRule"},
	{"ec2", "SecurityGroupEgressRule"},
	{"ec2", "VPC"},
	{"ec2", "Subnet"},
	{"ec2", "InternetGateway"},
	{"ec2", "RouteTable"},
	{"ec2", "Route"},
	{"ec2", "RouteTableAssociation"},
	{"ec2", "EIP"},
	{"ec2", "NATGateway"},
	{"ec2", "VPCEndpoint"},
	{"ec2", "VPCEndpointRouteTableAssociation"},
	{"ec2", "VPCEndpointSubnetAssociation"},
	{"ec2", "VPCEndpointSecurityGroupAssociation"},
	{"ec2", "Instance"},
	{"elbv2", "LB"},
	{"elbv2", "LBListener"},
	{"elbv2", "LBTargetGroup"},
	{"cognitoidp", "UserPool"},
	{"cognitoidp", "UserPoolClient"},
	{"cognitoidp", "UserPoolDomain"},
	{"cloudcontrol", "Resource"},
	{"cloudfront", "Distribution"},
	{"wafv2", "IPSet"},
	{"wafv2", "WebACL"},
	{"wafv2", "WebACLAssociation"},
	{"secretsmanager", "Secret"},
	{"secretsmanager", "SecretVersion"},
	{"s3", "Bucket"},
	{"s3", "BucketPublicAccessBlock"},
	{"s3", "BucketOwnershipControls"},
	{"s3", "BucketServerSideEncryptionConfiguration"},
	{"s3", "BucketPolicy"},
	{"s3", "BucketLifecycleConfiguration"},
	{"efs", "FileSystem"},
	{"efs", "MountTarget"},
	{"efs", "AccessPoint"},
	{"efs", "FileSystemPolicy"},
	{"rds", "SubnetGroup"},
	{"rds", "ClusterParameterGroup"},
	{"rds", "Cluster"},
	{"rds", "ClusterInstance"},
	{"elasticache", "SubnetGroup"},
	{"elasticache", "ParameterGroup"},
	{"elasticache", "ReplicationGroup"},
	{"ecs", "Cluster"},
	{"cloudwatchlogs", "Group"},
	{"servicediscovery", "PrivateDNSNamespace"},
	{"servicediscovery", "Service"},
	{"iam", "Role"},
	{"iam", "RolePolicy"},
	{"ecs", "TaskDefinition"},
	{"ecs", "Service"},
	{"ecs", "ClusterCapacityProviders"},
	{"appautoscaling", "Target"},
	{"appautoscaling", "Policy"},
}

func load(t *testing.T) *Contract {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func TestSources(t *testing.T) {
	src := load(t).Sources()
	if src.Provider.String() != ProviderModule {
		t.Errorf("provider is %s, want %s", src.Provider, ProviderModule)
	}
	// provider-aws builds with Upbound's fork of the Terraform provider; the
	// upstream module at the placeholder version it requires does not exist.
	if src.Terraform.Path != "github.com/upbound/terraform-provider-aws" {
		t.Errorf("terraform provider is %s, want Upbound's fork", src.Terraform)
	}
	if !strings.HasPrefix(src.Upjet.Path, "github.com/crossplane/upjet") {
		t.Errorf("upjet is %s", src.Upjet)
	}
	// The upjet behaviour this package exists for: an update whose plan
	// requires replacement is refused, not applied.
	for file, want := range map[string]string{
		"pkg/controller/external_tfpluginsdk.go": "refuse to update the external resource because the following update requires replacing it",
		"pkg/controller/external_tfpluginfw.go":  "diff contains fields that require resource replacement",
	} {
		data, err := os.ReadFile(filepath.Join(src.Upjet.Dir, filepath.FromSlash(file)))
		if err != nil {
			t.Fatal(err)
		}
		// The message opens a string literal (it may go on with ": %s").
		if !strings.Contains(string(data), `"`+want) {
			t.Errorf("%s@%s/%s no longer says %q", src.Upjet.Path, src.Upjet.Version, file, want)
		}
	}
}

func TestTerraformType(t *testing.T) {
	c := load(t)
	want := map[string]string{
		"ecs/TaskDefinition":                         "aws_ecs_task_definition",
		"ec2/SecurityGroupIngressRule":               "aws_vpc_security_group_ingress_rule",
		"elbv2/LB":                                   "aws_lb",
		"rds/SubnetGroup":                            "aws_db_subnet_group",
		"cloudcontrol/Resource":                      "aws_cloudcontrolapi_resource",
		"cloudwatchlogs/Group":                       "aws_cloudwatch_log_group",
		"servicediscovery/PrivateDNSNamespace":       "aws_service_discovery_private_dns_namespace",
		"s3/BucketServerSideEncryptionConfiguration": "aws_s3_bucket_server_side_encryption_configuration",
		"cloudfront/Distribution":                    "aws_cloudfront_distribution",
		"wafv2/IPSet":                                "aws_wafv2_ip_set",
		"wafv2/WebACL":                               "aws_wafv2_web_acl",
		"wafv2/WebACLAssociation":                    "aws_wafv2_web_acl_association",
	}
	for _, k := range composed {
		t.Run(k.group+"/"+k.kind, func(t *testing.T) {
			got, err := c.TerraformType(k.group, k.kind)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(got, "aws_") {
				t.Errorf("TerraformType = %q, not an aws_ type", got)
			}
			if w, ok := want[k.group+"/"+k.kind]; ok && got != w {
				t.Errorf("TerraformType = %q, want %q", got, w)
			}
		})
	}
	// A full group name works too.
	if got, err := c.TerraformType("ecs.aws.m.upbound.io", "Service"); err != nil || got != "aws_ecs_service" {
		t.Errorf("TerraformType(ecs.aws.m.upbound.io, Service) = %q, %v", got, err)
	}
	for _, bad := range [][2]string{{"ecs", "NoSuchKind"}, {"nosuchgroup", "Cluster"}} {
		if got, err := c.TerraformType(bad[0], bad[1]); err == nil {
			t.Errorf("TerraformType(%s, %s) = %q, want an error", bad[0], bad[1], got)
		}
	}
}

// TestReplaceOnlyComposed reads every composed resource. Run with -v to see
// what is replace-only and why.
func TestReplaceOnlyComposed(t *testing.T) {
	c := load(t)
	for _, k := range composed {
		t.Run(k.group+"/"+k.kind, func(t *testing.T) {
			tfType, err := c.TerraformType(k.group, k.kind)
			if err != nil {
				t.Fatal(err)
			}
			r, err := c.Resource(tfType)
			if err != nil {
				t.Fatal(err)
			}
			paths, err := c.ReplaceOnly(tfType)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.IsSorted(paths) {
				t.Errorf("ReplaceOnly(%s) is not sorted: %v", tfType, paths)
			}
			// Every composed resource has at least one: an identifier, a
			// parent or the region.
			if len(paths) == 0 {
				t.Errorf("ReplaceOnly(%s) is empty", tfType)
			}
			for _, p := range paths {
				if p == "tags" || p == "tags_all" || strings.HasSuffix(p, ".tags") {
					t.Errorf("ReplaceOnly(%s) has %s; tags update in place", tfType, p)
				}
			}
			t.Logf("%s (%s)", tfType, r.Definition)
			for _, a := range r.Replace {
				t.Logf("  %-50s conditional=%-5v %s", a.Path, a.Conditional, a.Origin)
			}
			for _, d := range r.Dynamic {
				t.Logf("  dynamic: %s", d)
			}
			for _, o := range r.Opaque {
				t.Logf("  opaque: %s", o)
			}
		})
	}
}

func TestReplaceOnlyFacts(t *testing.T) {
	c := load(t)
	cases := []struct {
		tfType, path string
		want         bool
	}{
		{"aws_ecs_task_definition", "container_definitions", true},
		{"aws_ecs_task_definition", "cpu", true},
		{"aws_ecs_task_definition", "memory", true},
		{"aws_ecs_task_definition", "family", true},
		{"aws_ecs_task_definition", "volume.efs_volume_configuration.file_system_id", true},
		{"aws_ecs_task_definition", "tags", false},
		{"aws_security_group", "description", true},
		{"aws_security_group", "name", true},
		{"aws_security_group", "ingress", false},
		{"aws_ecs_service", "task_definition", false},
		{"aws_ecs_service", "desired_count", false},
		{"aws_ecs_service", "cluster", true},
		{"aws_elasticache_replication_group", "node_type", false},
		// Framework resources: RequiresReplace plan modifiers.
		{"aws_vpc_security_group_ingress_rule", "security_group_id", true},
		{"aws_vpc_security_group_ingress_rule", "cidr_ipv4", false},
		{"aws_vpc_security_group_ingress_rule", "from_port", false},
		{"aws_vpc_security_group_egress_rule", "security_group_id", true},
		{"aws_cognito_user_pool_client", "user_pool_id", true},
		{"aws_cognito_user_pool_client", "callback_urls", false},
		// Injected by the provider for regional resources, not for global
		// ones.
		{"aws_ecs_service", "region", true},
		{"aws_iam_role", "region", false},
		// Overridden by provider-aws's config (already ForceNew upstream).
		{"aws_lb_target_group", "name", true},
		// CloudFront is global: no region; a distribution's staging flag
		// alone is replace-only, its origins, behaviours and web ACL are not.
		{"aws_cloudfront_distribution", "staging", true},
		{"aws_cloudfront_distribution", "region", false},
		{"aws_cloudfront_distribution", "origin", false},
		{"aws_cloudfront_distribution", "origin.vpc_origin_config.vpc_origin_id", false},
		{"aws_cloudfront_distribution", "web_acl_id", false},
		{"aws_cloudfront_distribution", "aliases", false},
		{"aws_wafv2_ip_set", "name", true},
		{"aws_wafv2_ip_set", "name_prefix", true},
		{"aws_wafv2_ip_set", "scope", true},
		{"aws_wafv2_ip_set", "ip_address_version", true},
		{"aws_wafv2_ip_set", "region", true},
		{"aws_wafv2_ip_set", "addresses", false},
		{"aws_wafv2_ip_set", "description", false},
		{"aws_wafv2_web_acl", "name", true},
		{"aws_wafv2_web_acl", "name_prefix", true},
		{"aws_wafv2_web_acl", "scope", true},
		{"aws_wafv2_web_acl", "rule_json", false},
		{"aws_wafv2_web_acl", "description", false},
		{"aws_wafv2_web_acl", "default_action", false},
		{"aws_wafv2_web_acl_association", "web_acl_arn", true},
		{"aws_wafv2_web_acl_association", "resource_arn", true},
		// The NAT instance: its tags blocks are read through a copy of
		// tftags.TagsSchema().
		{"aws_instance", "ami", true},
		{"aws_instance", "subnet_id", true},
		{"aws_instance", "root_block_device.tags", false},
	}
	for _, tc := range cases {
		t.Run(tc.tfType+"."+tc.path, func(t *testing.T) {
			paths, err := c.ReplaceOnly(tc.tfType)
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Contains(paths, tc.path); got != tc.want {
				t.Errorf("%s replace-only: %v, want %v (all: %v)", tc.path, got, tc.want, paths)
			}
		})
	}
}

func TestReplaceOnlyConditional(t *testing.T) {
	c := load(t)
	cases := []struct {
		tfType, path string
		conditional  bool
	}{
		{"aws_ecs_task_definition", "container_definitions", false},
		// Forced new unless force_new_deployment is set (CustomizeDiff).
		{"aws_ecs_service", "capacity_provider_strategy", true},
		// Forced new on a downgrade only.
		{"aws_elasticache_replication_group", "engine_version", true},
		// Forced new when a create-only property of the type changes.
		{"aws_cloudcontrolapi_resource", "desired_state", true},
	}
	for _, tc := range cases {
		t.Run(tc.tfType+"."+tc.path, func(t *testing.T) {
			r, err := c.Resource(tc.tfType)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(r.Replace, func(a Attribute) bool { return a.Path == tc.path })
			if i < 0 {
				t.Fatalf("%s is not replace-only", tc.path)
			}
			if got := r.Replace[i].Conditional; got != tc.conditional {
				t.Errorf("Conditional = %v, want %v (%s)", got, tc.conditional, r.Replace[i].Origin)
			}
		})
	}
	// The rule resources decide at plan time to replace when the kind of
	// source (cidr_ipv4, prefix_list_id, ...) changes; that is reported.
	r, err := c.Resource("aws_vpc_security_group_ingress_rule")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Dynamic) == 0 {
		t.Error("aws_vpc_security_group_ingress_rule: want its ModifyPlan replacement reported as dynamic")
	}
}

// The web ACL's nested rule statements are built at run time (WAFv2's
// statementSchemaCache fills an array of levels in a sync.Once loop), which
// has no literal to read; they are read as opaque, since nothing that code
// reaches names a replacement.
func TestReplaceOnlyOpaque(t *testing.T) {
	r, err := load(t).Resource("aws_wafv2_web_acl")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(r.Opaque, func(o string) bool {
		return strings.HasPrefix(o, "rule.statement.and_statement: statementSchema(...) at internal/service/wafv2/")
	}) {
		t.Errorf("aws_wafv2_web_acl: want rule.statement.and_statement read as opaque, got %q", r.Opaque)
	}
}

// A schema built at run time is read as opaque only when nothing its code
// reaches (functions, variables, the methods of a package variable) names
// ForceNew: one that does is still an error.
func TestNamesReplacement(t *testing.T) {
	for _, tc := range []struct {
		leaf   string
		opaque bool
	}{
		{leaf: "&schema.Schema{Type: schema.TypeString, Optional: true}", opaque: true},
		{leaf: "&schema.Schema{Type: schema.TypeString, ForceNew: true}"},
	} {
		dir := t.TempDir()
		src := `package p

import (
	"sync"

	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
)

type schemaCache struct{ values [2]schema.Schema }

func (c *schemaCache) get(level int) *schema.Schema {
	c.values[0] = schema.Schema{Elem: &schema.Resource{Schema: map[string]*schema.Schema{"leaf": leaf()}}}
	return &c.values[level-1]
}

var cache schemaCache

var leaf = sync.OnceValue(func() *schema.Schema { return ` + tc.leaf + ` })

func attr() *schema.Schema { return cache.get(1) }
`
		n, err := schemaReturnedBy(t, dir, src, "attr")
		switch {
		case tc.opaque && (err != nil || n.opaque == ""):
			t.Errorf("%s: want an opaque node, got %+v, %v", tc.leaf, n, err)
		case !tc.opaque && err == nil:
			t.Errorf("%s: want an error (ForceNew is reachable), got %+v", tc.leaf, n)
		}
	}
}

// A schema copied from what a helper returns (v := *tftags.TagsSchema();
// return &v) is that helper's literal, unless ForceNew is set on the copy,
// which is not read and so refused.
func TestLiteralThroughCopy(t *testing.T) {
	dir := t.TempDir()
	src := `package p

import (
	"sync"

	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
)

var leaf = sync.OnceValue(func() *schema.Schema { return &schema.Schema{Type: schema.TypeMap, Optional: true} })

func conflicting() *schema.Schema {
	v := *leaf()
	v.ConflictsWith = []string{"volume_tags"}
	return &v
}

func replacing() *schema.Schema {
	v := *leaf()
	v.ForceNew = true
	return &v
}
`
	read := func(name string) (*attrNode, error) { return schemaReturnedBy(t, dir, src, name) }
	if n, err := read("conflicting"); err != nil || n.opaque != "" || n.replace != nil {
		t.Errorf("conflicting: want the leaf's literal, got %+v, %v", n, err)
	}
	if n, err := read("replacing"); err == nil || !strings.Contains(err.Error(), "replacement set on it") {
		t.Errorf("replacing: want an error (ForceNew set on the copy), got %+v, %v", n, err)
	}
}

// schemaReturnedBy writes src as package p in dir, and reads the schema
// its function name returns.
func schemaReturnedBy(t *testing.T, dir, src, name string) (*attrNode, error) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	ev := &evaluator{l: newLoader("example.com/p", dir)}
	p, err := ev.l.load(dir)
	if err != nil {
		t.Fatal(err)
	}
	fd := p.funcs[name]
	sc := &scope{file: fd.file}
	ret, rsc, err := ev.returned(funcTarget{typ: fd.decl.Type, body: fd.decl.Body, sc: sc, name: name}, nil, sc)
	if err != nil {
		t.Fatal(err)
	}
	return ev.sdkSchema(ret, rsc, nil)
}

func TestReplaceOnlyErrors(t *testing.T) {
	c := load(t)
	for _, tfType := range []string{
		"aws_no_such_resource",
		// Registered, but as a data source only.
		"aws_ecs_clusters",
	} {
		if got, err := c.ReplaceOnly(tfType); err == nil {
			t.Errorf("ReplaceOnly(%s) = %v, want an error", tfType, got)
		}
	}
	if _, err := c.ChangedReplaceOnly("ecs", "NoSuchKind", nil, nil); err == nil {
		t.Error("ChangedReplaceOnly of an unknown kind: want an error")
	}
}

func TestChangedReplaceOnly(t *testing.T) {
	c := load(t)
	td := func(mutate func(m map[string]any)) map[string]any {
		m := map[string]any{
			"region":                  "eu-west-1",
			"family":                  "web",
			"cpu":                     "256",
			"memory":                  "512",
			"networkMode":             "awsvpc",
			"containerDefinitions":    `[{"name":"web","image":"langfuse/langfuse:3"}]`,
			"requiresCompatibilities": []any{"FARGATE", "EC2"},
			"executionRoleArnRef":     map[string]any{"name": "exec"},
			"tags":                    map[string]any{"app": "langfuse"},
			"volume": []any{
				map[string]any{
					"name": "data",
					"efsVolumeConfiguration": map[string]any{
						"fileSystemId":      "fs-1",
						"transitEncryption": "ENABLED",
					},
				},
			},
		}
		if mutate != nil {
			mutate(m)
		}
		return m
	}
	efs := func(m map[string]any) map[string]any {
		return m["volume"].([]any)[0].(map[string]any)["efsVolumeConfiguration"].(map[string]any)
	}
	sg := func(mutate func(m map[string]any)) map[string]any {
		m := map[string]any{
			"region":        "eu-west-1",
			"name":          "langfuse-web",
			"description":   "Langfuse web",
			"vpcId":         "vpc-1",
			"vpcIdSelector": map[string]any{"matchLabels": map[string]any{"a": "b"}},
		}
		if mutate != nil {
			mutate(m)
		}
		return m
	}
	cases := []struct {
		name          string
		group, kind   string
		before, after map[string]any
		want          []string
	}{
		{
			name: "Unchanged", group: "ecs", kind: "TaskDefinition",
			before: td(nil), after: td(nil),
		},
		{
			name: "ContainerDefinitions", group: "ecs", kind: "TaskDefinition",
			before: td(nil),
			after: td(func(m map[string]any) {
				m["containerDefinitions"] = `[{"name":"web","image":"langfuse/langfuse:3.1"}]`
			}),
			want: []string{"containerDefinitions"},
		},
		{
			name: "TagsOnly", group: "ecs", kind: "TaskDefinition",
			before: td(nil),
			after:  td(func(m map[string]any) { m["tags"] = map[string]any{"app": "langfuse", "team": "x"} }),
		},
		{
			name: "CPUAdded", group: "ecs", kind: "TaskDefinition",
			before: td(func(m map[string]any) { delete(m, "cpu") }),
			after:  td(nil),
			want:   []string{"cpu"},
		},
		{
			name: "CPUEmptied", group: "ecs", kind: "TaskDefinition",
			before: td(nil),
			after:  td(func(m map[string]any) { m["cpu"] = "" }),
			want:   []string{"cpu"},
		},
		{
			name: "NestedEFSFileSystem", group: "ecs", kind: "TaskDefinition",
			before: td(nil),
			after:  td(func(m map[string]any) { efs(m)["fileSystemId"] = "fs-2" }),
			// volume and volume.efs_volume_configuration are ForceNew
			// themselves too.
			want: []string{"volume", "volume.efsVolumeConfiguration", "volume.efsVolumeConfiguration.fileSystemId"},
		},
		{
			name: "NestedAsListOfObjects", group: "ecs", kind: "TaskDefinition",
			before: td(func(m map[string]any) {
				m["volume"] = []any{map[string]any{"name": "data", "efsVolumeConfiguration": []any{map[string]any{"fileSystemId": "fs-1"}}}}
			}),
			after: td(func(m map[string]any) {
				m["volume"] = []any{map[string]any{"name": "data", "efsVolumeConfiguration": []any{map[string]any{"fileSystemId": "fs-1", "rootDirectory": "/x"}}}}
			}),
			want: []string{"volume", "volume.efsVolumeConfiguration", "volume.efsVolumeConfiguration.rootDirectory"},
		},
		{
			name: "SetOrderIgnored", group: "ecs", kind: "TaskDefinition",
			before: td(nil),
			after:  td(func(m map[string]any) { m["requiresCompatibilities"] = []any{"EC2", "FARGATE"} }),
		},
		{
			name: "ReferenceOnlyIgnored", group: "ecs", kind: "TaskDefinition",
			before: td(nil),
			after:  td(func(m map[string]any) { m["executionRoleArnRef"] = map[string]any{"name": "other"} }),
		},
		{
			name: "EmptyListIsMissing", group: "ecs", kind: "TaskDefinition",
			before: td(func(m map[string]any) { m["placementConstraints"] = []any{} }),
			after:  td(nil),
		},
		{
			name: "Region", group: "ecs", kind: "TaskDefinition",
			before: td(nil),
			after:  td(func(m map[string]any) { m["region"] = "us-east-1" }),
			want:   []string{"region"},
		},
		{
			name: "SecurityGroupDescription", group: "ec2", kind: "SecurityGroup",
			before: sg(nil),
			after:  sg(func(m map[string]any) { m["description"] = "Langfuse web tier" }),
			want:   []string{"description"},
		},
		{
			name: "SecurityGroupVPCSelectorIgnored", group: "ec2", kind: "SecurityGroup",
			before: sg(nil),
			after:  sg(func(m map[string]any) { m["vpcIdSelector"] = map[string]any{"matchLabels": map[string]any{"a": "c"}} }),
		},
		{
			name: "SecurityGroupVPC", group: "ec2", kind: "SecurityGroup",
			before: sg(nil),
			after:  sg(func(m map[string]any) { m["vpcId"] = "vpc-2" }),
			want:   []string{"vpcId"},
		},
		{
			name: "ServiceTaskDefinition", group: "ecs", kind: "Service",
			before: map[string]any{"cluster": "c", "taskDefinition": "web:1", "desiredCount": 1},
			after:  map[string]any{"cluster": "c", "taskDefinition": "web:2", "desiredCount": 2},
		},
		{
			name: "ServiceCapacityProviderStrategy", group: "ecs", kind: "Service",
			before: map[string]any{"capacityProviderStrategy": []any{map[string]any{"capacityProvider": "FARGATE", "weight": 1}}},
			after:  map[string]any{"capacityProviderStrategy": []any{map[string]any{"capacityProvider": "FARGATE_SPOT", "weight": 1}}},
			want:   []string{"capacityProviderStrategy"},
		},
		{
			name: "NumbersByValue", group: "elbv2", kind: "LBTargetGroup",
			before: map[string]any{"port": 3000, "protocol": "HTTP"},
			after:  map[string]any{"port": float64(3000), "protocol": "HTTP"},
		},
		{
			name: "TargetGroupPort", group: "elbv2", kind: "LBTargetGroup",
			before: map[string]any{"port": 3000},
			after:  map[string]any{"port": int64(3001)},
			want:   []string{"port"},
		},
		{
			name: "ReplicationGroupNodeType", group: "elasticache", kind: "ReplicationGroup",
			before: map[string]any{"nodeType": "cache.t4g.micro", "engine": "valkey"},
			after:  map[string]any{"nodeType": "cache.t4g.small", "engine": "valkey"},
		},
		{
			name: "SensitiveAsSecretRef", group: "secretsmanager", kind: "SecretVersion",
			before: map[string]any{"secretStringSecretRef": map[string]any{"name": "a", "key": "k"}},
			after:  map[string]any{"secretStringSecretRef": map[string]any{"name": "b", "key": "k"}},
			want:   []string{"secretStringSecretRef"},
		},
		{
			name: "IngressRuleSecurityGroup", group: "ec2", kind: "SecurityGroupIngressRule",
			before: map[string]any{"securityGroupId": "sg-1", "fromPort": 443, "toPort": 443, "ipProtocol": "tcp"},
			after:  map[string]any{"securityGroupId": "sg-2", "fromPort": 3000, "toPort": 3000, "ipProtocol": "tcp"},
			want:   []string{"securityGroupId"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.ChangedReplaceOnly(tc.group, tc.kind, tc.before, tc.after)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ChangedReplaceOnly(%s, %s) (-want +got):\n%s", tc.group, tc.kind, diff)
			}
		})
	}
}

func TestChanges(t *testing.T) {
	c := load(t)
	got, err := c.Changes("elbv2", "LB",
		map[string]any{"internal": false, "subnets": []any{"subnet-a", "subnet-b"}, "idleTimeout": 60},
		map[string]any{"internal": true, "subnets": []any{"subnet-b", "subnet-c"}, "idleTimeout": 120})
	if err != nil {
		t.Fatal(err)
	}
	type brief struct {
		Field, Path string
		Conditional bool
	}
	var briefs []brief
	for _, ch := range got {
		if ch.Origin == "" {
			t.Errorf("%s: no origin", ch.Field)
		}
		briefs = append(briefs, brief{ch.Field, ch.Path, ch.Conditional})
	}
	want := []brief{
		{"internal", "internal", false},
		// Replaced unless subnets are only added (CustomizeDiff).
		{"subnets", "subnets", true},
	}
	if diff := cmp.Diff(want, briefs); diff != "" {
		t.Errorf("Changes (-want +got):\n%s", diff)
	}
}

// TestCRDNamesNormalize checks the assumption ChangedReplaceOnly rests on:
// every field of the composed kinds' generated Go types whose tf tag names a
// Terraform attribute has a JSON name equal to it lower-cased with
// underscores removed.
func TestCRDNamesNormalize(t *testing.T) {
	c := load(t)
	for _, k := range composed {
		files, err := filepath.Glob(filepath.Join(c.Sources().Provider.Dir, "apis", "*", k.group, "*", "zz_"+strings.ToLower(k.kind)+"_types.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s/%s: no generated types (%v)", k.group, k.kind, err)
		}
		for _, file := range files {
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				field, ok := n.(*ast.Field)
				if !ok || field.Tag == nil {
					return true
				}
				tag, err := strconv.Unquote(field.Tag.Value)
				if err != nil {
					t.Fatal(err)
				}
				st := reflect.StructTag(tag)
				jsonName, _, _ := strings.Cut(st.Get("json"), ",")
				tfName, _, _ := strings.Cut(st.Get("tf"), ",")
				if tfName == "" || tfName == "-" || jsonName == "" {
					return true
				}
				if normalize(jsonName) != normalize(tfName) {
					t.Errorf("%s: field %s (json %q) is Terraform %q", file, field.Names[0].Name, jsonName, tfName)
				}
				return true
			})
		}
	}
}
