//go:build tools

// Package tools pins the control plane the cluster tests run on loopback:
// kube-apiserver, kube-controller-manager (for garbage collection) and kubectl
// of Kubernetes v1.35.4, and etcd v3.6.5, the version that Kubernetes pins.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
