//go:build tools

// Package tools pins the crossplane CLI the render script and the tests use as
// their main path: since v2.3 the CLI lives in its own module, where render is
// `crossplane composition render` and validate `crossplane resource validate`.
package tools

import _ "github.com/crossplane/cli/v2/cmd/crossplane"
