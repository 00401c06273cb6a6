package main

import (
	"fmt"

	"github.com/crossplane/function-sdk-go/resource/composed"
)

// ClickHouse keeps its data on EFS: an encrypted file system with a mount
// target in every private subnet, an access point that makes every client
// the ClickHouse user, and a policy that refuses clients not using TLS. The
// ClickHouse task mounts it with transit encryption and IAM authorization.

// clickHouseUID is the uid and gid the clickhouse-server image runs as.
const clickHouseUID = 101

// clickHouseDataPath is the access point's root: ClickHouse sees only it.
const clickHouseDataPath = "/clickhouse"

// maxCreationToken is EFS's limit on a creation token.
const maxCreationToken = 64

func buildFileSystem(w *world) (*composed.Unstructured, error) {
	token := w.keptField(compEFS, "creationToken", w.names.name("clickhouse", maxCreationToken))
	body := map[string]any{
		// The token makes creation idempotent, and AWS cannot change it.
		"creationToken":   token,
		"encrypted":       true,
		"performanceMode": "generalPurpose",
		// Elastic: ClickHouse's merges come in bursts, which bursting
		// mode pays for with credits a small file system rarely has.
		"throughputMode": "elastic",
	}
	if st := w.spec.ClickHouse.Storage; st != nil {
		if st.ThroughputMode != "" {
			body["throughputMode"] = st.ThroughputMode
		}
		if st.ProvisionedThroughputMibps != nil {
			body["provisionedThroughputInMibps"] = *st.ProvisionedThroughputMibps
		}
		if d := st.InfrequentAccessAfterDays; d != 0 {
			// Back to standard storage on the first read: ClickHouse
			// reads a part again when it merges or queries it.
			body["lifecyclePolicy"] = []any{
				map[string]any{"transitionToIa": iaTransition(d)},
				map[string]any{"transitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
			}
		}
	}
	return w.style.New(compEFS, kindFileSystem, w.spec.Region, body, mrOptions{stateful: true, tagged: true, extraTags: map[string]string{tagName: token}}), nil
}

// iaTransition is EFS's name of a transition after d days.
func iaTransition(d int64) string {
	if d == 1 {
		return "AFTER_1_DAY"
	}
	return fmt.Sprintf("AFTER_%d_DAYS", d)
}

// buildMountTargets puts the file system into each private subnet, each
// mount target named by its subnet: editing privateSubnetIds adds and
// removes exactly the mount targets of the subnets that changed.
func buildMountTargets(w *world) (map[string]*composed.Unstructured, error) {
	subnets, err := w.privateSubnetIDs()
	if err != nil {
		return nil, err
	}
	out := map[string]*composed.Unstructured{}
	for _, subnet := range subnets {
		body := map[string]any{
			"fileSystemIdSelector":   selectorFor(compEFS),
			"subnetId":               subnet,
			"securityGroupsSelector": selectorFor(securityGroupComponent(tierEFS)),
		}
		out[mountTargetKey(body)] = w.style.New(compEFSMountTargets, kindMountTarget, w.spec.Region, body, mrOptions{})
	}
	return out, nil
}

// mountTargetKey names a mount target by its subnet.
func mountTargetKey(forProvider map[string]any) string { return str(forProvider["subnetId"]) }

// buildAccessPoint makes every client of the file system the ClickHouse user,
// rooted at the ClickHouse directory, which EFS creates owned by that user.
func buildAccessPoint(w *world) (*composed.Unstructured, error) {
	return w.style.New(compEFSAccessPoint, kindAccessPoint, w.spec.Region, map[string]any{
		"fileSystemIdSelector": selectorFor(compEFS),
		"posixUser":            map[string]any{"uid": int64(clickHouseUID), "gid": int64(clickHouseUID)},
		"rootDirectory": map[string]any{
			"path": clickHouseDataPath,
			"creationInfo": map[string]any{
				"ownerUid":    int64(clickHouseUID),
				"ownerGid":    int64(clickHouseUID),
				"permissions": "0750",
			},
		},
	}, mrOptions{tagged: true}), nil
}

// buildFileSystemPolicy refuses clients that do not use TLS. Access itself is
// granted to the ClickHouse task's role by its own policy (IAM authorization).
func buildFileSystemPolicy(w *world) (*composed.Unstructured, error) {
	arn, err := w.reported(compEFS, statusPathARN)
	if err != nil {
		return nil, err
	}
	policy, err := denyInsecureTransport("*", map[string]any{"AWS": "*"}, arn)
	if err != nil {
		return nil, err
	}
	return w.style.New(compEFSPolicy, kindFileSystemPolicy, w.spec.Region, map[string]any{
		"fileSystemIdSelector": selectorFor(compEFS),
		"policy":               policy,
	}, mrOptions{stateful: true}), nil
}
