package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

// TestDockerfileMatchesDockerFreeBuild keeps the Dockerfile (for users with
// Docker) and hack/package.sh (the Docker-free build the tests push) making
// the same image: the Go of go.mod's toolchain line, a static stripped binary,
// the nonroot user, the entrypoint.
func TestDockerfileMatchesDockerFreeBuild(t *testing.T) {
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	mod, err := modfile.Parse("go.mod", []byte(read("go.mod")), nil)
	if err != nil {
		t.Fatal(err)
	}
	if mod.Toolchain == nil {
		t.Fatal("go.mod has no toolchain line to pin the Go of both builds")
	}
	docker, script := read("Dockerfile"), read("hack/package.sh")

	m := regexp.MustCompile(`(?m)^ARG GO_VERSION=(\S+)$`).FindStringSubmatch(docker)
	if len(m) < 2 || "go"+m[1] != mod.Toolchain.Name {
		t.Errorf("Dockerfile GO_VERSION %v, want the toolchain of go.mod, %s", m, mod.Toolchain.Name)
	}
	for _, want := range []string{"CGO_ENABLED=0", `-trimpath -ldflags="-s -w"`} {
		if !strings.Contains(docker, want) || !strings.Contains(script, want) {
			t.Errorf("the Dockerfile and hack/package.sh must both build with %s", want)
		}
	}
	if !strings.Contains(docker, "USER nonroot:nonroot") || !strings.Contains(script, "--user 65532:65532") {
		t.Error("both images must run as nonroot (uid 65532)")
	}
	if !strings.Contains(docker, `ENTRYPOINT ["/function"]`) || !strings.Contains(script, "--entrypoint /function") {
		t.Error("both images must start /function")
	}
}
