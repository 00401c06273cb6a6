package main

import (
	"testing"
)

// TestCacheMovesToValkeyInPlace plays the move of an existing Redis cache
// (as every release before Valkey composed it) to Valkey: without
// spec.cache.engine it stays Redis; asked for, the Valkey parameter group
// is created first, the replication group keeps Redis until it exists, then
// changes engine, version and parameter group in one update, which
// ElastiCache applies in place (Terraform replaces only on a downgrade).
func TestCacheMovesToValkeyInPlace(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	redis := withSpec(t, xr, map[string]any{"spec.cache.engine": "redis"})
	p, rsp, _ := converge(t, redis)
	cache := func() map[string]any { return fp(rsp.GetDesired().GetResources()[compCache].GetResource().AsMap()) }
	if got := cache(); got["engine"] != "redis" || got["engineVersion"] != "7.1" {
		t.Fatalf("a Redis cache: engine %v %v", got["engine"], got["engineVersion"])
	}
	redisGroup := cache()["parameterGroupName"]

	// An existing Redis cache is never moved unasked.
	rsp = run(t, p.request(xr, nil))
	if got := cache(); got["engine"] != "redis" || got["parameterGroupName"] != redisGroup {
		t.Errorf("without spec.cache.engine an existing Redis cache became %v %v", got["engine"], got["parameterGroupName"])
	}
	if _, ok := rsp.GetDesired().GetResources()[compCacheParametersValkey]; ok {
		t.Errorf("without spec.cache.engine a Valkey parameter group was composed for a Redis cache")
	}

	valkey := withSpec(t, xr, map[string]any{"spec.cache.engine": "valkey"})
	rsp = run(t, p.request(valkey, nil))
	if _, ok := rsp.GetDesired().GetResources()[compCacheParametersValkey]; !ok {
		t.Fatal("no Valkey parameter group for the move to Valkey")
	}
	if got := cache(); got["engine"] != "redis" || got["parameterGroupName"] != redisGroup {
		t.Errorf("the cache moved to %v with group %v before the Valkey parameter group exists", got["engine"], got["parameterGroupName"])
	}
	p.observeAll(t, rsp)
	rsp = run(t, p.request(valkey, nil))
	want := fp(rsp.GetDesired().GetResources()[compCacheParametersValkey].GetResource().AsMap())
	if got := cache(); got["engine"] != "valkey" || got["engineVersion"] != "8.1" || got["parameterGroupName"] != want["name"] || want["family"] != "valkey8" {
		t.Errorf("the move to Valkey: engine %v %v, group %v, want valkey 8.1 and %v (family %v)", got["engine"], got["engineVersion"], got["parameterGroupName"], want["name"], want["family"])
	}
	if _, ok := rsp.GetDesired().GetResources()[compCacheParameters]; !ok {
		t.Error("the Redis parameter group was dropped while the cache may still use it")
	}
	p.observeAll(t, rsp)
	if msg := fatal(run(t, p.request(redis, nil))); msg == "" {
		t.Error("back to Redis from Valkey was not refused")
	}
}
