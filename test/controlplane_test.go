//go:build e2e

package test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/crossplane-contrib/function-langfuse/internal/crdname"
)

// controlPlane is a Kubernetes API server with etcd, the garbage collector and
// Crossplane core, all on 127.0.0.1, all in one work directory. It stands in
// for a cluster running Crossplane; nothing runs pods, so the test plays the
// providers and the package runtime.
type controlPlane struct {
	dir        string
	kubectlBin string
	kubeconfig string
	certs      string
	procs      []*proc // in start order; stopped in reverse
	// webhookPort is where core serves its Usage webhook; usageWebhook
	// says whether it does.
	webhookPort  int
	usageWebhook bool
}

type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// freePort returns a loopback port nobody listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// start runs a process of the control plane, logging into the work directory.
func (c *controlPlane) start(t *testing.T, name string, env []string, bin string, args ...string) *proc {
	t.Helper()
	log := filepath.Join(c.dir, name+".log")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = c.dir
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("step: start %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: log, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); _ = f.Close(); close(p.done) }()
	c.procs = append(c.procs, p)
	return p
}

// stop ends a process: SIGTERM to its process group, SIGKILL after grace.
func (p *proc) stop(grace time.Duration) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

func (p *proc) tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// stopAll stops what the control plane started, newest first: Crossplane and
// the function before the API server, the API server before etcd (without
// etcd the API server hangs in shutdown).
func (c *controlPlane) stopAll(t *testing.T) {
	for i := len(c.procs) - 1; i >= 0; i-- {
		p := c.procs[i]
		if t.Failed() {
			t.Logf("--- last log lines of %s:\n%s", p.name, p.tail())
		}
		p.stop(10 * time.Second)
	}
}

// kubectl runs kubectl against the control plane. Its discovery cache stays
// in the work directory.
func (c *controlPlane) kubectl(args ...string) (string, error) {
	cmd := exec.Command(c.kubectlBin, append([]string{"--kubeconfig", c.kubeconfig, "--cache-dir", filepath.Join(c.dir, "kubecache")}, args...)...)
	cmd.Dir = repoRoot
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String() + errb.String(), fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), nil
}

func (c *controlPlane) mustKubectl(t *testing.T, step string, args ...string) string {
	t.Helper()
	out, err := c.kubectl(args...)
	if err != nil {
		t.Fatalf("step: %s: %v", step, err)
	}
	return out
}

// apply applies a manifest given as a string.
func (c *controlPlane) apply(t *testing.T, step, manifest string) {
	t.Helper()
	f := filepath.Join(c.dir, fmt.Sprintf("manifest-%d.yaml", time.Now().UnixNano()))
	if err := os.WriteFile(f, []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	c.mustKubectl(t, step, "apply", "-f", f)
}

// eventually polls cond until it returns "" (done) or the timeout passes, then
// fails with the last thing cond said it was waiting for.
func eventually(t *testing.T, step string, timeout time.Duration, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	wait := 100 * time.Millisecond
	for {
		msg := cond()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("step: %s: not done after %s: %s", step, timeout, msg)
		}
		time.Sleep(wait)
		if wait < time.Second {
			wait *= 2
		}
	}
}

// coreFlavor is a release of Crossplane core and how to start it out of
// cluster: the package runtime left to the test, ports off the defaults
// where the release lets them be moved. Core serves its Usage webhook, so
// deletion order is enforced as in a cluster.
type coreFlavor struct {
	name   string
	tool   string // hack/tools.sh name of the binary
	module string // the Go module whose cluster/crds are its CRDs
	// providerPackages says the provider-aws CRDs come from provider
	// packages Crossplane installs as dependencies; otherwise the test
	// installs them by hand.
	providerPackages bool
	args             func(t *testing.T, c *controlPlane) []string
	// usageWebhook says whether core serves the Usage webhook, which the
	// API server then calls before it deletes a resource in use, and
	// webhookPort where, when the release cannot move it.
	usageWebhook bool
	webhookPort  int
}

