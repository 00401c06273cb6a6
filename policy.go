package main

import (
	"encoding/json"

	"github.com/crossplane/function-sdk-go/errors"
)

// IAM and resource policy documents, typed: a statement is built whole, in
// one place, never a map changed after it is built.

// policyVersion is the policy language version every document declares.
const policyVersion = "2012-10-17"

// policyDoc is an IAM or resource policy document.
type policyDoc struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

// policyStatement is one statement of a policy. Principal is a service
// principal, "*" or an object such as {"AWS": "*"}; Action is one action or a
// list.
type policyStatement struct {
	Sid       string          `json:"Sid,omitempty"`
	Effect    string          `json:"Effect"`
	Principal any             `json:"Principal,omitempty"`
	Action    any             `json:"Action"`
	Resource  []string        `json:"Resource,omitempty"`
	Condition policyCondition `json:"Condition,omitempty"`
}

// policyCondition maps a condition operator (StringEquals, ArnLike, Bool…) to
// its keys and values.
type policyCondition map[string]map[string]any

// allow is a statement that allows actions on resources.
func allow(sid string, actions, resources []string) policyStatement {
	return policyStatement{Sid: sid, Effect: "Allow", Action: actions, Resource: resources}
}

// when returns the statement with a condition.
func (s policyStatement) when(c policyCondition) policyStatement {
	s.Condition = c
	return s
}

// policyDocument encodes statements as a policy document.
func policyDocument(statements ...policyStatement) (string, error) {
	b, err := json.Marshal(policyDoc{Version: policyVersion, Statement: statements})
	if err != nil {
		return "", errors.Wrap(err, "cannot encode policy")
	}
	return string(b), nil
}

// denyInsecureTransport is a resource policy that denies action on
// resources to any request not made over TLS.
func denyInsecureTransport(action string, principal any, resources ...string) (string, error) {
	return policyDocument(insecureTransportDenied(action, principal, resources...))
}

// insecureTransportDenied is the statement that denies action on resources
// to any request not made over TLS.
func insecureTransportDenied(action string, principal any, resources ...string) policyStatement {
	return policyStatement{
		Sid: "DenyInsecureTransport", Effect: "Deny", Principal: principal, Action: action, Resource: resources,
		Condition: policyCondition{"Bool": {"aws:SecureTransport": "false"}},
	}
}
