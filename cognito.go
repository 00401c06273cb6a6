package main

import (
	"encoding/json"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// langfuseCallbackPath is where NextAuth's Cognito provider receives the
// authorization code.
const langfuseCallbackPath = "/api/auth/callback/cognito"

// clientSecretKey is the key under which provider-aws writes the app client's
// secret into its connection secret (upjet prefixes sensitive attributes).
const clientSecretKey = "attribute.client_secret"

// Limits on names: Cognito user pools and app clients take 128 characters,
// Kubernetes Secrets 253.
const (
	maxCognitoName    = 128
	maxKubernetesName = 253
)

func buildUserPool(w *world) (*composed.Unstructured, error) {
	c := w.spec.Auth.Cognito
	deletionProtection := "INACTIVE"
	if w.spec.DeletionPolicy == DeletionPolicyOrphan {
		// The pool holds the users: with Orphan, AWS itself refuses to delete it.
		deletionProtection = "ACTIVE"
	}
	body := map[string]any{
		"name": w.awsName(compUserPool, w.names.name("users", maxCognitoName)),
		// People sign in with their email, which Langfuse uses as identity,
		// so it must be verified before anyone can use it.
		"usernameAttributes":     []any{"email"},
		"autoVerifiedAttributes": []any{"email"},
		"usernameConfiguration":  map[string]any{"caseSensitive": false},
		"userAttributeUpdateSettings": map[string]any{
			"attributesRequireVerificationBeforeUpdate": []any{"email"},
		},
		"adminCreateUserConfig": map[string]any{"allowAdminCreateUserOnly": !c.SelfSignUp},
		"accountRecoverySetting": map[string]any{"recoveryMechanism": []any{
			map[string]any{"name": "verified_email", "priority": int64(1)},
		}},
		"passwordPolicy": map[string]any{
			"minimumLength":                 int64(12),
			"requireLowercase":              true,
			"requireUppercase":              true,
			"requireNumbers":                true,
			"requireSymbols":                true,
			"temporaryPasswordValidityDays": int64(3),
		},
		"mfaConfiguration":   c.MFA,
		"deletionProtection": deletionProtection,
		// Managed login (v2) needs the Essentials tier; the classic hosted
		// UI runs on Lite, which costs nothing extra.
		"userPoolTier": userPoolTier(c.ManagedLogin),
	}
	if c.MFA != MFAOff {
		// Authenticator apps: no SMS role or spend to set up.
		body["softwareTokenMfaConfiguration"] = map[string]any{"enabled": true}
	}
	return w.style.New(compUserPool, kindUserPool, w.spec.Region, body,
		mrOptions{stateful: true, tagged: true}), nil
}

func buildUserPoolClient(w *world) (*composed.Unstructured, error) {
	origin := "https://" + w.spec.FQDN()
	return w.style.New(compUserPoolClient, kindUserPoolClient, w.spec.Region, map[string]any{
		"name":                            w.awsName(compUserPoolClient, w.names.name("web", maxCognitoName)),
		"userPoolIdSelector":              selectorFor(compUserPool),
		"generateSecret":                  true,
		"allowedOauthFlowsUserPoolClient": true,
		"allowedOauthFlows":               []any{"code"},
		// openid is what NextAuth asks for; email carries Langfuse's identity.
		"allowedOauthScopes":         []any{"openid", "email", "profile"},
		"callbackUrls":               []any{origin + langfuseCallbackPath},
		"logoutUrls":                 []any{origin},
		"supportedIdentityProviders": []any{"COGNITO"},
		"explicitAuthFlows":          []any{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"},
		"preventUserExistenceErrors": "ENABLED",
		"enableTokenRevocation":      true,
		"accessTokenValidity":        int64(60),
		"idTokenValidity":            int64(60),
		"refreshTokenValidity":       int64(30),
		"tokenValidityUnits": []any{map[string]any{
			"accessToken":  "minutes",
			"idToken":      "minutes",
			"refreshToken": "days",
		}},
	}, mrOptions{connSecret: w.clientConnectionSecret()}), nil
}

// clientConnectionSecret names the Kubernetes Secret the provider writes the
// app client's secret to. The function never reads it: a SecretVersion copies
// it into Secrets Manager, from where ECS injects it. Once the client exists,
// the name it writes to stays.
func (w *world) clientConnectionSecret() string {
	return w.keptSecretRef(compUserPoolClient, "spec.writeConnectionSecretToRef.name", w.names.name("cognito-client", maxKubernetesName))
}

// buildManagedLoginBranding gives the app client the default managed login
// (v2) look. Without a branding, v2 pages show "Login pages unavailable".
// provider-aws v2.4.0 has no kind for it, so it goes through Cloud Control.
func buildManagedLoginBranding(w *world) (*composed.Unstructured, error) {
	poolID := w.statusString(compUserPool, statusPathID)
	clientID := w.statusString(compUserPoolClient, statusPathID)
	if poolID == "" || clientID == "" {
		return nil, errors.Errorf("%s and %s must report %s", compUserPool, compUserPoolClient, statusPathID)
	}
	state, err := json.Marshal(map[string]any{
		"UserPoolId":               poolID,
		"ClientId":                 clientID,
		"UseCognitoProvidedValues": true,
	})
	if err != nil {
		return nil, errors.Wrap(err, "cannot encode managed login branding")
	}
	return w.style.New(compManagedLoginBranding, kindCloudControlResource, w.spec.Region, map[string]any{
		"typeName":     "AWS::Cognito::ManagedLoginBranding",
		"desiredState": string(state),
	}, mrOptions{}), nil
}

// buildUserPoolDomain serves the Cognito login pages on auth.<host>. The graph
// emits it only once the host record resolves and the us-east-1 certificate
// is issued, and keeps it from then on.
func buildUserPoolDomain(w *world) (*composed.Unstructured, error) {
	arn, err := w.reported(compCertAuth, statusPathARN)
	if err != nil {
		return nil, err
	}
	version := int64(2)
	if w.spec.Auth.Cognito.ManagedLogin == ManagedLoginClassic {
		version = 1
	}
	return w.style.New(compUserPoolDomain, kindUserPoolDomain, w.spec.Region, map[string]any{
		"domain":              w.spec.AuthFQDN(),
		"certificateArn":      arn,
		"userPoolIdSelector":  selectorFor(compUserPool),
		"managedLoginVersion": version,
	}, mrOptions{}), nil
}

// userPoolTier is the cheapest Cognito feature plan that serves the login
// pages the spec asks for.
func userPoolTier(managedLogin string) string {
	if managedLogin == ManagedLoginV2 {
		return "ESSENTIALS"
	}
	return "LITE"
}
