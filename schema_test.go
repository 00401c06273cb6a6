package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apiextensions "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"

	"github.com/crossplane-contrib/function-langfuse/internal/crdname"
)

// providerAWSModule is the provider whose CRDs the rendered MRs must satisfy.
// Its CRDs are found through the module download, not copied into the repo.
const providerAWSModule = "github.com/upbound/provider-aws/v2@v2.4.0"

var (
	crdDirOnce sync.Once
	crdDir     string
	crdDirErr  error
)

// crossplaneModule holds the CRDs of Crossplane's own kinds (Usage,
// ClusterUsage, and the v1alpha1 Usage that Crossplane v1 also serves; the
// package kinds, XRDs, Compositions and activation policies) and, under
// cluster/meta, those of the package metadata (crossplane.yaml): core v2.4.0,
// the main core the control-plane test runs on.
const crossplaneModule = "github.com/crossplane/crossplane/v2@v2.4.0"

var (
	xpDirOnce sync.Once
	xpDir     string
	xpDirErr  error
)

// crossplaneCRDDir is the directory of Crossplane's CRDs in its module
// (subdir crds), or of its package metadata CRDs (subdir meta).
func crossplaneCRDDir(t testing.TB, subdir string) string {
	t.Helper()
	xpDirOnce.Do(func() { xpDir, xpDirErr = moduleDir(crossplaneModule) })
	if xpDirErr != nil {
		t.Fatalf("cannot download %s to find its CRDs: %v", crossplaneModule, xpDirErr)
	}
	return filepath.Join(xpDir, "cluster", subdir)
}

// moduleDir downloads a module (or finds it in the module cache).
func moduleDir(module string) (string, error) {
	out, err := exec.Command("go", "mod", "download", "-json", module).Output()
	if err != nil {
		return "", err
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out, &m); err != nil {
		return "", err
	}
	if m.Dir == "" {
		return "", errors.New(m.Error)
	}
	return m.Dir, nil
}

// providerCRDDir downloads provider-aws (once per machine, into the module
// cache) and returns its package/crds directory.
func providerCRDDir(t testing.TB) string {
	t.Helper()
	crdDirOnce.Do(func() {
		out, err := exec.Command("go", "mod", "download", "-json", providerAWSModule).Output()
		if err != nil {
			crdDirErr = err
			return
		}
		var m struct{ Dir, Error string }
		if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
			crdDirErr = err
			if m.Error != "" {
				crdDirErr = os.ErrNotExist
			}
			return
		}
		crdDir = filepath.Join(m.Dir, "package", "crds")
	})
	if crdDirErr != nil {
		t.Fatalf("cannot download %s to find its CRDs: %v", providerAWSModule, crdDirErr)
	}
	return crdDir
}

// schemaValidator validates objects against one version of a CRD the way the
// API server does: OpenAPI (types, enums, patterns, required), pruning
// (unknown fields) and CEL (the provider's required-parameter rules).
type schemaValidator struct {
	internal   *apiextensions.JSONSchemaProps
	structural *structuralschema.Structural
}

func newSchemaValidator(t testing.TB, v1 *apiextv1.JSONSchemaProps) *schemaValidator {
	t.Helper()
	internal := &apiextensions.JSONSchemaProps{}
	if err := apiextv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v1, internal, nil); err != nil {
		t.Fatalf("cannot convert schema: %v", err)
	}
	s, err := structuralschema.NewStructural(internal)
	if err != nil {
		t.Fatalf("cannot build structural schema: %v", err)
	}
	return &schemaValidator{internal: internal, structural: s}
}

// validate returns every error the API server would report for obj, and the
// paths of fields it would prune as unknown. It defaults obj in place.
func (v *schemaValidator) validate(obj map[string]any) (field.ErrorList, []string) {
	return v.validateUpdate(obj, nil)
}

