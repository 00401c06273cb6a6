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

var notNameChars = regexp.MustCompile(`[^a-z0-9]+`)

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
	// Letters, digits and single dashes, beginning with a letter: what every
	// service takes (RDS and ElastiCache refuse "--" and a leading digit).
	readable = strings.Trim(notNameChars.ReplaceAllString(strings.ToLower(readable), "-"), "-")
	switch {
	case readable == "":
		readable = "langfuse"
	case readable[0] < 'a' || readable[0] > 'z':
		readable = "lf-" + readable
	}
	// "/" cannot appear in a namespace or name, so the parts never run into
	// each other.
	return namer{readable: readable, hash: shortHash(ns + "/" + name + "/" + string(u.GetUID()))}
}

// name is the AWS name of one of the XR's resources: <readable>-<hash>-<suffix>,
// the readable part cut so that the whole fits in maxLen. It never begins with
// a prefix AWS reserves and never ends with a dash.
func (n namer) name(suffix string, maxLen int) string {
	tail := "-" + n.hash + "-" + suffix
	readable := n.readable
	for _, reserved := range reservedPrefixes {
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

// reservedPrefixes begin names AWS refuses: load balancers named internal-,
// security groups sg-, buckets xn--, sthree- or amzn-s3-demo-.
var reservedPrefixes = []string{"internal-", "sg-", "xn--", "sthree-", "amzn-s3-demo-"}

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
	return w.keptField(component, "name", derived)
}

// keptField is a forProvider field that AWS cannot change: the value the
// observed resource was created with, or derived before it exists.
func (w *world) keptField(component, field, derived string) string {
	if v := w.observedOne(component).str("spec.forProvider." + field); v != "" {
		return v
	}
	return derived
}

// externalName is the name of a kind whose AWS name is its external name:
// the observed one once it exists, derived otherwise.
func (w *world) externalName(component, derived string) string {
	if mr := w.observedOne(component); mr != nil {
		if en := mr.GetAnnotations()[annotationExternalName]; en != "" {
			return en
		}
	}
	return derived
}
