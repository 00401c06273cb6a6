package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// deterministic is a response's wire bytes, map entries in order.
func deterministic(t *testing.T, rsp *fnv1.RunFunctionResponse) []byte {
	t.Helper()
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(rsp)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRandomEditsNeverDropAnything plays long random sequences of calls: the
// provider makes some of what was emitted observed, flips Ready conditions
// and forgets status values; the claim's owner makes allowed edits and tries
// refused ones. Whatever the sequence, nothing observed whose component is
// still wanted leaves the desired state (which would delete it in AWS), the
// generated credentials never change once they exist (every value the
// generator makes is new), the same request always renders the same bytes,
// and every edit of an immutable field is refused naming the field.
func TestRandomEditsNeverDropAnything(t *testing.T) {
	edits := make([]map[string]any, 0, len(allowedEdits)+8)
	for _, name := range slices.Sorted(maps.Keys(allowedEdits)) {
		edits = append(edits, allowedEdits[name])
	}
	edits = append(edits,
		map[string]any{"spec.auth.cognito.enabled": true, "spec.auth.disableEmailPasswordAuth": nil, "spec.auth.allowSignUp": nil, "spec.langfuse.init": nil},
		map[string]any{"spec.deletionPolicy": "Orphan"},
		map[string]any{"spec.network.allowedCidrs": []any{"10.0.0.0/8", "192.0.2.0/24"}},
		map[string]any{"spec.network.allowedCidrs": []any{"192.0.2.0/24", "198.51.100.0/24", "10.0.0.0/8"}},
		map[string]any{"spec.network.allowedCidrs": nil},
		map[string]any{"spec.auth.cognito.mfa": "OFF", "spec.auth.cognito.managedLogin": "v2"},
		map[string]any{"spec.langfuse.init": nil},
		map[string]any{"spec.langfuse.init": map[string]any{"secretName": "langfuse-init", "keys": []any{"LANGFUSE_INIT_ORG_ID", "LANGFUSE_INIT_ORG_NAME"}}},
	)
	refused := []struct {
		set       map[string]any
		field     string
		witnesses []string
	}{
		{map[string]any{"spec.region": "us-west-2"}, "spec.region", immutableWitnesses("spec.region")},
		{map[string]any{"spec.network.vpcId": "vpc-0123456789abcdef9"}, "spec.network.vpcId", immutableWitnesses("spec.network.vpcId")},
		{map[string]any{"spec.domain.hostName": "other"}, "spec.domain.hostName", immutableWitnesses("spec.domain.hostName")},
		{map[string]any{"spec.auth.cognito.domainPrefix": "sso"}, "spec.auth.cognito.domainPrefix", immutableWitnesses("spec.auth.cognito.domainPrefix")},
	}

	for seed := range uint64(12) {
		t.Run(fmt.Sprintf("Seed%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0x1a9f))
			// Every value generated is new, so a regeneration cannot hide.
			f := NewFunction(logging.NewNopLogger(), defaultMemoXRs)
			generated := 0
			f.generate = func(c credential) (string, error) {
				generated++
				v, _ := fakeGenerate(c)
				return fmt.Sprintf("%d%s", generated, v)[:len(v)], nil
			}
			run := func(t *testing.T, req *fnv1.RunFunctionRequest) *fnv1.RunFunctionResponse {
				t.Helper()
				rsp, err := f.RunFunction(context.Background(), req)
				if err != nil {
					t.Fatal(err)
				}
				return rsp
			}
			xr := loadXR(t, exampleClaimXR)
			p := newFakeProvider()
			var creds map[string]string
			for step := range 60 {
				switch r := rng.IntN(10); {
				case r < 3:
					xr = withSpec(t, xr, edits[rng.IntN(len(edits))])
				case r < 4:
					e := refused[rng.IntN(len(refused))]
					rsp := run(t, p.request(withSpec(t, xr, e.set), nil))
					if witnessed(p, e.witnesses) {
						if msg := fatal(rsp); !strings.Contains(msg, e.field) {
							t.Fatalf("step %d: an edit of %s was not refused naming it: %q", step, e.field, msg)
						}
						if len(rsp.GetDesired().GetResources()) != 0 {
							t.Fatalf("step %d: a refused edit composed resources", step)
						}
					}
					continue
				case r < 6:
					for _, n := range slices.Sorted(maps.Keys(p.observed)) {
						if rng.IntN(4) == 0 {
							p.setReady(t, n, rng.IntN(2) == 0)
						}
					}
				case r < 7:
					for _, n := range slices.Sorted(maps.Keys(p.observed)) {
						if rng.IntN(6) == 0 {
							p.forgetStatus(t, n)
						}
					}
				}
				rsp := run(t, p.request(xr, nil))
				if msg := fatal(rsp); msg != "" {
					t.Fatalf("step %d: an allowed sequence was refused: %s", step, msg)
				}
				// Once the credentials exist, nothing is generated: the same
				// input renders the same bytes.
				if _, held := p.observed[compCredentials]; held {
					again := run(t, p.request(xr, nil))
					if !bytes.Equal(deterministic(t, rsp), deterministic(t, again)) {
						t.Fatalf("step %d: the same request rendered different responses", step)
					}
				}
				spec, err := ParseSpec(xr.AsMap()["spec"].(map[string]any))
				if err != nil {
					t.Fatal(err)
				}
				desired := rsp.GetDesired().GetResources()
				if got := credentialsOf(t, rsp); got != nil {
					if creds != nil && !equalMaps(got, creds) {
						t.Fatalf("step %d: the generated credentials changed", step)
					}
					if _, observed := p.observed[compCredentials]; observed {
						creds = got
					}
				}
				for n := range p.observed {
					if _, ok := desired[n]; ok || !stillWanted(t, p, n, spec) {
						continue
					}
					t.Fatalf("step %d: %s is observed and still wanted, but was dropped from the desired state", step, n)
				}
				// The provider creates some of what is new, and AWS deletes
				// what left the desired state.
				for n := range p.observed {
					if _, ok := desired[n]; !ok {
						delete(p.observed, n)
					}
				}
				for _, n := range slices.Sorted(maps.Keys(desired)) {
					if _, ok := p.observed[n]; !ok && rng.IntN(3) > 0 {
						p.observed[n] = resourceOf(p.observe(t, n, desired[n].GetResource(), rng.IntN(4) > 0))
					}
				}
				xr = carryXRStatus(t, xr, rsp)
			}
		})
	}
}

// composedOf is an observed resource as the function reads it.
func composedOf(t *testing.T, r *fnv1.Resource) *composed.Unstructured {
	t.Helper()
	return &composed.Unstructured{Unstructured: unstructured.Unstructured{Object: r.GetResource().AsMap()}}
}

// stillWanted says whether an observed resource belongs to what spec asks
// for: its component is enabled (or retained), and, for members made per
// list entry, the entry is still listed (the CIDR of an ingress rule, the
// subnet of a mount target).
func stillWanted(t *testing.T, p *fakeProvider, name string, spec *Spec) bool {
	t.Helper()
	c, ok := componentOf(name)
	if !ok {
		t.Fatalf("%s is observed but belongs to no component", name)
	}
	if !c.enabled(spec) && (c.retained == nil || !c.retained(spec)) {
		return false
	}
	f := memberBody(newObservedMR(p.observed[name].GetResource()))
	switch c.name {
	case compUsageFileSystem:
		// A Usage follows its mount target.
		subnet := c.memberKey(f)
		_, observed := p.observed[string(resourceName(compEFSMountTargets, subnet))]
		return observed && slices.Contains(spec.Network.PrivateSubnetIDs, subnet)
	case compALBIngress:
		return slices.Contains(spec.Network.AllowedCIDRs, str(f["cidrIpv4"]))
	case compEFSMountTargets:
		return slices.Contains(spec.Network.PrivateSubnetIDs, str(f["subnetId"]))
	case compPrivateSubnets:
		return slices.Contains(spec.Network.PrivateSubnetIDs, c.memberKey(f))
	case compPublicSubnets:
		return slices.Contains(spec.Network.PublicSubnetIDs, c.memberKey(f))
	case compWebTask, compWorkerTask, compClickHouseTask, compMigrateTask:
		// A revision is wanted while its service runs it, or is told to:
		// once neither, its MR goes, and skipDestroy keeps it in ECS.
		arn, _ := composedOf(t, p.observed[name]).GetString(statusPathARN)
		svc, ok := p.observed[map[string]string{compWebTask: compWebService, compWorkerTask: compWorkerService, compClickHouseTask: compClickHouseService, compMigrateTask: compMigrateService}[c.name]]
		if arn == "" || !ok {
			return false
		}
		s := composedOf(t, svc)
		told, _ := s.GetString("spec.forProvider.taskDefinition")
		runs, _ := s.GetString("status.atProvider.taskDefinition")
		return arn == told || arn == runs
	case compInitSecrets, compInitVersions:
		key := c.memberKey(f)
		return slices.ContainsFunc(spec.Langfuse.Init.Keys, func(k string) bool { return initMemberKey(k) == key })
	}
	return true
}

// immutableWitnesses lists the components whose observed resources show a
// field's value.
func immutableWitnesses(field string) []string {
	for _, f := range immutables {
		if f.field == field {
			return f.in
		}
	}
	return nil
}

func witnessed(p *fakeProvider, components []string) bool {
	for _, c := range components {
		if _, ok := p.observed[c]; ok {
			return true
		}
	}
	return false
}
