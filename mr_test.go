package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMRStyleNew(t *testing.T) {
	body := map[string]any{"name": "pool"}
	cases := map[string]struct {
		reason string
		style  MRStyle
		opts   mrOptions
		want   map[string]any
	}{
		"ClusterStateful": {
			reason: "A claim's MR is the cluster kind at its newest version, orphaned with deletionPolicy, with a namespaced connection secret.",
			style:  MRStyle{ProviderConfigName: "aws", SecretNamespace: "crossplane-system", Orphan: true, Tags: map[string]string{"team": "ml"}},
			opts:   mrOptions{stateful: true, tagged: true, connSecret: "conn"},
			want: map[string]any{
				"apiVersion": "cognitoidp.aws.upbound.io/v1beta2",
				"kind":       "UserPool",
				"metadata":   map[string]any{"labels": map[string]any{labelComponent: "c"}},
				"spec": map[string]any{
					"deletionPolicy":             "Orphan",
					"providerConfigRef":          map[string]any{"name": "aws"},
					"writeConnectionSecretToRef": map[string]any{"name": "conn", "namespace": "crossplane-system"},
					"forProvider": map[string]any{
						"name": "pool", "region": "eu-west-1",
						"tags": map[string]any{"team": "ml", "managed-by": "function-langfuse", labelComponent: "c"},
					},
				},
			},
		},
		"NamespacedStateful": {
			reason: "A namespaced XR's MR is the .m. kind, orphaned by leaving Delete out of its management policies, with a ClusterProviderConfig.",
			style:  MRStyle{Namespaced: true, ProviderConfigName: "aws", SecretNamespace: "ignored", Orphan: true},
			opts:   mrOptions{stateful: true, connSecret: "conn", region: "us-east-1", externalName: "x"},
			want: map[string]any{
				"apiVersion": "cognitoidp.aws.m.upbound.io/v1beta1",
				"kind":       "UserPool",
				"metadata": map[string]any{
					"labels":      map[string]any{labelComponent: "c"},
					"annotations": map[string]any{annotationExternalName: "x"},
				},
				"spec": map[string]any{
					"managementPolicies":         []any{"Observe", "Create", "Update", "LateInitialize"},
					"providerConfigRef":          map[string]any{"kind": "ClusterProviderConfig", "name": "aws"},
					"writeConnectionSecretToRef": map[string]any{"name": "conn"},
					"forProvider":                map[string]any{"name": "pool", "region": "us-east-1"},
				},
			},
		},
		"DeletePolicy": {
			reason: "With deletionPolicy Delete, a stateful MR carries no orphaning.",
			style:  MRStyle{ProviderConfigName: "default"},
			opts:   mrOptions{stateful: true},
			want: map[string]any{
				"apiVersion": "cognitoidp.aws.upbound.io/v1beta2",
				"kind":       "UserPool",
				"metadata":   map[string]any{"labels": map[string]any{labelComponent: "c"}},
				"spec": map[string]any{
					"providerConfigRef": map[string]any{"name": "default"},
					"forProvider":       map[string]any{"name": "pool", "region": "eu-west-1"},
				},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := tc.style.New("c", kindUserPool, "eu-west-1", body, tc.opts)
			if diff := cmp.Diff(tc.want, got.Object); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
	if _, ok := body["region"]; ok {
		t.Error("New changed the body it was given")
	}
}

func TestGlobalKindHasNoRegion(t *testing.T) {
	got := MRStyle{ProviderConfigName: "default"}.New("r", kindRecord, "eu-west-1", map[string]any{"name": "x"}, mrOptions{})
	if diff := cmp.Diff(map[string]any{"name": "x"}, fp(got.Object)); diff != "" {
		t.Errorf("Route53 records are global and take no region: -want, +got:\n%s", diff)
	}
}
