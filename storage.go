package main

import (
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// The S3 bucket Langfuse keeps its events, media and batch exports in, one
// bucket with a prefix each. It is private, owned by the bucket owner only,
// encrypted, and reachable over TLS only. With deletionPolicy Orphan the
// bucket and every protection on it outlive the claim: deleting the public
// access block of a kept bucket would loosen it.

// maxBucketName is S3's limit on a bucket's name.
const maxBucketName = 63

// bucketName is the bucket's name, which is its external name: S3 bucket
// names are global, so the XR's hash keeps it from meeting anyone else's.
func (w *world) bucketName() string {
	return w.externalName(compBucket, w.names.name("data", maxBucketName))
}

func buildBucket(w *world) (*composed.Unstructured, error) {
	name := w.bucketName()
	return w.style.New(compBucket, kindBucket, w.spec.Region, map[string]any{
		// Deleting a bucket that holds objects fails; with Delete the
		// user asked for it to go, objects and all.
		"forceDestroy": w.spec.DeletionPolicy == DeletionPolicyDelete,
	}, mrOptions{stateful: true, tagged: true, externalName: name, extraTags: map[string]string{tagName: name}}), nil
}

func buildBucketPublicAccessBlock(w *world) (*composed.Unstructured, error) {
	return w.style.New(compBucketPublicAccess, kindBucketPublicAccessBlock, w.spec.Region, map[string]any{
		"bucketSelector":        selectorFor(compBucket),
		"blockPublicAcls":       true,
		"blockPublicPolicy":     true,
		"ignorePublicAcls":      true,
		"restrictPublicBuckets": true,
	}, mrOptions{stateful: true}), nil
}

// buildBucketOwnership turns ACLs off: every object belongs to the bucket's
// owner, whoever wrote it.
func buildBucketOwnership(w *world) (*composed.Unstructured, error) {
	return w.style.New(compBucketOwnership, kindBucketOwnershipControls, w.spec.Region, map[string]any{
		"bucketSelector": selectorFor(compBucket),
		"rule":           map[string]any{"objectOwnership": "BucketOwnerEnforced"},
	}, mrOptions{stateful: true}), nil
}

func buildBucketEncryption(w *world) (*composed.Unstructured, error) {
	return w.style.New(compBucketEncryption, kindBucketEncryption, w.spec.Region, map[string]any{
		"bucketSelector": selectorFor(compBucket),
		"rule": []any{map[string]any{
			"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": "AES256"},
			"bucketKeyEnabled":                   true,
		}},
	}, mrOptions{stateful: true}), nil
}

// buildBucketPolicy refuses every request to the bucket that is not over
// TLS. It names the bucket by the ARN S3 reports, whose partition (aws,
// aws-cn, aws-us-gov) the function does not have to guess.
func buildBucketPolicy(w *world) (*composed.Unstructured, error) {
	arn, err := w.reported(compBucket, statusPathARN)
	if err != nil {
		return nil, err
	}
	policy, err := denyInsecureTransport("s3:*", "*", arn, arn+"/*")
	if err != nil {
		return nil, err
	}
	return w.style.New(compBucketPolicy, kindBucketPolicy, w.spec.Region, map[string]any{
		"bucketSelector": selectorFor(compBucket),
		"policy":         policy,
	}, mrOptions{stateful: true}), nil
}
