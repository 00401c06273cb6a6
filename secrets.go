package main

import (
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// A copied secret is a value a provider wrote into a Kubernetes Secret (the
// Cognito app client's secret, the database's generated master password, the
// cache's generated auth token), copied into Secrets Manager, from where ECS
// injects it into the containers by ARN. The provider moves the value from
// one to the other: it never passes through the function.
//
// A copy's name is unique per XR (namer), so a claim deleted and created again
// never meets its old secret in the recovery window. With deletionPolicy:
// Delete it is deleted without recovery, so nothing of it lingers.
type secretCopy struct {
	// secret and version are the components of the Secrets Manager secret
	// and of the version that copies the value into it.
	secret, version string
	// what the secret holds, for its description.
	what string
	// stateful copies outlive the claim with deletionPolicy Orphan, as what
	// they unlock does (the database; the cache holds nothing to keep).
	stateful bool
	// source is the Kubernetes Secret and the key the value is under.
	source func(*world) secretSource
}

// secretSource is a key of a Kubernetes Secret. An empty namespace is the
// style's: the secret namespace for a claim's XR, the XR's own otherwise.
type secretSource struct {
	name, namespace, key string
}

var (
	clientSecretCopy = secretCopy{
		secret: compClientSecret, version: compClientSecretVersion, what: "Cognito app client secret",
		source: func(w *world) secretSource {
			return secretSource{name: w.clientConnectionSecret(), key: clientSecretKey}
		},
	}
	databasePasswordCopy = secretCopy{
		secret: compDatabaseSecret, version: compDatabaseSecretVersion, what: "Aurora master password", stateful: true,
		source: func(w *world) secretSource { return secretSource{name: w.databasePasswordSecret(), key: passwordKey} },
	}
	credentialsCopy = secretCopy{
		secret: compCredentialsSecret, version: compCredentialsSecretVersion, what: "Generated credentials (NEXTAUTH_SECRET, SALT, ENCRYPTION_KEY, CLICKHOUSE_PASSWORD)", stateful: true,
		source: func(w *world) secretSource {
			h, _ := w.credentialsHolder()
			return secretSource{name: h.name, namespace: h.namespace, key: credentialsKey}
		},
	}
	cacheTokenCopy = secretCopy{
		secret: compCacheSecret, version: compCacheSecretVersion, what: "ElastiCache auth token",
		source: func(w *world) secretSource { return secretSource{name: w.cacheTokenSecret(), key: passwordKey} },
	}
)

// passwordKey is the key under which the provider writes a generated
// password or token into the Secret it is given.
const passwordKey = "password"

// secretRecoveryDays is how long a deleted secret can be restored, unless
// deletionPolicy is Delete. Its name is taken for as long.
const secretRecoveryDays = 7

// maxSecretName leaves room, within Secrets Manager's 512 characters, for
// the langfuse/ prefix.
const maxSecretName = 500

// buildSecret is the Secrets Manager secret of a copy.
func (c secretCopy) buildSecret(w *world) (*composed.Unstructured, error) {
	return w.style.New(c.secret, kindSecret, w.spec.Region, map[string]any{
		"name":                 w.awsName(c.secret, secretName(w.names.name(c.secret, maxSecretName))),
		"description":          c.what + " of Langfuse at https://" + w.spec.FQDN(),
		"recoveryWindowInDays": recoveryWindowDays(w.spec),
	}, mrOptions{tagged: true, stateful: c.stateful}), nil
}

// secretName is the Secrets Manager name of a secret: under langfuse/, and
// never ending in a hyphen and six characters, which Secrets Manager's API
// reference asks to avoid: it appends a hyphen and six random characters to
// every ARN, and a lookup by partial ARN would take the name's own ending for
// them (…-credentials-secret becomes …-credentials_secret, …-org-id …_org-id).
func secretName(derived string) string {
	name := "langfuse/" + derived
	if i := len(name) - 7; i > 0 && name[i] == '-' {
		name = name[:i] + "_" + name[i+1:]
	}
	return name
}

// recoveryWindowDays is how long a deleted secret stays restorable: none
// with deletionPolicy Delete, so nothing of it lingers.
func recoveryWindowDays(s *Spec) int64 {
	if s.DeletionPolicy == DeletionPolicyDelete {
		return 0
	}
	return secretRecoveryDays
}

// buildVersion copies the value from the provider's Kubernetes Secret into
// Secrets Manager.
func (c secretCopy) buildVersion(w *world) (*composed.Unstructured, error) {
	return w.style.New(c.version, kindSecretVersion, w.spec.Region, map[string]any{
		"secretIdSelector":      selectorFor(c.secret),
		"secretStringSecretRef": w.secretSourceRef(c.source(w)),
	}, mrOptions{stateful: c.stateful}), nil
}

// secretSourceRef is the reference to a key of a Kubernetes Secret: in its
// own namespace where a cluster-scoped MR must name one, and the style's
// where it names none.
func (w *world) secretSourceRef(src secretSource) map[string]any {
	ref := w.style.secretRef(src.name, src.key)
	if src.namespace != "" && !w.style.Namespaced {
		ref["namespace"] = src.namespace
	}
	return ref
}

// keptSecretRef is the name of a Secret an observed resource refers to at
// path (its spec), or derived before it exists: a provider writes a
// generated value there once, and a new name would make it generate another.
func (w *world) keptSecretRef(component, path, derived string) string {
	if mr := w.observedOne(component); mr != nil {
		if name, _ := mr.GetString(path); name != "" {
			return name
		}
	}
	return derived
}
