package main

// The network seam: every builder places what it composes through these
// three, never through spec.network itself. Today the VPC and its subnets
// are the user's, given by ID (and observed, prerequisites.go); a VPC the
// function composes will answer here with what AWS reports for it, so its
// builders change nowhere else. What reads spec.network directly is the
// bring-your-own part: the observed VPC and subnets and the immutable VPC.

// vpcID is the VPC everything is placed in.
func (w *world) vpcID() string { return w.spec.Network.VPCID }

// publicSubnetIDs are the subnets of the load balancer.
func (w *world) publicSubnetIDs() []string { return w.spec.Network.PublicSubnetIDs }

// privateSubnetIDs are the subnets of the tasks, the data stores and the
// file system's mount targets.
func (w *world) privateSubnetIDs() []string { return w.spec.Network.PrivateSubnetIDs }
