package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSpotSwitchesInPlace turns Spot on and off for a Langfuse whose web
// and worker run on capacity providers: the first task stays on demand,
// and nothing else about the services changes.
func TestSpotSwitchesInPlace(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	p, before, _ := converge(t, xr)
	strategy := func(_ string, rsp any) any {
		return fp(rsp.(map[string]any))["capacityProviderStrategy"]
	}
	onDemand := []any{map[string]any{"capacityProvider": "FARGATE", "weight": 1.0}}
	web := before.GetDesired().GetResources()[compWebService].GetResource().AsMap()
	if diff := cmp.Diff(onDemand, strategy(compWebService, web)); diff != "" {
		t.Errorf("a new web service's strategy: -want, +got:\n%s", diff)
	}
	if fp(web)["launchType"] != nil || fp(web)["forceNewDeployment"] != true {
		t.Errorf("a new web service has launchType %v and forceNewDeployment %v, want none and true", fp(web)["launchType"], fp(web)["forceNewDeployment"])
	}
	spot := withSpec(t, xr, map[string]any{"spec.langfuse.web.spot": true})
	after := run(t, p.request(spot, nil))
	if msg := fatal(after); msg != "" {
		t.Fatal(msg)
	}
	got := after.GetDesired().GetResources()[compWebService].GetResource().AsMap()
	want := []any{
		map[string]any{"capacityProvider": "FARGATE", "base": 1.0, "weight": 0.0},
		map[string]any{"capacityProvider": "FARGATE_SPOT", "weight": 1.0},
	}
	if diff := cmp.Diff(want, strategy(compWebService, got)); diff != "" {
		t.Errorf("web on Spot: -want, +got:\n%s", diff)
	}
	delete(fp(got), "capacityProviderStrategy")
	delete(fp(web), "capacityProviderStrategy")
	if diff := cmp.Diff(web["spec"], got["spec"]); diff != "" {
		t.Errorf("Spot changed more of the web service: -before, +after:\n%s", diff)
	}
	worker := after.GetDesired().GetResources()[compWorkerService].GetResource().AsMap()
	if diff := cmp.Diff(onDemand, strategy(compWorkerService, worker)); diff != "" {
		t.Errorf("the worker moved to Spot with web: -want, +got:\n%s", diff)
	}
}

// TestSpotRefusedForALaunchTypeService keeps a service created with launch
// type FARGATE (before capacity providers) on it, and refuses Spot for it
// naming the field: Terraform would replace the service.
func TestSpotRefusedForALaunchTypeService(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	p, _, _ := converge(t, xr)
	// As an older release created it.
	m := p.observed[compWorkerService].GetResource().AsMap()
	forProvider := fp(m)
	delete(forProvider, "capacityProviderStrategy")
	delete(forProvider, "forceNewDeployment")
	forProvider["launchType"] = "FARGATE"
	p.observed[compWorkerService] = resourceOf(mustStruct(t, m))

	rsp := run(t, p.request(xr, nil))
	worker := fp(rsp.GetDesired().GetResources()[compWorkerService].GetResource().AsMap())
	if worker["launchType"] != "FARGATE" || worker["capacityProviderStrategy"] != nil || worker["forceNewDeployment"] != nil {
		t.Errorf("a launch-type service was changed: launchType %v, strategy %v, forceNewDeployment %v", worker["launchType"], worker["capacityProviderStrategy"], worker["forceNewDeployment"])
	}
	msg := fatal(run(t, p.request(withSpec(t, xr, map[string]any{"spec.langfuse.worker.spot": true}), nil)))
	if !strings.Contains(msg, "spec.langfuse.worker.spot") || !strings.Contains(msg, "launch type FARGATE") {
		t.Errorf("want Spot refused naming spec.langfuse.worker.spot, got %q", msg)
	}
	// Web, created with a strategy, may still move.
	if msg := fatal(run(t, p.request(withSpec(t, xr, map[string]any{"spec.langfuse.web.spot": true}), nil))); msg != "" {
		t.Errorf("Spot for web was refused: %s", msg)
	}
}
