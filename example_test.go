package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"
	"sigs.k8s.io/yaml"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// The observed states that crossplane render steps through (hack/render.sh and
// test/render_test.go), one directory per stage that matters for the gate of
// the Cognito domain. They are what the fake provider reports, so they stay in
// step with the function: regenerate with go test -run TestExampleObservedStates -update.
var observedStages = []struct {
	dir  string
	what string
}{
	{"1-first-wave-ready", "the first wave is observed Ready: certificates report their validation records, the ALB its DNS name"},
	{"2-host-record-creating", "everything up to the host record exists; the host record is not Ready yet, so there is no Cognito domain"},
	{"3-host-record-ready", "the host record is Ready: the Cognito domain auth.<host> is emitted"},
	{"4-host-record-flapped", "the Cognito domain exists and the host record flips back to not Ready: the domain stays"},
	{"5-all-ready", "everything is observed Ready: the XR is Ready"},
	{"6-clickhouse-restarting", "ClickHouse's service flips back to not Ready (its task is being replaced): web and worker, which needed it to start, stay; the XR is not Ready"},
}

// ownVPCStages are the stages of example/own-vpc: a Langfuse with a VPC of
// its own, where nothing is placed before AWS reports the VPC, and no task
// starts before its subnet routes out.
var ownVPCStages = []struct {
	dir  string
	what string
}{
	{"1-vpc-ready", "the first wave is observed Ready, the VPC among it: its subnets, internet gateway and route tables, and the security groups, which name its id, are emitted"},
	{"2-nat-gateways-pending", "everything up to the NAT gateways exists, and they are still pending: no private route goes through them yet, so no task starts"},
	{"3-all-ready", "everything is observed Ready: the XR is Ready"},
}

// natInstanceStages are the stages of example/nat-instance: the CDK's dev
// setup, where the private subnets go out through a NAT instance.
var natInstanceStages = []struct {
	dir  string
	what string
}{
	{"1-vpc-ready", "the first wave is observed Ready, the VPC among it: its subnets, internet gateway, route tables and the NAT instance's security group are emitted"},
	{"2-nat-instance-pending", "everything up to the NAT instance exists, and it is not running yet: no private route goes through it, so no task starts"},
	{"3-all-ready", "everything is observed Ready: the XR is Ready"},
}

// vpcEndpointsStages are the stages of example/vpc-endpoints: private
// subnets without a route out, reaching AWS through interface endpoints.
var vpcEndpointsStages = []struct {
	dir  string
	what string
}{
	{"1-vpc-ready", "the first wave is observed Ready, the VPC among it: its subnets, route tables, the interface endpoints and their security group are emitted"},
	{"2-endpoints-pending", "everything up to the interface endpoints exists, and they are not available yet: no task starts"},
	{"3-all-ready", "everything is observed Ready: the XR is Ready"},
}

// The XRs of example/own-vpc/claim.yaml, example/nat-instance/claim.yaml
// and example/vpc-endpoints/claim.yaml.
const (
	exampleOwnVPCXR       = "example/own-vpc/xr.yaml"
	exampleNATInstanceXR  = "example/nat-instance/xr.yaml"
	exampleVPCEndpointsXR = "example/vpc-endpoints/xr.yaml"
)

// egressStageStates plays the provider through the stages of a composed
// VPC whose egress is component: the VPC ready; the egress there but
// pending; everything ready.
func egressStageStates(component string) func(testing.TB, *structpb.Struct) []map[string]*structpb.Struct {
	return func(t testing.TB, xr *structpb.Struct) []map[string]*structpb.Struct {
		t.Helper()
		p := newFakeProvider()
		var last *fnv1.RunFunctionResponse
		step := func() {
			last = run(t, p.request(xr, nil))
			p.observeAll(t, last)
		}
		egress := func() []string { return membersOf(p.observed, component) }
		step()
		stages := []map[string]*structpb.Struct{p.snapshot()}
		for range 10 {
			if len(egress()) > 0 {
				break
			}
			step()
		}
		for _, n := range egress() {
			p.setReady(t, n, false)
		}
		stages = append(stages, p.snapshot())
		for _, n := range egress() {
			p.setReady(t, n, true)
		}
		for range 20 {
			step()
			if xrReady(last) {
				break
			}
		}
		return append(stages, p.snapshot())
	}
}

// snapshot is what the provider observes now, as an observed stage.
func (p *fakeProvider) snapshot() map[string]*structpb.Struct {
	out := map[string]*structpb.Struct{}
	for n, r := range p.observed {
		out[n] = r.GetResource()
	}
	return out
}

