package main

import (
	"maps"
	"slices"
	"strings"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// Headless initialization: on its first start Langfuse creates the
// organization, project, API keys and user that LANGFUSE_INIT_* describe.
// The values sit in a Kubernetes Secret the user names, in the claim's
// namespace, under their Langfuse names. The function never reads them: a
// SecretVersion per key copies each into a Secrets Manager secret of its
// own, and ECS gives each to the web container by ARN. The function cannot
// see which keys the Secret has, so the spec lists them; a key the Secret
// lacks leaves its SecretVersion failing, and the web service waiting.

// initKeys are the keys Langfuse's headless initialization reads.
var initKeys = []string{
	"LANGFUSE_INIT_ORG_ID", "LANGFUSE_INIT_ORG_NAME",
	"LANGFUSE_INIT_PROJECT_ID", "LANGFUSE_INIT_PROJECT_NAME", "LANGFUSE_INIT_PROJECT_RETENTION",
	"LANGFUSE_INIT_PROJECT_PUBLIC_KEY", "LANGFUSE_INIT_PROJECT_SECRET_KEY",
	"LANGFUSE_INIT_USER_EMAIL", "LANGFUSE_INIT_USER_NAME", "LANGFUSE_INIT_USER_PASSWORD",
}

// defaultInitKeys are an organization and a project with API keys: what a
// platform team hands to the teams that send traces.
var defaultInitKeys = []string{
	"LANGFUSE_INIT_ORG_ID", "LANGFUSE_INIT_PROJECT_ID", "LANGFUSE_INIT_PROJECT_PUBLIC_KEY", "LANGFUSE_INIT_PROJECT_SECRET_KEY",
}

// tagInitKey tags each copy with the key it holds, which names the member.
const tagInitKey = "langfuse-init-key"

func withInit(s *Spec) bool { return s.Langfuse.Init != nil }

// initMemberKey names a member after its key: langfuse-init-org-id.
func initMemberKey(key string) string {
	return strings.ReplaceAll(strings.ToLower(key), "_", "-")
}

// initSecretKey is the member key of an init secret, from its tag.
func initSecretKey(forProvider map[string]any) string {
	tags, _ := forProvider["tags"].(map[string]any)
	k, _ := tags[tagInitKey].(string)
	return initMemberKey(k)
}

// initVersionKey is the member key of an init secret's version, from the
// key it copies.
func initVersionKey(forProvider map[string]any) string {
	ref, _ := forProvider["secretStringSecretRef"].(map[string]any)
	k, _ := ref["key"].(string)
	return initMemberKey(k)
}

// buildInitSecrets is a Secrets Manager secret per key.
func buildInitSecrets(w *world) (map[string]*composed.Unstructured, error) {
	out := map[string]*composed.Unstructured{}
	for _, key := range w.spec.Langfuse.Init.Keys {
		member := initMemberKey(key)
		out[member] = w.style.New(compInitSecrets, kindSecret, w.spec.Region, map[string]any{
			"name":                 w.initSecretName(key),
			"description":          key + " of Langfuse at https://" + w.spec.FQDN(),
			"recoveryWindowInDays": recoveryWindowDays(w.spec),
		}, mrOptions{tagged: true, extraTags: map[string]string{tagInitKey: key}})
	}
	return out, nil
}

// initSecretName is the name of the secret that holds key.
func (w *world) initSecretName(key string) string {
	member := initMemberKey(key)
	return w.awsName(string(resourceName(compInitSecrets, member)), secretName(w.names.name("init-"+member, maxSecretName)))
}

// buildInitVersions copies each key of the user's Secret into its secret.
func buildInitVersions(w *world) (map[string]*composed.Unstructured, error) {
	if !w.style.Namespaced && w.userNamespace == "" {
		return nil, errors.New("spec.langfuse.init needs a claim, or a namespaced XR: a cluster-scoped XR of its own has no namespace for the Secret")
	}
	out := map[string]*composed.Unstructured{}
	for _, key := range w.spec.Langfuse.Init.Keys {
		member := initMemberKey(key)
		ref := w.secretSourceRef(secretSource{name: w.spec.Langfuse.Init.SecretName, namespace: w.userNamespace, key: key})
		// By name: a selector cannot tell the members of one component
		// apart, and the version waits for every secret to exist.
		out[member] = w.style.New(compInitVersions, kindSecretVersion, w.spec.Region, map[string]any{
			"secretId":              w.initSecretName(key),
			"secretStringSecretRef": ref,
		}, mrOptions{})
	}
	return out, nil
}

// initSecretARNs are the ARNs of the init secrets by key, once every one
// reports its ARN.
func (w *world) initSecretARNs() (map[string]string, error) {
	out := map[string]string{}
	if !withInit(w.spec) {
		return out, nil
	}
	for _, key := range w.spec.Langfuse.Init.Keys {
		arn, err := w.reported(string(resourceName(compInitSecrets, initMemberKey(key))), statusPathARN)
		if err != nil {
			return nil, err
		}
		out[key] = arn
	}
	return out, nil
}

// sortedValues are a map's values in the order of its keys.
func sortedValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[k])
	}
	return out
}
