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

// certificateSubject is the name a certificate component certifies.
func (w *world) certificateSubject(component string) string {
	if component == compCertAuth {
		return w.spec.AuthFQDN()
	}
	return w.spec.FQDN()
}

func certificateRegion(w *world, component string) string {
	if component == compCertAuth {
		return cognitoCertificateRegion
	}
	return w.spec.Region
}

func buildHostCertificate(w *world) (*composed.Unstructured, error) {
	return w.buildCertificate(compCertHost), nil
}

func buildAuthCertificate(w *world) (*composed.Unstructured, error) {
	return w.buildCertificate(compCertAuth), nil
}

func (w *world) buildCertificate(component string) *composed.Unstructured {
	return w.style.New(component, kindCertificate, w.spec.Region, map[string]any{
		"domainName":       w.certificateSubject(component),
		"validationMethod": "DNS",
		"keyAlgorithm":     "RSA_2048",
		"options":          map[string]any{"certificateTransparencyLoggingPreference": "ENABLED"},
	}, mrOptions{region: certificateRegion(w, component), tagged: true, extraTags: map[string]string{"Name": w.certificateSubject(component)}})
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
func (w *world) validationRecords(certComponent string) []validationRecord {
	mr := w.observedOne(certComponent)
	if mr == nil {
		return nil
	}
	var dvos []map[string]any
	if err := mr.GetValueInto(statusPathDVO, &dvos); err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []validationRecord
	for _, d := range dvos {
		r := validationRecord{Name: str(d["resourceRecordName"]), Type: str(d["resourceRecordType"]), Value: str(d["resourceRecordValue"])}
		key := strings.TrimSuffix(strings.ToLower(r.Name), ".")
		if r.Name == "" || r.Type == "" || r.Value == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// buildValidationRecords composes one CNAME per validation option of a
// certificate. Records live in the user's zone, which is global, so the auth
// certificate's records are made the same way although it is in us-east-1.
func (w *world) buildValidationRecords(certComponent string) (map[string]*composed.Unstructured, error) {
	records := w.validationRecords(certComponent)
	if len(records) == 0 {
		return nil, errors.Errorf("%s reports no usable %s", certComponent, statusPathDVO)
	}
	component := compCertHostRecords
	if certComponent == compCertAuth {
		component = compCertAuthRecords
	}
	out := map[string]*composed.Unstructured{}
	for i, r := range records {
		out[itoa(i)] = w.style.New(component, kindRecord, w.spec.Region, map[string]any{
			"zoneId":  w.spec.Domain.ZoneID,
			"name":    r.Name,
			"type":    r.Type,
			"ttl":     int64(60),
			"records": []any{r.Value},
			// ACM gives the same record to every certificate of a name in an
			// account, so it may exist already, from an earlier install.
			"allowOverwrite": true,
		}, mrOptions{})
	}
	return out, nil
}

// buildCertificateValidation waits, in AWS, for the certificate to be issued.
// Its Ready condition is what the listener and the Cognito domain wait for.
func (w *world) buildCertificateValidation(certComponent string) (*composed.Unstructured, error) {
	arn := w.statusString(certComponent, statusPathARN)
	if arn == "" {
		return nil, errors.Errorf("%s reports no %s", certComponent, statusPathARN)
	}
	component := compCertHostValidation
	if certComponent == compCertAuth {
		component = compCertAuthValidation
	}
	fqdns := []any{}
	for _, r := range w.validationRecords(certComponent) {
		fqdns = append(fqdns, strings.TrimSuffix(r.Name, "."))
	}
	body := map[string]any{"certificateArn": arn}
	if len(fqdns) > 0 {
		body["validationRecordFqdns"] = fqdns
	}
	return w.style.New(component, kindCertificateValidation, w.spec.Region, body,
		mrOptions{region: certificateRegion(w, certComponent)}), nil
}
