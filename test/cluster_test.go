//go:build e2e

package test

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/crossplane-contrib/function-langfuse/internal/crdname"
	"github.com/crossplane-contrib/function-langfuse/internal/fakeaws"
)

const (
	packageTag  = "v0.1.0"
	namespace   = "team-ml"
	flowTimeout = 5 * time.Minute
	gcTimeout   = 3 * time.Minute
	// functionName is what Crossplane names the Function it installs as
	// the Configuration's dependency, and what the Compositions call.
	functionName = "crossplane-contrib-function-langfuse"
	// The repositories the packages are published at, as the README's
	// install manifest and the Configuration's dependencies name them.
	functionRepository      = "ghcr.io/crossplane-contrib/function-langfuse"
	configurationRepository = "ghcr.io/crossplane-contrib/configuration-langfuse"
	providerRegistry        = "xpkg.upbound.io/upbound/"
	providerVersion         = "v2.4.0"
)

// TestControlPlane installs function-langfuse the way the README says, on
// loopback only: the packages are built without Docker and pushed to a local
// registry, next to stand-ins of the provider-aws family packages (the real
// CRDs, no controller); an ImageConfig sends Crossplane there for the
// packages' public paths; example/install/configuration.yaml is applied and
// Crossplane resolves and installs the Function and the providers. The test
// plays the package runtime (the function binary taken out of the pushed
// image serves over mTLS) and the providers, while claims and a namespaced
// XR are applied with kubectl. It runs on core v2.4.0, the main core, then on
// v2.2.1, the oldest v2 we support.
func TestControlPlane(t *testing.T) {
	crank, crane := tool(t, "crank-cli"), tool(t, "crane")
	reg := startRegistry(t)
	out := buildPackages(t)

	t.Log("step: push the packages to the loopback registry")
	fnRef := reg + strings.TrimPrefix(functionRepository, "ghcr.io") + ":" + packageTag
	cfgRef := reg + strings.TrimPrefix(configurationRepository, "ghcr.io") + ":" + packageTag
	runCmd(t, "xpkg push function", crank, "xpkg", "push", "-f",
		filepath.Join(out, "function-langfuse-amd64.xpkg")+","+filepath.Join(out, "function-langfuse-arm64.xpkg"), fnRef)
	runCmd(t, "xpkg push configuration", crank, "xpkg", "push", "-f", filepath.Join(out, "configuration-langfuse.xpkg"), cfgRef)
	checkPackages(t, crane, fnRef, cfgRef)
	pushStandInProviders(t, crank, reg)
	fnBin := extractFunction(t, crane, fnRef)

	// One core after the other: side by side, two control planes on two
	// cores starve each other past the flows' timeouts.
	for _, flavor := range []coreFlavor{crossplaneV24, crossplaneV221} {
		t.Run(flavor.name, func(t *testing.T) {
			c := newControlPlane(t, flavor)
			installConfiguration(t, c, reg, fnBin)

			c.mustKubectl(t, "create the claim namespace", "create", "namespace", namespace)
			t.Run("BadClaimsRejected", func(t *testing.T) { badClaims(t, c) })
			t.Run("Claim", func(t *testing.T) {
				flow(t, c, flowSpec{
					// Both XRDs define a Langfuse: kubectl resolves the bare
					// kind to the namespaced XR's group, so name the claim's.
					manifest: "example/claim.yaml", get: "langfuses.aws.platform.crossplane.io/langfuse", wantMRGroup: ".aws.upbound.io/",
					selector: "crossplane.io/claim-name=langfuse,crossplane.io/claim-namespace=" + namespace,
				})
			})
			t.Run("NamespacedXR", func(t *testing.T) {
				flow(t, c, flowSpec{
					manifest: "example/namespaced/xr.yaml", get: "langfuses.aws.m.platform.crossplane.io/langfuse", wantMRGroup: ".aws.m.upbound.io/v1beta1",
					selector: "crossplane.io/composite=langfuse",
				})
			})
			// A claim with a VPC of its own, on the newest core only: its
			// kinds and their gates are the same on both.
			if flavor.name == crossplaneV24.name {
				t.Run("OwnVPCClaim", func(t *testing.T) { ownVPCFlow(t, c) })
			}
		})
	}
}

// TestControlPlaneCrossplaneV1 runs the claim path on Crossplane core v1.16,
// which calls functions over the v1beta1 protocol, derives XR readiness from
// composed readiness alone and drops the conditions functions set. The
// function built from this repo serves it over mTLS from a hand-made
// FunctionRevision, as the package runtime would.
func TestControlPlaneCrossplaneV1(t *testing.T) {
	// v1.16 binds its metrics, health and webhook servers to :8080, :8081
	// and :9443, with no flag to move them: say so plainly rather than fail
	// later.
	for _, port := range []int{8080, 8081, 9443} {
		l, err := net.Listen("tcp", fmt.Sprintf(":%d", port))
		if err != nil {
			t.Fatalf("step: Crossplane core v1.16 needs port %d, which is in use: %v", port, err)
		}
		_ = l.Close()
	}
	c := newControlPlane(t, crossplaneV1)
	port := freePort(t)
	c.start(t, "function", nil, buildFunction(t), "--debug", fmt.Sprintf("--address=127.0.0.1:%d", port),
		"--tls-certs-dir="+filepath.Join(c.certs, "fn"), "--metrics-address=")
	c.apply(t, "create the FunctionRevision", fmt.Sprintf(`apiVersion: pkg.crossplane.io/v1beta1
kind: FunctionRevision
metadata:
  name: %[1]s-local
  labels: {pkg.crossplane.io/package: %[1]s}
  annotations: {crossplane.io/paused: "true"}
spec: {desiredState: Active, image: "127.0.0.1:5000/%[1]s:%[2]s", revision: 1, ignoreCrossplaneConstraints: true, skipDependencyResolution: true}
`, functionName, packageTag))
	c.mustKubectl(t, "point the revision at the function", "patch", "functionrevision/"+functionName+"-local", "--subresource=status", "--type=merge",
		"-p", fmt.Sprintf(`{"status":{"endpoint":"dns:///localhost:%d"}}`, port))

	c.mustKubectl(t, "create the claim namespace", "create", "namespace", namespace)
	for _, f := range []string{"example/definition.yaml", "example/composition.yaml"} {
		c.mustKubectl(t, "apply "+f, "apply", "-f", f)
	}
	c.mustKubectl(t, "XRD offered", "wait", "xrd/xlangfuses.aws.platform.crossplane.io", "--for=condition=Offered", "--timeout=120s")
	flow(t, c, flowSpec{
		manifest: "example/claim.yaml", get: "langfuses.aws.platform.crossplane.io/langfuse", wantMRGroup: ".aws.upbound.io/", crossplaneV1: true,
		selector: "crossplane.io/claim-name=langfuse,crossplane.io/claim-namespace=" + namespace,
	})
}

