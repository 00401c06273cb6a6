package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/crossplane-contrib/function-langfuse/internal/crdname"
)

var (
	composedKindsOnce sync.Once
	composedKindsList []string
)

// composedKinds renders every variant for a claim's XR and a namespaced XR
// and returns the managed resource definitions (plural.group) of every
// provider kind composed: what the activation policy must activate. Three
// tests ask; the renders run once per process.
func composedKinds(t *testing.T) []string {
	t.Helper()
	composedKindsOnce.Do(func() {
		kinds := map[string]bool{}
		for _, xrPath := range []string{exampleClaimXR, exampleNamespacedXR} {
			for _, variant := range slices.Sorted(maps.Keys(renderVariants)) {
				_, last, _ := converge(t, withSpec(t, loadXR(t, xrPath), renderVariants[variant]))
				for _, r := range last.GetDesired().GetResources() {
					obj := r.GetResource().AsMap()
					group, _, _ := strings.Cut(obj["apiVersion"].(string), "/")
					if !strings.HasSuffix(group, ".upbound.io") {
						continue // a Secret or a Usage: Kubernetes' and Crossplane's own kinds
					}
					kinds[crdname.Plural(obj["kind"].(string))+"."+group] = true
				}
			}
		}
		composedKindsList = slices.Sorted(maps.Keys(kinds))
	})
	if len(composedKindsList) == 0 {
		t.Fatal("no provider kind rendered")
	}
	return composedKindsList
}

// TestActivationPolicyActivatesExactlyTheComposedKinds: safe-start providers
// serve a kind only once a ManagedResourceActivationPolicy activates it, so
// the policy the Configuration ships must name every kind the function can
// compose (else those MRs cannot be created) and nothing more (else the
// providers run controllers and hold CRDs nobody uses).
func TestActivationPolicyActivatesExactlyTheComposedKinds(t *testing.T) {
	policy := readYAMLFile(t, "configuration/activation-policy.yaml")
	var got []string
	for _, a := range policy["spec"].(map[string]any)["activate"].([]any) {
		got = append(got, a.(string))
	}
	if diff := cmp.Diff(composedKinds(t), slices.Sorted(slices.Values(got))); diff != "" {
		t.Errorf("configuration/activation-policy.yaml activates (-composed +activated):\n%s", diff)
	}
}

// providerRange is the provider-aws versions the Configuration accepts: the
// one the function is tested against, up to the next major, with the comma
// core v2.2's semver library needs for AND.
const providerRange = ">=v2.4.0, <v3.0.0"

// TestConfigurationDependsOnExactlyTheComposedFamilies: the Configuration
// must depend on the provider family of every kind the function can compose
// (else Crossplane installs it and those MRs have no CRD), on no other
// (else it installs providers nobody uses), each as the version range.
func TestConfigurationDependsOnExactlyTheComposedFamilies(t *testing.T) {
	meta := readYAMLFile(t, "configuration/crossplane.yaml")
	var got []string
	for _, d := range meta["spec"].(map[string]any)["dependsOn"].([]any) {
		dep := d.(map[string]any)
		if dep["kind"] != "Provider" {
			continue
		}
		if dep["apiVersion"] != "pkg.crossplane.io/v1" || dep["version"] != providerRange {
			t.Errorf("the dependency %v is not a pkg.crossplane.io/v1 Provider at %q", dep, providerRange)
		}
		got = append(got, strings.TrimPrefix(dep["package"].(string), "xpkg.upbound.io/upbound/provider-aws-"))
	}
	families := map[string]bool{}
	for _, k := range composedKinds(t) {
		_, group, _ := strings.Cut(k, ".")
		family, _, _ := strings.Cut(group, ".")
		families[family] = true
	}
	if diff := cmp.Diff(slices.Sorted(maps.Keys(families)), slices.Sorted(slices.Values(got))); diff != "" {
		t.Errorf("configuration/crossplane.yaml depends on the provider-aws families (-composed +depended on):\n%s", diff)
	}
}

// TestPackageManifestsMatchCoreCRDs validates what users and Crossplane read
// besides the composed resources against the CRDs of Crossplane core v2.4.0
// (and the package metadata CRDs it ships in cluster/meta) and provider-aws
// v2.4.0: both packages' crossplane.yaml, the activation policy, the XRDs
// and Compositions, the render Functions and the install manifests.
func TestPackageManifestsMatchCoreCRDs(t *testing.T) {
	files := []string{
		"configuration/crossplane.yaml", "configuration/activation-policy.yaml", "package/crossplane.yaml",
		"example/definition.yaml", "example/composition.yaml", "example/functions.yaml",
		"example/namespaced/definition.yaml", "example/namespaced/composition.yaml",
	}
	install, _ := filepath.Glob("example/install/*.yaml")
	if len(install) == 0 {
		t.Fatal("example/install has no manifests")
	}
	for _, f := range append(files, install...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range strings.Split(string(b), "\n---\n") {
			obj := map[string]any{}
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if len(obj) == 0 {
				continue
			}
			assertValidMR(t, fmt.Sprintf("%s#%d", f, i), obj)
		}
	}
}

