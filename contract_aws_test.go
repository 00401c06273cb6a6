package main

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/crossplane-contrib/function-langfuse/internal/awscontract"
)

// Contract tests against AWS's own API models (aws-sdk-go v1.55.8's
// models/apis: the shapes' min, max, pattern and enum, and the rules its API
// reference states only in words, internal/awscontract): every name,
// identifier, description and setting the function renders, for every
// variant of the spec, is one AWS accepts.

// awsModels are AWS's API models (awscontract.Load reads them once per test
// binary).
func awsModels(t *testing.T) *awscontract.Contract {
	t.Helper()
	c, err := awscontract.Load()
	if err != nil {
		t.Fatalf("cannot read AWS's API models: %v", err)
	}
	return c
}

// awsViolations checks one rendered MR against AWS's API models.
func awsViolations(t *testing.T, obj map[string]any) []error {
	t.Helper()
	apiVersion, _ := obj["apiVersion"].(string)
	group, _, _ := strings.Cut(apiVersion, ".")
	if !strings.Contains(apiVersion, ".aws.") {
		return nil // Kubernetes Secrets and Crossplane Usages
	}
	meta, _ := obj["metadata"].(map[string]any)
	annotations, _ := meta["annotations"].(map[string]any)
	externalName, _ := annotations[annotationExternalName].(string)
	return awsModels(t).Check(group, str(obj["kind"]), externalName, fp(obj))
}

// TestRenderedMRsMatchAWSAPIModels renders every variant for a claim and a
// namespaced XR and checks every MR, including AWS's advice (a secret name
// must not end like Secrets Manager's random suffix).
func TestRenderedMRsMatchAWSAPIModels(t *testing.T) {
	checked := map[string]bool{}
	for style, xrPath := range map[string]string{"Cluster": exampleClaimXR, "Namespaced": exampleNamespacedXR} {
		for _, variant := range slices.Sorted(maps.Keys(renderVariants)) {
			t.Run(style+"/"+variant, func(t *testing.T) {
				_, last, _ := converge(t, withSpec(t, loadXR(t, xrPath), renderVariants[variant]))
				for _, name := range slices.Sorted(maps.Keys(last.GetDesired().GetResources())) {
					obj := last.GetDesired().GetResources()[name].GetResource().AsMap()
					for _, err := range awsViolations(t, obj) {
						t.Errorf("%s: %v", name, err)
					}
					checked[str(obj["kind"])] = true
				}
			})
		}
	}
	// Every kind AWS constrains a field of that the function sets is
	// checked at least once.
	for _, r := range awsModels(t).Rules() {
		if !checked[r.Kind] {
			t.Errorf("a rule for %s %s, which the function never renders: the table and the function drifted apart", r.Group, r.Kind)
		}
	}
}

// TestAWSCheckCatchesAnApostrophe makes sure the check above can fail: the
// description that kept ClickHouse's security group from ever being created.
func TestAWSCheckCatchesAnApostrophe(t *testing.T) {
	_, last, _ := converge(t, loadXR(t, exampleClaimXR))
	obj := last.GetDesired().GetResources()[compEFSSecurityGroup].GetResource().AsMap()
	if errs := awsViolations(t, obj); len(errs) != 0 {
		t.Fatalf("the rendered group already violates: %v", errs)
	}
	obj["spec"].(map[string]any)["forProvider"].(map[string]any)["description"] = "ClickHouse's EFS mount targets"
	errs := awsViolations(t, obj)
	var v *awscontract.Violation
	if len(errs) != 1 || !errors.As(errs[0], &v) || !strings.Contains(v.Error(), "CreateSecurityGroup") {
		t.Errorf("an apostrophe in a security group's description: got %v, want one violation of ec2 CreateSecurityGroup", errs)
	}
}