// startRegistry runs go-containerregistry's in-memory registry on loopback.
func startRegistry(t *testing.T) string {
	t.Helper()
	port := freePort(t)
	c := &controlPlane{dir: t.TempDir()}
	t.Cleanup(func() { c.stopAll(t) })
	c.start(t, "registry", nil, tool(t, "registry"), "-port", fmt.Sprint(port))
	reg := fmt.Sprintf("127.0.0.1:%d", port)
	crane := tool(t, "crane")
	eventually(t, "registry listening", 30*time.Second, func() string {
		if out, err := exec.Command(crane, "catalog", reg).CombinedOutput(); err != nil {
			return string(out)
		}
		return ""
	})
	return reg
}

// buildPackages runs hack/package.sh: runtime images for amd64 and arm64 built
// with crane, the Function xpkgs and the Configuration xpkg.
func buildPackages(t *testing.T) string {
	t.Helper()
	out := t.TempDir()
	cmd := exec.Command(filepath.Join(repoRoot, "hack", "package.sh"))
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "OUT="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("step: hack/package.sh: %v\n%s", err, b)
	}
	return out
}

// TestPackageForAFork builds the Configuration package as a fork's CI does,
// for a Function published at another repository and release, and checks
// that the dependency and both Compositions' functionRef follow: Crossplane
// would name that Function acme-function-langfuse.
func TestPackageForAFork(t *testing.T) {
	out := t.TempDir()
	cmd := exec.Command(filepath.Join(repoRoot, "hack", "package.sh"))
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "OUT="+out, "ARCHES=", "FUNCTION_PACKAGE=ghcr.io/acme/function-langfuse", "VERSION=v1.2.3")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("step: hack/package.sh: %v\n%s", err, b)
	}
	reg := startRegistry(t)
	ref := reg + "/acme/configuration-langfuse:v1.2.3"
	runCmd(t, "xpkg push configuration", tool(t, "crank-cli"), "xpkg", "push", "-f", filepath.Join(out, "configuration-langfuse.xpkg"), ref)
	pkg := string(exportFiles(t, tool(t, "crane"), ref, "package.yaml")["package.yaml"])
	// xpkg build writes the metadata anew: the version loses its quotes.
	for _, want := range []string{"package: ghcr.io/acme/function-langfuse\n    version: v1.2.3\n", "name: acme-function-langfuse"} {
		if !strings.Contains(pkg, want) {
			t.Errorf("step: the fork's Configuration package lacks %q", want)
		}
	}
	if n := strings.Count(pkg, "name: acme-function-langfuse"); n != 2 {
		t.Errorf("step: %d functionRefs call acme-function-langfuse, want both Compositions'", n)
	}
	if strings.Contains(pkg, "ghcr.io/crossplane-contrib/function-langfuse") || strings.Contains(pkg, "crossplane-contrib-function-langfuse") {
		t.Error("step: the fork's Configuration package still names the upstream Function")
	}
}

// checkPackages checks what was pushed: a multi-arch Function with its
// runtime, and a Configuration with the API and its dependencies.
func checkPackages(t *testing.T, crane, fnRef, cfgRef string) {
	t.Helper()
	index := map[string]any{}
	if err := json.Unmarshal(runCmd(t, "crane manifest", crane, "manifest", fnRef), &index); err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, m := range index["manifests"].([]any) {
		p := m.(map[string]any)["platform"].(map[string]any)
		platforms = append(platforms, p["os"].(string)+"/"+p["architecture"].(string))
	}
	sort.Strings(platforms)
	if !slices.Equal(platforms, []string{"linux/amd64", "linux/arm64"}) {
		t.Errorf("step: the Function package is for %v, want linux/amd64 and linux/arm64", platforms)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		cfg := map[string]any{}
		if err := json.Unmarshal(runCmd(t, "crane config", crane, "config", "--platform", "linux/"+arch, fnRef), &cfg); err != nil {
			t.Fatal(err)
		}
		c := cfg["config"].(map[string]any)
		if fmt.Sprint(c["Entrypoint"]) != "[/function]" || c["User"] != "65532:65532" || cfg["architecture"] != arch {
			t.Errorf("step: the %s runtime image: entrypoint %v, user %v, arch %v; want [/function], 65532:65532, %s", arch, c["Entrypoint"], c["User"], cfg["architecture"], arch)
		}
	}

	files := exportFiles(t, crane, fnRef, "package.yaml", ".up/examples.yaml", "function", "etc/passwd", "etc/ssl/certs/ca-certificates.crt")
	pkg := string(files["package.yaml"])
	for _, want := range []string{"kind: Function", "name: function-langfuse", "- composition", "kind: CustomResourceDefinition", "name: inputs.langfuse.fn.crossplane.io"} {
		if !strings.Contains(pkg, want) {
			t.Errorf("step: the Function package's package.yaml lacks %q", want)
		}
	}
	if ex := string(files[".up/examples.yaml"]); !strings.Contains(ex, "kind: Langfuse") || !strings.Contains(ex, "kind: Composition") {
		t.Error("step: the Function package does not embed the examples")
	}
	if !strings.Contains(string(files["etc/passwd"]), "nonroot:x:65532") {
		t.Error("step: the runtime image has no nonroot user")
	}

	cfg := string(exportFiles(t, crane, cfgRef, "package.yaml")["package.yaml"])
	for _, want := range []string{
		"kind: Configuration", "name: xlangfuses.aws.platform.crossplane.io", "name: langfuses.aws.m.platform.crossplane.io",
		"name: langfuse-aws", "name: langfuse-aws-namespaced", "package: " + functionRepository, "name: " + functionName,
		"package: " + providerRegistry + "provider-aws-cognitoidp", ">=v2.4.0, <v3.0.0", "kind: ManagedResourceActivationPolicy",
	} {
		if !strings.Contains(cfg, want) {
			t.Errorf("step: the Configuration package's package.yaml lacks %q", want)
		}
	}
}

// exportFiles reads files out of the flattened filesystem of an image, for
// this machine's platform.
func exportFiles(t *testing.T, crane, ref string, names ...string) map[string][]byte {
	t.Helper()
	fs := filepath.Join(t.TempDir(), "fs.tar")
	runCmd(t, "crane export", crane, "export", "--platform", "linux/"+runtime.GOARCH, ref, fs)
	f, err := os.Open(fs)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(h.Name, "/")
		if slices.Contains(names, name) {
			b, _ := io.ReadAll(tr)
			got[name] = b
		}
	}
	for _, n := range names {
		if _, ok := got[n]; !ok {
			t.Errorf("step: %s has no %s", ref, n)
		}
	}
	return got
}

