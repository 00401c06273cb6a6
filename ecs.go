package main

import (
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// Where the Langfuse tasks will run: an ECS cluster with Container Insights
// and ECS Exec, a log group per container, and a private DNS namespace in the
// VPC through which web and worker reach ClickHouse by name.

// logRetentionDays is how long the containers' logs are kept.
const logRetentionDays = 30

// Limits on names: ECS clusters take 255 characters, log groups 512, a DNS
// label 63.
const (
	maxClusterName  = 255
	maxLogGroupName = 500
	maxDNSLabel     = 63
)

// ecsClusterName is the cluster's name, its external name.
func (w *world) ecsClusterName() string {
	return w.externalName(compECSCluster, w.names.name("langfuse", maxClusterName))
}

func buildECSCluster(w *world) (*composed.Unstructured, error) {
	return w.style.New(compECSCluster, kindECSCluster, w.spec.Region, map[string]any{
		"setting": []any{map[string]any{"name": "containerInsights", "value": "enhanced"}},
		"configuration": map[string]any{
			"executeCommandConfiguration": map[string]any{"logging": "DEFAULT"},
		},
	}, mrOptions{tagged: true, externalName: w.ecsClusterName()}), nil
}

// buildLogGroup returns the builder of a container's log group, named
// /ecs/<XR>-<container>.
func buildLogGroup(component, container string) func(*world) (*composed.Unstructured, error) {
	return func(w *world) (*composed.Unstructured, error) {
		return w.style.New(component, kindLogGroup, w.spec.Region, map[string]any{
			"retentionInDays": int64(logRetentionDays),
		}, mrOptions{tagged: true, externalName: w.logGroupName(component, container)}), nil
	}
}

// logGroupName is the name of a container's log group, its external name,
// which the container's log configuration names too.
func (w *world) logGroupName(component, container string) string {
	return w.externalName(component, "/ecs/"+w.names.name(container, maxLogGroupName))
}

// serviceNamespaceName is the private DNS namespace's domain.
func (w *world) serviceNamespaceName() string {
	return w.awsName(compServiceNamespace, w.names.name("services", maxDNSLabel)+".internal")
}

// buildServiceNamespace is the private DNS namespace of the XR's services,
// <XR>-<hash>-services.internal: unique per XR, as two namespaces of one name
// cannot share a VPC.
func buildServiceNamespace(w *world) (*composed.Unstructured, error) {
	vpc, err := w.vpcID()
	if err != nil {
		return nil, err
	}
	return w.style.New(compServiceNamespace, kindPrivateDNSNamespace, w.spec.Region, map[string]any{
		"name":        w.serviceNamespaceName(),
		"description": "Langfuse services of https://" + w.spec.FQDN(),
		"vpc":         vpc,
	}, mrOptions{tagged: true}), nil
}
