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
	{"elbv2", "LB"},
	{"elbv2", "LBListener"},
	{"elbv2", "LBTargetGroup"},
	{"cognitoidp", "UserPool"},
	{"cognitoidp", "UserPoolClient"},
	{"cognitoidp", "UserPoolDomain"},
	{"cloudcontrol", "Resource"},
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