// extractFunction takes the function binary out of the pushed package.
func extractFunction(t *testing.T, crane, ref string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "function")
	writeFile(t, bin, exportFiles(t, crane, ref, "function")["function"])
	if err := os.Chmod(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// pushStandInProviders pushes, for every provider the Configuration depends
// on, a stand-in package to the loopback registry at the path an ImageConfig
// rewrites the real one to: the real package metadata (safe-start, a
// dependency on provider-family-aws) and the family's CRDs from the
// provider-aws module, those of every composed kind (the version the function
// writes made the storage one: no conversion webhook runs here) and two more,
// which must stay inactive. provider-family-aws brings the ProviderConfig
// kinds.
func pushStandInProviders(t *testing.T, crank, reg string) {
	t.Helper()
	awsCRDs := filepath.Join(moduleDir(t, providerAWSModule), "package", "crds")
	versions := composedCRDVersions(t)
	meta := readYAML(t, "configuration/crossplane.yaml")
	families := []string{"family-aws"}
	for _, d := range meta["spec"].(map[string]any)["dependsOn"].([]any) {
		dep := d.(map[string]any)
		if pkg, _ := dep["package"].(string); dep["kind"] == "Provider" {
			if !strings.HasPrefix(pkg, providerRegistry+"provider-aws-") {
				t.Fatalf("step: the Configuration depends on %s, not a provider-aws family package", pkg)
			}
			families = append(families, strings.TrimPrefix(pkg, providerRegistry+"provider-"))
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for _, family := range families {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			dir := t.TempDir()
			groups := []string{strings.TrimPrefix(family, "aws-") + ".aws.upbound.io_", strings.TrimPrefix(family, "aws-") + ".aws.m.upbound.io_"}
			dependsOn := fmt.Sprintf(`
  dependsOn:
  - apiVersion: pkg.crossplane.io/v1
    kind: Provider
    package: %sprovider-family-aws
    version: ">=%s"`, providerRegistry, providerVersion)
			if family == "family-aws" {
				groups, dependsOn = []string{"aws.upbound.io_", "aws.m.upbound.io_"}, ""
			}
			writeFile(t, filepath.Join(dir, "crossplane.yaml"), fmt.Appendf(nil, `apiVersion: meta.pkg.crossplane.io/v1
kind: Provider
metadata:
  name: provider-%s
  labels: {pkg.crossplane.io/provider-family: provider-family-aws}
spec:
  capabilities: [SafeStart]%s
`, family, dependsOn))
			crds := mkdir(t, dir, "crds")
			n := 0
			for _, prefix := range groups {
				files, _ := filepath.Glob(filepath.Join(awsCRDs, prefix+"*.yaml"))
				others := 0
				for _, f := range files {
					version, composed := versions[filepath.Base(f)]
					// Every composed kind, and two the function does not
					// compose, which must stay inactive: all of a family's
					// kinds (ec2 alone has 204) would only slow the API
					// server down.
					if !composed && family != "family-aws" {
						if others == 2 {
							continue
						}
						others++
					}
					writeFile(t, filepath.Join(crds, filepath.Base(f)), standInCRD(t, f, version))
					n++
				}
			}
			if n == 0 {
				t.Errorf("step: provider-aws has no CRDs for provider-%s", family)
				return
			}
			pkg := filepath.Join(t.TempDir(), "provider.xpkg")
			runCmd(t, "xpkg build provider-"+family, crank, "xpkg", "build", "--package-root="+dir, "--examples-root="+mkdir(t, dir, "examples"), "--package-file="+pkg)
			runCmd(t, "xpkg push provider-"+family, crank, "xpkg", "push", "-f", pkg, reg+"/upbound/provider-"+family+":"+providerVersion)
		}()
	}
	wg.Wait()
}

// installConfiguration installs function-langfuse as the README says: an
// ImageConfig per public registry path sends Crossplane to the loopback
// registry, then example/install/configuration.yaml is applied and Crossplane
// resolves the dependencies. The test plays the package runtime, which would
// run the Function and each provider as a Deployment: it serves the function
// binary from the image over mTLS, tells core where, and reports every
// revision's runtime healthy.
func installConfiguration(t *testing.T, c *controlPlane, reg, fnBin string) {
	t.Helper()
	for name, prefix := range map[string]string{"loopback-crossplane-contrib": "ghcr.io/crossplane-contrib/", "loopback-upbound": providerRegistry} {
		c.apply(t, "send "+prefix+" to the loopback registry", fmt.Sprintf(`apiVersion: pkg.crossplane.io/v1beta1
kind: ImageConfig
metadata:
  name: %s
spec:
  matchImages:
  - prefix: %s
  rewriteImage:
    prefix: %s/%s/
`, name, prefix, reg, strings.Split(prefix, "/")[1]))
	}
	fn := filepath.Join(c.certs, "fn")
	c.mustKubectl(t, "create the runtime's TLS secret", "-n", "crossplane-system", "create", "secret", "generic", runtimeTLSSecret,
		"--from-file=tls.crt="+filepath.Join(fn, "tls.crt"), "--from-file=tls.key="+filepath.Join(fn, "tls.key"), "--from-file=ca.crt="+filepath.Join(fn, "ca.crt"))
	c.mustKubectl(t, "apply the README's install manifest", "apply", "-f", "example/install/configuration.yaml")

	served := false
	healthy := map[string]bool{}
	eventually(t, "Crossplane installs the Configuration and its dependencies", 8*time.Minute, func() string {
		if !served {
			out, err := c.kubectl("get", "functionrevisions", "-l", "pkg.crossplane.io/package="+functionName, "-o", "name")
			if revision := strings.TrimSpace(out); err == nil && revision != "" {
				serveFunction(t, c, revision, fnBin)
				served = true
			}
		}
		out, err := c.kubectl("get", "providerrevisions,functionrevisions", "-o", "name")
		if err != nil {
			return err.Error()
		}
		for _, rev := range strings.Fields(out) {
			if healthy[rev] || (strings.HasPrefix(rev, "functionrevision") && !served) {
				continue
			}
			// A provider's runtime serves its webhooks with a certificate
			// core puts in the CRDs' conversion config: core waits for it.
			if strings.HasPrefix(rev, "providerrevision") {
				if _, err := c.kubectl("patch", rev, "--subresource=status", "--type=merge", "-p", `{"status":{"tlsServerSecretName":"`+runtimeTLSSecret+`"}}`); err != nil {
					continue
				}
			}
			if _, err := c.kubectl("patch", rev, "--subresource=status", "--type=json", "-p",
				`[{"op":"add","path":"/status/conditions/-","value":{"type":"RuntimeHealthy","status":"True","reason":"HealthyPackageRevision","lastTransitionTime":"2026-01-01T00:00:00Z"}}]`); err == nil {
				healthy[rev] = true
			}
		}
		var unhealthy []string
		for _, kind := range []string{"configurations", "functions", "providers"} {
			out, _ := c.kubectl("get", kind, "-o", `jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Healthy")].status}{" "}{end}`)
			for _, p := range strings.Fields(out) {
				if !strings.HasSuffix(p, "=True") {
					unhealthy = append(unhealthy, kind+"/"+p)
				}
			}
		}
		if !served || len(unhealthy) > 0 || len(healthy) == 0 {
			lock, _ := c.kubectl("get", "lock", "lock", "-o", "jsonpath={.status.conditions}")
			return fmt.Sprintf("function served: %v; not healthy: %v; lock: %s", served, unhealthy, lock)
		}
		return ""
	})

	// What Crossplane installed, under which names.
	fns := strings.Fields(c.mustKubectl(t, "list Functions", "get", "functions", "-o", "name"))
	if !slices.Equal(fns, []string{"function.pkg.crossplane.io/" + functionName}) {
		t.Errorf("step: Crossplane installed the Functions %v, want %s (the name the Compositions call)", fns, functionName)
	}
	providers := c.mustKubectl(t, "list Providers", "get", "providers", "-o", "jsonpath={.items[*].metadata.name}")
	for _, want := range []string{"upbound-provider-family-aws", "upbound-provider-aws-ec2", "upbound-provider-aws-cognitoidp"} {
		if !strings.Contains(providers, want) {
			t.Errorf("step: Crossplane installed the Providers %s, none named %s", providers, want)
		}
	}
	if v := c.mustKubectl(t, "Provider version", "get", "provider", "upbound-provider-aws-ecs", "-o", "jsonpath={.spec.package}"); !strings.HasSuffix(v, ":"+providerVersion) {
		t.Errorf("step: the version range resolved provider-aws-ecs to %s, want %s", v, providerVersion)
	}

	c.mustKubectl(t, "XRD offered", "wait", "xrd/xlangfuses.aws.platform.crossplane.io", "--for=condition=Offered", "--timeout=120s")
	c.mustKubectl(t, "XRD established", "wait", "xrd/langfuses.aws.m.platform.crossplane.io", "--for=condition=Established", "--timeout=120s")
	activated(t, c)
	// Core v2.4 checks each pipeline step's Function has the composition
	// capability (v2.2.1 does not); a name the Compositions call that no
	// Function has would leave them unchecked, so this runs after the name
	// check above.
	if pipeline := c.mustKubectl(t, "Composition revisions", "get", "compositionrevisions", "-o", `jsonpath={.items[*].status.conditions[?(@.type=="ValidPipeline")].message}`); strings.Contains(pipeline, "missing") {
		t.Errorf("step: a CompositionRevision says %s", pipeline)
	}
}

// activated checks the Configuration's activation policy did what it says:
// the providers' ManagedResourceDefinitions of exactly the kinds listed are
// active and served as CRDs, and every other kind of those families is not.
func activated(t *testing.T, c *controlPlane) {
	t.Helper()
	policy := readYAML(t, "configuration/activation-policy.yaml")
	want := map[string]bool{}
	for _, a := range policy["spec"].(map[string]any)["activate"].([]any) {
		want[a.(string)] = true
	}
	var active, inactive []string
	eventually(t, "the activation policy activates its kinds", 2*time.Minute, func() string {
		// The server's table (name, state, ...) rather than the objects,
		// which carry whole schemas.
		out, err := c.kubectl("get", "managedresourcedefinitions", "--no-headers")
		if err != nil {
			return err.Error()
		}
		active, inactive = nil, nil
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			name, state := f[0], f[1]
			if state == "Active" {
				active = append(active, name)
			} else {
				inactive = append(inactive, name)
			}
		}
		if len(active) != len(want) {
			return fmt.Sprintf("%d of %d MRDs active", len(active), len(want))
		}
		return ""
	})
	for _, name := range active {
		if !want[name] {
			t.Errorf("step: %s is active, but the policy does not list it", name)
		}
	}
	if len(inactive) == 0 {
		t.Error("step: no MRD is inactive: the families' other kinds should stay off")
	}
	crds := map[string]bool{}
	eventually(t, "a CRD serves every activated kind", time.Minute, func() string {
		for _, line := range strings.Split(c.mustKubectl(t, "list CRDs", "get", "crds", "--no-headers"), "\n") {
			if f := strings.Fields(line); len(f) > 0 {
				crds[f[0]] = true
			}
		}
		for name := range want {
			if !crds[name] {
				return name + " is activated, but no CRD serves it yet"
			}
		}
		return ""
	})
	for _, name := range inactive {
		if crds[name] {
			t.Errorf("step: %s is not activated, but a CRD serves it", name)
		}
	}
}

// runtimeTLSSecret holds the certificate the test's package runtime serves
// with, as the runtime controller would create per revision.
const runtimeTLSSecret = "package-runtime-tls-server"

// serveFunction plays the package runtime for the Function's revision: it
// runs the binary from the image over mTLS and tells core where.
func serveFunction(t *testing.T, c *controlPlane, revision, bin string) {
	t.Helper()
	port := freePort(t)
	c.start(t, "function", nil, bin, "--debug", fmt.Sprintf("--address=127.0.0.1:%d", port),
		"--tls-certs-dir="+filepath.Join(c.certs, "fn"), "--metrics-address=")
	c.mustKubectl(t, "point the revision at the function", "patch", revision, "--subresource=status", "--type=merge", "-p",
		fmt.Sprintf(`{"status":{"tlsServerSecretName":%q,"endpoint":"dns:///localhost:%d"}}`, runtimeTLSSecret, port))
	if caps := c.mustKubectl(t, "revision capabilities", "get", revision, "-o", "jsonpath={.status.capabilities}"); !strings.Contains(caps, "composition") {
		t.Errorf("step: the revision lacks the composition capability: %s", caps)
	}
}

// badClaims applies claims that break the API and expects the API server to
// refuse each with a message naming the field.
func badClaims(t *testing.T, c *controlPlane) {
	cases := map[string]struct {
		set   map[string]any
		field string
	}{
		"MissingZoneID":       {set: map[string]any{"domain.zoneId": nil}, field: "spec.domain.zoneId"},
		"InvalidHostName":     {set: map[string]any{"domain.hostName": "Lang_fuse!"}, field: "spec.domain.hostName"},
		"OneSubnetOnly":       {set: map[string]any{"network.publicSubnetIds": []any{"subnet-0a1b2c3d4e5f60001"}}, field: "spec.network.publicSubnetIds"},
		"UnknownRegionFormat": {set: map[string]any{"region": "Europe (Ireland)"}, field: "spec.region"},
		"LinkingWithSignUp":   {set: map[string]any{"auth.cognito.selfSignUp": true, "auth.cognito.allowAccountLinking": true}, field: "spec.auth.cognito.allowAccountLinking"},
		"NoWayToSignIn":       {set: map[string]any{"auth.cognito.enabled": false, "auth.disableEmailPasswordAuth": true}, field: "spec.auth.disableEmailPasswordAuth"},
		"IPv6CIDR":            {set: map[string]any{"network.allowedCidrs": []any{"2001:db8::/32"}}, field: "spec.network.allowedCidrs"},
		"NoCIDRs":             {set: map[string]any{"network.allowedCidrs": []any{}}, field: "spec.network.allowedCidrs"},
		"DuplicateCIDR":       {set: map[string]any{"network.allowedCidrs": []any{"10.0.0.0/8", "10.0.0.0/8"}}, field: "spec.network.allowedCidrs"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			claim := readYAML(t, "example/claim.yaml")
			claim["metadata"].(map[string]any)["name"] = "bad-" + strings.ToLower(name)
			spec := claim["spec"].(map[string]any)
			for path, v := range tc.set {
				setPath(spec, path, v)
			}
			b, _ := yaml.Marshal(claim)
			f := filepath.Join(t.TempDir(), "claim.yaml")
			writeFile(t, f, b)
			out, err := c.kubectl("apply", "-f", f)
			if err == nil {
				t.Fatalf("the API server accepted a claim with a bad %s: %s", tc.field, out)
			}
			if !strings.Contains(out, tc.field) {
				t.Errorf("the API server's message does not name %s: %s", tc.field, out)
			}
		})
	}
}

