// Package v1beta1 contains the input type for this Function
// +kubebuilder:object:generate=true
// +groupName=langfuse.fn.crossplane.io
// +versionName=v1beta1
package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// This isn't a custom resource, in the sense that we never install its CRD.
// It is a KRM-like object, so we generate a CRD to describe its schema.

// Input tunes function-langfuse. Every field is optional: a Composition may
// call the function with no input at all, and the XR's spec says what to build.
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:resource:categories=crossplane
type Input struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// ConnectionSecretNamespace is where cluster-scoped managed resources
	// (those composed for a claim) write their connection secrets, such as the
	// Cognito app client secret. Namespaced managed resources always write into
	// the XR's namespace. Defaults to crossplane-system.
	// +optional
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`
	ConnectionSecretNamespace string `json:"connectionSecretNamespace,omitempty"`

	// WaitingTTL is how soon Crossplane calls the function again while a
	// resource is held back for a dependency. Defaults to 30s.
	// +optional
	WaitingTTL *metav1.Duration `json:"waitingTTL,omitempty"`

	// ReadyTTL is how soon Crossplane calls the function again once nothing is
	// held back. Defaults to 1m.
	// +optional
	ReadyTTL *metav1.Duration `json:"readyTTL,omitempty"`

	// Tags are added to every AWS resource that takes tags, beside the tags the
	// function sets itself (which win on conflict).
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}
