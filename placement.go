package main

import (
	"github.com/crossplane/function-sdk-go/errors"
)

// The network seam: every builder places what it composes through these
// three, never through spec.network itself. The VPC and its subnets are
// either the user's, given by ID (and observed, prerequisites.go), or the
// function's own (vpc.go), whose IDs are what AWS reports for them: the
// builders change nowhere else. What reads spec.network directly is the
// network itself: the observed or composed VPC and subnets, and the
// immutable fields.

// vpcID is the VPC everything is placed in.
func (w *world) vpcID() (string, error) {
	if !w.spec.Network.OwnVPC() {
		return w.spec.Network.VPCID, nil
	}
	return w.reported(compNetworkVPC, statusPathID)
}

// publicSubnetIDs are the subnets of the load balancer.
func (w *world) publicSubnetIDs() ([]string, error) {
	if !w.spec.Network.OwnVPC() {
		return w.spec.Network.PublicSubnetIDs, nil
	}
	return w.zoneSubnetIDs(compPublicSubnets)
}

// privateSubnetIDs are the subnets of the tasks, the data stores and the
// file system's mount targets.
func (w *world) privateSubnetIDs() ([]string, error) {
	if !w.spec.Network.OwnVPC() {
		return w.spec.Network.PrivateSubnetIDs, nil
	}
	return w.zoneSubnetIDs(compPrivateSubnets)
}

// zoneSubnetIDs are the IDs of a composed VPC's subnets, in the order of its
// zones. All or none: a list short of a subnet that flaps would take it out
// of the load balancer, the subnet groups and the services.
func (w *world) zoneSubnetIDs(component string) ([]string, error) {
	zones := w.spec.Network.VPC.AvailabilityZones
	ids := make([]string, 0, len(zones))
	for _, zone := range zones {
		id := w.memberStatus(component, zone, statusPathID)
		if id == "" {
			return nil, errors.Errorf("%s reports no id in %s yet", component, zone)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// privateSubnetCIDRs are the blocks of the private subnets, as AWS reports
// them, in the order of their ids or zones. All or none, as for the ids.
func (w *world) privateSubnetCIDRs() ([]string, error) {
	keys := w.spec.Network.PrivateSubnetIDs
	if w.spec.Network.OwnVPC() {
		keys = w.spec.Network.VPC.AvailabilityZones
	}
	cidrs := make([]string, 0, len(keys))
	for _, key := range keys {
		cidr := w.memberStatus(compPrivateSubnets, key, statusPathCIDRBlock)
		if cidr == "" {
			return nil, errors.Errorf("%s reports no %s for %s yet", compPrivateSubnets, statusPathCIDRBlock, key)
		}
		cidrs = append(cidrs, cidr)
	}
	return cidrs, nil
}
