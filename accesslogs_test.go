package main

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// albAccessLogsOf is the accessLogs block of the desired load balancer.
func albAccessLogsOf(rsp *fnv1.RunFunctionResponse) any {
	r, ok := rsp.GetDesired().GetResources()[compALB]
	if !ok {
		return nil
	}
	return fp(r.GetResource().AsMap())["accessLogs"]
}

// TestAccessLogsOnceTheBucketLetsThemIn turns access logs on for a running
// Langfuse: the load balancer writes them only once the bucket's policy
// exists (AWS refuses the attribute before), keeps them on while the policy
// flaps, and turns them off, keeping the bucket and its logs, when they are
// no longer asked for.
func TestAccessLogsOnceTheBucketLetsThemIn(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	p, before, _ := converge(t, xr)
	if got := albAccessLogsOf(before); got != nil {
		t.Fatalf("access logs never asked for, yet the load balancer has %v", got)
	}
	on := withSpec(t, xr, map[string]any{"spec.loadBalancer.accessLogs": map[string]any{"enabled": true}})
	rsp := run(t, p.request(on, nil))
	if _, ok := rsp.GetDesired().GetResources()[compLogsBucket]; !ok {
		t.Fatal("no access log bucket")
	}
	if got := albAccessLogsOf(rsp); got != nil {
		t.Errorf("the load balancer logs before the bucket's policy exists: %v", got)
	}
	p.observeAll(t, rsp)
	rsp = run(t, p.request(on, nil))
	p.observeAll(t, rsp)
	p.setReady(t, compLogsBucketPolicy, false)
	if got := albAccessLogsOf(run(t, p.request(on, nil))); got != nil {
		t.Errorf("the load balancer logs before the bucket's policy is Ready: %v", got)
	}
	p.setReady(t, compLogsBucketPolicy, true)
	rsp = settle(t, p, on)
	bucket := p.observed[compLogsBucket].GetResource().AsMap()["metadata"].(map[string]any)["annotations"].(map[string]any)[annotationExternalName]
	if diff := cmp.Diff(map[string]any{"enabled": true, "bucket": bucket}, albAccessLogsOf(rsp)); diff != "" {
		t.Errorf("the load balancer's access logs: -want, +got:\n%s", diff)
	}

	// The policy flaps: logging stays on.
	p.setReady(t, compLogsBucketPolicy, false)
	if diff := cmp.Diff(map[string]any{"enabled": true, "bucket": bucket}, albAccessLogsOf(run(t, p.request(on, nil)))); diff != "" {
		t.Errorf("the policy flapped: -want, +got:\n%s", diff)
	}
	p.setReady(t, compLogsBucketPolicy, true)

	// Off: the load balancer stops, the bucket and its logs stay.
	off := run(t, p.request(xr, nil))
	if diff := cmp.Diff(map[string]any{"enabled": false, "bucket": bucket}, albAccessLogsOf(off)); diff != "" {
		t.Errorf("turned off: -want, +got:\n%s", diff)
	}
	for _, n := range []string{compLogsBucket, compLogsBucketPolicy, compLogsBucketLifecycle, compLogsBucketPublicAccess} {
		if _, ok := off.GetDesired().GetResources()[n]; !ok {
			t.Errorf("%s went with the access logs; with deletionPolicy Orphan it stays", n)
		}
	}
	deleted := run(t, p.request(withSpec(t, xr, map[string]any{"spec.deletionPolicy": "Delete"}), nil))
	if _, ok := deleted.GetDesired().GetResources()[compLogsBucket]; ok {
		t.Error("the access log bucket stays off with deletionPolicy Delete")
	}
}

// TestAccessLogWriter grants the writer AWS names for the region: Elastic
// Load Balancing's account in regions opened before August 2022, its log
// delivery service after.
func TestAccessLogWriter(t *testing.T) {
	cases := map[string]struct {
		region, bucketARN string
		want              map[string]any
	}{
		"Ireland":      {region: "eu-west-1", bucketARN: "arn:aws:s3:::logs", want: map[string]any{"AWS": "arn:aws:iam::156460612806:root"}},
		"GovCloud":     {region: "us-gov-west-1", bucketARN: "arn:aws-us-gov:s3:::logs", want: map[string]any{"AWS": "arn:aws-us-gov:iam::048591011584:root"}},
		"Malaysia2024": {region: "ap-southeast-5", bucketARN: "arn:aws:s3:::logs", want: map[string]any{"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, elbLogWriter(tc.region, tc.bucketARN)); diff != "" {
				t.Errorf("-want, +got:\n%s", diff)
			}
		})
	}
	// The rendered policy grants it writes under AWSLogs/ only.
	_, last, _ := converge(t, withSpec(t, loadXR(t, exampleClaimXR), renderVariants["AccessLogs"]))
	var doc policyDoc
	if err := json.Unmarshal([]byte(fp(last.GetDesired().GetResources()[compLogsBucketPolicy].GetResource().AsMap())["policy"].(string)), &doc); err != nil {
		t.Fatal(err)
	}
	allow := doc.Statement[0]
	if allow.Action != "s3:PutObject" || len(allow.Resource) != 1 || allow.Resource[0][len(allow.Resource[0])-len("/AWSLogs/*"):] != "/AWSLogs/*" {
		t.Errorf("the log writer's statement: %+v", allow)
	}
}