// validateUpdate is validate for an update of old to obj, which also runs the
// CEL transition rules (those that read oldSelf), as the API server does.
func (v *schemaValidator) validateUpdate(obj, old map[string]any) (field.ErrorList, []string) {
	asDecoded(obj)
	if old != nil {
		asDecoded(old)
	}
	structuraldefaulting.Default(obj, v.structural)
	var oldObj any
	if old != nil {
		structuraldefaulting.Default(old, v.structural)
		oldObj = old
	}
	unknown := pruning.PruneWithOptions(obj, v.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})

	sv, _, err := validation.NewSchemaValidator(v.internal)
	if err != nil {
		return field.ErrorList{field.InternalError(nil, err)}, unknown
	}
	errs := validation.ValidateCustomResource(nil, obj, sv)
	errs = append(errs, listtype.ValidateListSetsAndMaps(nil, v.structural, obj)...)
	celErrs, _ := cel.NewValidator(v.structural, true, celconfig.PerCallLimit).
		Validate(context.Background(), nil, v.structural, obj, oldObj, celconfig.RuntimeCELCostBudget)
	return append(errs, celErrs...), unknown
}

// asDecoded makes whole numbers int64, as the API server's JSON decoding of
// an object does; a protobuf Struct (the function's wire format) has only
// float64, which CEL's integer rules would refuse.
func asDecoded(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = asDecoded(e)
		}
	case []any:
		for i, e := range t {
			t[i] = asDecoded(e)
		}
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return int64(t)
		}
	}
	return v
}

var (
	crdCacheMu sync.Mutex
	crdCache   = map[string]*schemaValidator{}
)

// mrValidator returns the validator of the provider CRD serving apiVersion/kind.
func mrValidator(t testing.TB, apiVersion, kind string) *schemaValidator {
	t.Helper()
	crdCacheMu.Lock()
	defer crdCacheMu.Unlock()
	key := apiVersion + "/" + kind
	if v, ok := crdCache[key]; ok {
		return v
	}
	group, version, _ := strings.Cut(apiVersion, "/")
	var dir string
	switch {
	case group == "meta.pkg.crossplane.io":
		dir = crossplaneCRDDir(t, "meta") // a package's crossplane.yaml
	case strings.HasSuffix(group, ".crossplane.io"):
		dir = crossplaneCRDDir(t, "crds") // Crossplane's own kinds, e.g. Usages
	default:
		dir = providerCRDDir(t)
	}
	file := filepath.Join(dir, crdname.File(group, kind))
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("no CRD for %s: %v", key, err)
	}
	crd := &apiextv1.CustomResourceDefinition{}
	if err := yaml.Unmarshal(b, crd); err != nil {
		t.Fatalf("cannot decode %s: %v", file, err)
	}
	if crd.Spec.Names.Kind != kind {
		t.Fatalf("%s defines kind %s, not %s", file, crd.Spec.Names.Kind, kind)
	}
	for _, ver := range crd.Spec.Versions {
		if ver.Name == version && ver.Served {
			v := newSchemaValidator(t, ver.Schema.OpenAPIV3Schema)
			crdCache[key] = v
			return v
		}
	}
	t.Fatalf("%s serves no version %s", file, version)
	return nil
}

// assertValidMR fails the test for every way obj breaks its provider CRD.
func assertValidMR(t testing.TB, name string, obj map[string]any) {
	t.Helper()
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	// The API server sees what Crossplane writes: the function's object with a
	// name. Copy it, since defaulting and pruning change the object.
	b, _ := json.Marshal(obj)
	cp := map[string]any{}
	_ = json.Unmarshal(b, &cp)
	meta, _ := cp["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		cp["metadata"] = meta
	}
	meta["name"] = "langfuse-x7k2p-abcde"
	errs, unknown := mrValidator(t, apiVersion, kind).validate(cp)
	for _, e := range errs {
		t.Errorf("%s (%s %s): %v", name, apiVersion, kind, e)
	}
	for _, u := range unknown {
		t.Errorf("%s (%s %s): unknown field %s", name, apiVersion, kind, u)
	}
}

