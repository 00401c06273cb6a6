package main

import (
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// Langfuse's queues and cache: an ElastiCache replication group with a
// replica in another availability zone, encrypted at rest and in transit,
// behind an auth token the provider generates (alphanumerics: Langfuse puts
// it in a URL), and noeviction (Langfuse's queues must never lose a job).

// Engines of the cache. Langfuse 4 recommends Redis 7.2; ElastiCache for
// Redis OSS stops at 7.1, so new caches run Valkey, which speaks Redis 7.2
// and more (Langfuse's queues run on it as on Redis), and costs a fifth
// less per node. A Redis cache moves to Valkey in place (Terraform replaces
// only on a downgrade, which is refused); its parameter group cannot change
// family, so each engine has its own.
const (
	cacheEngineValkey = "valkey"
	cacheEngineRedis  = "redis"
)

// cacheEngine is what differs between the engines.
type cacheEngine struct {
	engine, version, family string
	// parameters is the component of the engine's parameter group, name
	// the base of its AWS name.
	parameters, name string
}

var cacheEngines = map[string]cacheEngine{
	cacheEngineValkey: {engine: cacheEngineValkey, version: "8.1", family: "valkey8", parameters: compCacheParametersValkey, name: "cache-valkey"},
	cacheEngineRedis:  {engine: cacheEngineRedis, version: "7.1", family: "redis7", parameters: compCacheParameters, name: "cache"},
}

// maxReplicationGroupID is ElastiCache's limit on a replication group's id.
const maxReplicationGroupID = 40

// engineOf is the cache engine the spec asks for: an empty field is filled
// from what runs before the spec reaches here (defaultCacheEngine), so
// empty means a new cache.
func (s *Spec) engineOf() string {
	if s.Cache.Engine == "" {
		return cacheEngineValkey
	}
	return s.Cache.Engine
}

func withValkey(s *Spec) bool { return s.engineOf() == cacheEngineValkey }
func withRedis(s *Spec) bool  { return s.engineOf() == cacheEngineRedis }

// defaultCacheEngine fills an empty spec.cache.engine with the engine the
// cache runs: an existing Redis cache stays Redis unless asked.
func (w *world) defaultCacheEngine() {
	if w.spec.Cache.Engine != "" {
		return
	}
	if e := w.observedOne(compCache).str("spec.forProvider.engine"); e == cacheEngineRedis {
		w.spec.Cache.Engine = e
	}
}

// cacheTokenSecret names the Kubernetes Secret the provider writes the
// generated auth token to.
func (w *world) cacheTokenSecret() string {
	return w.keptSecretRef(compCache, "spec.forProvider.authTokenSecretRef.name", w.names.name("cache-token", maxKubernetesName))
}

// cacheParameterGroupName is the name of an engine's parameter group, which
// the replication group names directly (it has no selector for it).
func (w *world) cacheParameterGroupName(e cacheEngine) string {
	return w.awsName(e.parameters, w.names.name(e.name, maxRDSIdentifier))
}

// buildCacheParameters returns the parameter group of an engine.
func buildCacheParameters(engine string) func(*world) (*composed.Unstructured, error) {
	e := cacheEngines[engine]
	return func(w *world) (*composed.Unstructured, error) {
		return w.style.New(e.parameters, kindCacheParameterGroup, w.spec.Region, map[string]any{
			"name":        w.cacheParameterGroupName(e),
			"family":      e.family,
			"description": "Langfuse cache: never evict a queued job",
			"parameter":   []any{map[string]any{"name": "maxmemory-policy", "value": "noeviction"}},
		}, mrOptions{tagged: true}), nil
	}
}

// runningCacheEngine is the engine the replication group keeps for now: the
// spec's, except while a move to another engine waits for the new engine's
// parameter group to exist (ElastiCache refuses a group it does not have).
func (w *world) runningCacheEngine() cacheEngine {
	e := cacheEngines[w.spec.engineOf()]
	running, ok := cacheEngines[w.observedOne(compCache).str("spec.forProvider.engine")]
	if ok && running != e && !w.ready[resource.Name(e.parameters)] {
		return running
	}
	return e
}

func buildCache(w *world) (*composed.Unstructured, error) {
	id := w.externalName(compCache, w.names.name("cache", maxReplicationGroupID))
	e := w.runningCacheEngine()
	return w.style.New(compCache, kindReplicationGroup, w.spec.Region, map[string]any{
		"description":              "Langfuse queues and cache",
		"engine":                   e.engine,
		"engineVersion":            e.version,
		"nodeType":                 w.spec.Cache.NodeType,
		"numCacheClusters":         int64(2),
		"automaticFailoverEnabled": true,
		"multiAzEnabled":           true,
		"port":                     int64(cachePort),
		"parameterGroupName":       w.cacheParameterGroupName(e),
		"subnetGroupNameSelector":  selectorFor(compCacheSubnetGroup),
		"securityGroupIdSelector":  selectorFor(securityGroupComponent(tierCache)),
		"atRestEncryptionEnabled":  "true",
		"transitEncryptionEnabled": true,
		"autoGenerateAuthToken":    true,
		"authTokenSecretRef":       w.style.secretRef(w.cacheTokenSecret(), passwordKey),
		"autoMinorVersionUpgrade":  "false",
		"applyImmediately":         true,
	}, mrOptions{tagged: true, externalName: id}), nil
}
