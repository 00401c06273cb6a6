package main

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"

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

// Where the values live depends on the core. Crossplane v2 composes a Secret
// for them (in the XR's namespace, or the secret namespace for a claim's
// XR). Crossplane v1 cannot compose a namespaced Secret from a claim's
// cluster-scoped XR (its resourceRefs have no namespace), so there a claim
// keeps them in its XR's connection secret (spec.writeConnectionSecretToRef,
// which the Composition's writeConnectionSecretsToNamespace sets), which v1
// writes and reads back. Cores from v2.2 say they are v2 by advertising
// capabilities; a namespaced XR is v2; and a Secret that holds them stays
// their holder.
func (w *world) credentialsInSecret() bool {
	return w.style.Namespaced || w.coreV2 || w.exists(compCredentials)
}

// credentialsHolder is the Secret an XR's credentials live in.
type credentialsHolder struct {
	name, namespace string
}

// credentialsHolder names the Secret that holds the credentials, and says
// whether there is one: a claim's XR without a connection secret has none.
func (w *world) credentialsHolder() (credentialsHolder, bool) {
	if w.credentialsInSecret() {
		name := w.names.name("credentials", maxKubernetesName)
		if mr := w.observedOne(compCredentials); mr != nil && mr.GetName() != "" {
			name = mr.GetName()
		}
		return credentialsHolder{name: name}, true
	}
	return credentialsHolder{name: w.xrSecret.name, namespace: w.xrSecret.namespace}, w.xrSecret.name != "" && w.xrSecret.namespace != ""
}

// keptCredentials reads the values the holder has, as the observed state
// tells: the composed Secret's data, or the XR's connection details.
func (w *world) keptCredentials() map[string]string {
	var raw []byte
	if w.credentialsInSecret() {
		mr := w.observedOne(compCredentials)
		if mr == nil {
			return nil
		}
		data, _ := mr.Unstructured().Object["data"].(map[string]any)
		encoded, _ := data[credentialsKey].(string)
		b, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil {
			return nil
		}
		raw = b
	} else {
		raw = w.xrConnection[credentialsKey]
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
		if !strings.ContainsRune(c.settings.CharacterSet, r) {
			return false
		}
	}
	return true
}

// missingCredentials lists the credentials kept lacks a valid value of.
func missingCredentials(kept map[string]string) []string {
	var missing []string
	for _, c := range credentials {
		if !c.valid(kept[c.key]) {
			missing = append(missing, c.key)
		}
	}
	return missing
}

// credentialsDocument is the JSON document of the credentials: the values the
// holder has, and new ones only where no copy of them can exist. It is worked
// out once per call.
func (w *world) credentialsDocument() ([]byte, error) {
	if w.credentialsDoc == nil && w.credentialsErr == nil {
		w.credentialsDoc, w.credentialsErr = w.makeCredentials()
	}
	return w.credentialsDoc, w.credentialsErr
}

func (w *world) makeCredentials() ([]byte, error) {
	holder, ok := w.credentialsHolder()
	if !ok {
		return nil, errors.New("the XR has no spec.writeConnectionSecretToRef, where a claim's generated credentials are kept: set writeConnectionSecretsToNamespace in its Composition")
	}
	kept := w.keptCredentials()
	missing := missingCredentials(kept)
	if len(missing) > 0 && w.exists(compCredentialsSecretVersion) {
		return nil, errors.Errorf("the Secret %s lacks %v while their Secrets Manager copy (%s) exists: restore the Secret from the copy; "+
			"new values would make Langfuse's stored data unreadable and break its API keys, so none are generated", holder.name, missing, compCredentialsSecret)
	}
	values := make(map[string]string, len(credentials))
	for _, c := range credentials {
		if !slices.Contains(missing, c.key) {
			values[c.key] = kept[c.key]
			continue
		}
		v, err := w.generate(c)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot generate %s", c.key)
		}
		w.generated = true
		values[c.key] = v
	}
	doc, err := json.Marshal(values)
	return doc, errors.Wrap(err, "cannot encode credentials")
}

// buildCredentials composes the Secret of the credentials. Where the XR's
// connection secret holds them, it composes nothing: the function writes them
// to the XR's connection details (fn.go).
func buildCredentials(w *world) (map[string]*composed.Unstructured, error) {
	doc, err := w.credentialsDocument()
	if err != nil {
		return nil, err
	}
	if !w.credentialsInSecret() {
		return map[string]*composed.Unstructured{}, nil
	}
	holder, _ := w.credentialsHolder()
	return map[string]*composed.Unstructured{"": w.style.NewSecret(compCredentials, holder.name, map[string]string{credentialsKey: string(doc)})}, nil
}

// buildCredentialsVersion copies the credentials into Secrets Manager once
// their holder has them: a claim's XR connection secret is written after the
// call that generated them, and a copy of nothing would be copied again.
func buildCredentialsVersion(w *world) (*composed.Unstructured, error) {
	if !w.credentialsInSecret() {
		if missing := missingCredentials(w.keptCredentials()); len(missing) > 0 {
			return nil, errors.Errorf("the XR's connection secret does not hold %s yet", missing[0])
		}
	}
	return credentialsCopy.buildVersion(w)
}
