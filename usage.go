package main

import (
	"slices"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// Deletion order. Functions do not run when an XR is deleted: Crossplane
// deletes every composed resource at once, and AWS refuses some deletions
// while something still uses what is deleted (a certificate a Cognito domain
// serves, a file system with mount targets), or the deletion leaves the
// user of it stuck (an ECS service whose task role or target group went
// first drains forever). A Usage says "of is used by by": Crossplane's
// webhook refuses to delete of while by exists, and once by is gone it
// replays the deletion of of.
//
// The kind depends on the XR and the core. A namespaced XR (Crossplane v2)
// uses protection.crossplane.io Usage, in its namespace. A claim's XR uses
// ClusterUsage on cores that advertise capabilities (v2.2 and later), and
// apiextensions.crossplane.io/v1alpha1 Usage otherwise (Crossplane v1; v2.0
// and v2.1 still serve it). Once a Usage exists it keeps its kind, so an
// upgraded core never replaces it.

// usage is one "of is used by by" of the graph.
type usage struct {
	component string
	of, by    string
}

// usages are the deletion orders AWS needs, one component each.
var usages = []usage{
	{component: compUsageAuthCertificate, of: compCertAuth, by: compUserPoolDomain},
	{component: compUsageTargetGroup, of: compALBTargetGroup, by: compWebService},
	{component: compUsageWebTaskRole, of: compAppTaskRole, by: compWebService},
	{component: compUsageWebTaskPolicy, of: compAppTaskPolicy, by: compWebService},
	{component: compUsageWorkerTaskRole, of: compAppTaskRole, by: compWorkerService},
	{component: compUsageWorkerTaskPolicy, of: compAppTaskPolicy, by: compWorkerService},
	{component: compUsageClickHouseTaskRole, of: compClickHouseTaskRole, by: compClickHouseService},
	{component: compUsageClickHouseTaskPolicy, of: compClickHouseTaskPolicy, by: compClickHouseService},
	// Cognito refuses to delete a user pool that still has a domain.
	{component: compUsageUserPool, of: compUserPool, by: compUserPoolDomain},
	// ACM refuses to delete a certificate CloudFront serves, WAF a web ACL
	// a distribution or load balancer names, CloudFront a VPC origin a
	// distribution uses; a load balancer goes after its VPC origin.
	{component: compUsageEdgeCertificate, of: compCertEdge, by: compDistribution},
	{component: compUsageCloudFrontWebACL, of: compWebACL, by: compDistribution},
	{component: compUsageVPCOrigin, of: compVPCOrigin, by: compDistribution},
	{component: compUsageOriginLoadBalancer, of: compALB, by: compVPCOrigin},
	{component: compUsageRegionalWebACL, of: compWebACL, by: compWebACLAssociation},
}

// usageKinds are the three kinds, by apiVersion and kind.
var (
	usageV1        = [2]string{"apiextensions.crossplane.io/v1alpha1", "Usage"}
	clusterUsageV2 = [2]string{"protection.crossplane.io/v1beta1", "ClusterUsage"}
	usageV2        = [2]string{"protection.crossplane.io/v1beta1", "Usage"}
)

// isUsage says whether a composed resource is a Usage of any kind. It has
// nothing to do with Langfuse being available, and the controller that
// marks it Ready runs only with Crossplane's webhooks, so it is ready once
// it exists.
func isUsage(mr typed) bool {
	switch [2]string{mr.GetAPIVersion(), mr.GetKind()} {
	case usageV1, clusterUsageV2, usageV2:
		return true
	}
	return false
}

// usageKind is the kind this XR's Usages are: the kind of one that exists,
// or the one its scope and its core call for.
func (w *world) usageKind() [2]string {
	for _, u := range usages {
		if mr := w.observedOne(u.component); mr != nil {
			return [2]string{mr.GetAPIVersion(), mr.GetKind()}
		}
	}
	for _, n := range w.byComponent[compUsageFileSystem] {
		o := w.observed[n]
		return [2]string{o.GetAPIVersion(), o.GetKind()}
	}
	switch {
	case w.style.Namespaced:
		return usageV2
	case w.coreV2:
		return clusterUsageV2
	default:
		return usageV1
	}
}

// newUsage returns a Usage of what selects of by what selects by.
func (w *world) newUsage(component string, of, by map[string]any) *composed.Unstructured {
	mr := composed.New()
	k := w.usageKind()
	mr.SetAPIVersion(k[0])
	mr.SetKind(k[1])
	setLabels(mr, labelComponent, component)
	mr.Object["spec"] = map[string]any{"of": of, "by": by, "replayDeletion": true}
	return mr
}

// usedRef selects the resource of a component by its kind and labels.
func (w *world) usedRef(component string, labels map[string]any) (map[string]any, error) {
	var mr *observedMR
	if names := w.byComponent[component]; len(names) > 0 {
		mr = w.observed[names[0]]
	}
	if mr == nil {
		return nil, errors.Errorf("%s is not observed", component)
	}
	return map[string]any{
		"apiVersion":       mr.GetAPIVersion(),
		"kind":             mr.GetKind(),
		"resourceSelector": map[string]any{"matchControllerRef": true, "matchLabels": labels},
	}, nil
}

// build returns the Usage of one deletion order.
func (u usage) build(w *world) (*composed.Unstructured, error) {
	of, err := w.usedRef(u.of, map[string]any{labelComponent: u.of})
	if err != nil {
		return nil, err
	}
	by, err := w.usedRef(u.by, map[string]any{labelComponent: u.by})
	if err != nil {
		return nil, err
	}
	return w.newUsage(u.component, of, by), nil
}

// buildFileSystemUsages keep the file system until every mount target is
// gone, one Usage per mount target, which its member label selects.
func buildFileSystemUsages(w *world) (map[string]*composed.Unstructured, error) {
	of, err := w.usedRef(compEFS, map[string]any{labelComponent: compEFS})
	if err != nil {
		return nil, err
	}
	subnets, err := w.privateSubnetIDs()
	if err != nil {
		return nil, err
	}
	out := map[string]*composed.Unstructured{}
	for _, n := range w.byComponent[compEFSMountTargets] {
		subnet := mountTargetKey(memberBody(w.observed[n]))
		if !slices.Contains(subnets, subnet) {
			continue // on its way out, with its Usage
		}
		by, err := w.usedRef(compEFSMountTargets, map[string]any{labelComponent: compEFSMountTargets, labelMember: subnet})
		if err != nil {
			return nil, err
		}
		out[subnet] = w.newUsage(compUsageFileSystem, of, by)
	}
	return out, nil
}

// fileSystemUsageKey is a file system Usage's member key: the subnet of the
// mount target it selects.
func fileSystemUsageKey(body map[string]any) string {
	by, _ := body["by"].(map[string]any)
	sel, _ := by["resourceSelector"].(map[string]any)
	labels, _ := sel["matchLabels"].(map[string]any)
	return str(labels[labelMember])
}
