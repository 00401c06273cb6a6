package main

import (
	"fmt"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// The NAT instance (spec.network.vpc.egress: natInstance), the CDK
// reference's cheap egress: one t4g.nano instance in the first zone's public
// subnet that masquerades the private subnets' traffic, for about $3 a
// month where a NAT gateway costs $33, and no egress while it or its zone is
// down. It is Amazon Linux 2023 set up as the CDK's NatInstanceProviderV2
// sets it up (iptables-services, IP forwarding, MASQUERADE on the default
// interface).
//
// Its image is the newest AL2023 for ARM at creation: EC2 resolves the
// public SSM parameter itself ("resolve:ssm:" as the image id), and the id
// is in initProvider, which upjet sends on create only and leaves out of
// every later comparison. So the image AWS reports (an ami-…) never reads as
// a change, and the instance, whose image is replace-only, is never asked
// to move to a newer one.
//
// Switching to or from it moves the private routes in place, as between
// NAT gateways: a route moves to the instance once it runs, the instance
// stays while a route is told to or still does use it, and a NAT gateway
// likewise.

// Components of the NAT instance.
const (
	compNATInstanceSG      = "network-nat-instance-security-group"
	compNATInstanceIngress = "network-nat-instance-ingress"
	compNATInstanceEgress  = "network-nat-instance-egress"
	compNATInstance        = "network-nat-instance"
)

// EgressNATInstance routes every private subnet through one NAT instance.
const EgressNATInstance = "natInstance"

// natInstanceImage is the public SSM parameter of the newest Amazon Linux
// 2023 image for ARM, which EC2 resolves at launch.
const natInstanceImage = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"

// natInstanceType is the CDK's: the smallest Graviton instance.
const natInstanceType = "t4g.nano"

// natInstanceUserData makes the instance a NAT, as the CDK's
// NatInstanceProviderV2 does: iptables-services (AL2023 has no iptables
// service of its own), forwarding on, the private subnets' traffic
// masqueraded behind the default interface, and the FORWARD chain's
// default REJECT of iptables-services flushed.
const natInstanceUserData = `#!/bin/bash
set -euxo pipefail
dnf install -y iptables-services
systemctl enable --now iptables
echo "net.ipv4.ip_forward=1" > /etc/sysctl.d/90-nat.conf
sysctl -p /etc/sysctl.d/90-nat.conf
iptables -t nat -A POSTROUTING -o "$(ip route show default | awk '{print $5; exit}')" -j MASQUERADE
iptables -F FORWARD
service iptables save
`

func withNATInstance(s *Spec) bool {
	return s.Network.OwnVPC() && s.Network.VPC.Egress == EgressNATInstance
}

func withoutNATInstance(s *Spec) bool { return !withNATInstance(s) }

// withNATInstanceOnly makes a need apply only with a NAT instance.
func withNATInstanceOnly(n need) need { return n.onlyWhen(withNATInstance) }

// natInstanceZone is the zone of the NAT instance: the first.
func (w *world) natInstanceZone() string { return w.spec.Network.VPC.AvailabilityZones[0] }

// natInstanceKept says whether the NAT instance is composed: asked for,
// or a private route is told to use, or still uses, it.
func (w *world) natInstanceKept() bool {
	if withNATInstance(w.spec) {
		return true
	}
	zone := w.natInstanceZone()
	eni := w.memberStatus(compNATInstance, zone, statusPathPrimaryENI)
	if eni == "" {
		return w.memberExists(compNATInstance, zone)
	}
	for _, n := range w.byComponent[compPrivateRoutes] {
		mr := w.observed[n]
		uses, _ := mr.GetString("status.atProvider.networkInterfaceId")
		if str(observedForProvider(mr)["networkInterfaceId"]) == eni || uses == eni {
			return true
		}
	}
	return false
}

// statusPathPrimaryENI is an instance's network interface, where routes
// send traffic.
const statusPathPrimaryENI = "status.atProvider.primaryNetworkInterfaceId"

// buildNATInstanceEgress lets the instance forward HTTPS, and fetch its
// packages (over HTTP or HTTPS) at boot.
func buildNATInstanceEgress(w *world) (map[string]*composed.Unstructured, error) {
	out := map[string]*composed.Unstructured{}
	for _, port := range []int64{httpsPort, httpPort} {
		body := map[string]any{
			"securityGroupIdSelector": selectorFor(compNATInstanceSG),
			"ipProtocol":              "tcp",
			"fromPort":                port,
			"toPort":                  port,
			"cidrIpv4":                defaultRoute,
			"description":             fmt.Sprintf("Out to the internet on %d", port),
		}
		out[natEgressKey(body)] = w.style.New(compNATInstanceEgress, kindEgressRule, w.spec.Region, body, mrOptions{tagged: true})
	}
	return out, nil
}

// natEgressKey names an egress rule of the instance by its port.
func natEgressKey(forProvider map[string]any) string { return fmt.Sprint(forProvider["fromPort"]) }

// buildNATInstance is the instance, in the first zone's public subnet with
// a public address, forwarding what is not addressed to it.
func buildNATInstance(w *world) (map[string]*composed.Unstructured, error) {
	if !w.natInstanceKept() {
		return map[string]*composed.Unstructured{}, nil
	}
	zone := w.natInstanceZone()
	subnet := w.memberStatus(compPublicSubnets, zone, statusPathID)
	group := w.statusString(compNATInstanceSG, statusPathID)
	if subnet == "" || group == "" {
		return nil, errors.Errorf("the public subnet in %s or the NAT instance's security group reports no id yet", zone)
	}
	name := w.names.name("nat-"+zone, maxTagValueLength)
	return map[string]*composed.Unstructured{zone: w.style.New(compNATInstance, kindInstance, w.spec.Region, map[string]any{
		"instanceType":             natInstanceType,
		"subnetId":                 subnet,
		"vpcSecurityGroupIds":      []any{group},
		"associatePublicIpAddress": true,
		"sourceDestCheck":          false,
		"userData":                 natInstanceUserData,
		"metadataOptions":          map[string]any{"httpTokens": "required", "httpEndpoint": "enabled"},
	}, mrOptions{
		tagged: true, skipLateInitialize: true, extraTags: map[string]string{tagName: name, tagZone: zone},
		initProvider: map[string]any{"ami": natInstanceImage},
	})}, nil
}
