package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// reNetworkPlacement matches a read of where the user's VPC is.
var reNetworkPlacement = regexp.MustCompile(`\.Network\.(VPCID|PublicSubnetIDs|PrivateSubnetIDs)\b`)

// byoNetworkFiles may read spec.network's placement directly: the spec, the
// seam itself, and the network (the observed VPC and subnets or the
// composed ones, the immutable VPC).
var byoNetworkFiles = []string{"spec.go", "placement.go", "prerequisites.go", "vpc.go", "identity.go", "graph.go"}

// TestBuildersPlaceThroughTheSeam checks no builder reads the VPC or the
// subnets from the spec: a composed VPC then changes placement.go, not
// every builder that places something.
func TestBuildersPlaceThroughTheSeam(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || slices.Contains(byoNetworkFiles, f) {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if reNetworkPlacement.MatchString(line) {
				t.Errorf("%s:%d reads the network from the spec; place through placement.go: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
