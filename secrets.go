package main

import (
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// buildClientSecret is the Secrets Manager secret that holds the Cognito app
// client secret, for the Langfuse web task to read as AUTH_COGNITO_CLIENT_SECRET.
//
// Its name is unique per XR (namer), so a claim deleted and created again
// never meets its old secret in the recovery window. With deletionPolicy:
// Delete it is deleted without recovery, so nothing of it lingers.
func buildClientSecret(w *world) (*composed.Unstructured, error) {
	recoveryDays := int64(secretRecoveryDays)
	if w.spec.DeletionPolicy == DeletionPolicyDelete {
		recoveryDays = 0
	}
	return w.style.New(compClientSecret, kindSecret, w.spec.Region, map[string]any{
		"name":                 w.awsName(compClientSecret, "langfuse/"+w.names.name("cognito-client-secret", maxSecretName)),
		"description":          "Cognito app client secret of Langfuse at https://" + w.spec.FQDN(),
		"recoveryWindowInDays": recoveryDays,
	}, mrOptions{tagged: true}), nil
}

// secretRecoveryDays is how long a deleted secret can be restored, unless
// deletionPolicy is Delete. Its name is taken for as long.
const secretRecoveryDays = 7

// maxSecretName leaves room, within Secrets Manager's 512 characters, for
// the langfuse/ prefix.
const maxSecretName = 500

// buildClientSecretVersion copies the app client's secret from the client's
// connection secret into Secrets Manager. The provider moves the value from
// one to the other, so it never passes through the function.
func buildClientSecretVersion(w *world) (*composed.Unstructured, error) {
	return w.style.New(compClientSecretVersion, kindSecretVersion, w.spec.Region, map[string]any{
		"secretIdSelector":      selectorFor(compClientSecret),
		"secretStringSecretRef": w.style.secretRef(w.clientConnectionSecret(), clientSecretKey),
	}, mrOptions{}), nil
}
