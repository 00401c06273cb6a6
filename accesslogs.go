package main

import (
	"strings"

	"github.com/crossplane/function-sdk-go/resource/composed"
)

// The load balancer's access logs (spec.loadBalancer.accessLogs), as the
// CDK reference keeps them: a bucket of their own, private, owned by the
// bucket owner, encrypted with S3-managed keys (the only encryption ALB
// log delivery writes to), kept for a number of days, and a policy that
// lets Elastic Load Balancing write under AWSLogs/. The load balancer turns
// logging on only once that policy exists: AWS checks it can write when the
// attribute is set, and refuses otherwise.
//
// The bucket is stateful: with deletionPolicy Orphan, turning the logs off
// (or deleting the Langfuse) keeps it and the logs in it.

// Components of the access logs.
const (
	compLogsBucket             = "alb-logs"
	compLogsBucketPublicAccess = "alb-logs-public-access-block"
	compLogsBucketOwnership    = "alb-logs-ownership-controls"
	compLogsBucketEncryption   = "alb-logs-encryption"
	compLogsBucketLifecycle    = "alb-logs-lifecycle"
	compLogsBucketPolicy       = "alb-logs-policy"
)

// defaultAccessLogDays is how long access logs are kept by default.
const defaultAccessLogDays = 90

// elbLogDeliveryService is the principal that writes access logs in regions
// AWS opened from August 2022 on.
const elbLogDeliveryService = "logdelivery.elasticloadbalancing.amazonaws.com"

// elbAccountByRegion is the Elastic Load Balancing account that writes
// access logs in each region opened before August 2022, which grant it
// rather than the service principal: Terraform's aws_elb_service_account
// (internal/service/elb/service_account_data_source.go, the fork
// provider-aws v2.4.0 pins).
var elbAccountByRegion = map[string]string{
	"af-south-1": "098369216593", "ap-east-1": "754344448648", "ap-northeast-1": "582318560864",
	"ap-northeast-2": "600734575887", "ap-northeast-3": "383597477331", "ap-south-1": "718504428378",
	"ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266", "ap-southeast-3": "589379963580",
	"ca-central-1": "985666609251", "cn-north-1": "638102146993", "cn-northwest-1": "037604701340",
	"eu-central-1": "054676820928", "eu-north-1": "897822967062", "eu-south-1": "635631232127",
	"eu-west-1": "156460612806", "eu-west-2": "652711504416", "eu-west-3": "009996457667",
	"me-south-1": "076674570225", "sa-east-1": "507241528517", "us-east-1": "127311923021",
	"us-east-2": "033677994240", "us-gov-east-1": "190560391635", "us-gov-west-1": "048591011584",
	"us-west-1": "027434742980", "us-west-2": "797873946194",
}

func withAccessLogs(s *Spec) bool { return s.LoadBalancer.AccessLogs.Enabled }

// logsBucketSuffix ends the logs bucket's name.
const logsBucketSuffix = "alb-logs"

// logsBucketName is the logs bucket's name, its external name.
func (w *world) logsBucketName() string { return w.namedBucket(compLogsBucket, logsBucketSuffix) }

// buildLogsBucketLifecycle expires logs after the days asked for.
func buildLogsBucketLifecycle(w *world) (*composed.Unstructured, error) {
	return w.style.New(compLogsBucketLifecycle, kindBucketLifecycle, w.spec.Region, map[string]any{
		"bucketSelector": selectorFor(compLogsBucket),
		"rule": []any{map[string]any{
			"id":         "expire-access-logs",
			"status":     "Enabled",
			"filter":     []any{map[string]any{"prefix": ""}},
			"expiration": []any{map[string]any{"days": w.spec.LoadBalancer.AccessLogs.ExpireAfterDays}},
		}},
	}, mrOptions{stateful: true}), nil
}

// buildLogsBucketPolicy lets Elastic Load Balancing write the logs, over
// TLS only, and nothing else.
func buildLogsBucketPolicy(w *world) (*composed.Unstructured, error) {
	arn, err := w.reported(compLogsBucket, statusPathARN)
	if err != nil {
		return nil, err
	}
	policy, err := policyDocument(
		policyStatement{Sid: "ELBAccessLogs", Effect: "Allow", Principal: elbLogWriter(w.spec.Region, arn), Action: "s3:PutObject", Resource: []string{arn + "/AWSLogs/*"}},
		insecureTransportDenied("s3:*", "*", arn, arn+"/*"),
	)
	if err != nil {
		return nil, err
	}
	return w.style.New(compLogsBucketPolicy, kindBucketPolicy, w.spec.Region, map[string]any{
		"bucketSelector": selectorFor(compLogsBucket),
		"policy":         policy,
	}, mrOptions{stateful: true}), nil
}

// elbLogWriter is who writes a region's access logs: its Elastic Load
// Balancing account (as an ARN in the bucket's partition, which the ARN S3
// reports names), or the log delivery service in newer regions.
func elbLogWriter(region, bucketARN string) map[string]any {
	account, ok := elbAccountByRegion[region]
	if !ok {
		return map[string]any{"Service": elbLogDeliveryService}
	}
	partition := "aws"
	if parts := strings.SplitN(bucketARN, ":", 3); len(parts) == 3 {
		partition = parts[1]
	}
	return map[string]any{"AWS": "arn:" + partition + ":iam::" + account + ":root"}
}

// albAccessLogs is the load balancer's accessLogs block: on once the
// bucket's policy lets the logs in (and kept on while it flaps), off when
// they were on and are no longer asked for, absent when never asked for.
func (w *world) albAccessLogs() map[string]any {
	wasOn := false
	if al, ok := observedForProvider(w.observedOne(compALB))["accessLogs"].(map[string]any); ok {
		wasOn, _ = al["enabled"].(bool)
	}
	switch {
	case withAccessLogs(w.spec) && (wasOn || w.ready[resourceName(compLogsBucketPolicy, "")]):
		return map[string]any{"enabled": true, "bucket": w.logsBucketName()}
	case wasOn:
		// Terraform's block requires the bucket, off or on.
		return map[string]any{"enabled": false, "bucket": w.logsBucketName()}
	}
	return nil
}
