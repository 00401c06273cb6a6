package main

import (
	"github.com/crossplane/function-sdk-go/errors"
)

// Registry credentials: Docker Hub limits anonymous pulls to 10 per hour per
// IP address, and every task behind one NAT gateway shares that address; a
// first install starts five tasks and every rollout as many again. With
// spec.langfuse.registryCredentials ECS pulls every image logged in: the
// user's Kubernetes Secret holds the login as ECS reads it
// ({"username": …, "password": …}), a SecretVersion copies it into Secrets
// Manager by reference (the function never reads it), and each container
// names that secret as its repositoryCredentials, which the execution role
// may read.

func withRegistryCredentials(s *Spec) bool { return s.Langfuse.RegistryCredentials != nil }

// withRegistryCredentialsOnly makes a need apply only with registry credentials.
func withRegistryCredentialsOnly(n need) need {
	n.when = withRegistryCredentials
	return n
}

var registryCredentialsCopy = secretCopy{
	secret: compRegistrySecret, version: compRegistryVersion, what: "Registry login",
	source: func(w *world) secretSource {
		r := w.spec.Langfuse.RegistryCredentials
		return secretSource{name: r.SecretName, namespace: w.userNamespace, key: r.Key}
	},
}

// repositoryCredentials is what a container definition names to pull with
// the registry login, or nil without one.
func (w *world) repositoryCredentials() (*repositoryCredentials, error) {
	if !withRegistryCredentials(w.spec) {
		return nil, nil //nolint:nilnil // no login is no error
	}
	arn, err := w.reported(compRegistrySecret, statusPathARN)
	if err != nil {
		return nil, errors.Wrap(err, "cannot name the registry login")
	}
	return &repositoryCredentials{CredentialsParameter: arn}, nil
}

// repositoryCredentials is ECS's private registry login of a container.
type repositoryCredentials struct {
	CredentialsParameter string `json:"credentialsParameter"`
}
