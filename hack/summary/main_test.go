package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSummarize(t *testing.T) {
	observed := t.TempDir()
	if err := os.WriteFile(filepath.Join(observed, "alb.yaml"), []byte("kind: LB\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	render := `---
apiVersion: aws.platform.crossplane.io/v1alpha1
kind: XLangfuse
metadata:
  name: langfuse-x7k2p
status:
  waitingFor:
  - cognito-domain waits for dns-record-host to be Ready
  conditions:
  - {type: Ready, status: "False", reason: Creating}
  - {type: HostRecordReady, status: "False", reason: Creating, message: dns-record-host is not Ready yet}
  - {type: LoadBalancerReady, status: "True", reason: Available}
  - {type: Responsive, status: "True", reason: WatchCircuitClosed}
  - {type: Synced, status: "True", reason: ReconcileSuccess}
---
apiVersion: elbv2.aws.upbound.io/v1beta2
kind: LB
metadata:
  annotations:
    crossplane.io/composition-resource-name: alb
---
apiVersion: route53.aws.upbound.io/v1beta2
kind: Record
metadata:
  annotations:
    crossplane.io/composition-resource-name: dns-record-host
---
apiVersion: render.crossplane.io/v1beta1
kind: Result
severity: SEVERITY_NORMAL
message: Waiting for cognito-domain
`
	var out strings.Builder
	if err := summarize(strings.NewReader(render), &out, observed); err != nil {
		t.Fatal(err)
	}
	want := `XR XLangfuse langfuse-x7k2p: Ready=False, 2 composed, 1 appear, 1 held
  appears   dns-record-host (route53.aws.upbound.io/v1beta2 Record)
  held      cognito-domain waits for dns-record-host to be Ready
  gate      HostRecordReady=False (Creating): dns-record-host is not Ready yet
  gate      LoadBalancerReady=True (Available)
  event     SEVERITY_NORMAL: Waiting for cognito-domain
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("summary: -want, +got:\n%s", diff)
	}
	if err := summarize(strings.NewReader("kind: Result\n"), &out, ""); err == nil {
		t.Error("a render without an XR gives no error")
	}
}
