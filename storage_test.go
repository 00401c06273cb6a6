package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestResourcePoliciesDenyInsecureTransport reads the bucket's and the file
// system's policies: each denies every request not over TLS, on the ARN
// the observed resource reports.
func TestResourcePoliciesDenyInsecureTransport(t *testing.T) {
	p, last, _ := converge(t, loadXR(t, exampleClaimXR))
	cases := map[string]struct {
		policy, owner string
		resources     func(arn string) []any
	}{
		compBucketPolicy: {owner: compBucket, resources: func(arn string) []any { return []any{arn, arn + "/*"} }},
		compEFSPolicy:    {owner: compEFS, resources: func(arn string) []any { return []any{arn} }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var doc struct {
				Statement []struct {
					Effect    string
					Resource  []any
					Condition map[string]map[string]string
				}
			}
			raw := fp(last.GetDesired().GetResources()[name].GetResource().AsMap())["policy"].(string)
			if err := json.Unmarshal([]byte(raw), &doc); err != nil {
				t.Fatalf("the policy is not JSON: %v", err)
			}
			arn := lookup(p.observed[tc.owner].GetResource().AsMap(), statusPathARN).(string)
			if len(doc.Statement) != 1 || doc.Statement[0].Effect != "Deny" || doc.Statement[0].Condition["Bool"]["aws:SecureTransport"] != "false" {
				t.Errorf("the policy does not deny insecure transport: %s", raw)
			}
			if diff := cmp.Diff(tc.resources(arn), doc.Statement[0].Resource); diff != "" {
				t.Errorf("the policy's resources: -want, +got:\n%s", diff)
			}
		})
	}
}

// TestEditPrivateSubnets checks the mount targets follow privateSubnetIds:
// a subnet added gets one, a subnet removed loses its, the others stay.
func TestEditPrivateSubnets(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	p, _, _ := converge(t, xr)
	edited := withSpec(t, xr, map[string]any{"spec.network.privateSubnetIds": []any{"subnet-0a1b2c3d4e5f60004", "subnet-0a1b2c3d4e5f60005"}})
	rsp := run(t, p.request(edited, nil))
	if msg := fatal(rsp); msg != "" {
		t.Fatal(msg)
	}
	// The new subnet is observed (and checked) first; until then what
	// exists stays.
	p.observeAll(t, rsp)
	rsp = run(t, p.request(edited, nil))
	var got []string
	for n := range rsp.GetDesired().GetResources() {
		if strings.HasPrefix(n, compEFSMountTargets+"-") {
			got = append(got, n)
		}
	}
	slices.Sort(got)
	want := []string{"efs-mount-target-subnet-0a1b2c3d4e5f60004", "efs-mount-target-subnet-0a1b2c3d4e5f60005"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mount targets: -want, +got:\n%s", diff)
	}
}

// TestStatefulPartsOutliveTheClaim checks which resources deleting the claim
// keeps: with Orphan the data (user pool, bucket and its protections, file
// system and its policy, the database and its password), with Delete
// nothing, the bucket with its objects.
func TestStatefulPartsOutliveTheClaim(t *testing.T) {
	stateful := []string{
		compUserPool, compBucket, compBucketPublicAccess, compBucketOwnership, compBucketEncryption, compBucketPolicy, compEFS, compEFSPolicy,
		compDatabase, compDatabaseInstance, compDatabaseSecret, compDatabaseSecretVersion, compCredentialsSecret, compCredentialsSecretVersion,
		// What the kept cluster uses, which AWS refuses to delete while it does.
		compDatabaseSubnetGroup, compDatabaseParameters, compDatabaseSG,
	}
	for _, policy := range []string{"Orphan", "Delete"} {
		t.Run(policy, func(t *testing.T) {
			_, last, _ := converge(t, withSpec(t, loadXR(t, exampleClaimXR), map[string]any{"spec.deletionPolicy": policy}))
			var orphaned []string
			for n, r := range last.GetDesired().GetResources() {
				if spec, _ := r.GetResource().AsMap()["spec"].(map[string]any); spec["deletionPolicy"] == "Orphan" {
					orphaned = append(orphaned, n)
				}
			}
			want := slices.Clone(stateful)
			if policy == "Delete" {
				want = nil
			}
			slices.Sort(orphaned)
			slices.Sort(want)
			if diff := cmp.Diff(want, orphaned); diff != "" {
				t.Errorf("orphaned resources: -want, +got:\n%s", diff)
			}
			// Whatever a kept resource selects is kept with it: nothing
			// is left for the provider to retry deleting forever.
			for _, n := range orphaned {
				for _, used := range selectedComponents(fp(last.GetDesired().GetResources()[n].GetResource().AsMap())) {
					for name := range last.GetDesired().GetResources() {
						if c, _ := componentOf(name); c != nil && c.name == used && !slices.Contains(orphaned, name) {
							t.Errorf("%s is kept, but %s, which it uses, would be deleted", n, name)
						}
					}
				}
			}
			if got, want := fp(last.GetDesired().GetResources()[compBucket].GetResource().AsMap())["forceDestroy"], policy == "Delete"; got != want {
				t.Errorf("bucket forceDestroy = %v, want %v", got, want)
			}
		})
	}
}

// selectedComponents lists the components a forProvider's selectors pick.
func selectedComponents(m map[string]any) []string {
	var out []string
	for k, v := range m {
		sel, _ := v.(map[string]any)
		if !strings.HasSuffix(k, "Selector") || sel == nil {
			if sub, ok := v.(map[string]any); ok {
				out = append(out, selectedComponents(sub)...)
			}
			continue
		}
		if labels, ok := sel["matchLabels"].(map[string]any); ok {
			if c, ok := labels[labelComponent].(string); ok {
				out = append(out, c)
			}
		}
	}
	return out
}

// TestClickHouseStorageSettings checks the file system's throughput mode and
// lifecycle follow spec.clickhouse.storage, and that without it ClickHouse
// keeps elastic throughput and standard storage.
func TestClickHouseStorageSettings(t *testing.T) {
	for name, tc := range map[string]struct {
		set  map[string]any
		want map[string]any
	}{
		"Defaults": {want: map[string]any{"throughputMode": "elastic", "provisionedThroughputInMibps": nil, "lifecyclePolicy": nil}},
		"ProvisionedAndIA": {
			set: map[string]any{"spec.clickhouse.storage": map[string]any{"throughputMode": "provisioned", "provisionedThroughputMibps": 64.0, "infrequentAccessAfterDays": int64(1)}},
			want: map[string]any{"throughputMode": "provisioned", "provisionedThroughputInMibps": 64.0, "lifecyclePolicy": []any{
				map[string]any{"transitionToIa": "AFTER_1_DAY"}, map[string]any{"transitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
			}},
		},
		"IAAfter30Days": {
			set: map[string]any{"spec.clickhouse.storage": map[string]any{"infrequentAccessAfterDays": int64(30)}},
			want: map[string]any{"throughputMode": "elastic", "lifecyclePolicy": []any{
				map[string]any{"transitionToIa": "AFTER_30_DAYS"}, map[string]any{"transitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
			}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			out, _ := rendered(t, withSpec(t, loadXR(t, exampleClaimXR), tc.set))
			got := map[string]any{}
			for k := range tc.want {
				got[k] = fp(out[compEFS])[k]
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("the file system: -want, +got:\n%s", diff)
			}
		})
	}
}
