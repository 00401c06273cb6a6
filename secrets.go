package main

import (
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// buildClientSecret is the Secrets Manager secret that holds the Cognito app
// client secret, for the Langfuse web task to read as AUTH_COGNITO_CLIENT_SECRET.
func buildClientSecret(w *world) (*composed.Unstructured, error) {
	return w.style.New(compClientSecret, kindSecret, w.spec.Region, map[string]any{
		"name":                 "langfuse/" + w.base + "/cognito-client-secret",
		"description":          "Cognito app client secret of Langfuse at https://" + w.spec.FQDN(),
		"recoveryWindowInDays": int64(7),
	}, mrOptions{tagged: true}), nil
}

// buildClientSecretVersion copies the app client's secret from the client's
// connection secret into Secrets Manager. The provider moves the value from
// one to the other, so it never passes through the function.
func buildClientSecretVersion(w *world) (*composed.Unstructured, error) {
	return w.style.New(compClientSecretVersion, kindSecretVersion, w.spec.Region, map[string]any{
		"secretIdSelector":      selectorFor(compClientSecret),
		"secretStringSecretRef": w.style.secretRef(w.clientConnectionSecret(), clientSecretKey),
	}, mrOptions{}), nil
}
