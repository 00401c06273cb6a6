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

// Buckets the function composes: Langfuse's own, and the load balancer's
// access logs (accesslogs.go). Each is named after the XR and private in
// the same ways; the builders below serve both.

// dataBucketSuffix ends the name of Langfuse's bucket.
const dataBucketSuffix = "data"

// bucketName is Langfuse's bucket's name.
func (w *world) bucketName() string { return w.namedBucket(compBucket, dataBucketSuffix) }

// namedBucket is a bucket's name, which is its external name: S3 bucket
// names are global, so the XR's hash keeps it from meeting anyone else's.
func (w *world) namedBucket(component, suffix string) string {
	return w.externalName(component, w.names.name(suffix, maxBucketName))
}

// buildBucketOf returns the builder of a bucket named <XR>-<hash>-<suffix>.
func buildBucketOf(component, suffix string) func(*world) (*composed.Unstructured, error) {
	return func(w *world) (*composed.Unstructured, error) {
		name := w.namedBucket(component, suffix)
		return w.style.New(component, kindBucket, w.spec.Region, map[string]any{
			// Deleting a bucket that holds objects fails; with Delete the
			// user asked for it to go, objects and all.
			"forceDestroy": w.spec.DeletionPolicy == DeletionPolicyDelete,
		}, mrOptions{stateful: true, tagged: true, externalName: name, extraTags: map[string]string{tagName: name}}), nil
	}
}

// blockPublicAccess returns the builder of a bucket's public access block.
func blockPublicAccess(component, bucket string) func(*world) (*composed.Unstructured, error) {
	return func(w *world) (*composed.Unstructured, error) {
		return w.style.New(component, kindBucketPublicAccessBlock, w.spec.Region, map[string]any{
			"bucketSelector":        selectorFor(bucket),
			"blockPublicAcls":       true,
			"blockPublicPolicy":     true,
			"ignorePublicAcls":      true,
			"restrictPublicBuckets": true,
		}, mrOptions{stateful: true}), nil
	}
}

// enforceBucketOwner returns the builder that turns a bucket's ACLs off:
// every object belongs to the bucket's owner, whoever wrote it.
func enforceBucketOwner(component, bucket string) func(*world) (*composed.Unstructured, error) {
	return func(w *world) (*composed.Unstructured, error) {
		return w.style.New(component, kindBucketOwnershipControls, w.spec.Region, map[string]any{
			"bucketSelector": selectorFor(bucket),
			"rule":           map[string]any{"objectOwnership": "BucketOwnerEnforced"},
		}, mrOptions{stateful: true}), nil
	}
}

// encryptWithS3Keys returns the builder that encrypts a bucket with
// S3-managed keys, with S3 bucket keys or without.
func encryptWithS3Keys(component, bucket string, bucketKey bool) func(*world) (*composed.Unstructured, error) {
	return func(w *world) (*composed.Unstructured, error) {
		rule := map[string]any{"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": "AES256"}}
		if bucketKey {
			rule["bucketKeyEnabled"] = true
		}
		return w.style.New(component, kindBucketEncryption, w.spec.Region, map[string]any{
			"bucketSelector": selectorFor(bucket),
			"rule":           []any{rule},
		}, mrOptions{stateful: true}), nil
	}
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
