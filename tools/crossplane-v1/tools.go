//go:build tools

// Package tools pins the v1.16 crossplane CLI, whose `crossplane beta render`
// speaks only the v1beta1 function protocol, and Crossplane core v1.16: the
// claim path is rendered and run with them too, as Crossplane v1 users do.
package tools

import (
	_ "github.com/crossplane/crossplane/cmd/crank"
	_ "github.com/crossplane/crossplane/cmd/crossplane"
)
