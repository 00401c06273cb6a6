package tfcontract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/mod/modfile"
)

// ProviderModule is the provider whose managed resources the function
// composes. The Terraform provider and upjet versions are not pinned here:
// they are read from this module's go.mod, so they always match what the
// provider was built with.
const ProviderModule = "github.com/upbound/provider-aws/v2@v2.4.0"

const (
	// tfProviderPath is the Terraform provider module path that provider-aws
	// requires; its go.mod replaces it with Upbound's fork.
	tfProviderPath = "github.com/hashicorp/terraform-provider-aws"
	// upjetPathPrefix matches github.com/crossplane/upjet and its /vN majors.
	upjetPathPrefix = "github.com/crossplane/upjet"
)

// Module is one downloaded module: Path@Version, unpacked in Dir.
type Module struct {
	Path    string
	Version string
	Dir     string
}

func (m Module) String() string { return m.Path + "@" + m.Version }

// Sources are the modules the contract is read from.
type Sources struct {
	// Provider is provider-aws, for the kind to Terraform type mapping and
	// the schema overrides of its config package.
	Provider Module
	// Terraform is the Terraform provider provider-aws is built with (after
	// the replace directive of its go.mod), for the resource schemas.
	Terraform Module
	// Upjet is the upjet version provider-aws is built with. The contract does
	// not parse it; it is located so tests and reports can point at the code
	// that refuses replacing updates.
	Upjet Module
}

var (
	sourcesOnce sync.Once
	sources     Sources
	sourcesErr  error
)

// LocateSources downloads (or finds in the module cache) provider-aws and the
// Terraform provider and upjet versions its go.mod pins. It runs once per
// process: every Load shares the result.
func LocateSources() (Sources, error) {
	sourcesOnce.Do(func() { sources, sourcesErr = locateSources(ProviderModule) })
	return sources, sourcesErr
}

func locateSources(providerAt string) (Sources, error) {
	var s Sources
	var err error
	if s.Provider, err = download(providerAt); err != nil {
		return Sources{}, err
	}
	gomod := filepath.Join(s.Provider.Dir, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		return Sources{}, fmt.Errorf("cannot read %s: %w", gomod, err)
	}
	mf, err := modfile.Parse(gomod, data, nil)
	if err != nil {
		return Sources{}, fmt.Errorf("cannot parse %s: %w", gomod, err)
	}
	tf, upjet, err := pinnedModules(mf)
	if err != nil {
		return Sources{}, fmt.Errorf("%s: %w", gomod, err)
	}
	if s.Terraform, err = download(tf); err != nil {
		return Sources{}, err
	}
	if s.Upjet, err = download(upjet); err != nil {
		return Sources{}, err
	}
	return s, nil
}

// pinnedModules returns the module@version of the Terraform provider (as
// replaced) and of upjet that a provider go.mod builds with.
func pinnedModules(mf *modfile.File) (tf, upjet string, err error) {
	tfVersion := ""
	for _, r := range mf.Require {
		switch {
		case r.Mod.Path == tfProviderPath:
			tfVersion = r.Mod.Version
		case r.Mod.Path == upjetPathPrefix || strings.HasPrefix(r.Mod.Path, upjetPathPrefix+"/v"):
			upjet = r.Mod.String()
		}
	}
	if tfVersion == "" {
		return "", "", fmt.Errorf("no require of %s", tfProviderPath)
	}
	if upjet == "" {
		return "", "", fmt.Errorf("no require of %s", upjetPathPrefix)
	}
	tf = tfProviderPath + "@" + tfVersion
	// A replace of the bare path applies to every version; one of a version
	// applies to that version only. Upbound replaces the bare path.
	for _, r := range mf.Replace {
		if r.Old.Path != tfProviderPath || (r.Old.Version != "" && r.Old.Version != tfVersion) {
			continue
		}
		if r.New.Version == "" {
			return "", "", fmt.Errorf("%s is replaced by the directory %s, which cannot be downloaded", tfProviderPath, r.New.Path)
		}
		tf = r.New.String()
	}
	return tf, upjet, nil
}

// download runs go mod download -json for one module@version. It runs outside
// any module (in an empty directory, with go.work off) so that it never
// touches the go.mod or go.sum of the repository the tests run in.
func download(moduleAt string) (Module, error) {
	dir, err := os.MkdirTemp("", "tfcontract-")
	if err != nil {
		return Module{}, fmt.Errorf("cannot make a directory to run go mod download in: %w", err)
	}
	defer os.RemoveAll(dir) //nolint:errcheck // An empty directory left in the temporary directory is harmless.
	cmd := exec.Command("go", "mod", "download", "-json", moduleAt)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	// On failure go mod download -json still prints the module with an Error
	// field, which says more than the exit status.
	var m struct {
		Path, Version, Dir, Error string
	}
	if err := json.Unmarshal(out, &m); err != nil && runErr == nil {
		return Module{}, fmt.Errorf("cannot decode go mod download -json %s: %w", moduleAt, err)
	}
	switch {
	case m.Error != "":
		return Module{}, fmt.Errorf("go mod download %s: %s (is the Go module proxy reachable?)", moduleAt, m.Error)
	case runErr != nil:
		return Module{}, fmt.Errorf("go mod download %s: %w: %s", moduleAt, runErr, strings.TrimSpace(stderr.String()))
	case m.Dir == "":
		return Module{}, errors.New("go mod download " + moduleAt + " reported no directory")
	}
	return Module{Path: m.Path, Version: m.Version, Dir: m.Dir}, nil
}