// crossplaneV2Args starts core v2 out of cluster: the package runtime left
// to the test, every port free, the Usage webhook on.
func crossplaneV2Args(t *testing.T, c *controlPlane) []string {
	return []string{"--debug", "core", "start", "--enable-webhooks=true", "--package-runtime=External",
		"--tls-client-certs-dir=" + filepath.Join(c.certs, "core"), "--tls-server-certs-dir=" + filepath.Join(c.certs, "core-webhook"),
		"--xpkg-cache-dir=" + mkdir(t, c.dir, "xpkg-cache"),
		fmt.Sprintf("--metrics-port=%d", freePort(t)), fmt.Sprintf("--health-probe-port=%d", freePort(t)),
		fmt.Sprintf("--webhook-port=%d", c.webhookPort), "--poll-interval=15s", "--sync-interval=1m",
		"--circuit-breaker-burst=1000", "--circuit-breaker-refill-rate=50", "--circuit-breaker-cooldown=5s"}
}

var (
	// crossplaneV24 is the main core, v2.4.0; crossplaneV221 the oldest v2
	// we support. Both install the Configuration with its dependencies.
	crossplaneV24  = coreFlavor{name: "CoreV2.4.0", tool: "crossplane-v24", module: crossplaneModule, usageWebhook: true, providerPackages: true, args: crossplaneV2Args}
	crossplaneV221 = coreFlavor{name: "CoreV2.2.1", tool: "crossplane", module: crossplaneV221Module, usageWebhook: true, providerPackages: true, args: crossplaneV2Args}
	// Crossplane v1.16 has no port flags (metrics :8080, health :8081) and
	// realtime compositions are alpha: on, so a status patch re-runs the
	// function at once instead of at the next poll.
	// Usages are alpha in v1.16: on, with the webhook, which it serves on
	// controller-runtime's default port 9443 (there is no flag).
	crossplaneV1 = coreFlavor{name: "CoreV1.16.0", tool: "crossplane-v1", module: crossplaneV1Module, usageWebhook: true, webhookPort: 9443, args: func(t *testing.T, c *controlPlane) []string {
		return []string{"--debug", "core", "start", "--webhook-enabled=true", "--enable-usages", "--package-runtime=External",
			"--tls-client-certs-dir=" + filepath.Join(c.certs, "core"), "--tls-server-certs-dir=" + filepath.Join(c.certs, "core-webhook"),
			"--cache-dir=" + mkdir(t, c.dir, "xpkg-cache"),
			"--poll-interval=5s", "--sync-interval=1m", "--enable-realtime-compositions"}
	}}
)

// newControlPlane starts etcd, kube-apiserver, kube-controller-manager and
// Crossplane core on loopback, with Crossplane's CRDs, and (unless provider
// packages bring them) the provider-aws CRDs of every kind the function
// composes, in both scopes.
func newControlPlane(t *testing.T, flavor coreFlavor) *controlPlane {
	t.Helper()
	etcd, kas, kcm, core := tool(t, "etcd"), tool(t, "kube-apiserver"), tool(t, "kube-controller-manager"), tool(t, flavor.tool)

	c := &controlPlane{dir: t.TempDir(), kubectlBin: tool(t, "kubectl"), webhookPort: flavor.webhookPort}
	if c.webhookPort == 0 {
		c.webhookPort = freePort(t)
	}
	t.Cleanup(func() { c.stopAll(t) })
	c.certs = writeCerts(t, filepath.Join(c.dir, "certs"))

	etcdClient, etcdPeer, kasPort := freePort(t), freePort(t), freePort(t)
	c.start(t, "etcd", nil, etcd, "--name", "e2e", "--data-dir", filepath.Join(c.dir, "etcd-data"),
		"--listen-client-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdClient),
		"--advertise-client-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdClient),
		"--listen-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdPeer),
		"--initial-advertise-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdPeer),
		"--initial-cluster", fmt.Sprintf("e2e=http://127.0.0.1:%d", etcdPeer),
		"--listen-metrics-urls", fmt.Sprintf("http://127.0.0.1:%d", freePort(t)),
		"--unsafe-no-fsync", "--log-level", "warn")

	const token = "e2e-admin-token"
	tokens := filepath.Join(c.dir, "tokens.csv")
	if err := os.WriteFile(tokens, []byte(token+",e2e-admin,e2e-admin,system:masters\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.start(t, "kube-apiserver", nil, kas,
		"--etcd-servers", fmt.Sprintf("http://127.0.0.1:%d", etcdClient),
		"--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--secure-port", fmt.Sprint(kasPort),
		"--cert-dir", filepath.Join(c.dir, "kas-serving"), "--token-auth-file", tokens, "--authorization-mode", "RBAC",
		"--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file", filepath.Join(c.certs, "sa.pub"),
		"--service-account-signing-key-file", filepath.Join(c.certs, "sa.key"),
		"--service-cluster-ip-range", "10.0.0.0/24", "--allow-privileged=true", "--v=1")

	c.kubeconfig = filepath.Join(c.dir, "kubeconfig")
	kubeconfig := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: e2e, cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}}]
