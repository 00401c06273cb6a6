// Package crdname names the file of a provider-aws CRD in the provider's
// package/crds directory, for the tests that load the CRDs of what the
// function composes.
package crdname

import "strings"

// File is the CRD file of a kind in a group, <group>_<plural>.yaml, with the
// plural upjet gives it: policies, ownershipcontrols, records.
func File(group, kind string) string {
	return group + "_" + Plural(kind) + ".yaml"
}

// Plural is the lower-case plural of a kind, as Kubernetes forms it.
func Plural(kind string) string {
	k := strings.ToLower(kind)
	switch {
	case strings.HasSuffix(k, "s"):
		return k
	case strings.HasSuffix(k, "y") && !strings.ContainsAny(k[len(k)-2:len(k)-1], "aeiou"):
		return k[:len(k)-1] + "ies"
	default:
		return k + "s"
	}
}
