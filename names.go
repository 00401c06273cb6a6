package main

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"

	"github.com/crossplane/function-sdk-go/resource"
)

// namer derives the AWS names of one XR's resources. Every name carries a
// hash of the XR's identity (namespace, name and UID), so two XRs never share
// one: not team-a/b and team/a-b, and not a claim deleted and created again
// under the same name (whose old secrets may still be in their recovery
// window). A readable part says whose it is in the AWS console.
type namer struct {
	readable string
	hash     string
}

// hashLength is how many hex digits of the identity's hash a name carries:
// 40 bits, so even thousands of XRs in one account never meet.
const hashLength = 10

var notNameChars = regexp.MustCompile(`[^a-z0-9-]+`)

// namerFor names the resources of xr. A claim's XR is named after its claim
// (namespace and name, which the user chose); others after themselves.
func namerFor(xr *resource.Composite) namer {
	u := xr.Resource
	ns, name := u.GetNamespace(), u.GetName()
	readable := name
	if ns != "" {
		readable = ns + "-" + name
	}
	labels := u.GetLabels()
	if cn, cns := labels["crossplane.io/claim-name"], labels["crossplane.io/claim-namespace"]; cn != "" && cns != "" {
		readable = cns + "-" + cn
	}
	readable = strings.Trim(notNameChars.ReplaceAllString(strings.ToLower(readable), "-"), "-")
	if readable == "" {
		readable = "langfuse"
	}
	// "/" cannot appear in a namespace or name, so the parts never run into
	// each other.
	return namer{readable: readable, hash: shortHash(ns + "/" + name + "/" + string(u.GetUID()))}
}

// name is the AWS name of one of the XR's resources: <readable>-<hash>-<suffix>,
// the readable part cut so that the whole fits in maxLen. It never begins with
// a prefix AWS reserves ("internal-" for load balancers, "sg-" for security
// groups) and never ends with a dash.
func (n namer) name(suffix string, maxLen int) string {
	tail := "-" + n.hash + "-" + suffix
	readable := n.readable
	for _, reserved := range []string{"internal-", "sg-"} {
		if strings.HasPrefix(readable+tail, reserved) {
			readable = "lf-" + readable
		}
	}
	if keep := maxLen - len(tail); len(readable) > keep {
		readable = strings.TrimRight(readable[:max(keep, 0)], "-")
	}
	if readable == "" {
		return strings.TrimPrefix(tail, "-")
	}
	return readable + tail
}

// shortHash is a short, stable hex digest of s.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:hashLength]
}

// awsName is the AWS name a component's resource has: the name it was created
// with once it exists, derived otherwise. AWS cannot rename a load balancer,
// target group, security group, user pool or secret in place, so a name that
// would change (a new naming scheme, a claim's labels edited) must not.
func (w *world) awsName(component, derived string) string {
	if v, ok := observedForProvider(w.observedOne(component))["name"].(string); ok && v != "" {
		return v
	}
	return derived
}