// flowSpec is one of the two ways to ask for a Langfuse.
type flowSpec struct {
	manifest    string // what kubectl applies
	get         string // the object kubectl get/describe/wait show the user
	selector    string // labels of its composed resources
	wantMRGroup string
	// crossplaneV1 is set on Crossplane v1, which drops the conditions a
	// function sets: there, status.waitingFor and events tell what waits.
	crossplaneV1 bool
}

// mr is a composed managed resource as kubectl lists it.
type mr struct {
	name, namespace, apiVersion, kind, resourceName string
	ready                                           bool
	deleting                                        bool
	forProvider, atProvider                         map[string]any
}

func (m mr) ref() string {
	group, version, _ := strings.Cut(m.apiVersion, "/")
	return crdname.Plural(m.kind) + "." + version + "." + group + "/" + m.name
}

// composed lists the managed resources composed for the flow, by composition
// resource name.
func (c *controlPlane) composed(t *testing.T, f flowSpec) map[string]mr {
	t.Helper()
	out, err := c.kubectl("get", "managed", "-A", "-l", f.selector, "-o", "json")
	if err != nil {
		t.Logf("listing managed resources: %v", err)
		return nil
	}
	var list struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	got := map[string]mr{}
	for _, it := range list.Items {
		meta := it["metadata"].(map[string]any)
		ann, _ := meta["annotations"].(map[string]any)
		spec, _ := it["spec"].(map[string]any)
		fp, _ := spec["forProvider"].(map[string]any)
		status, _ := it["status"].(map[string]any)
		ap, _ := status["atProvider"].(map[string]any)
		ns, _ := meta["namespace"].(string)
		m := mr{
			name: meta["name"].(string), namespace: ns, apiVersion: it["apiVersion"].(string), kind: it["kind"].(string),
			resourceName: fmt.Sprint(ann["crossplane.io/composition-resource-name"]), ready: conditionStatus(it, "Ready") == "True",
			deleting: meta["deletionTimestamp"] != nil, forProvider: fp, atProvider: ap,
		}
		got[m.resourceName] = m
	}
	return got
}