users: [{name: e2e-admin, user: {token: %s}}]
contexts: [{name: e2e, context: {cluster: e2e, user: e2e-admin}}]
current-context: e2e
`, kasPort, token)
	if err := os.WriteFile(c.kubeconfig, []byte(kubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	eventually(t, "kube-apiserver ready", 90*time.Second, func() string {
		if out, err := c.kubectl("get", "--raw", "/readyz"); err != nil || strings.TrimSpace(out) != "ok" {
			return fmt.Sprintf("/readyz says %q %v", out, err)
		}
		return ""
	})
	c.start(t, "kube-controller-manager", nil, kcm, "--kubeconfig", c.kubeconfig,
		"--controllers=garbagecollector,namespace", "--leader-elect=false", "--secure-port=0")

	c.mustKubectl(t, "install Crossplane CRDs", "apply", "--server-side", "-f", filepath.Join(moduleDir(t, flavor.module), "cluster", "crds"))
	if !flavor.providerPackages {
		c.installProviderCRDs(t)
	}
	// Core sets up its controllers from the kinds served when it starts.
	c.mustKubectl(t, "wait for CRDs", "wait", "crd", "--all", "--for=condition=Established", "--timeout=120s")
	c.mustKubectl(t, "create the crossplane-system namespace", "create", "namespace", "crossplane-system")

	c.start(t, "crossplane", []string{"POD_NAMESPACE=crossplane-system", "POD_SERVICE_ACCOUNT=crossplane", "KUBECONFIG=" + c.kubeconfig},
		core, flavor.args(t, c)...)
	if flavor.usageWebhook {
		c.registerUsageWebhook(t)
		c.usageWebhook = true
	}
	return c
}

// registerUsageWebhook points the API server at core's Usage webhook, as
// core's Helm chart does with a Service: every DELETE of an object labelled
// crossplane.io/in-use is first asked of core, which refuses it while a
// Usage says something still uses the object.
func (c *controlPlane) registerUsageWebhook(t *testing.T) {
	t.Helper()
	ca, err := os.ReadFile(filepath.Join(c.certs, "core-webhook", "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "core's webhook server listening", time.Minute, func() string {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", c.webhookPort))
		if err != nil {
			return err.Error()
		}
		_ = conn.Close()
		return ""
	})
	c.apply(t, "register core's Usage webhook", fmt.Sprintf(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: crossplane-no-usages
webhooks:
- name: nousages.protection.crossplane.io
  admissionReviewVersions: [v1]
  clientConfig:
    url: https://127.0.0.1:%d/validate-no-usages
    caBundle: %s
  failurePolicy: Fail
  sideEffects: None
  objectSelector:
    matchLabels: {crossplane.io/in-use: "true"}
  rules:
  - apiGroups: ["*"]
    apiVersions: ["*"]
    operations: [DELETE]
    resources: ["*"]
`, c.webhookPort, base64.StdEncoding.EncodeToString(ca)))
}