// TestFunctionRefIsTheDependencyName: Crossplane installs a dependency under
// a name made of its repository path (xpkg.ToDNSLabel of the repository, the
// registry left out), so both Compositions must call the Function by that
// name, or every XR fails to find its function once installed from the
// Configuration.
func TestFunctionRefIsTheDependencyName(t *testing.T) {
	meta := readYAMLFile(t, "configuration/crossplane.yaml")
	var fn string
	for _, d := range meta["spec"].(map[string]any)["dependsOn"].([]any) {
		if dep := d.(map[string]any); dep["kind"] == "Function" {
			fn = dependencyName(dep["package"].(string))
		}
	}
	if fn == "" {
		t.Fatal("configuration/crossplane.yaml depends on no Function")
	}
	for _, f := range []string{"example/composition.yaml", "example/namespaced/composition.yaml", "example/functions.yaml", "example/functions-v1beta1.yaml"} {
		obj := readYAMLFile(t, f)
		var got []string
		if obj["kind"] == "Function" {
			got = append(got, obj["metadata"].(map[string]any)["name"].(string))
		}
		if pipeline, ok := obj["spec"].(map[string]any)["pipeline"].([]any); ok {
			for _, s := range pipeline {
				got = append(got, s.(map[string]any)["functionRef"].(map[string]any)["name"].(string))
			}
		}
		if len(got) == 0 || slices.ContainsFunc(got, func(n string) bool { return n != fn }) {
			t.Errorf("%s calls the function %v; installed from the Configuration it is named %s", f, got, fn)
		}
	}
}

// dependencyName is the name Crossplane gives a package it installs as a
// dependency: core v2.4's resolver.NewPackage names it
// xpkg.ToDNSLabel(ref.Context().RepositoryStr()), the repository path
// without the registry, its slashes and dots made dashes. (Tested for real by
// the control-plane test, which installs the Configuration with dependency
// resolution on.)
func dependencyName(pkg string) string {
	registry, repository, _ := strings.Cut(pkg, "/")
	if !strings.ContainsAny(registry, ".:") && registry != "localhost" {
		repository = pkg // Docker Hub's short form has no registry
	}
	return strings.Trim(strings.NewReplacer("/", "-", ".", "-", "_", "").Replace(strings.ToLower(repository)), "-")
}

// iamPrefix is the IAM service prefix of each provider-aws family.
var iamPrefix = map[string]string{
	"acm": "acm", "appautoscaling": "application-autoscaling", "cloudcontrol": "cloudformation", "cloudfront": "cloudfront", "cloudwatchlogs": "logs",
	"cognitoidp": "cognito-idp", "ec2": "ec2", "ecs": "ecs", "efs": "elasticfilesystem", "elasticache": "elasticache",
	"elbv2": "elasticloadbalancing", "iam": "iam", "rds": "rds", "route53": "route53", "s3": "s3",
	"secretsmanager": "secretsmanager", "servicediscovery": "servicediscovery", "wafv2": "wafv2",
}

// TestProviderIAMPolicy checks the IAM policy the README gives the providers:
// it parses as a policy, fits an inline role policy (10,240 characters
// without whitespace), and grants actions of every service the composed
// kinds live in.
func TestProviderIAMPolicy(t *testing.T) {
	b, err := os.ReadFile("example/install/provider-iam-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	var policy struct {
		Version   string
		Statement []struct {
			Sid, Effect string
			Action      []string
			Resource    any
			Condition   map[string]map[string]any
		}
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&policy); err != nil {
		t.Fatalf("not an IAM policy of statements with Sid, Effect, Action and Resource: %v", err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		t.Fatal(err)
	}
	if policy.Version != "2012-10-17" || compact.Len() > 10240 {
		t.Errorf("policy version %q and %d characters; want 2012-10-17 and at most 10240", policy.Version, compact.Len())
	}
	granted := map[string]bool{}
	for _, s := range policy.Statement {
		if s.Effect != "Allow" || s.Sid == "" || s.Resource == nil {
			t.Errorf("statement %+v: want a named Allow with resources", s)
		}
		for _, a := range s.Action {
			service, _, _ := strings.Cut(a, ":")
			granted[service] = true
		}
	}
	for _, k := range composedKinds(t) {
		_, group, _ := strings.Cut(k, ".")
		family, _, _ := strings.Cut(group, ".")
		if prefix, ok := iamPrefix[family]; !ok || !granted[prefix] {
			t.Errorf("the policy grants no %q action, which %s needs", prefix, k)
		}
	}
}

// TestExampleStagesComposeEveryKind: the control-plane tests install the
// provider CRDs of the kinds the examples' all-ready stages hold (and each
// cluster kind's namespaced twin), and check the activation policy activates
// all it names; a kind only some variant composes would be missing there.
func TestExampleStagesComposeEveryKind(t *testing.T) {
	inStages := map[string]bool{}
	for _, stage := range []string{"example/observed/5-all-ready", "example/namespaced/observed/5-all-ready", "example/own-vpc/observed/3-all-ready", "example/nat-instance/observed/3-all-ready", "example/vpc-endpoints/observed/3-all-ready"} {
		files, err := filepath.Glob(filepath.Join(stage, "*.yaml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no stage %s: %v", stage, err)
		}
		for _, f := range files {
			m := readYAMLFile(t, f)
			group, _, _ := strings.Cut(m["apiVersion"].(string), "/")
			if !strings.HasSuffix(group, ".upbound.io") {
				continue
			}
			inStages[crdname.Plural(m["kind"].(string))+"."+group] = true
			inStages[crdname.Plural(m["kind"].(string))+"."+strings.Replace(group, ".aws.upbound.io", ".aws.m.upbound.io", 1)] = true
		}
	}
	for _, k := range composedKinds(t) {
		if !inStages[k] {
			t.Errorf("%s is composed by some variant but by no example stage: the control-plane tests would not install it", k)
		}
	}
}
