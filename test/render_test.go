//go:build e2e

// Package test holds the end-to-end tests: they run the real crossplane CLIs
// against the function binary. Run them with hack/test.sh, or
// go test -tags e2e ./test/...
package test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/crossplane-contrib/function-langfuse/internal/crdname"
)

const (
	providerAWSModule = "github.com/upbound/provider-aws/v2@v2.4.0"
	// crossplaneModule is the main core: its CRDs validate renders of CLI
	// v2.5 and back the control-plane test.
	crossplaneModule     = "github.com/crossplane/crossplane/v2@v2.4.0"
	crossplaneV221Module = "github.com/crossplane/crossplane/v2@v2.2.1"
	crossplaneV1Module   = "github.com/crossplane/crossplane@v1.16.0"
	mainCoreVersion      = "v2.4.0"
	olderCoreVersion     = "v2.2.1"
)

// repoRoot is where the example and the scripts are.
var repoRoot = func() string {
	wd, _ := os.Getwd()
	return filepath.Dir(wd)
}()

// tool builds (or finds cached) a CLI with hack/tools.sh.
func tool(t *testing.T, name string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(repoRoot, "hack", "tools.sh"), name)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("step: build %s with hack/tools.sh: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// startFunction builds the function and serves it without TLS on a free
// loopback port, as the Development runtime of crossplane render expects.
func startFunction(t *testing.T) string {
	t.Helper()
	bin := buildFunction(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()

	var log bytes.Buffer
	fn := exec.Command(bin, "--insecure", "--debug", "--address="+addr, "--metrics-address=")
	fn.Stdout, fn.Stderr = &log, &log
	if err := fn.Start(); err != nil {
		t.Fatalf("step: start the function: %v", err)
	}
	t.Cleanup(func() {
		_ = fn.Process.Kill()
		_ = fn.Wait()
		if t.Failed() {
			t.Logf("function log:\n%s", log.String())
		}
	})
	for deadline := time.Now().Add(20 * time.Second); ; {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			_ = c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("step: the function did not listen on %s within 20s:\n%s", addr, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// buildFunction builds the function from this repo.
func buildFunction(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "function")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("step: build the function: %v\n%s", err, out)
	}
	return bin
}

// docs splits YAML output into objects.
func docs(t *testing.T, out []byte) []map[string]any {
	t.Helper()
	d := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(out), 4096)
	var all []map[string]any
	for {
		m := map[string]any{}
		if err := d.Decode(&m); errors.Is(err, io.EOF) {
			return all
		} else if err != nil {
			t.Fatalf("cannot decode render output: %v\n%s", err, out)
		}
		if len(m) > 0 {
			all = append(all, m)
		}
	}
}

func compositionResourceName(m map[string]any) string {
	meta, _ := m["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	n, _ := ann["crossplane.io/composition-resource-name"].(string)
	return n
}

func conditionStatus(m map[string]any, typ string) string {
	st, _ := m["status"].(map[string]any)
	cs, _ := st["conditions"].([]any)
	for _, c := range cs {
		if cm, _ := c.(map[string]any); cm["type"] == typ {
			s, _ := cm["status"].(string)
			return s
		}
	}
	return ""
}

// rendered is one render's output, sorted by what it is.
type rendered struct {
	xr       map[string]any
	composed map[string]map[string]any
	results  []string
	raw      []byte
}

func parse(t *testing.T, out []byte) rendered {
	t.Helper()
	r := rendered{composed: map[string]map[string]any{}, raw: out}
	for _, m := range docs(t, out) {
		switch {
		case m["kind"] == "Result":
			r.results = append(r.results, fmt.Sprint(m["message"]))
		case compositionResourceName(m) != "":
			r.composed[compositionResourceName(m)] = m
		case r.xr == nil:
			r.xr = m
		}
	}
	if r.xr == nil {
		t.Fatalf("render printed no XR:\n%s", out)
	}
	return r
}

// stageExpectations say what each observed stage of example/observed must render.
var stageExpectations = []struct {
	stage   string
	domain  bool // cognito-domain is composed
	auth    bool // dns-record-auth is composed
	xrReady bool
}{
	{stage: "", domain: false, auth: false, xrReady: false},
	{stage: "1-first-wave-ready", domain: false, auth: false, xrReady: false},
	{stage: "2-host-record-creating", domain: false, auth: false, xrReady: false},
	{stage: "3-host-record-ready", domain: true, auth: false, xrReady: false},
	{stage: "4-host-record-flapped", domain: true, auth: true, xrReady: false},
	{stage: "5-all-ready", domain: true, auth: true, xrReady: true},
	{stage: "6-clickhouse-restarting", domain: true, auth: true, xrReady: false},
}

// renderCLI is a crossplane CLI and how it renders and validates: CLI v2.5
// (its own module since v2.3) renders with `composition render`, which runs
// Crossplane core's own render (here the core v2.4.0 binary, instead of its
// Docker image), and validates with `resource validate`; CLI v2.2.1 (the
// last shipped with core) with `render` and `beta validate`.
type renderCLI struct {
	name     string
	render   []string // the arguments before render's own
	validate []string
	coreCRDs string // module whose CRDs stand for the core package when validating
	core     string // its version
}

func renderCLIs(t *testing.T) []renderCLI {
	t.Helper()
	return []renderCLI{
		{
			name: "CLIv2.5", render: []string{tool(t, "crank-cli"), "composition", "render", "--crossplane-binary=" + tool(t, "crossplane-v24")},
			validate: []string{tool(t, "crank-cli"), "resource", "validate"}, coreCRDs: crossplaneModule, core: mainCoreVersion,
		},
		{
			name: "CLIv2.2.1", render: []string{tool(t, "crank"), "render"},
			validate: []string{tool(t, "crank"), "beta", "validate"}, coreCRDs: crossplaneV221Module, core: olderCoreVersion,
		},
	}
}

// TestRender renders the example and every observed stage, for the claim's XR
// and a namespaced XR, with each CLI (Development runtime: the function runs
// on loopback), and validates each output offline with that CLI.
func TestRender(t *testing.T) {
	addr := startFunction(t)
	for _, cli := range renderCLIs(t) {
		t.Run(cli.name, func(t *testing.T) {
			t.Parallel()
			testRender(t, cli, addr)
		})
	}
}

func testRender(t *testing.T, cli renderCLI, addr string) {
	validate := newValidator(t, cli)
	for _, ex := range []struct {
		name, dir, mrGroup string
	}{
		{"Claim", "example", ".aws.upbound.io/"},
		{"Namespaced", "example/namespaced", ".aws.m.upbound.io/v1beta1"},
	} {
		for _, want := range stageExpectations {
			t.Run(ex.name+"/"+stageName(want.stage), func(t *testing.T) {
				args := append(slices.Clone(cli.render[1:]),
					filepath.Join(ex.dir, "xr.yaml"), filepath.Join(ex.dir, "composition.yaml"), "example/functions.yaml",
					"--xrd="+filepath.Join(ex.dir, "definition.yaml"), "--include-full-xr", "--timeout=30s",
					"-a", "render.crossplane.io/runtime-development-target="+addr,
				)
				if want.stage != "" {
					args = append(args, "--observed-resources="+filepath.Join(ex.dir, "observed", want.stage))
				}
				out := runCmd(t, "render", cli.render[0], append(args, "--include-function-results")...)
				r := parse(t, out)

				if _, ok := r.composed["cognito-domain"]; ok != want.domain {
					t.Errorf("cognito-domain composed = %v, want %v", ok, want.domain)
				}
				if _, ok := r.composed["dns-record-auth"]; ok != want.auth {
					t.Errorf("dns-record-auth composed = %v, want %v", ok, want.auth)
				}
				if got := conditionStatus(r.xr, "Ready") == "True"; got != want.xrReady {
					t.Errorf("XR Ready = %v, want %v", got, want.xrReady)
				}
				wantDomainCondition := map[bool]string{false: "False", true: "True"}[want.domain && want.stage != "3-host-record-ready"]
				if got := conditionStatus(r.xr, "CognitoDomainReady"); got != wantDomainCondition {
					t.Errorf("XR condition CognitoDomainReady = %q, want %q", got, wantDomainCondition)
				}
				if !want.domain && !containsAny(r.results, "cognito-domain waits for dns-record-host") {
					t.Errorf("no event says the Cognito domain waits for the host record; results: %v", r.results)
				}
				for name, m := range r.composed {
					usage := strings.HasPrefix(name, "usage-") && strings.Contains(fmt.Sprint(m["apiVersion"]), ".crossplane.io/") // Crossplane's own kind
					if av, _ := m["apiVersion"].(string); !strings.Contains(av, ex.mrGroup) && (av != "v1" || m["kind"] != "Secret") && !usage {
						t.Errorf("%s has apiVersion %s, want a %s MR", name, av, ex.mrGroup)
					}
				}

				// The same render without results, validated offline against
				// the XRD and the provider-aws CRDs.
				validate(t, runCmd(t, "render", cli.render[0], args...), filepath.Join(ex.dir, "definition.yaml"))
			})
		}
	}
	// Claims' XRs with a VPC of their own, over the stages of example/own-vpc
	// and example/nat-instance.
	for _, ex := range []struct {
		name, dir string
		stages    []ownVPCStage
	}{{"OwnVPC", "own-vpc", ownVPCStageExpectations}, {"NATInstance", "nat-instance", natInstanceStageExpectations}, {"VPCEndpoints", "vpc-endpoints", vpcEndpointsStageExpectations}} {
		renderOwnVPCStages(t, cli.render, validate, addr, ex.name, ex.dir, ex.stages)
	}
}

// renderOwnVPCStages renders an example with a VPC of its own over its
// stages, and checks what each composes.
func renderOwnVPCStages(t *testing.T, render []string, validate func(*testing.T, []byte, string), addr, name, dir string, stages []ownVPCStage) {
	t.Helper()
	for _, want := range stages {
		t.Run(name+"/"+stageName(want.stage), func(t *testing.T) {
			args := append(slices.Clone(render[1:]),
				filepath.Join("example", dir, "xr.yaml"), "example/composition.yaml", "example/functions.yaml",
				"--xrd=example/definition.yaml", "--include-full-xr", "--timeout=30s",
				"-a", "render.crossplane.io/runtime-development-target="+addr,
			)
			if want.stage != "" {
				args = append(args, "--observed-resources="+filepath.Join("example", dir, "observed", want.stage))
			}
			out := runCmd(t, "render", render[0], args...)
			r := parse(t, out)
			for _, n := range want.composed {
				if _, ok := r.composed[n]; !ok {
					t.Errorf("%s is not composed", n)
				}
			}
			for _, n := range want.absent {
				if _, ok := r.composed[n]; ok {
					t.Errorf("%s is composed", n)
				}
			}
			if got := conditionStatus(r.xr, "Ready") == "True"; got != want.xrReady {
				t.Errorf("XR Ready = %v, want %v", got, want.xrReady)
			}
			validate(t, out, "example/definition.yaml")
		})
	}
}

// ownVPCStageExpectations say what each stage of example/own-vpc/observed
// must render: nothing is placed before the VPC reports its id, no task
// starts before its subnet routes out, and CloudFront waits for the load
// balancer to serve.
var ownVPCStageExpectations = []ownVPCStage{
	{stage: "", composed: []string{"network-vpc", "network-nat-address-eu-west-1a"}, absent: []string{"network-public-subnet-eu-west-1a", "alb-security-group"}},
	{stage: "1-vpc-ready", composed: []string{"network-public-subnet-eu-west-1a", "network-internet-gateway", "alb-security-group"}, absent: []string{"alb", "database-subnet-group"}},
	{stage: "2-nat-gateways-pending", composed: []string{"network-nat-gateway-eu-west-1b", "alb", "database-subnet-group", "waf-web-acl"}, absent: []string{"clickhouse-service", "migrate-service", "cloudfront-distribution"}},
	{stage: "3-all-ready", composed: []string{"web-service", "cloudfront-distribution", "dns-record-host-ipv6", "dns-record-auth"}, xrReady: true},
}

// natInstanceStageExpectations say the same of example/nat-instance: no
// task starts before the NAT instance runs, and there is no NAT gateway.
var natInstanceStageExpectations = []ownVPCStage{
	{stage: "", composed: []string{"network-vpc"}, absent: []string{"network-nat-instance-security-group", "network-nat-address-eu-west-1a"}},
	{stage: "1-vpc-ready", composed: []string{"network-public-subnet-eu-west-1a", "network-nat-instance-security-group"}, absent: []string{"alb", "network-nat-instance-eu-west-1a"}},
	{stage: "2-nat-instance-pending", composed: []string{"network-nat-instance-eu-west-1a", "alb"}, absent: []string{"clickhouse-service", "network-nat-gateway-eu-west-1a"}},
	{stage: "3-all-ready", composed: []string{"web-service", "dns-record-auth"}, absent: []string{"network-nat-gateway-eu-west-1a"}, xrReady: true},
}

// vpcEndpointsStageExpectations say the same of example/vpc-endpoints: no
// task starts before the interface endpoints are Ready, and nothing routes
// out of the private subnets.
var vpcEndpointsStageExpectations = []ownVPCStage{
	{stage: "", composed: []string{"network-vpc"}, absent: []string{"network-endpoint-security-group", "network-nat-address-eu-west-1a"}},
	{stage: "1-vpc-ready", composed: []string{"network-private-subnet-eu-west-1a", "network-endpoint-security-group", "network-interface-endpoint-ecr-dkr"}, absent: []string{"alb", "clickhouse-service"}},
	{stage: "2-endpoints-pending", composed: []string{"network-interface-endpoint-sts", "database-subnet-group"}, absent: []string{"alb", "clickhouse-service", "network-nat-gateway-eu-west-1a"}},
	{stage: "3-all-ready", composed: []string{"web-service", "network-interface-endpoint-logs"}, absent: []string{"network-nat-gateway-eu-west-1a", "cognito-user-pool"}, xrReady: true},
}

// ownVPCStage is what one stage of an example with a VPC of its own renders.
type ownVPCStage struct {
	stage            string
	composed, absent []string
	xrReady          bool
}

// TestBetaRenderV116 renders the claim path with `crossplane beta render` of
// CLI v1.16 (Crossplane v1), which speaks the v1beta1 protocol, ignores XR
// readiness set by functions and drops conditions: composed readiness and
// events alone must tell the story.
func TestBetaRenderV116(t *testing.T) {
	crank := tool(t, "crank-v1")
	addr := startFunction(t)
	// v1.16 has no --function-annotations flag: point the Development runtime
	// at the function in a copy of the functions file.
	b, err := os.ReadFile(filepath.Join(repoRoot, "example", "functions-v1beta1.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	functions := filepath.Join(t.TempDir(), "functions.yaml")
	if err := os.WriteFile(functions, bytes.ReplaceAll(b, []byte("localhost:9443"), []byte(addr)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, want := range stageExpectations {
		t.Run(stageName(want.stage), func(t *testing.T) {
			args := []string{"beta", "render", "example/xr.yaml", "example/composition.yaml", functions,
				"--include-function-results", "--include-full-xr", "--timeout=30s",
			}
			if want.stage != "" {
				args = append(args, "--observed-resources="+filepath.Join("example", "observed", want.stage))
			}
			r := parse(t, runCmd(t, "beta render", crank, args...))
			if _, ok := r.composed["cognito-domain"]; ok != want.domain {
				t.Errorf("cognito-domain composed = %v, want %v", ok, want.domain)
			}
			if got := conditionStatus(r.xr, "Ready") == "True"; got != want.xrReady {
				t.Errorf("XR Ready = %v, want %v (v1 derives it from composed readiness only)", got, want.xrReady)
			}
			if !want.domain && !containsAny(r.results, "cognito-domain waits for dns-record-host") {
				t.Errorf("no event says the Cognito domain waits for the host record; results: %v", r.results)
			}
			if st, _ := r.xr["status"].(map[string]any); st["url"] != "https://langfuse.example.com" {
				t.Errorf("XR status.url = %v", st["url"])
			}
		})
	}
}

func stageName(s string) string {
	if s == "" {
		return "0-nothing-observed"
	}
	return s
}

func containsAny(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func runCmd(t *testing.T, step, bin string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = repoRoot
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("step: %s: %v\n%s", step, err, stderr.String())
	}
	return out
}

func moduleDir(t *testing.T, mod string) string {
	t.Helper()
	out, err := exec.Command("go", "mod", "download", "-json", mod).Output()
	if err != nil {
		t.Fatalf("step: download %s: %v", mod, err)
	}
	var m struct{ Dir string }
	if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
		t.Fatalf("step: locate %s: %v", mod, err)
	}
	return m.Dir
}

// newValidator prepares the CLI's validate command to run offline: its cache
// entry for the Crossplane core package is seeded with core's CRDs from the
// module cache, and only the CRDs the output needs are passed.
func newValidator(t *testing.T, cli renderCLI) func(t *testing.T, out []byte, xrd string) {
	t.Helper()
	cache := t.TempDir()
	core := filepath.Join(cache, "local", "crossplane@"+cli.core)
	if err := os.MkdirAll(core, 0o755); err != nil {
		t.Fatal(err)
	}
	crds, _ := filepath.Glob(filepath.Join(moduleDir(t, cli.coreCRDs), "cluster", "crds", "*.yaml"))
	for _, f := range crds {
		copyFile(t, f, filepath.Join(core, filepath.Base(f)))
	}
	awsCRDs := filepath.Join(moduleDir(t, providerAWSModule), "package", "crds")

	return func(t *testing.T, out []byte, xrd string) {
		t.Helper()
		ext := t.TempDir()
		copyFile(t, filepath.Join(repoRoot, xrd), filepath.Join(ext, "definition.yaml"))
		// Kubernetes' own kinds (the credentials Secret) have no CRD to
		// validate against; the unit tests check them as typed objects.
		var keep [][]byte
		for _, m := range docs(t, out) {
			if !strings.Contains(fmt.Sprint(m["apiVersion"]), ".") {
				continue
			}
			b, _ := sigsyaml.Marshal(m)
			keep = append(keep, b)
			if compositionResourceName(m) == "" {
				continue
			}
			group, _, _ := strings.Cut(m["apiVersion"].(string), "/")
			if strings.HasSuffix(group, ".crossplane.io") {
				continue // a Usage: core's package, in the cache, has its CRD
			}
			name := crdname.File(group, m["kind"].(string))
			copyFile(t, filepath.Join(awsCRDs, name), filepath.Join(ext, name))
		}
		cmd := exec.Command(cli.validate[0], append(slices.Clone(cli.validate[1:]), ext, "-", "--cache-dir="+cache,
			"--crossplane-image=local/crossplane:"+cli.core, "--error-on-missing-schemas")...)
		cmd.Stdin = bytes.NewReader(bytes.Join(keep, []byte("---\n")))
		res, err := cmd.CombinedOutput()
		if err != nil || !bytes.Contains(res, []byte(" 0 failure cases")) || !bytes.Contains(res, []byte("0 missing schemas")) {
			t.Errorf("step: crossplane %s: %v\n%s", strings.Join(cli.validate[1:], " "), err, res)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestReadmeRenderCommand runs the README's first command, hack/render.sh, and
// checks it exits 0 and shows the gate: no Cognito domain until the host
// record is Ready, and the domain kept when the record flaps.
func TestReadmeRenderCommand(t *testing.T) {
	cmd := exec.Command(filepath.Join(repoRoot, "hack", "render.sh"))
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", freePort(t)))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("step: hack/render.sh: %v\n%s", err, stderr.String())
	}
	stages := map[string]string{}
	for _, block := range strings.Split(string(out), "=== ")[1:] {
		name, body, _ := strings.Cut(block, " ===\n")
		stages[name] = body
	}
	for _, want := range stageExpectations {
		body, ok := stages[stageName(want.stage)]
		if !ok {
			t.Errorf("hack/render.sh printed no stage %s", stageName(want.stage))
			continue
		}
		// The summary lists what appears in a stage and what is held back;
		// the domain is composed in every stage it is not held in.
		if !strings.HasPrefix(body, "XR ") {
			t.Errorf("stage %s: no summary of the XR:\n%s", stageName(want.stage), body)
		}
		domain := !strings.Contains(body, "held      cognito-domain waits")
		if domain != want.domain {
			t.Errorf("stage %s: cognito-domain shown = %v, want %v", stageName(want.stage), domain, want.domain)
		}
	}
}