// patchStatus stands in for the provider: it reports the resource Ready (or
// not) with the status values AWS would give it.
func (c *controlPlane) patchStatus(t *testing.T, m mr, ready bool) {
	t.Helper()
	c.mustKubectl(t, "patch the status of "+m.resourceName, statusPatchArgs(m, ready)...)
}

// statusPatchArgs are the kubectl arguments that report m Ready (or not)
// with the status values AWS would give it.
func statusPatchArgs(m mr, ready bool) []string {
	cond := map[string]any{"type": "Ready", "status": "True", "reason": "Available", "lastTransitionTime": time.Now().UTC().Format(time.RFC3339)}
	if !ready {
		cond["status"], cond["reason"] = "False", "Unavailable"
	}
	patch, _ := json.Marshal(map[string]any{"status": map[string]any{
		"atProvider": fakeaws.AtProvider(m.kind, m.resourceName, "eu-west-1", m.forProvider),
		"conditions": []any{cond},
	}})
	args := []string{"patch", m.ref(), "--subresource=status", "--type=merge", "-p", string(patch)}
	if m.namespace != "" {
		args = append(args, "-n", m.namespace)
	}
	return args
}

// patchStatuses reports every resource of ms Ready, a few kubectl calls at a
// time: one after the other, a stack of sixty resources takes a minute per
// wave on two cores.
func (c *controlPlane) patchStatuses(t *testing.T, ms []mr) {
	t.Helper()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []string
		sem  = make(chan struct{}, 4)
	)
	for _, m := range ms {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if out, err := c.kubectl(statusPatchArgs(m, true)...); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Sprintf("%s: %v: %s", m.resourceName, err, out))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("step: patch the status of composed resources:\n%s", strings.Join(errs, "\n"))
	}
}

// object reads the object the user sees (claim or namespaced XR).
func (c *controlPlane) object(t *testing.T, f flowSpec) map[string]any {
	t.Helper()
	out, err := c.kubectl("get", f.get, "-n", namespace, "-o", "json")
	if err != nil {
		return map[string]any{}
	}
	m := map[string]any{}
	_ = json.Unmarshal([]byte(out), &m)
	return m
}

func condition(obj map[string]any, typ string) (status, reason string) {
	st, _ := obj["status"].(map[string]any)
	cs, _ := st["conditions"].([]any)
	for _, c := range cs {
		if cm, _ := c.(map[string]any); cm["type"] == typ {
			return fmt.Sprint(cm["status"]), fmt.Sprint(cm["reason"])
		}
	}
	return "", ""
}

