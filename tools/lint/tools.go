//go:build tools

// Package tools pins golangci-lint, which hack/test.sh runs with .golangci.yml.
package tools

import (
	_ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
)