// TestRenderedMRsMatchProviderCRDs renders every resource, for a claim's XR
// (cluster-scoped MRs) and a namespaced XR (.m. MRs) in several spec
// variants, and validates each against the provider-aws v2.4.0 CRDs.
func TestRenderedMRsMatchProviderCRDs(t *testing.T) {
	variants := renderVariants
	for style, xrPath := range map[string]string{"Cluster": exampleClaimXR, "Namespaced": exampleNamespacedXR} {
		for variant, set := range variants {
			t.Run(style+"/"+variant, func(t *testing.T) {
				xr := withSpec(t, loadXR(t, xrPath), set)
				_, last, _ := converge(t, xr)
				if len(last.GetDesired().GetResources()) == 0 {
					t.Fatal("nothing rendered")
				}
				for name, r := range last.GetDesired().GetResources() {
					obj := r.GetResource().AsMap()
					if obj["apiVersion"] == "v1" {
						assertValidSecret(t, name, obj, style == "Namespaced")
						continue
					}
					wantGroup := ".aws.upbound.io/"
					if style == "Namespaced" {
						wantGroup = ".aws.m.upbound.io/v1beta1"
					}
					if c, _ := componentOf(name); c != nil && strings.HasPrefix(c.name, "usage-") {
						// Core v2.2's kinds: ClusterUsage for a claim's XR,
						// Usage in the namespace of a namespaced XR.
						wantGroup = map[string]string{"Cluster": "protection.crossplane.io/v1beta1 ClusterUsage", "Namespaced": "protection.crossplane.io/v1beta1 Usage"}[style]
						if got := fmt.Sprint(obj["apiVersion"], " ", obj["kind"]); got != wantGroup {
							t.Errorf("%s: a %s XR's Usage is %s, want %s", name, style, got, wantGroup)
						}
						assertValidMR(t, name, obj)
						continue
					}
					if av, _ := obj["apiVersion"].(string); !strings.Contains(av, wantGroup) {
						t.Errorf("%s: apiVersion %s is not a %s MR", name, av, style)
					}
					assertValidMR(t, name, obj)
				}
			})
		}
	}
}

