package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	apiextensions "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apivalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite generated files (example/namespaced/definition.yaml, example/observed) instead of comparing")

const (
	exampleXRD           = "example/definition.yaml"
	exampleNamespacedXRD = "example/namespaced/definition.yaml"
)

// badSpecs are claims a user could write wrongly. Each must be rejected by the
// XRD at kubectl apply and by the function (for crossplane render and XRDs
// without the rules), both naming the field.
// with is set plus one more path.
func with(set map[string]any, path string, v any) map[string]any {
	out := maps.Clone(set)
	out[path] = v
	return out
}

var badSpecs = map[string]struct {
	set   map[string]any
	field string
}{
	"MissingZoneID":       {set: map[string]any{"spec.domain.zoneId": nil}, field: "spec.domain.zoneId"},
	"BadZoneID":           {set: map[string]any{"spec.domain.zoneId": "z123"}, field: "spec.domain.zoneId"},
	"InvalidHostName":     {set: map[string]any{"spec.domain.hostName": "Lang_fuse"}, field: "spec.domain.hostName"},
	"HostNameTooLong":     {set: map[string]any{"spec.domain.hostName": strings.Repeat("a", 50)}, field: "spec.domain.hostName"},
	"ZoneTrailingDot":     {set: map[string]any{"spec.domain.zoneName": "example.com."}, field: "spec.domain.zoneName"},
	"MissingRegion":       {set: map[string]any{"spec.region": nil}, field: "spec.region"},
	"UnknownRegionFormat": {set: map[string]any{"spec.region": "europe-west1"}, field: "spec.region"},
	"OnePublicSubnet":     {set: map[string]any{"spec.network.publicSubnetIds": []any{"subnet-0a1b2c3d4e5f60001"}}, field: "spec.network.publicSubnetIds"},
	"OnePrivateSubnet":    {set: map[string]any{"spec.network.privateSubnetIds": []any{"subnet-0a1b2c3d4e5f60003"}}, field: "spec.network.privateSubnetIds"},
	"DuplicateSubnet":     {set: map[string]any{"spec.network.publicSubnetIds": []any{"subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60001"}}, field: "spec.network.publicSubnetIds"},
	"BadSubnetID":         {set: map[string]any{"spec.network.privateSubnetIds": []any{"subnet-1", "subnet-0a1b2c3d4e5f60004"}}, field: "spec.network.privateSubnetIds"},
	"BadVPCID":            {set: map[string]any{"spec.network.vpcId": "vpc-xyz"}, field: "spec.network.vpcId"},
	"BadCIDR":             {set: map[string]any{"spec.network.allowedCidrs": []any{"10.0.0.0/33"}}, field: "spec.network.allowedCidrs"},
	// The load balancer has IPv4 addresses only: IPv6 only through CloudFront's WAF.
	"IPv6WithoutCloudFront": {set: map[string]any{"spec.network.allowedCidrs": []any{"10.0.0.0/8", "2001:db8::/32"}}, field: "spec.network.allowedCidrs"},
	"RateLimitTooLow":       {set: map[string]any{"spec.loadBalancer.waf": map[string]any{"enabled": true, "rateLimit": int64(5)}}, field: "spec.loadBalancer.waf.rateLimit"},
	"NoNetwork":             {set: map[string]any{"spec.network.vpcId": nil, "spec.network.publicSubnetIds": nil, "spec.network.privateSubnetIds": nil}, field: "spec.network.vpcId"},
	"OwnVPCAndVPCID":        {set: with(ownVPC(map[string]any{}), "spec.network.vpcId", "vpc-0123456789abcdef0"), field: "spec.network.vpcId"},
	"OwnVPCAndSubnets":      {set: with(ownVPC(map[string]any{}), "spec.network.privateSubnetIds", []any{"subnet-0a1b2c3d4e5f60003", "subnet-0a1b2c3d4e5f60004"}), field: "spec.network.vpcId"},
	"VPCBlockTooLarge":      {set: ownVPC(map[string]any{"cidr": "10.0.0.0/8"}), field: "spec.network.vpc.cidr"},
	"VPCBlockTooSmall":      {set: ownVPC(map[string]any{"cidr": "10.0.0.0/24"}), field: "spec.network.vpc.cidr"},
	"VPCBlockIPv6":          {set: ownVPC(map[string]any{"cidr": "2001:db8::/56"}), field: "spec.network.vpc.cidr"},
	"OneZone":               {set: ownVPC(map[string]any{"availabilityZones": []any{"eu-west-1a"}}), field: "spec.network.vpc.availabilityZones"},
	"FourZones":             {set: ownVPC(map[string]any{"availabilityZones": []any{"eu-west-1a", "eu-west-1b", "eu-west-1c", "eu-west-1d"}}), field: "spec.network.vpc.availabilityZones"},
	"ZoneOfAnotherRegion":   {set: ownVPC(map[string]any{"availabilityZones": []any{"eu-west-1a", "eu-central-1b"}}), field: "spec.network.vpc.availabilityZones"},
	"ZoneTwice":             {set: ownVPC(map[string]any{"availabilityZones": []any{"eu-west-1a", "eu-west-1a"}}), field: "spec.network.vpc.availabilityZones"},
	"ZoneID":                {set: ownVPC(map[string]any{"availabilityZones": []any{"euw1-az1", "euw1-az2"}}), field: "spec.network.vpc.availabilityZones"},
	"AccessLogsForever":     {set: map[string]any{"spec.loadBalancer.accessLogs": map[string]any{"enabled": true, "expireAfterDays": int64(3651)}}, field: "spec.loadBalancer.accessLogs.expireAfterDays"},
	"ClickHouseSpot":        {set: map[string]any{"spec.clickhouse.spot": true}, field: "spec.clickhouse.spot"},
	"UnknownEgress":         {set: ownVPC(map[string]any{"egress": "natGateways"}), field: "spec.network.vpc.egress"},
	// Without a route out: Cognito's token endpoint, and Docker Hub or ECR
	// in another region, are out of reach.
	"NoInternetWithCognito":     {set: with(ownVPC(map[string]any{"egress": "vpcEndpoints"}), "spec.auth.cognito.enabled", true), field: "spec.network.vpc.egress"},
	"NoInternetFromDockerHub":   {set: with(ownVPC(map[string]any{"egress": "vpcEndpoints"}), "spec.langfuse.imageRegistry", nil), field: "spec.langfuse.imageRegistry"},
	"NoInternetOtherRegionsECR": {set: with(ownVPC(map[string]any{"egress": "vpcEndpoints"}), "spec.langfuse.imageRegistry", "123456789012.dkr.ecr.us-east-1.amazonaws.com/docker-hub"), field: "spec.langfuse.imageRegistry"},
	"NoInternetFromGHCR":        {set: with(ownVPC(map[string]any{"egress": "vpcEndpoints"}), "spec.langfuse.imageRegistry", "ghcr.io/langfuse"), field: "spec.langfuse.imageRegistry"},
	"NoZones": {set: map[string]any{"spec.network.vpcId": nil, "spec.network.publicSubnetIds": nil, "spec.network.privateSubnetIds": nil,
		"spec.network.vpc": map[string]any{"cidr": "10.0.0.0/16"}}, field: "spec.network.vpc.availabilityZones"},
	"NoCIDRs":                {set: map[string]any{"spec.network.allowedCidrs": []any{}}, field: "spec.network.allowedCidrs"},
	"DuplicateCIDR":          {set: map[string]any{"spec.network.allowedCidrs": []any{"10.0.0.0/8", "10.0.0.0/8"}}, field: "spec.network.allowedCidrs"},
	"IPv6CIDR":               {set: map[string]any{"spec.network.allowedCidrs": []any{"10.0.0.0/8", "2001:db8::/32"}}, field: "spec.network.allowedCidrs"},
	"TooManyCIDRs":           {set: map[string]any{"spec.network.allowedCidrs": manyCIDRs(maxAllowedCIDRs + 1)}, field: "spec.network.allowedCidrs"},
	"BadMFA":                 {set: map[string]any{"spec.auth.cognito.mfa": "SOMETIMES"}, field: "spec.auth.cognito.mfa"},
	"BadManagedLogin":        {set: map[string]any{"spec.auth.cognito.managedLogin": "v3"}, field: "spec.auth.cognito.managedLogin"},
	"BadDomainPrefix":        {set: map[string]any{"spec.auth.cognito.domainPrefix": "auth.login"}, field: "spec.auth.cognito.domainPrefix"},
	"LinkingWithSelfSignUp":  {set: map[string]any{"spec.auth.cognito.selfSignUp": true, "spec.auth.cognito.allowAccountLinking": true}, field: "spec.auth.cognito.allowAccountLinking"},
	"NoWayToSignIn":          {set: map[string]any{"spec.auth.cognito.enabled": false, "spec.auth.disableEmailPasswordAuth": true}, field: "spec.auth.disableEmailPasswordAuth"},
	"BadDeletionPolicy":      {set: map[string]any{"spec.deletionPolicy": "Retain"}, field: "spec.deletionPolicy"},
	"LangfuseMajor2":         {set: map[string]any{"spec.langfuse.version": "2.95.0"}, field: "spec.langfuse.version"},
	"Langfuse4OldClickHouse": {set: map[string]any{"spec.langfuse.version": "4.4.0", "spec.clickhouse.version": "25.8.16.34"}, field: "spec.clickhouse.version"},
	// The same refusal names the other field of the mix.
	"Langfuse4OldClickHouseNamesBoth": {set: map[string]any{"spec.langfuse.version": "4.4.0", "spec.clickhouse.version": "25.8.16.34"}, field: "spec.langfuse.version"},
	"NonFargateCPU":                   {set: map[string]any{"spec.langfuse.web.cpu": int64(3000)}, field: "spec.langfuse.web.cpu"},
	"NonFargateMemory":                {set: map[string]any{"spec.langfuse.worker.memory": int64(1024)}, field: "spec.langfuse.worker.memory"},
	"DatabaseMinOverMax":              {set: map[string]any{"spec.database.minCapacity": 8.0, "spec.database.maxCapacity": 4.0}, field: "spec.database.minCapacity"},
	"BadCacheNodeType":                {set: map[string]any{"spec.cache.nodeType": "t4g.small"}, field: "spec.cache.nodeType"},
	"ReplicasNotInteger":              {set: map[string]any{"spec.langfuse.web.replicas": "two"}, field: "spec.langfuse.web.replicas"},
	"MaxBelowReplicas":                {set: map[string]any{"spec.langfuse.web.replicas": int64(3), "spec.langfuse.web.maxReplicas": int64(2)}, field: "spec.langfuse.web.maxReplicas"},
	"MaxReplicasTooMany":              {set: map[string]any{"spec.langfuse.worker.maxReplicas": int64(101)}, field: "spec.langfuse.worker.maxReplicas"},
	"TwoClickHouses":                  {set: map[string]any{"spec.clickhouse.replicas": int64(2)}, field: "spec.clickhouse.replicas"},
	"ClickHouseAutoscaled":            {set: map[string]any{"spec.clickhouse.maxReplicas": int64(2)}, field: "spec.clickhouse.maxReplicas"},
	"RegistryTrailingSlash":           {set: map[string]any{"spec.langfuse.imageRegistry": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/"}, field: "spec.langfuse.imageRegistry"},
	"BadLogLevel":                     {set: map[string]any{"spec.langfuse.logLevel": "verbose"}, field: "spec.langfuse.logLevel"},
	"BadLogFormat":                    {set: map[string]any{"spec.langfuse.logFormat": "JSON"}, field: "spec.langfuse.logFormat"},
	"ProvisionedWithoutThroughput":    {set: map[string]any{"spec.clickhouse.storage": map[string]any{"throughputMode": "provisioned"}}, field: "spec.clickhouse.storage.provisionedThroughputMibps"},
	"ThroughputWithoutProvisioned":    {set: map[string]any{"spec.clickhouse.storage": map[string]any{"provisionedThroughputMibps": 64.0}}, field: "spec.clickhouse.storage.provisionedThroughputMibps"},
	"StorageOnWeb":                    {set: map[string]any{"spec.langfuse.web.storage": map[string]any{"throughputMode": "elastic"}}, field: "spec.langfuse.web.storage"},
	"BadInfrequentAccessDays":         {set: map[string]any{"spec.clickhouse.storage": map[string]any{"infrequentAccessAfterDays": int64(45)}}, field: "spec.clickhouse.storage.infrequentAccessAfterDays"},
	"RegistryWithScheme":              {set: map[string]any{"spec.langfuse.imageRegistry": "https://registry.example.com"}, field: "spec.langfuse.imageRegistry"},
	"OrganizationWithoutID":           {set: map[string]any{"spec.langfuse.defaultOrganization": map[string]any{"role": "MEMBER"}}, field: "spec.langfuse.defaultOrganization.id"},
	"BadOrganizationRole":             {set: map[string]any{"spec.langfuse.defaultOrganization": map[string]any{"id": "acme", "role": "GUEST"}}, field: "spec.langfuse.defaultOrganization.role"},
	"InitWithoutOrg":                  {set: map[string]any{"spec.langfuse.init": map[string]any{"secretName": "langfuse-init", "keys": []any{"LANGFUSE_INIT_PROJECT_ID"}}}, field: "spec.langfuse.init.keys"},
	"InitUnknownKey":                  {set: map[string]any{"spec.langfuse.init": map[string]any{"secretName": "langfuse-init", "keys": []any{"LANGFUSE_INIT_ORG_ID", "LANGFUSE_INIT_ORG_PASSWORD"}}}, field: "spec.langfuse.init.keys"},
	"InitDuplicateKey":                {set: map[string]any{"spec.langfuse.init": map[string]any{"secretName": "langfuse-init", "keys": []any{"LANGFUSE_INIT_ORG_ID", "LANGFUSE_INIT_ORG_ID"}}}, field: "spec.langfuse.init.keys"},
	"InitKeysWithoutProject":          {set: map[string]any{"spec.langfuse.init": map[string]any{"secretName": "langfuse-init", "keys": []any{"LANGFUSE_INIT_ORG_ID", "LANGFUSE_INIT_PROJECT_PUBLIC_KEY", "LANGFUSE_INIT_PROJECT_SECRET_KEY"}}}, field: "spec.langfuse.init.keys"},
	"InitUserWithoutPassword":         {set: map[string]any{"spec.langfuse.init": map[string]any{"secretName": "langfuse-init", "keys": []any{"LANGFUSE_INIT_ORG_ID", "LANGFUSE_INIT_USER_EMAIL"}}}, field: "spec.langfuse.init.keys"},
	"InitBadSecretName":               {set: map[string]any{"spec.langfuse.init": map[string]any{"secretName": "Langfuse_Init"}}, field: "spec.langfuse.init.secretName"},
	// Issue 12: what render accepted and kubectl apply refuses, or a typo
	// made permanent.
	"UnknownFieldWrongCase":  {set: map[string]any{"spec.network.privateSubnetIDs": []any{"subnet-0a1b2c3d4e5f60003"}}, field: "spec.network.privateSubnetIDs"},
	"UnknownFieldMisspelled": {set: map[string]any{"spec.langfuse.verison": "3.174.1"}, field: "spec.langfuse.verison"},
	"HostNameEndsInZone":     {set: map[string]any{"spec.domain.hostName": "langfuse.example.com"}, field: "spec.domain.hostName"},
	"HostNameIsZone":         {set: map[string]any{"spec.domain.hostName": "example.com"}, field: "spec.domain.hostName"},
	"LangfuseMovingTag":      {set: map[string]any{"spec.langfuse.version": "3.174"}, field: "spec.langfuse.version"},
	"ClickHouseMovingTag":    {set: map[string]any{"spec.clickhouse.version": "25.12"}, field: "spec.clickhouse.version"},
	"BadDigest":              {set: map[string]any{"spec.langfuse.web.digest": "sha256:abc"}, field: "spec.langfuse.web.digest"},
	"ScaleToZero":            {set: map[string]any{"spec.database.minCapacity": 0.0}, field: "spec.database.minCapacity"},
	"DatabaseMajor14":        {set: map[string]any{"spec.database.engineVersion": "14.6"}, field: "spec.database.engineVersion"},
	"DatabaseFloatingMajor":  {set: map[string]any{"spec.database.engineVersion": "16"}, field: "spec.database.engineVersion"},
	// The init user under Cognito's defaults could never sign in.
	"InitUserLockedOut": {set: map[string]any{"spec.langfuse.init": map[string]any{"secretName": "langfuse-init", "keys": []any{"LANGFUSE_INIT_ORG_ID", "LANGFUSE_INIT_USER_EMAIL", "LANGFUSE_INIT_USER_PASSWORD"}}}, field: "spec.langfuse.init.keys"},
	// Without Cognito, sign-up is closed: someone must be able to sign in.
	"NoCognitoNobodyToSignIn":      {set: map[string]any{"spec.auth.cognito.enabled": false, "spec.auth.disableEmailPasswordAuth": false}, field: "spec.langfuse.init.keys"},
	"SignUpWithCognito":            {set: map[string]any{"spec.auth.allowSignUp": true}, field: "spec.auth.allowSignUp"},
	"RegistryCredentialsBadSecret": {set: map[string]any{"spec.langfuse.registryCredentials": map[string]any{"secretName": "Docker_Hub"}}, field: "spec.langfuse.registryCredentials.secretName"},
	"BadOrganizationID":            {set: map[string]any{"spec.langfuse.defaultOrganization": map[string]any{"id": "acme corp"}}, field: "spec.langfuse.defaultOrganization.id"},
	// Issue 14: the v4 migration's combinations Langfuse's worker refuses
	// at start-up (validateV4Flags), or its upgrade guide says lose data.
	"MigrationOnLangfuse3":   {set: map[string]any{"spec.langfuse.version": "3.174.1", "spec.langfuse.migration": map[string]any{"writeMode": "legacy"}}, field: "spec.langfuse.migration"},
	"MigrationBadWriteMode":  {set: map[string]any{"spec.langfuse.migration": map[string]any{"writeMode": "dual_write"}}, field: "spec.langfuse.migration.writeMode"},
	"EventsOnlyWithoutOptIn": {set: map[string]any{"spec.langfuse.migration": map[string]any{"writeMode": "events_only", "previewOptIn": false}}, field: "spec.langfuse.migration.previewOptIn"},
	"BackfillInLegacy":       {set: map[string]any{"spec.langfuse.migration": map[string]any{"writeMode": "legacy", "historicBackfill": true}}, field: "spec.langfuse.migration.historicBackfill"},
}

// manyCIDRs lists n distinct /24 blocks.
func manyCIDRs(n int) []any {
	out := make([]any, 0, n)
	for i := range n {
		out = append(out, fmt.Sprintf("10.0.%d.0/24", i))
	}
	return out
}

// TestBadSpecIsFatalNamingTheField runs the function on each bad claim: the
// result is Fatal (Crossplane then changes and deletes nothing), it names the
// field, and no resource is emitted.
func TestBadSpecIsFatalNamingTheField(t *testing.T) {
	for name, tc := range badSpecs {
		t.Run(name, func(t *testing.T) {
			xr := withSpec(t, loadXR(t, exampleClaimXR), tc.set)
			rsp := run(t, newFakeProvider().request(xr, nil))
			msg := fatal(rsp)
			if msg == "" {
				t.Fatalf("no Fatal result for a bad %s", tc.field)
			}
			if !strings.Contains(msg, tc.field) {
				t.Errorf("the Fatal result does not name %s: %s", tc.field, msg)
			}
			if n := len(rsp.GetDesired().GetResources()); n != 0 {
				t.Errorf("a bad spec emitted %d resources", n)
			}
		})
	}
}

// TestBadSpecRejectedByXRD validates each bad claim against the XRD's schema,
// with its OpenAPI rules and CEL, as the API server does at kubectl apply.
func TestBadSpecRejectedByXRD(t *testing.T) {
	for _, path := range []string{exampleXRD, exampleNamespacedXRD} {
		v := xrdValidator(t, path)
		t.Run(path+"/Valid", func(t *testing.T) {
			xr := loadXR(t, exampleClaimXR).AsMap()
			delete(xr, "metadata")
			if errs, _ := v.validate(xr); len(errs) > 0 {
				t.Errorf("the example XR is rejected: %v", errs)
			}
		})
		for name, tc := range badSpecs {
			t.Run(path+"/"+name, func(t *testing.T) {
				xr := withSpec(t, loadXR(t, exampleClaimXR), tc.set).AsMap()
				delete(xr, "metadata")
				errs, unknown := v.validate(xr)
				// kubectl validates fields strictly: a field the schema does
				// not know is an error naming it.
				for _, u := range unknown {
					errs = append(errs, field.Forbidden(field.NewPath(u), "unknown field"))
				}
				if len(errs) == 0 {
					t.Fatalf("the XRD accepts a bad %s", tc.field)
				}
				if got := errs.ToAggregate().Error(); !strings.Contains(got, tc.field) {
					t.Errorf("the XRD's error does not name %s: %s", tc.field, got)
				}
			})
		}
	}
}

func xrdValidator(t *testing.T, path string) *schemaValidator {
	t.Helper()
	return validatorOfXRD(t, readYAMLFile(t, path))
}

// validatorOfXRD validates objects against the schema of an XRD's first version.
func validatorOfXRD(t *testing.T, xrd map[string]any) *schemaValidator {
	t.Helper()
	versions, _ := xrd["spec"].(map[string]any)["versions"].([]any)
	schema := versions[0].(map[string]any)["schema"].(map[string]any)["openAPIV3Schema"]
	b, err := yaml.Marshal(schema)
	if err != nil {
		t.Fatal(err)
	}
	props := &apiextv1.JSONSchemaProps{}
	if err := yaml.Unmarshal(b, props); err != nil {
		t.Fatalf("cannot decode the XRD's schema: %v", err)
	}
	return newSchemaValidator(t, props)
}

// readYAMLFile decodes a YAML file of the repository into a map.
func readYAMLFile(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("cannot decode %s: %v", path, err)
	}
	return m
}

// namespacedXRD derives the Crossplane v2 namespaced XRD from the claim XRD,
// so the two APIs never drift: same schema, no claims, its own group.
func namespacedXRD(t *testing.T) []byte {
	t.Helper()
	m := readYAMLFile(t, exampleXRD)
	m["apiVersion"] = "apiextensions.crossplane.io/v2"
	m["metadata"] = map[string]any{"name": "langfuses.aws.m.platform.crossplane.io"}
	spec := m["spec"].(map[string]any)
	spec["group"] = "aws.m.platform.crossplane.io"
	// Crossplane v2's convention: a namespaced XR is what users apply, so
	// it is named as the claim is, without the X of a cluster-scoped XR.
	spec["names"] = map[string]any{"kind": "Langfuse", "plural": "langfuses"}
	spec["scope"] = "Namespaced"
	spec["defaultCompositionRef"] = map[string]any{"name": "langfuse-aws-namespaced"}
	delete(spec, "claimNames")
	b, err := yaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	header := "# GENERATED by `go test -run TestNamespacedXRDInSync -update` from definition.yaml: edit that file.\n" +
		"# The Langfuse API for Crossplane v2 namespaced XRs: no claims; the XR, a Langfuse\n" +
		"# of aws.m.platform.crossplane.io, lives in a namespace and composes the namespaced\n" +
		"# .m. managed resources there.\n"
	return append([]byte(header), b...)
}

func TestNamespacedXRDInSync(t *testing.T) {
	want := namespacedXRD(t)
	if *update {
		if err := os.WriteFile(exampleNamespacedXRD, want, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(exampleNamespacedXRD)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s is not generated from %s; run go test -run TestNamespacedXRDInSync -update: -want, +got:\n%s", exampleNamespacedXRD, exampleXRD, diff)
	}
}

func TestDefaults(t *testing.T) {
	s, err := ParseSpec(minimalSpec())
	if err != nil {
		t.Fatal(err)
	}
	want := &Spec{
		Region: "eu-west-1", ProviderConfigName: "default", DeletionPolicy: "Orphan",
		Domain: Domain{HostName: "langfuse", ZoneName: "example.com", ZoneID: "Z0123456789ABCDEFGHIJ"},
		Network: Network{
			VPCID: "vpc-0123456789abcdef0", PublicSubnetIDs: []string{"subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"},
			PrivateSubnetIDs: []string{"subnet-0a1b2c3d4e5f60003", "subnet-0a1b2c3d4e5f60004"}, AllowedCIDRs: []string{"0.0.0.0/0"},
		},
		LoadBalancer: LoadBalancer{AccessLogs: AccessLogs{ExpireAfterDays: 90}, WAF: WAF{RateLimit: defaultRateLimit}},
		Auth:         Auth{DisableEmailPasswordAuth: ptr(true), Cognito: Cognito{Enabled: ptr(true), DomainPrefix: "auth", MFA: "OPTIONAL", ManagedLogin: "v2"}},
		Langfuse: Langfuse{
			Version: "4.16.0",
			Web:     Task{Replicas: ptr[int64](2), MaxReplicas: ptr[int64](4), CPU: 2048, Memory: 4096},
			Worker:  Task{Replicas: ptr[int64](1), MaxReplicas: ptr[int64](2), CPU: 2048, Memory: 4096},
		},
		ClickHouse: Task{Version: "25.12.9.61", Replicas: ptr[int64](1), CPU: 2048, Memory: 8192},
		Database:   Database{MinCapacity: ptr(0.5), MaxCapacity: 2},
		Cache:      Cache{NodeType: "cache.t4g.small"},
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("ParseSpec defaults: -want, +got:\n%s", diff)
	}
	if got := s.AuthFQDN(); got != "auth.langfuse.example.com" {
		t.Errorf("AuthFQDN: got %s", got)
	}

	// An explicit 0 is told from a missing minimum, and refused with why.
	withZero := minimalSpec()
	withZero["database"] = map[string]any{"minCapacity": 0}
	if _, err := ParseSpec(withZero); err == nil || !strings.Contains(err.Error(), "would never pause") {
		t.Errorf("database.minCapacity 0: want a refusal saying why, got %v", err)
	}
}

// minimalSpec is the smallest valid spec: only the required fields.
func minimalSpec() map[string]any {
	return map[string]any{
		"region":  "eu-west-1",
		"domain":  map[string]any{"hostName": "langfuse", "zoneName": "example.com", "zoneId": "Z0123456789ABCDEFGHIJ"},
		"network": map[string]any{"vpcId": "vpc-0123456789abcdef0", "publicSubnetIds": []any{"subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"}, "privateSubnetIds": []any{"subnet-0a1b2c3d4e5f60003", "subnet-0a1b2c3d4e5f60004"}},
	}
}

// TestXRDsMakeValidCRDs checks each XRD's schema the way the API server
// checks the CRD Crossplane renders from it: structural, its defaults valid
// against the schema and its CEL rules, the CEL rules compiling within cost.
// kubectl apply of an XRD succeeds without this, and the XRD then never
// becomes Established.
func TestXRDsMakeValidCRDs(t *testing.T) {
	for _, path := range []string{exampleXRD, exampleNamespacedXRD} {
		t.Run(path, func(t *testing.T) {
			xrd := readYAMLFile(t, path)
			spec := xrd["spec"].(map[string]any)
			names := spec["names"].(map[string]any)
			version := spec["versions"].([]any)[0].(map[string]any)
			schema := version["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any)
			crd := map[string]any{
				"apiVersion": "apiextensions.k8s.io/v1",
				"kind":       "CustomResourceDefinition",
				"metadata":   map[string]any{"name": names["plural"].(string) + "." + spec["group"].(string)},
				"spec": map[string]any{
					"group": spec["group"],
					"names": map[string]any{"kind": names["kind"], "plural": names["plural"], "listKind": names["kind"].(string) + "List", "singular": strings.ToLower(names["kind"].(string))},
					"scope": "Cluster",
					"versions": []any{map[string]any{
						"name": version["name"], "served": true, "storage": true,
						"schema":       map[string]any{"openAPIV3Schema": schema},
						"subresources": map[string]any{"status": map[string]any{}},
					}},
				},
				"status": map[string]any{"storedVersions": []any{version["name"]}},
			}
			b, err := yaml.Marshal(crd)
			if err != nil {
				t.Fatal(err)
			}
			v1 := &apiextv1.CustomResourceDefinition{}
			if err := yaml.Unmarshal(b, v1); err != nil {
				t.Fatal(err)
			}
			internal := &apiextensions.CustomResourceDefinition{}
			if err := apiextv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(v1, internal, nil); err != nil {
				t.Fatal(err)
			}
			if errs := apivalidation.ValidateCustomResourceDefinition(context.Background(), internal); len(errs) > 0 {
				for _, e := range errs {
					t.Errorf("the CRD of %s would be rejected: %v", path, e)
				}
			}
		})
	}
}

// TestEveryFieldIsDescribed: kubectl explain shows each field's description,
// the only documentation a user reads at the terminal, so every spec and
// status field of both XRDs must have one.
func TestEveryFieldIsDescribed(t *testing.T) {
	for _, path := range []string{exampleXRD, exampleNamespacedXRD} {
		xrd := readYAMLFile(t, path)
		for _, v := range xrd["spec"].(map[string]any)["versions"].([]any) {
			schema := v.(map[string]any)["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any)
			var walk func(node map[string]any, at string)
			walk = func(node map[string]any, at string) {
				props, _ := node["properties"].(map[string]any)
				for _, name := range slices.Sorted(maps.Keys(props)) {
					field := props[name].(map[string]any)
					if d, _ := field["description"].(string); strings.TrimSpace(d) == "" {
						t.Errorf("%s: %s.%s has no description", path, at, name)
					}
					walk(field, at+"."+name)
				}
				if items, ok := node["items"].(map[string]any); ok {
					walk(items, at+"[]")
				}
			}
			for _, top := range []string{"spec", "status"} {
				node, ok := schema["properties"].(map[string]any)[top].(map[string]any)
				if !ok {
					t.Errorf("%s has no %s", path, top)
					continue
				}
				walk(node, top)
			}
		}
	}
}
