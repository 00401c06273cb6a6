//go:build tools

// Package tools pins the crossplane CLI (crank) and Crossplane core that the
// tests build. v2.2.1 is the last release whose module still holds cmd/crank.
package tools

import (
	_ "github.com/crossplane/crossplane/v2/cmd/crank"
	_ "github.com/crossplane/crossplane/v2/cmd/crossplane"
)