// renderVariants are specs every rendered MR is validated for, against the
// provider's CRDs and AWS's API models.
var renderVariants = map[string]map[string]any{
	"Defaults":      nil,
	"Classic":       {"spec.auth.cognito.managedLogin": "classic", "spec.auth.cognito.mfa": "OFF"},
	"DeletePolicy":  {"spec.deletionPolicy": "Delete", "spec.auth.cognito.mfa": "ON", "spec.auth.cognito.selfSignUp": true},
	"SeveralCIDRs":  {"spec.network.allowedCidrs": []any{"10.0.0.0/8", "192.0.2.0/24"}},
	"NoCognito":     {"spec.auth.cognito.enabled": false, "spec.auth.disableEmailPasswordAuth": false, "spec.auth.allowSignUp": true},
	"OtherRegionPC": {"spec.region": "ap-southeast-2", "spec.providerConfigName": "aws-prod"},
	"RuntimeOptions": {
		"spec.langfuse.init":                map[string]any{"secretName": "langfuse-init"},
		"spec.langfuse.defaultOrganization": map[string]any{"id": "acme", "role": "MEMBER"},
		"spec.langfuse.imageRegistry":       "123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub",
		"spec.langfuse.web.maxReplicas":     int64(8),
	},
	"RegistryLogin": {"spec.langfuse.registryCredentials": map[string]any{"secretName": "docker-hub"}},
	// Langfuse 3 on Redis, as claims before Langfuse 4 and Valkey run.
	"Langfuse3Redis": {"spec.langfuse.version": "3.174.1", "spec.cache.engine": "redis", "spec.clickhouse.version": "24.8.14.39"},
	"MigrationDual": {
		"spec.langfuse.migration":       map[string]any{"writeMode": "dual", "historicBackfill": true, "previewOptIn": true},
		"spec.langfuse.worker.replicas": int64(2),
		"spec.database.dataApi":         true,
		"spec.langfuse.logLevel":        "warn",
		"spec.langfuse.logFormat":       "json",
		"spec.clickhouse.storage":       map[string]any{"throughputMode": "provisioned", "provisionedThroughputMibps": 128.0, "infrequentAccessAfterDays": int64(1)},
	},
	// A VPC of its own: three zones, a NAT gateway each; two zones sharing one.
	"OwnVPC":            ownVPC(map[string]any{"cidr": "10.20.0.0/16", "availabilityZones": []any{"eu-west-1a", "eu-west-1b", "eu-west-1c"}}),
	"OwnVPCSharedNAT":   ownVPC(map[string]any{"egress": "natGateway"}),
	"OwnVPCNATInstance": ownVPC(map[string]any{"egress": "natInstance"}),
	"OwnVPCNoInternet":  ownVPC(map[string]any{"egress": "vpcEndpoints", "availabilityZones": []any{"eu-west-1a", "eu-west-1b", "eu-west-1c"}}),
	// Access logs in a region that grants Elastic Load Balancing's account,
	// and in one opened after August 2022 that grants its service.
	"AccessLogs":            {"spec.loadBalancer.accessLogs": map[string]any{"enabled": true, "expireAfterDays": int64(30)}},
	"Spot":                  {"spec.langfuse.web.spot": true, "spec.langfuse.worker.spot": true, "spec.langfuse.worker.replicas": int64(2)},
	"AccessLogsNewerRegion": {"spec.region": "ap-southeast-5", "spec.loadBalancer.accessLogs": map[string]any{"enabled": true}},
	// Behind CloudFront: an allowlist of both families and a rate limit,
	// and one of IPv4 only (no IPv6 record), in CloudFront's own region.
	"CloudFront": {
		"spec.loadBalancer.cloudFront.enabled": true, "spec.loadBalancer.waf.rateLimit": int64(500),
		"spec.network.allowedCidrs": []any{"203.0.113.0/24", "2001:db8::/32", "::/0"},
	},
	"CloudFrontUSEast1": {"spec.region": "us-east-1", "spec.loadBalancer.cloudFront": map[string]any{"enabled": true}},
	// A web ACL on the load balancer, without CloudFront.
	"RegionalWAF": {"spec.loadBalancer.waf": map[string]any{"enabled": true}, "spec.network.allowedCidrs": []any{"0.0.0.0/0"}},
	"Pinned": {
		"spec.langfuse.web.digest":           "sha256:" + strings.Repeat("ab", 32),
		"spec.database.engineVersion":        "16.9",
		"spec.langfuse.worker.cpu":           int64(8192),
		"spec.langfuse.worker.memory":        int64(16384),
		"spec.database.maxCapacity":          256.0,
		"spec.auth.disableEmailPasswordAuth": false,
		"spec.langfuse.init":                 map[string]any{"secretName": "langfuse-init", "keys": []any{"LANGFUSE_INIT_ORG_ID", "LANGFUSE_INIT_USER_EMAIL", "LANGFUSE_INIT_USER_PASSWORD"}},
	},
}

// ownVPC is the spec edit that gives Langfuse a VPC of its own instead of
// the example's, in eu-west-1a and eu-west-1b unless vpc names the zones.
func ownVPC(vpc map[string]any) map[string]any {
	vpc = maps.Clone(vpc)
	if _, ok := vpc["availabilityZones"]; !ok {
		vpc["availabilityZones"] = []any{"eu-west-1a", "eu-west-1b"}
	}
	edit := map[string]any{"spec.network.vpcId": nil, "spec.network.publicSubnetIds": nil, "spec.network.privateSubnetIds": nil, "spec.network.vpc": vpc}
	if vpc["egress"] == EgressVPCEndpoints {
		maps.Copy(edit, withoutInternet)
	}
	return edit
}

