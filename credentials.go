package main

import (
	"encoding/base64"
	"encoding/json"
	"slices"

	"github.com/crossplane/crossplane-runtime/v2/pkg/password"
	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// Langfuse's own credentials: values no AWS service generates for it. The
// function generates each once, with crossplane-runtime's password package
// (crypto/rand), into a Kubernetes Secret it composes, and a SecretVersion
// copies them into Secrets Manager, from where ECS injects each by its JSON
// key. They are kept for the life of the claim: a new ENCRYPTION_KEY makes
// stored data unreadable, a new SALT breaks every API key. So a value is
// generated only while no copy of it exists anywhere; with the Secret gone
// and its copy still there, the function generates nothing and says why.

// credential is one value the function generates.
type credential struct {
	// key is the value's key in the JSON document, and the environment
	// variable Langfuse reads it as.
	key      string
	settings password.Settings
}

const (
	alphanumerics = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	hexDigits     = "0123456789abcdef"
)

// credentials are generated once per claim. Alphanumerics, because the
// Langfuse images put some of them in URLs without encoding them.
var credentials = []credential{
	{key: "NEXTAUTH_SECRET", settings: password.Settings{CharacterSet: alphanumerics, Length: 48}},
	{key: "SALT", settings: password.Settings{CharacterSet: alphanumerics, Length: 32}},
	// Langfuse requires exactly 64 hex characters (256 bits).
	{key: "ENCRYPTION_KEY", settings: password.Settings{CharacterSet: hexDigits, Length: 64}},
	{key: "CLICKHOUSE_PASSWORD", settings: password.Settings{CharacterSet: alphanumerics, Length: 32}},
}

// credentialsKey is the key of the credentials Secret that holds the JSON
// document, which the SecretVersion copies whole.
const credentialsKey = "credentials.json"

// generator makes a credential's value. Production uses crypto/rand; tests
// use a deterministic one, so that rendered output can be compared.
type generator func(c credential) (string, error)

func generateRandom(c credential) (string, error) { return c.settings.Generate() }

// credentialsSecretName names the Kubernetes Secret of the credentials.
func (w *world) credentialsSecretName() string {
	if mr := w.observedOne(compCredentials); mr != nil && mr.GetName() != "" {
		return mr.GetName()
	}
	return w.names.name("credentials", maxKubernetesName)
}

// keptCredentials reads the values the observed credentials Secret holds.
func (w *world) keptCredentials() map[string]string {
	mr := w.observedOne(compCredentials)
	if mr == nil {
		return nil
	}
	data, _ := mr.Object["data"].(map[string]any)
	encoded, _ := data[credentialsKey].(string)
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return nil
	}
	values := map[string]string{}
	if json.Unmarshal(raw, &values) != nil {
		return nil
	}
	return values
}

// valid says whether a kept value is one the function could have generated.
func (c credential) valid(v string) bool {
	if len(v) != c.settings.Length {
		return false
	}
	for _, r := range v {
		if !containsRune(c.settings.CharacterSet, r) {
			return false
		}
	}
	return true
}

func containsRune(s string, r rune) bool {
	return slices.Contains([]rune(s), r)
}

// buildCredentials is the Secret of the credentials: the values it holds
// where it exists, and new ones only where no copy of them can exist.
func buildCredentials(w *world) (*composed.Unstructured, error) {
	kept := w.keptCredentials()
	values := make(map[string]string, len(credentials))
	var missing []string
	for _, c := range credentials {
		if v, ok := kept[c.key]; ok && c.valid(v) {
			values[c.key] = v
			continue
		}
		missing = append(missing, c.key)
	}
	if len(missing) > 0 && w.exists(compCredentialsSecretVersion) {
		return nil, errors.Errorf("the Kubernetes Secret %s lacks %v while their Secrets Manager copy (%s) exists: restore the Secret from the copy; "+
			"new values would make Langfuse's stored data unreadable and break its API keys, so none are generated", w.credentialsSecretName(), missing, compCredentialsSecret)
	}
	for _, c := range credentials {
		if _, ok := values[c.key]; ok {
			continue
		}
		v, err := w.generate(c)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot generate %s", c.key)
		}
		values[c.key] = v
	}
	doc, err := json.Marshal(values)
	if err != nil {
		return nil, errors.Wrap(err, "cannot encode credentials")
	}
	return w.style.NewSecret(compCredentials, w.credentialsSecretName(), map[string]string{credentialsKey: string(doc)}), nil
}