// stageStates plays the provider through the stages above.
func stageStates(t testing.TB, xr *structpb.Struct) []map[string]*structpb.Struct {
	t.Helper()
	p := newFakeProvider()
	step := func() {
		p.observeAll(t, run(t, p.request(xr, nil)))
	}
	var stages []map[string]*structpb.Struct

	step()
	stages = append(stages, p.snapshot())

	for range 10 {
		if _, ok := p.observed[compDNSRecordHost]; ok {
			break
		}
		step()
	}
	p.setReady(t, compDNSRecordHost, false)
	stages = append(stages, p.snapshot())

	p.setReady(t, compDNSRecordHost, true)
	stages = append(stages, p.snapshot())

	step() // the domain appears
	p.setReady(t, compDNSRecordHost, false)
	stages = append(stages, p.snapshot())

	p.setReady(t, compDNSRecordHost, true)
	step() // the auth record appears
	stages = append(stages, p.snapshot())

	p.setReady(t, compClickHouseService, false)
	stages = append(stages, p.snapshot())
	return stages
}

// observedFiles renders a stage as files, one per observed resource.
func observedFiles(t testing.TB, state map[string]*structpb.Struct, namespace string) map[string]string {
	t.Helper()
	files := map[string]string{}
	for name, r := range state {
		m := r.AsMap()
		if namespace != "" {
			m["metadata"].(map[string]any)["namespace"] = namespace
		}
		b, err := yaml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		files[name+".yaml"] = string(b)
	}
	return files
}