// withoutInternet is what a Langfuse without a route out (egress
// vpcEndpoints) needs besides: its images from ECR in its region, and
// Cognito off, its first user from langfuse.init instead.
var withoutInternet = map[string]any{
	"spec.langfuse.imageRegistry":        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub",
	"spec.auth.cognito.enabled":          false,
	"spec.auth.disableEmailPasswordAuth": false,
	"spec.langfuse.init":                 map[string]any{"secretName": "langfuse-init", "keys": []any{"LANGFUSE_INIT_ORG_ID", "LANGFUSE_INIT_USER_EMAIL", "LANGFUSE_INIT_USER_PASSWORD"}},
}

// assertValidSecret checks a composed Kubernetes Secret decodes as one, with
// no unknown field, in the secret namespace for a claim's XR and in none (the
// XR's, which Crossplane forces) for a namespaced XR.
func assertValidSecret(t *testing.T, name string, obj map[string]any, namespaced bool) {
	t.Helper()
	b, _ := json.Marshal(obj)
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	s := &corev1.Secret{}
	if err := d.Decode(s); err != nil {
		t.Errorf("%s is not a valid Secret: %v", name, err)
		return
	}
	if s.Kind != "Secret" || s.Name == "" || len(s.Data) == 0 {
		t.Errorf("%s: want a named Secret with data, got kind %q name %q and %d keys", name, s.Kind, s.Name, len(s.Data))
	}
	if namespaced != (s.Namespace == "") {
		t.Errorf("%s: namespace %q for a namespaced XR: %v", name, s.Namespace, namespaced)
	}
}

// TestSchemaValidatorCatchesMistakes proves the validator fails on the
// mistakes it exists to catch, so a passing validation means something.
func TestSchemaValidatorCatchesMistakes(t *testing.T) {
	valid := func() map[string]any {
		return map[string]any{
			"apiVersion": "route53.aws.m.upbound.io/v1beta1",
			"kind":       "Record",
			"metadata":   map[string]any{"name": "r"},
			"spec": map[string]any{
				"providerConfigRef": map[string]any{"kind": "ClusterProviderConfig", "name": "default"},
				"forProvider": map[string]any{
					"zoneId": "Z0123456789ABCDEFGHIJ", "name": "langfuse.example.com", "type": "A",
					"alias": map[string]any{"name": "x.elb.amazonaws.com", "zoneId": "Z32O12XQLNTSW2", "evaluateTargetHealth": true},
				},
			},
		}
	}
	cases := map[string]struct {
		mutate func(m map[string]any)
		want   string
	}{
		"Valid":          {mutate: func(map[string]any) {}, want: ""},
		"UnknownField":   {mutate: func(m map[string]any) { fp(m)["region"] = "eu-west-1" }, want: "unknown field spec.forProvider.region"},
		"WrongType":      {mutate: func(m map[string]any) { fp(m)["alias"] = []any{} }, want: "spec.forProvider.alias: Invalid value"},
		"MissingRequire": {mutate: func(m map[string]any) { delete(fp(m), "type") }, want: "spec.forProvider.type is a required parameter"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m := valid()
			tc.mutate(m)
			errs, unknown := mrValidator(t, "route53.aws.m.upbound.io/v1beta1", "Record").validate(m)
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			for _, u := range unknown {
				got = append(got, "unknown field "+u)
			}
			all := strings.Join(got, "\n")
			if tc.want == "" && all != "" {
				t.Errorf("a valid Record was rejected:\n%s", all)
			}
			if tc.want != "" && !strings.Contains(all, tc.want) {
				t.Errorf("want an error containing %q, got:\n%s", tc.want, all)
			}
		})
	}
}

func fp(m map[string]any) map[string]any {
	return m["spec"].(map[string]any)["forProvider"].(map[string]any)
}