// flow applies a Langfuse and plays the provider in the order AWS would,
// checking the gate of the Cognito domain on a real control plane.
func flow(t *testing.T, c *controlPlane, f flowSpec) {
	c.mustKubectl(t, "apply "+f.manifest, "apply", "-f", f.manifest)

	// 1. Everything but the host record becomes Ready, wave after wave.
	eventually(t, "play the provider up to the host record", flowTimeout, func() string {
		mrs := c.composed(t, f)
		if _, early := mrs["cognito-domain"]; early {
			t.Fatal("step: the Cognito domain was composed before the host record was Ready")
		}
		var pending []mr
		for _, m := range mrs {
			if !m.ready && m.resourceName != "dns-record-host" {
				pending = append(pending, m)
			}
		}
		c.patchStatuses(t, pending)
		if _, ok := mrs["dns-record-host"]; !ok || len(pending) > 0 {
			return fmt.Sprintf("%d composed resources, %d just made Ready, host record composed: %v", len(mrs), len(pending), ok)
		}
		if f.crossplaneV1 {
			// The domain, the auth record after it, and the Usages that
			// keep the domain's certificate and user pool while the domain
			// exists.
			if w := waitingFor(c.object(t, f)); len(w) != 4 || w[0] != domainWaits {
				return fmt.Sprintf("status.waitingFor is %q, want [%q, <the auth record>, <the certificate's and the user pool's Usages>]", w, domainWaits)
			}
			return ""
		}
		if s, r := condition(c.object(t, f), "CognitoDomainReady"); s != "False" || r != "WaitingForHostRecord" {
			return fmt.Sprintf("CognitoDomainReady is %s/%s, want False/WaitingForHostRecord", s, r)
		}
		return ""
	})
	mrs := c.composed(t, f)
	if _, ok := mrs["cognito-domain"]; ok {
		t.Fatal("step: the Cognito domain was composed before the host record was Ready")
	}
	for name, m := range mrs {
		if !strings.Contains(m.apiVersion, f.wantMRGroup) {
			t.Errorf("step: %s is %s, want a %s MR", name, m.apiVersion, f.wantMRGroup)
		}
	}
	if f.crossplaneV1 {
		// Crossplane v1 reports function results as events of the XR.
		events := c.mustKubectl(t, "kubectl get events", "get", "events", "-A", "--field-selector", "involvedObject.kind=XLangfuse", "-o", "jsonpath={.items[*].message}")
		if !strings.Contains(events, domainWaits) {
			t.Errorf("step: no XR event says %q; events: %s", domainWaits, events)
		}
	} else {
		describe := c.mustKubectl(t, "kubectl describe", "describe", f.get, "-n", namespace)
		for _, want := range []string{"CognitoDomainReady", "WaitingForHostRecord", domainWaits} {
			if !strings.Contains(describe, want) {
				t.Errorf("step: kubectl describe %s does not show %q:\n%s", f.get, want, describe)
			}
		}
	}

	// 2. The host record is Ready: the domain follows, then the auth record.
	c.patchStatus(t, mrs["dns-record-host"], true)
	// What the function composes only once others are Ready (the scaling
	// policies after their targets) may appear after step 1 saw nothing
	// pending, and even after a look that finds nothing pending here: the
	// provider makes each Ready until the Langfuse itself is.
	eventually(t, "the Cognito domain and then the auth record appear, and the Langfuse is Ready", flowTimeout, func() string {
		mrs := c.composed(t, f)
		var pending []mr
		for _, m := range mrs {
			if !m.ready {
				pending = append(pending, m)
			}
		}
		c.patchStatuses(t, pending)
		for _, name := range []string{"cognito-domain", "dns-record-auth"} {
			if _, ok := mrs[name]; !ok {
				return name + " not composed yet"
			}
		}
		if len(pending) > 0 {
			return fmt.Sprintf("%d composed resources just made Ready", len(pending))
		}
		if s, r := condition(c.object(t, f), "Ready"); s != "True" {
			return fmt.Sprintf("Ready is %s/%s", s, r)
		}
		return ""
	})
	before := c.composed(t, f)
	if got := before["cognito-domain"].forProvider["domain"]; got != "auth.langfuse.example.com" {
		t.Errorf("step: the Cognito domain is %v", got)
	}

	// 3. The host record flaps: the Langfuse is not Ready, and nothing is removed.
	c.patchStatus(t, before["dns-record-host"], false)
	eventually(t, "the function sees the host record not Ready", flowTimeout, func() string {
		obj := c.object(t, f)
		if s, _ := condition(obj, "Ready"); s != "False" {
			return "Ready is " + s
		}
		if s, _ := condition(obj, "HostRecordReady"); !f.crossplaneV1 && s != "False" {
			return "HostRecordReady is " + s
		}
		return ""
	})
	after := c.composed(t, f)
	for name := range before {
		if m, ok := after[name]; !ok || m.deleting {
			t.Errorf("step: %s was deleted when the host record flapped", name)
		}
	}

	// 4. Back to Ready: the claim (or XR) is Ready and shows its URL.
	c.patchStatus(t, after["dns-record-host"], true)
	c.mustKubectl(t, "wait for Ready", "wait", f.get, "-n", namespace, "--for=condition=Ready", "--timeout=180s")
	table := c.mustKubectl(t, "kubectl get", "get", f.get, "-n", namespace)
	for _, want := range []string{"URL", "READY", "SYNCED", "https://langfuse.example.com", "True"} {
		if !strings.Contains(table, want) {
			t.Errorf("step: kubectl get %s does not show %q:\n%s", f.get, want, table)
		}
	}
	if s, _ := condition(c.object(t, f), "CognitoDomainReady"); !f.crossplaneV1 && s != "True" {
		t.Errorf("step: CognitoDomainReady is %q once Ready", s)
	}

	// 5. Day 2: an edit of an immutable field is refused by the API server,
	// and narrowing allowedCidrs replaces exactly the ingress rules of the
	// CIDRs that changed while everything else stays as it is.
	edits(t, c, f)

	// 6. Deleting it garbage-collects everything composed, in the order the
	// Usages say where core serves its Usage webhook.
	if c.usageWebhook {
		usagesResolved(t, c, f)
	}
	order := newOrderWatch(t, c, f)
	apiserverLog := filepath.Join(c.dir, "kube-apiserver.log")
	logMark := fileSize(apiserverLog)
	c.mustKubectl(t, "delete", "delete", f.get, "-n", namespace, "--wait=false")
	eventually(t, "everything composed is garbage-collected", gcTimeout, func() string {
		if c.usageWebhook {
			order.check(t, c, f)
		}
		left := c.composed(t, f)
		if len(left) > 0 {
			names := make([]string, 0, len(left))
			for n := range left {
				names = append(names, n)
			}
			sort.Strings(names)
			return fmt.Sprintf("%d left: %v", len(left), names)
		}
		return ""
	})
	if c.usageWebhook {
		order.report(t)
		refusedWhileInUse(t, apiserverLog, logMark)
	}
}

// deletionOrders are what must be gone before what, as the function's
// Usages say: the user before what it uses.
var deletionOrders = []struct{ by, of string }{
	{"cognito-domain", "cert-auth"}, {"cognito-domain", "cognito-user-pool"},
	{"web-service", "alb-target-group"},
	{"web-service", "app-task-role"}, {"web-service", "app-task-role-policy"},
	{"worker-service", "app-task-role"}, {"worker-service", "app-task-role-policy"},
	{"clickhouse-service", "clickhouse-task-role"}, {"clickhouse-service", "clickhouse-task-role-policy"},
	{"efs-mount-target-subnet-0a1b2c3d4e5f60003", "efs"}, {"efs-mount-target-subnet-0a1b2c3d4e5f60004", "efs"},
	{"waf-web-acl-association", "waf-web-acl"},
}

