package crdname

import "testing"

func TestFile(t *testing.T) {
	cases := map[string]struct{ group, kind, want string }{
		"Plain":    {"route53.aws.m.upbound.io", "Record", "route53.aws.m.upbound.io_records.yaml"},
		"Policy":   {"s3.aws.upbound.io", "BucketPolicy", "s3.aws.upbound.io_bucketpolicies.yaml"},
		"EndsInS":  {"s3.aws.upbound.io", "BucketOwnershipControls", "s3.aws.upbound.io_bucketownershipcontrols.yaml"},
		"VowelY":   {"ec2.aws.upbound.io", "Gateway", "ec2.aws.upbound.io_gateways.yaml"},
		"Resource": {"cloudcontrol.aws.upbound.io", "Resource", "cloudcontrol.aws.upbound.io_resources.yaml"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := File(tc.group, tc.kind); got != tc.want {
				t.Errorf("File(%q, %q) = %q, want %q", tc.group, tc.kind, got, tc.want)
			}
		})
	}
}
