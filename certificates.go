package main

import (
	"sort"
	"strings"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// cognitoCertificateRegion is where a Cognito custom domain's certificate must
// live: the domain is served by CloudFront, which reads certificates only from
// us-east-1, whatever the user pool's region.
const cognitoCertificateRegion = "us-east-1"

// certificate is one of the two ACM certificates with what it takes to issue
// it: the name it certifies, its region, and its components.
type certificate struct {
	component  string
	records    string
	validation string
	subject    func(*Spec) string
	region     func(*Spec) string
	// coveredBy is another certificate of the same name, whose records
	// this one's are not made again: two MRs of one record would delete
	// it under the other.
	coveredBy *certificate
}

var (
	// hostCertificate serves Langfuse on the load balancer, in the main region.
	hostCertificate = certificate{
		component: compCertHost, records: compCertHostRecords, validation: compCertHostValidation,
		subject: (*Spec).FQDN,
		region:  func(s *Spec) string { return s.Region },
	}
	// authCertificate serves the Cognito custom domain, in us-east-1.
	authCertificate = certificate{
		component: compCertAuth, records: compCertAuthRecords, validation: compCertAuthValidation,
		subject: (*Spec).AuthFQDN,
		region:  func(*Spec) string { return cognitoCertificateRegion },
	}
)

func (c certificate) build(w *world) (*composed.Unstructured, error) {
	subject := c.subject(w.spec)
	return w.style.New(c.component, kindCertificate, w.spec.Region, map[string]any{
		"domainName":       subject,
		"validationMethod": "DNS",
		"keyAlgorithm":     "RSA_2048",
		"options":          map[string]any{"certificateTransparencyLoggingPreference": "ENABLED"},
	}, mrOptions{region: c.region(w.spec), tagged: true, extraTags: map[string]string{tagName: subject}}), nil
}

// validationRecord is one DNS record ACM asks for to prove we own a name.
type validationRecord struct {
	Name  string
	Type  string
	Value string
}

// validationRecords reads the records a certificate's observed status asks
// for, deduplicated by name (ACM lists one per domain name, and names that
// share a record repeat it) and sorted so their order never changes the output.
func (c certificate) validationRecords(w *world) []validationRecord {
	mr := w.observedOne(c.component)
	if mr == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []validationRecord
	for _, v := range mr.field(statusPathDVO).GetListValue().GetValues() {
		d := v.GetStructValue().GetFields()
		r := validationRecord{Name: d["resourceRecordName"].GetStringValue(), Type: d["resourceRecordType"].GetStringValue(), Value: d["resourceRecordValue"].GetStringValue()}
		key := canonicalRecordName(r.Name)
		if r.Name == "" || r.Type == "" || r.Value == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func canonicalRecordName(name string) string { return strings.TrimSuffix(strings.ToLower(name), ".") }

// validationRecordKey names a validation record by the DNS name it writes:
// when ACM asks for another record, the others keep their names.
func validationRecordKey(forProvider map[string]any) string {
	return shortHash(canonicalRecordName(str(forProvider["name"])))
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// buildValidationRecords composes one CNAME per validation option of a
// certificate. Records live in the user's zone, which is global, so the auth
// certificate's records are made the same way although it is in us-east-1.
func (c certificate) buildValidationRecords(w *world) (map[string]*composed.Unstructured, error) {
	records := c.validationRecords(w)
	if len(records) == 0 {
		return nil, errors.Errorf("%s reports no usable %s", c.component, statusPathDVO)
	}
	covered := map[string]bool{}
	if c.coveredBy != nil {
		for _, r := range c.coveredBy.validationRecords(w) {
			covered[canonicalRecordName(r.Name)] = true
		}
	}
	out := map[string]*composed.Unstructured{}
	for _, r := range records {
		if covered[canonicalRecordName(r.Name)] {
			continue
		}
		body := map[string]any{
			"zoneId":  w.spec.Domain.ZoneID,
			"name":    r.Name,
			"type":    r.Type,
			"ttl":     int64(60),
			"records": []any{r.Value},
			// ACM gives the same record to every certificate of a name in an
			// account, so it may exist already, from an earlier install.
			"allowOverwrite": true,
		}
		out[validationRecordKey(body)] = w.style.New(c.records, kindRecord, w.spec.Region, body, mrOptions{})
	}
	return out, nil
}

// buildValidation waits, in AWS, for the certificate to be issued. Its Ready
// condition is what the listener and the Cognito domain wait for.
func (c certificate) buildValidation(w *world) (*composed.Unstructured, error) {
	arn, err := w.reported(c.component, statusPathARN)
	if err != nil {
		return nil, err
	}
	fqdns := []any{}
	for _, r := range c.validationRecords(w) {
		fqdns = append(fqdns, strings.TrimSuffix(r.Name, "."))
	}
	body := map[string]any{"certificateArn": arn}
	if len(fqdns) > 0 {
		body["validationRecordFqdns"] = fqdns
	}
	return w.style.New(c.validation, kindCertificateValidation, w.spec.Region, body, mrOptions{region: c.region(w.spec)}), nil
}