// usagesResolved waits for core to resolve every Usage the function
// composed (its selectors to one resource each, the used resource labelled
// in use) and checks a used resource is labelled so.
func usagesResolved(t *testing.T, c *controlPlane, f flowSpec) {
	t.Helper()
	kind := "clusterusages.protection.crossplane.io"
	switch {
	case strings.Contains(f.wantMRGroup, ".m."):
		kind = "usages.protection.crossplane.io"
	case f.crossplaneV1:
		kind = "usages.apiextensions.crossplane.io"
	}
	eventually(t, "core resolves every Usage", 2*time.Minute, func() string {
		out, err := c.kubectl("get", kind, "-A", "-l", f.selector, "-o", "json")
		if err != nil {
			return err.Error()
		}
		var list struct {
			Items []map[string]any `json:"items"`
		}
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			return err.Error()
		}
		ready := 0
		for _, u := range list.Items {
			spec := u["spec"].(map[string]any)
			of, _ := spec["of"].(map[string]any)["resourceRef"].(map[string]any)
			by, _ := spec["by"].(map[string]any)["resourceRef"].(map[string]any)
			if conditionStatus(u, "Ready") == "True" && of["name"] != nil && by["name"] != nil {
				ready++
			}
		}
		if want := len(deletionOrders); ready != want {
			return fmt.Sprintf("%d of %d Usages resolved and Ready", ready, want)
		}
		return ""
	})
	cert := c.composed(t, f)["cert-auth"]
	args := []string{"get", cert.ref(), "-o", `jsonpath={.metadata.labels.crossplane\.io/in-use}`}
	if cert.namespace != "" {
		args = append(args, "-n", cert.namespace)
	}
	if got := c.mustKubectl(t, "the in-use label", args...); got != "true" {
		t.Errorf("step: cert-auth is not labelled in use (%q): the webhook would not protect it", got)
	}
}

// orderWatch sees the deletion from the side of the Usages: kubectl lists
// the kinds of what is used before the kinds of their users, in one call, so
// a used resource seen gone while its user is seen still there was deleted
// first, whatever the timing of the lists.
type orderWatch struct {
	kinds      string          // the kinds to list, used ones first
	violations map[string]bool // "of before by"
	polls      int
}

func newOrderWatch(t *testing.T, c *controlPlane, f flowSpec) *orderWatch {
	t.Helper()
	present := c.composed(t, f)
	kindOf := func(name string) string {
		m, ok := present[name]
		if !ok {
			t.Fatalf("step: %s was not composed", name)
		}
		k, _, _ := strings.Cut(m.ref(), "/")
		return k
	}
	var used, users []string
	for _, o := range deletionOrders {
		if k := kindOf(o.of); !slices.Contains(used, k) {
			used = append(used, k)
		}
		if k := kindOf(o.by); !slices.Contains(users, k) {
			users = append(users, k)
		}
	}
	return &orderWatch{kinds: strings.Join(append(used, users...), ","), violations: map[string]bool{}}
}

// check lists once and records every user seen without what it uses.
func (w *orderWatch) check(t *testing.T, c *controlPlane, f flowSpec) {
	t.Helper()
	out, err := c.kubectl("get", w.kinds, "-A", "-l", f.selector, "-o", "json")
	if err != nil {
		return
	}
	var list struct {
		Items []map[string]any `json:"items"`
	}
	if json.Unmarshal([]byte(out), &list) != nil {
		return
	}
	w.polls++
	seen := map[string]bool{}
	for _, it := range list.Items {
		seen[compositionResourceName(it)] = true
	}
	for _, o := range deletionOrders {
		if seen[o.by] && !seen[o.of] {
			w.violations[o.of+" before "+o.by] = true
		}
	}
}

func (w *orderWatch) report(t *testing.T) {
	t.Helper()
	for v := range w.violations {
		t.Errorf("step: deleted %s, which uses it", v)
	}
	if w.polls == 0 {
		t.Error("step: the deletion was never observed")
	}
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// refusedWhileInUse checks that the order was the webhook's doing, not
// luck: the API server's log, since the deletion began, shows core's Usage
// webhook refusing deletions of resources in use.
func refusedWhileInUse(t *testing.T, path string, from int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if from > int64(len(b)) {
		from = 0
	}
	refused := strings.Count(string(b[from:]), `rejected by webhook "nousages.protection.crossplane.io"`)
	if refused == 0 {
		t.Error("step: core's Usage webhook refused no deletion: nothing was protected while in use")
	}
	t.Logf("step: the deletion order held; core's Usage webhook refused %d deletions of resources in use", refused)
}

// applyEdited applies a copy of the flow's manifest with the spec paths of
// set changed (nil removes one), as the claim's owners edit it.
func applyEdited(t *testing.T, c *controlPlane, f flowSpec, set map[string]any) (string, error) {
	t.Helper()
	obj := readYAML(t, f.manifest)
	for path, v := range set {
		setPath(obj["spec"].(map[string]any), path, v)
	}
	b, _ := yaml.Marshal(obj)
	file := filepath.Join(t.TempDir(), "edited.yaml")
	writeFile(t, file, b)
	return c.kubectl("apply", "-f", file)
}

// edits applies edited copies of the flow's manifest with kubectl, as the
// claim's owners do.
func edits(t *testing.T, c *controlPlane, f flowSpec) {
	apply := func(set map[string]any) (string, error) { return applyEdited(t, c, f, set) }
	for path, v := range map[string]any{"region": "eu-central-1", "auth.cognito.domainPrefix": "login", "network.vpcId": "vpc-0123456789abcdef1"} {
		out, err := apply(map[string]any{path: v})
		if err == nil {
			t.Errorf("step: the API server accepted an edit of the immutable spec.%s: %s", path, out)
		} else if want := "spec." + path + " is immutable"; !strings.Contains(out, want) {
			t.Errorf("step: the API server's refusal does not say %q: %s", want, out)
		}
	}
	// IPv6 clients reach Langfuse only through CloudFront's WAF.
	if out, err := apply(map[string]any{"network.allowedCidrs": []any{"0.0.0.0/0", "::/0"}}); err == nil || !strings.Contains(out, "may list IPv6 blocks only with spec.loadBalancer.cloudFront.enabled") {
		t.Errorf("step: want the API server to refuse an IPv6 block without CloudFront, got %v: %s", err, out)
	}

	before := c.composed(t, f)
	if out, err := apply(map[string]any{"network.allowedCidrs": []any{"10.0.0.0/8"}}); err != nil {
		t.Fatalf("step: the API server refused narrowing allowedCidrs: %s", out)
	}
	eventually(t, "the ingress rules follow allowedCidrs", flowTimeout, func() string {
		mrs := c.composed(t, f)
		var cidrs []string
		for name, m := range mrs {
			if !strings.HasPrefix(name, "alb-ingress-") || m.deleting {
				continue
			}
			cidrs = append(cidrs, fmt.Sprint(m.forProvider["cidrIpv4"]))
			if !m.ready {
				c.patchStatus(t, m, true)
			}
		}
		sort.Strings(cidrs)
		if want := []string{"10.0.0.0/8", "10.0.0.0/8"}; !slices.Equal(cidrs, want) {
			return fmt.Sprintf("the ingress rules allow %v, want %v", cidrs, want)
		}
		return ""
	})
	after := c.composed(t, f)
	for name, m := range before {
		if strings.HasPrefix(name, "alb-ingress-") {
			continue
		}
		if a, ok := after[name]; !ok || a.deleting || a.name != m.name {
			t.Errorf("step: %s did not stay as it was when allowedCidrs changed", name)
		}
	}
	c.mustKubectl(t, "wait for Ready after the edit", "wait", f.get, "-n", namespace, "--for=condition=Ready", "--timeout=180s")
}

// domainWaits is what the function says while the Cognito domain waits.
const domainWaits = "cognito-domain waits for dns-record-host to be Ready"

func waitingFor(obj map[string]any) []string {
	st, _ := obj["status"].(map[string]any)
	list, _ := st["waitingFor"].([]any)
	out := make([]string, 0, len(list))
	for _, w := range list {
		out = append(out, fmt.Sprint(w))
	}
	return out
}

func readYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, path))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func setPath(m map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	if v == nil {
		delete(m, parts[len(parts)-1])
		return
	}
	m[parts[len(parts)-1]] = v
}

