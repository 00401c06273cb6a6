package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

func TestValidationRecords(t *testing.T) {
	dvo := func(name, value string) map[string]any {
		return map[string]any{"domainName": "d", "resourceRecordName": name, "resourceRecordType": "CNAME", "resourceRecordValue": value}
	}
	cases := map[string]struct {
		reason string
		dvos   []any
		want   []validationRecord
	}{
		"DedupedAndSorted": {
			reason: "ACM repeats a record for names that share it; one record per name, sorted, whatever the order.",
			dvos:   []any{dvo("_b.example.com.", "_v2.acm-validations.aws."), dvo("_a.example.com.", "_v1.acm-validations.aws."), dvo("_B.example.com", "_v2.acm-validations.aws.")},
			want: []validationRecord{
				{Name: "_a.example.com.", Type: "CNAME", Value: "_v1.acm-validations.aws."},
				{Name: "_b.example.com.", Type: "CNAME", Value: "_v2.acm-validations.aws."},
			},
		},
		"IncompleteSkipped": {
			reason: "An option without its record value (ACM fills it in a little later) is no record yet.",
			dvos:   []any{dvo("_a.example.com.", "")},
			want:   nil,
		},
		"Garbage": {
			reason: "Values of the wrong type are ignored, not a panic.",
			dvos:   []any{"not-an-object", map[string]any{"resourceRecordName": 3}},
			want:   nil,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cert := composed.New()
			cert.Object = map[string]any{"status": map[string]any{"atProvider": map[string]any{"domainValidationOptions": tc.dvos}}}
			w := newWorld(&Spec{}, MRStyle{}, namer{}, map[resource.Name]*observedMR{compCertHost: newObservedMR(mustStruct(t, cert.Object))})
			if diff := cmp.Diff(tc.want, hostCertificate.validationRecords(w)); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
