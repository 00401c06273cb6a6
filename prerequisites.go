package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// Prerequisites: what AWS must already have, which the function can observe
// without owning it. The user's VPC and subnets are composed observe-only
// (managementPolicies: [Observe]): the provider reports them and never
// changes or deletes them. What AWS would refuse later, or accept and then
// fail at run time, holds what depends on it, with a condition that says
// what to fix:
//   - Cloud Map's private DNS namespace, through which web and worker find
//     ClickHouse, resolves only in a VPC with DNS support and DNS hostnames;
//   - EFS takes one mount target per availability zone, and the load
//     balancer needs two zones: each list of subnets must be in distinct
//     zones, and in the VPC.
// Egress from the private subnets (NAT or endpoints) is not observable this
// way; the README says what is needed.

// tagSubnet tags an observed subnet with its id, which names the member.
const tagSubnet = "langfuse-subnet"

// subnetKey is the member key of a subnet: the id of the user's, the zone
// of our own.
func subnetKey(forProvider map[string]any) string {
	tags, _ := forProvider["tags"].(map[string]any)
	if id := str(tags[tagSubnet]); id != "" {
		return id
	}
	return zoneKey(forProvider)
}

// buildObservedVPC observes the user's VPC.
func buildObservedVPC(w *world) (*composed.Unstructured, error) {
	return w.style.New(compNetworkVPC, kindVPC, w.spec.Region, map[string]any{},
		mrOptions{observeOnly: true, externalName: w.spec.Network.VPCID}), nil
}

// buildObservedSubnets observes a list of the user's subnets.
func buildObservedSubnets(component string, ids func(*Spec) []string) func(*world) (map[string]*composed.Unstructured, error) {
	return func(w *world) (map[string]*composed.Unstructured, error) {
		out := map[string]*composed.Unstructured{}
		for _, id := range ids(w.spec) {
			out[id] = w.style.New(component, kindSubnet, w.spec.Region, map[string]any{"vpcId": w.spec.Network.VPCID},
				mrOptions{observeOnly: true, externalName: id, tagged: true, extraTags: map[string]string{tagSubnet: id}})
		}
		return out, nil
	}
}

// checkVPC says what the user's VPC lacks for the private DNS namespace
// (our own has both).
func checkVPC(w *world) error {
	mr := w.observedOne(compNetworkVPC)
	if mr == nil || w.spec.Network.OwnVPC() {
		return nil
	}
	var missing []string
	for _, attr := range []string{"enableDnsSupport", "enableDnsHostnames"} {
		if v, err := mr.GetBool("status.atProvider." + attr); err == nil && !v {
			missing = append(missing, attr)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return errors.Errorf("spec.network.vpcId %s has %s off: Cloud Map's private DNS, by which web and worker find ClickHouse, resolves only with both on (aws ec2 modify-vpc-attribute --vpc-id %s --enable-dns-support / --enable-dns-hostnames)",
		w.spec.Network.VPCID, strings.Join(missing, " and "), w.spec.Network.VPCID)
}

// checkSubnets says what is wrong with a list of subnets: one outside the
// VPC, or two in one availability zone.
func checkSubnets(component, field string) func(*world) error {
	return func(w *world) error {
		if w.spec.Network.OwnVPC() {
			return nil // one per zone, in the VPC, by construction
		}
		var problems []string
		zones := map[string]string{}
		for _, n := range w.byComponent[component] {
			mr := w.observed[n]
			id := subnetKey(observedForProvider(mr))
			vpc, _ := mr.GetString("status.atProvider.vpcId")
			zone, _ := mr.GetString("status.atProvider.availabilityZone")
			if vpc != "" && vpc != w.spec.Network.VPCID {
				problems = append(problems, fmt.Sprintf("%s is in %s, not in spec.network.vpcId %s", id, vpc, w.spec.Network.VPCID))
			}
			if other, ok := zones[zone]; ok && zone != "" {
				problems = append(problems, fmt.Sprintf("%s and %s are both in %s", other, id, zone))
			}
			zones[zone] = id
		}
		if len(problems) == 0 {
			return nil
		}
		slices.Sort(problems)
		return errors.Errorf("%s must list subnets of the VPC in distinct availability zones (EFS takes one mount target per zone, the load balancer and the data stores need two zones): %s",
			field, strings.Join(problems, "; "))
	}
}
