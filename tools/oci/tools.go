//go:build tools

// Package tools pins what packaging needs without Docker: crane, to build and
// inspect the runtime image, and registry, an in-memory OCI registry the
// package tests push to on loopback.
package tools

import (
	_ "github.com/google/go-containerregistry/cmd/crane"
	_ "github.com/google/go-containerregistry/cmd/registry"
)