func mkdir(t *testing.T, parts ...string) string {
	t.Helper()
	d := filepath.Join(parts...)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// installProviderCRDs installs the provider-aws CRDs of every kind the
// function composes (read off the all-ready observed stages of both examples),
// as the provider packages would.
func (c *controlPlane) installProviderCRDs(t *testing.T) {
	t.Helper()
	out := mkdir(t, c.dir, "provider-crds")
	awsCRDs := filepath.Join(moduleDir(t, providerAWSModule), "package", "crds")
	for name, version := range composedCRDVersions(t) {
		writeFile(t, filepath.Join(out, name), standInCRD(t, filepath.Join(awsCRDs, name), version))
	}
	c.mustKubectl(t, "install provider-aws CRDs", "apply", "--server-side", "-f", out)
}

// composedCRDVersions maps the CRD file of every provider-aws kind the
// examples compose (read off their all-ready observed stages) to the version
// the function writes.
func composedCRDVersions(t *testing.T) map[string]string {
	t.Helper()
	versions := map[string]string{}
	for _, stage := range []string{"example/observed/5-all-ready", "example/namespaced/observed/5-all-ready", "example/own-vpc/observed/3-all-ready", "example/nat-instance/observed/3-all-ready", "example/vpc-endpoints/observed/3-all-ready"} {
		files, _ := filepath.Glob(filepath.Join(repoRoot, stage, "*.yaml"))
		for _, f := range files {
			m := readYAML(t, strings.TrimPrefix(f, repoRoot+"/"))
			group, version, _ := strings.Cut(m["apiVersion"].(string), "/")
			if !strings.HasSuffix(group, ".upbound.io") {
				continue // a Kubernetes or Crossplane kind
			}
			versions[crdname.File(group, m["kind"].(string))] = version
			// The own-VPC stage is a claim's: its kinds' namespaced twins
			// (always v1beta1) are composed by a namespaced XR with one.
			if ns := strings.Replace(group, ".aws.upbound.io", ".aws.m.upbound.io", 1); ns != group {
				if _, ok := versions[crdname.File(ns, m["kind"].(string))]; !ok {
					versions[crdname.File(ns, m["kind"].(string))] = "v1beta1"
				}
			}
		}
	}
	return versions
}

// standInCRD reads a provider-aws CRD and makes the version the function
// writes its storage version: without the provider's conversion webhook a
// multi-version CRD converts nothing. An empty version leaves it as it is.
func standInCRD(t *testing.T, path, version string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("step: read the CRD %s: %v", path, err)
	}
	if version == "" {
		return raw
	}
	crd := map[string]any{}
	if err := yaml.Unmarshal(raw, &crd); err != nil {
		t.Fatal(err)
	}
	for _, v := range crd["spec"].(map[string]any)["versions"].([]any) {
		vm := v.(map[string]any)
		vm["storage"] = vm["name"] == version
	}
	b, _ := yaml.Marshal(crd)
	return b
}

// writeCerts makes, per run, a CA shared by the function (server) and
// Crossplane core (client), their certificates, and the API server's
// service-account keypair. It returns the directory.
func writeCerts(t *testing.T, dir string) string {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "e2e-root-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(72 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})

	leaf := func(sub string, serial int64, usage x509.ExtKeyUsage, server bool) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: sub},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(72 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		}
		if server {
			tmpl.DNSNames = []string{"localhost"}
			tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kb, _ := x509.MarshalPKCS8PrivateKey(key)
		d := mkdir(t, dir, sub)
		writeFile(t, filepath.Join(d, "tls.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
		writeFile(t, filepath.Join(d, "tls.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}))
		writeFile(t, filepath.Join(d, "ca.crt"), caPEM)
	}
	leaf("fn", 2, x509.ExtKeyUsageServerAuth, true)
	leaf("core", 3, x509.ExtKeyUsageClientAuth, false)
	leaf("core-webhook", 4, x509.ExtKeyUsageServerAuth, true)

	sa, _ := rsa.GenerateKey(rand.Reader, 2048)
	sk, _ := x509.MarshalPKCS8PrivateKey(sa)
	pk, _ := x509.MarshalPKIXPublicKey(&sa.PublicKey)
	writeFile(t, filepath.Join(dir, "sa.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: sk}))
	writeFile(t, filepath.Join(dir, "sa.pub"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pk}))
	return dir
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
