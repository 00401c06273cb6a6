package main

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane/function-sdk-go/resource/composed"
)

// Fargate Spot for web and worker (spec.langfuse.web.spot, .worker.spot),
// the CDK's enableFargateSpot: the cluster offers both Fargate capacity
// providers, and a service runs its first task on demand and the rest on
// Spot, so Langfuse stays up when AWS reclaims Spot tasks. Never ClickHouse:
// its one task holds the data directory.
//
// Terraform replaces a service whose capacity provider strategy goes from
// none to some (or back), and whose launch type changes: upjet would refuse
// either. So web and worker are created with a strategy, Fargate alone or
// with Spot, and forceNewDeployment, under which Terraform changes one
// strategy to another in place (capacityProviderStrategyCustomizeDiff). A
// service created before (with launch type FARGATE) keeps it, and Spot is
// refused for it naming the field.

// compCapacityProviders associates Fargate and Fargate Spot with the cluster.
const compCapacityProviders = "ecs-capacity-providers"

// The Fargate capacity providers.
const (
	capacityFargate     = "FARGATE"
	capacityFargateSpot = "FARGATE_SPOT"
)

func buildCapacityProviders(w *world) (*composed.Unstructured, error) {
	return w.style.New(compCapacityProviders, kindClusterCapacityProviders, w.spec.Region, map[string]any{
		"clusterNameSelector": selectorFor(compECSCluster),
		"capacityProviders":   []any{capacityFargate, capacityFargateSpot},
	}, mrOptions{}), nil
}

// launchedByType says whether a service exists with a launch type, as every
// service did before capacity providers: it keeps it.
func (w *world) launchedByType(component string) bool {
	fp := observedForProvider(w.observedOne(component))
	return fp != nil && fp["capacityProviderStrategy"] == nil
}

// capacityStrategy is where a service's tasks run: Fargate, or the first
// task on Fargate and the others on Fargate Spot.
func capacityStrategy(spot bool) []any {
	if !spot {
		return []any{map[string]any{"capacityProvider": capacityFargate, "weight": int64(1)}}
	}
	return []any{
		map[string]any{"capacityProvider": capacityFargate, "base": int64(1), "weight": int64(0)},
		map[string]any{"capacityProvider": capacityFargateSpot, "weight": int64(1)},
	}
}

// placeTasks sets where an autoscaled service's tasks run.
func (w *world) placeTasks(s service, body map[string]any) {
	if !s.autoscaled || w.launchedByType(s.component) {
		body["launchType"] = "FARGATE"
		return
	}
	body["capacityProviderStrategy"] = capacityStrategy(s.container.task(w.spec).Spot)
	// Terraform changes a strategy in place only with it.
	body["forceNewDeployment"] = true
}

// capacityEdits refuses Spot for a service created with a launch type.
func (w *world) capacityEdits() field.ErrorList {
	var errs field.ErrorList
	for _, s := range []service{webService, workerService} {
		if s.container.task(w.spec).Spot && w.launchedByType(s.component) {
			errs = append(errs, field.Forbidden(field.NewPath("spec", "langfuse", s.container.name, "spot"),
				"the "+s.container.name+" service was created with launch type FARGATE (before Spot was offered), and AWS can only replace a service to give it capacity providers, which the provider refuses; leave spot out, or create a new Langfuse with it"))
		}
	}
	return errs
}
