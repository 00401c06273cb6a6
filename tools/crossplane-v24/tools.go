//go:build tools

// Package tools pins Crossplane core v2.4.0, the main core the control-plane
// test runs on (the CLI no longer ships in this module; see tools/cli).
package tools

import _ "github.com/crossplane/crossplane/v2/cmd/crossplane"