// ownVPCFlow applies example/own-vpc/claim.yaml and plays the provider: the
// API server takes every kind of the composed VPC, nothing starts before
// its subnet routes out, the VPC's block cannot change nor the claim move
// to another VPC, the egress switches to one NAT gateway with the others
// deleted only once no route uses them, and deleting the claim removes
// everything.
func ownVPCFlow(t *testing.T, c *controlPlane) {
	f := flowSpec{
		manifest: "example/own-vpc/claim.yaml", get: "langfuses.aws.platform.crossplane.io/langfuse-vpc", wantMRGroup: ".aws.upbound.io/",
		selector: "crossplane.io/claim-name=langfuse-vpc,crossplane.io/claim-namespace=" + namespace,
	}
	c.mustKubectl(t, "apply "+f.manifest, "apply", "-f", f.manifest)
	isA := func(name, prefix string) bool { return strings.HasPrefix(name, prefix+"-") }
	// play reports pending resources Ready, and routes as going through
	// what they are told to, until cond holds.
	play := func(what string, cond func(map[string]mr) string) {
		eventually(t, what, flowTimeout, func() string {
			mrs := c.composed(t, f)
			var pending []mr
			for name, m := range mrs {
				told, uses := m.forProvider["natGatewayId"], m.atProvider["natGatewayId"]
				if !m.ready || (isA(name, "network-private-route") && !isA(name, "network-private-route-table") && !isA(name, "network-private-route-association") && told != uses) {
					pending = append(pending, m)
				}
				// A task starts only once its subnet routes out.
				if _, task := mrs["clickhouse-service"]; task && isA(name, "network-private-route") && !m.ready {
					t.Fatalf("step: clickhouse-service was composed before %s was Ready", name)
				}
			}
			c.patchStatuses(t, pending)
			if len(pending) > 0 {
				return fmt.Sprintf("%d composed resources, %d just reported", len(mrs), len(pending))
			}
			return cond(mrs)
		})
	}
	play("play the provider until the claim is Ready", func(mrs map[string]mr) string {
		obj := c.object(t, f)
		if s, _ := condition(obj, "Ready"); s != "True" {
			st, _ := obj["status"].(map[string]any)
			return fmt.Sprintf("the claim's Ready is %s; %d composed; waiting for %v; conditions %v", s, len(mrs), waitingFor(obj), st["conditions"])
		}
		return ""
	})
	mrs := c.composed(t, f)
	vpc := mrs["network-vpc"]
	if vpc.kind != "VPC" || vpc.forProvider["cidrBlock"] != "10.0.0.0/16" || !strings.Contains(vpc.apiVersion, f.wantMRGroup) {
		t.Errorf("step: network-vpc is a %s %s with %v, want an ec2 VPC of 10.0.0.0/16", vpc.apiVersion, vpc.kind, vpc.forProvider)
	}
	for _, name := range []string{"network-internet-gateway", "network-public-route", "network-nat-gateway-eu-west-1a", "network-nat-gateway-eu-west-1b",
		"network-private-subnet-eu-west-1b", "network-nat-address-eu-west-1b"} {
		if _, ok := mrs[name]; !ok {
			t.Errorf("step: %s was not composed", name)
		}
	}

	// The API server refuses what AWS cannot apply, naming the field.
	apply := func(set map[string]any) (string, error) { return applyEdited(t, c, f, set) }
	for field, set := range map[string]map[string]any{
		"spec.network.vpc.cidr is immutable": {"network.vpc.cidr": "10.1.0.0/16"},
		// The load balancer is internal behind CloudFront.
		"spec.loadBalancer.cloudFront.enabled is immutable": {"loadBalancer.cloudFront.enabled": false},
		"spec.network.vpc is immutable": {"network.vpc": nil, "network.vpcId": "vpc-0123456789abcdef0",
			"network.publicSubnetIds": []any{"subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"}, "network.privateSubnetIds": []any{"subnet-0a1b2c3d4e5f60003", "subnet-0a1b2c3d4e5f60004"}},
	} {
		if out, err := apply(set); err == nil || !strings.Contains(out, field) {
			t.Errorf("step: want the API server to refuse saying %q, got %v: %s", field, err, out)
		}
	}

	// One NAT gateway for both zones: the route of eu-west-1b moves to the
	// one of eu-west-1a before its own gateway goes.
	natB := fmt.Sprint(mrs["network-nat-gateway-eu-west-1b"].atProvider["id"])
	if out, err := apply(map[string]any{"network.vpc.egress": "natGateway"}); err != nil {
		t.Fatalf("step: the API server refused switching the egress: %s", out)
	}
	play("the egress moves to one NAT gateway", func(mrs map[string]mr) string {
		for name, m := range mrs {
			if isA(name, "network-private-route") && m.atProvider["natGatewayId"] == natB {
				if gw, ok := mrs["network-nat-gateway-eu-west-1b"]; !ok || gw.deleting {
					t.Fatalf("step: the NAT gateway of eu-west-1b was deleted while %s still goes through it", name)
				}
			}
		}
		for _, name := range []string{"network-nat-gateway-eu-west-1b", "network-nat-address-eu-west-1b"} {
			if _, ok := mrs[name]; ok {
				return name + " is still there"
			}
		}
		return ""
	})
	after := c.composed(t, f)
	for _, name := range []string{"database", "database-subnet-group", "cache", "efs", "network-private-subnet-eu-west-1b", "network-nat-gateway-eu-west-1a"} {
		if m, ok := after[name]; !ok || m.deleting {
			t.Errorf("step: %s went with the egress switch", name)
		}
	}

	c.mustKubectl(t, "delete", "delete", f.get, "-n", namespace, "--wait=false")
	eventually(t, "everything composed is garbage-collected", gcTimeout, func() string {
		if left := c.composed(t, f); len(left) > 0 {
			return fmt.Sprintf("%d left", len(left))
		}
		return ""
	})
}