func TestExampleObservedStates(t *testing.T) {
	for _, ex := range []struct {
		xr, dir, namespace string
		states             func(testing.TB, *structpb.Struct) []map[string]*structpb.Struct
		stages             []struct{ dir, what string }
	}{
		{exampleClaimXR, "example/observed", "", stageStates, observedStages},
		{exampleNamespacedXR, "example/namespaced/observed", "team-ml", stageStates, observedStages},
		{exampleOwnVPCXR, "example/own-vpc/observed", "", egressStageStates(compNATGateways), ownVPCStages},
		{exampleNATInstanceXR, "example/nat-instance/observed", "", egressStageStates(compNATInstance), natInstanceStages},
		{exampleVPCEndpointsXR, "example/vpc-endpoints/observed", "", egressStageStates(compInterfaceEndpoints), vpcEndpointsStages},
	} {
		stages := ex.states(t, loadXR(t, ex.xr))
		for i, st := range ex.stages {
			dir := filepath.Join(ex.dir, st.dir)
			want := observedFiles(t, stages[i], ex.namespace)
			if *update {
				_ = os.RemoveAll(dir)
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				for f, content := range want {
					if err := os.WriteFile(filepath.Join(dir, f), []byte(content), 0o600); err != nil {
						t.Fatal(err)
					}
				}
			}
			got := map[string]string{}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatalf("%s: %v (regenerate with go test -run TestExampleObservedStates -update)", dir, err)
			}
			for _, e := range entries {
				b, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				got[e.Name()] = string(b)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s is stale; regenerate with go test -run TestExampleObservedStates -update: -want, +got:\n%s", dir, diff)
			}
		}
	}
	if *update {
		for _, ex := range []struct {
			dir, xr, render string
			stages          []struct{ dir, what string }
		}{
			{"example/observed", "example/xr.yaml", "hack/render.sh", observedStages},
			{"example/own-vpc/observed", exampleOwnVPCXR, "hack/render.sh own-vpc", ownVPCStages},
			{"example/nat-instance/observed", exampleNATInstanceXR, "hack/render.sh nat-instance", natInstanceStages},
			{"example/vpc-endpoints/observed", exampleVPCEndpointsXR, "hack/render.sh vpc-endpoints", vpcEndpointsStages},
		} {
			var b strings.Builder
			fmt.Fprintf(&b, "# Observed states for crossplane render\n\nGenerated by `go test -run TestExampleObservedStates -update` from the test's fake\nprovider; do not edit. `%s` renders `%s` over each in turn:\n\n", ex.render, ex.xr)
			for _, st := range ex.stages {
				fmt.Fprintf(&b, "- `%s`: %s.\n", st.dir, st.what)
			}
			if err := os.WriteFile(filepath.Join(ex.dir, "README.md"), []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestOwnVPCStages checks what each stage of example/own-vpc and
// example/nat-instance promises, on the function itself;
// test/render_test.go checks the same through crossplane render.
func TestOwnVPCStages(t *testing.T) {
	type stage struct {
		emitted, absent []string
		xrReady         bool
	}
	for _, ex := range []struct {
		xr, egress string
		stages     []struct{ dir, what string }
		want       []stage
	}{
		{exampleOwnVPCXR, compNATGateways, ownVPCStages, []stage{
			{emitted: []string{"network-public-subnet-eu-west-1a", "network-private-subnet-eu-west-1b", compInternetGateway, compALBSecurityGroup},
				absent: []string{compALB, compDatabaseSubnetGroup}},
			{emitted: []string{"network-nat-gateway-eu-west-1a", compALB, compDatabaseSubnetGroup, compWebACL},
				absent: []string{compClickHouseService, compMigrateService, compDistribution}},
			{emitted: []string{compWebService, compDistribution, compDNSRecordHostIPv6, compDNSRecordAuth}, xrReady: true},
		}},
		{exampleNATInstanceXR, compNATInstance, natInstanceStages, []stage{
			{emitted: []string{"network-public-subnet-eu-west-1a", compNATInstanceSG, compInternetGateway, compALBSecurityGroup},
				absent: []string{compALB, "network-nat-instance-eu-west-1a"}},
			{emitted: []string{"network-nat-instance-eu-west-1a", compALB, compDatabaseSubnetGroup},
				absent: []string{compClickHouseService, compMigrateService, "network-nat-gateway-eu-west-1a", "network-nat-address-eu-west-1a"}},
			{emitted: []string{compWebService, compDNSRecordAuth}, absent: []string{"network-nat-gateway-eu-west-1a"}, xrReady: true},
		}},
		{exampleVPCEndpointsXR, compInterfaceEndpoints, vpcEndpointsStages, []stage{
			{emitted: []string{"network-private-subnet-eu-west-1a", compEndpointSG, "network-interface-endpoint-ecr-dkr", compALBSecurityGroup},
				absent: []string{compALB, compClickHouseService}},
			{emitted: []string{"network-interface-endpoint-sts", compDatabaseSubnetGroup},
				absent: []string{compALB, compClickHouseService, compMigrateService, "network-nat-gateway-eu-west-1a", "network-nat-address-eu-west-1a"}},
			{emitted: []string{compWebService, "network-interface-endpoint-logs"}, absent: []string{"network-nat-gateway-eu-west-1a", compUserPool}, xrReady: true},
		}},
	} {
		xr := loadXR(t, ex.xr)
		for i, st := range egressStageStates(ex.egress)(t, xr) {
			where := ex.xr + " " + ex.stages[i].dir
			p := newFakeProvider()
			for n, r := range st {
				p.observed[n] = resourceOf(r)
			}
			rsp := run(t, p.request(xr, nil))
			for _, n := range ex.want[i].emitted {
				if _, ok := rsp.GetDesired().GetResources()[n]; !ok {
					t.Errorf("%s: %s is not emitted", where, n)
				}
			}
			for _, n := range ex.want[i].absent {
				if _, ok := rsp.GetDesired().GetResources()[n]; ok {
					t.Errorf("%s: %s is emitted", where, n)
				}
			}
			if i == 1 {
				for _, n := range membersOf(rsp.GetDesired().GetResources(), compPrivateRoutes) {
					t.Errorf("%s: %s is emitted before its NAT is available", where, n)
				}
			}
			if got := xrReady(rsp); got != ex.want[i].xrReady {
				t.Errorf("%s: XR Ready = %v, want %v", where, got, ex.want[i].xrReady)
			}
		}
	}
}

// TestStagesGateTheDomain checks what each stage promises, on the function
// itself; test/render_test.go checks the same through crossplane render.
func TestStagesGateTheDomain(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	stages := stageStates(t, xr)
	want := []struct{ domain, xrReady bool }{{false, false}, {false, false}, {true, false}, {true, false}, {true, true}, {true, false}}
	for i, st := range stages {
		p := newFakeProvider()
		for n, r := range st {
			p.observed[n] = resourceOf(r)
		}
		rsp := run(t, p.request(xr, nil))
		names := desiredNames(rsp)
		sort.Strings(names)
		_, domain := rsp.GetDesired().GetResources()[compUserPoolDomain]
		if domain != want[i].domain {
			t.Errorf("stage %s: cognito-domain emitted = %v, want %v", observedStages[i].dir, domain, want[i].domain)
		}
		if got := xrReady(rsp); got != want[i].xrReady {
			t.Errorf("stage %s: XR Ready = %v, want %v", observedStages[i].dir, got, want[i].xrReady)
		}
	}
}

// allReadyState is the observed state of the example claim's XR with every
// resource Ready (stage 5-all-ready).
func allReadyState(t testing.TB) map[string]*structpb.Struct {
	t.Helper()
	stages := stageStates(t, loadXR(t, exampleClaimXR))
	for i, st := range observedStages {
		if st.dir == "5-all-ready" {
			return stages[i]
		}
	}
	t.Fatal("no all-ready stage")
	return nil
}
