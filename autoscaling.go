package main

import (
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// Web and worker scale out on CPU, between spec replicas and maxReplicas,
// with Application Auto Scaling's target tracking.

// targetCPUPercent is the average CPU the autoscaler keeps the tasks at:
// Langfuse's own sizing advice is to scale out above 50 %.
const targetCPUPercent = 50

// Cooldowns: out quickly when load comes, in slowly when it goes.
const (
	scaleOutCooldownSeconds = 60
	scaleInCooldownSeconds  = 300
)

// maxScalingPolicyName is Application Auto Scaling's limit on a policy name.
const maxScalingPolicyName = 255

// scaling is the autoscaling of one service.
type scaling struct {
	target, policy string
	service        service
}

var (
	webScaling    = scaling{target: compWebScalingTarget, policy: compWebScalingPolicy, service: webService}
	workerScaling = scaling{target: compWorkerScalingTarget, policy: compWorkerScalingPolicy, service: workerService}
)

// buildTarget registers the service's task count with the autoscaler.
func (s scaling) buildTarget(w *world) (*composed.Unstructured, error) {
	t := s.service.container.task(w.spec)
	return w.style.New(s.target, kindScalingTarget, w.spec.Region, map[string]any{
		"serviceNamespace":  "ecs",
		"resourceId":        "service/" + w.ecsClusterName() + "/" + w.serviceName(s.service),
		"scalableDimension": "ecs:service:DesiredCount",
		"minCapacity":       *t.Replicas,
		"maxCapacity":       *t.MaxReplicas,
	}, mrOptions{tagged: true}), nil
}

// buildPolicy keeps the service's average CPU at targetCPUPercent.
func (s scaling) buildPolicy(w *world) (*composed.Unstructured, error) {
	name := w.externalName(s.policy, w.names.name(s.service.container.name+"-cpu", maxScalingPolicyName))
	return w.style.New(s.policy, kindScalingPolicy, w.spec.Region, map[string]any{
		"policyType":                "TargetTrackingScaling",
		"resourceIdSelector":        selectorFor(s.target),
		"scalableDimensionSelector": selectorFor(s.target),
		"serviceNamespaceSelector":  selectorFor(s.target),
		"targetTrackingScalingPolicyConfiguration": map[string]any{
			"targetValue":      float64(targetCPUPercent),
			"scaleOutCooldown": int64(scaleOutCooldownSeconds),
			"scaleInCooldown":  int64(scaleInCooldownSeconds),
			"predefinedMetricSpecification": map[string]any{
				"predefinedMetricType": "ECSServiceAverageCPUUtilization",
			},
		},
	}, mrOptions{externalName: name}), nil
}
