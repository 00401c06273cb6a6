package main

import (
	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// cloudFrontHostedZoneID is the hosted zone of every CloudFront distribution,
// the alias target zone of a Cognito custom domain. Cognito reports it too;
// this is the fallback for providers that leave it out.
const cloudFrontHostedZoneID = "Z2FDTNDATAQYW2"

// buildHostRecord points the Langfuse host at the load balancer, or at the
// CloudFront distribution in front of it. Its Ready condition is the signal
// the Cognito custom domain waits for.
func buildHostRecord(w *world) (*composed.Unstructured, error) {
	if withCloudFront(w.spec) {
		return distributionAlias(w, compDNSRecordHost, "A")
	}
	dnsName := w.statusString(compALB, statusPathLBDNSName)
	zoneID := w.statusString(compALB, statusPathLBZoneID)
	if dnsName == "" || zoneID == "" {
		return nil, errors.Errorf("%s reports no %s and %s", compALB, statusPathLBDNSName, statusPathLBZoneID)
	}
	return aliasRecord(w, compDNSRecordHost, w.spec.FQDN(), "A", dnsName, zoneID, true), nil
}

// buildHostIPv6Record points the host's IPv6 name at the distribution, when
// it answers IPv6 clients.
func buildHostIPv6Record(w *world) (*composed.Unstructured, error) {
	return distributionAlias(w, compDNSRecordHostIPv6, "AAAA")
}

// distributionAlias is a record of the host that aliases the distribution.
func distributionAlias(w *world, component, recordType string) (*composed.Unstructured, error) {
	target, err := w.reported(compDistribution, statusPathDomainName)
	if err != nil {
		return nil, err
	}
	// CloudFront aliases cannot evaluate target health.
	return aliasRecord(w, component, w.spec.FQDN(), recordType, target, cloudFrontHostedZoneID, false), nil
}

// buildAuthRecord points auth.<host> at the CloudFront distribution Cognito
// created for the custom domain.
func buildAuthRecord(w *world) (*composed.Unstructured, error) {
	target, err := w.reported(compUserPoolDomain, statusPathCloudFront)
	if err != nil {
		return nil, err
	}
	zoneID := w.statusString(compUserPoolDomain, "status.atProvider.cloudfrontDistributionZoneId")
	if zoneID == "" {
		zoneID = cloudFrontHostedZoneID
	}
	// CloudFront aliases cannot evaluate target health.
	return aliasRecord(w, compDNSRecordAuth, w.spec.AuthFQDN(), "A", target, zoneID, false), nil
}

func aliasRecord(w *world, component, name, recordType, target, targetZone string, evaluateTargetHealth bool) *composed.Unstructured {
	return w.style.New(component, kindRecord, w.spec.Region, map[string]any{
		"zoneId": w.spec.Domain.ZoneID,
		"name":   name,
		"type":   recordType,
		"alias": map[string]any{
			"name":                 target,
			"zoneId":               targetZone,
			"evaluateTargetHealth": evaluateTargetHealth,
		},
	}, mrOptions{})
}
