package main

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestUsagesOrderTheDeletion checks each Usage: its kind per XR and core
// (and validated against that core's CRD), what it protects and from what,
// and that each selector picks exactly one composed resource, the intended
// one, as Crossplane resolves it (matchControllerRef and labels).
func TestUsagesOrderTheDeletion(t *testing.T) {
	for _, tc := range []struct {
		name, xr string
		coreV1   bool
		want     [2]string
		// extra are the orders of what only this XR composes.
		extra map[string][2]string
	}{
		// The examples' web ACL is the load balancer's.
		{"ClaimOnCoreV2", exampleClaimXR, false, clusterUsageV2, map[string][2]string{compUsageRegionalWebACL: {compWebACL, compWebACLAssociation}}},
		{"ClaimOnCoreV1", exampleClaimXR, true, usageV1, map[string][2]string{compUsageRegionalWebACL: {compWebACL, compWebACLAssociation}}},
		{"Namespaced", exampleNamespacedXR, false, usageV2, map[string][2]string{compUsageRegionalWebACL: {compWebACL, compWebACLAssociation}}},
		// Behind CloudFront, the distribution goes first, the load
		// balancer after its VPC origin.
		{"BehindCloudFront", exampleOwnVPCXR, false, clusterUsageV2, map[string][2]string{
			compUsageEdgeCertificate: {compCertEdge, compDistribution}, compUsageCloudFrontWebACL: {compWebACL, compDistribution},
			compUsageVPCOrigin: {compVPCOrigin, compDistribution}, compUsageOriginLoadBalancer: {compALB, compVPCOrigin},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, last, _ := convergeOn(t, loadXR(t, tc.xr), tc.coreV1)
			desired := last.GetDesired().GetResources()
			orders := map[string][2]string{} // usage → {of, by} composition-resource names
			for name, r := range desired {
				c, _ := componentOf(name)
				if c == nil || (c.name != compUsageFileSystem && !isUsageComponent(c.name)) {
					continue
				}
				obj := r.GetResource().AsMap()
				if got := [2]string{obj["apiVersion"].(string), obj["kind"].(string)}; got != tc.want {
					t.Errorf("%s is a %v, want %v", name, got, tc.want)
				}
				assertValidMR(t, name, obj)
				spec := obj["spec"].(map[string]any)
				if spec["replayDeletion"] != true {
					t.Errorf("%s does not replay the blocked deletion", name)
				}
				orders[name] = [2]string{selected(t, p, spec["of"]), selected(t, p, spec["by"])}
			}
			want := map[string][2]string{
				compUsageAuthCertificate:      {compCertAuth, compUserPoolDomain},
				compUsageTargetGroup:          {compALBTargetGroup, compWebService},
				compUsageWebTaskRole:          {compAppTaskRole, compWebService},
				compUsageWebTaskPolicy:        {compAppTaskPolicy, compWebService},
				compUsageWorkerTaskRole:       {compAppTaskRole, compWorkerService},
				compUsageWorkerTaskPolicy:     {compAppTaskPolicy, compWorkerService},
				compUsageClickHouseTaskRole:   {compClickHouseTaskRole, compClickHouseService},
				compUsageClickHouseTaskPolicy: {compClickHouseTaskPolicy, compClickHouseService},
				compUsageUserPool:             {compUserPool, compUserPoolDomain},
			}
			maps.Copy(want, tc.extra)
			for _, mountTarget := range membersOf(p.observed, compEFSMountTargets) {
				subnet := strings.TrimPrefix(mountTarget, compEFSMountTargets+"-")
				want[string(resourceName(compUsageFileSystem, subnet))] = [2]string{compEFS, mountTarget}
			}
			if len(membersOf(p.observed, compEFSMountTargets)) != 2 {
				t.Errorf("mount targets %v, want one per private subnet", membersOf(p.observed, compEFSMountTargets))
			}
			if diff := cmp.Diff(want, orders); diff != "" {
				t.Errorf("what each Usage protects from what: -want, +got:\n%s", diff)
			}
		})
	}
}

func isUsageComponent(name string) bool {
	for _, u := range usages {
		if u.component == name {
			return true
		}
	}
	return false
}

// selected resolves a Usage's of or by as Crossplane does, over what the
// provider observes: the resources of that kind whose labels match (all
// are this XR's, so matchControllerRef holds). It must be exactly one.
func selected(t *testing.T, p *fakeProvider, ref any) string {
	t.Helper()
	r := ref.(map[string]any)
	sel := r["resourceSelector"].(map[string]any)
	if sel["matchControllerRef"] != true {
		t.Errorf("selector %v does not stay inside the XR", sel)
	}
	labels := sel["matchLabels"].(map[string]any)
	var matches []string
	for name, o := range p.observed {
		m := o.GetResource().AsMap()
		if m["apiVersion"] != r["apiVersion"] || m["kind"] != r["kind"] {
			continue
		}
		have, _ := m["metadata"].(map[string]any)["labels"].(map[string]any)
		ok := true
		for k, v := range labels {
			ok = ok && have[k] == v
		}
		if ok {
			matches = append(matches, name)
		}
	}
	if len(matches) != 1 {
		t.Errorf("selector %v matches %v, want exactly one resource", sel, matches)
		return fmt.Sprint(matches)
	}
	return matches[0]
}

// TestUsageKindSticks checks that a core upgrade (v1 to v2.2) never
// replaces an existing Usage with one of the new kind.
func TestUsageKindSticks(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	p, _, _ := convergeOn(t, xr, true)
	p.coreV1 = false
	rsp := run(t, p.request(xr, nil))
	for name, r := range rsp.GetDesired().GetResources() {
		if c, _ := componentOf(name); c != nil && isUsageComponent(c.name) {
			obj := r.GetResource().AsMap()
			if got := [2]string{obj["apiVersion"].(string), obj["kind"].(string)}; got != usageV1 {
				t.Errorf("after the core upgrade %s became a %v: replacing it would drop the protection for a moment", name, got)
			}
		}
	}
}
