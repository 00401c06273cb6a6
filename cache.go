package main

import (
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// Langfuse's queues and cache: an ElastiCache Redis 7 replication group with
// a replica in another availability zone, encrypted at rest and in transit,
// behind an auth token the provider generates (alphanumerics: Langfuse puts
// it in a URL), and noeviction (Langfuse's queues must never lose a job).

const (
	cacheEngine        = "redis"
	cacheEngineVersion = "7.1"
	cacheFamily        = "redis7"
)

// maxReplicationGroupID is ElastiCache's limit on a replication group's id.
const maxReplicationGroupID = 40

// cacheTokenSecret names the Kubernetes Secret the provider writes the
// generated auth token to.
func (w *world) cacheTokenSecret() string {
	return w.keptSecretRef(compCache, "spec.forProvider.authTokenSecretRef.name", w.names.name("cache-token", maxKubernetesName))
}

// cacheParameterGroupName is the parameter group's name, which the
// replication group names directly (it has no selector for it).
func (w *world) cacheParameterGroupName() string {
	return w.awsName(compCacheParameters, w.names.name("cache", maxRDSIdentifier))
}

func buildCacheParameters(w *world) (*composed.Unstructured, error) {
	return w.style.New(compCacheParameters, kindCacheParameterGroup, w.spec.Region, map[string]any{
		"name":        w.cacheParameterGroupName(),
		"family":      cacheFamily,
		"description": "Langfuse cache: never evict a queued job",
		"parameter":   []any{map[string]any{"name": "maxmemory-policy", "value": "noeviction"}},
	}, mrOptions{tagged: true}), nil
}

func buildCache(w *world) (*composed.Unstructured, error) {
	id := w.externalName(compCache, w.names.name("cache", maxReplicationGroupID))
	return w.style.New(compCache, kindReplicationGroup, w.spec.Region, map[string]any{
		"description":              "Langfuse queues and cache",
		"engine":                   cacheEngine,
		"engineVersion":            cacheEngineVersion,
		"nodeType":                 w.spec.Cache.NodeType,
		"numCacheClusters":         int64(2),
		"automaticFailoverEnabled": true,
		"multiAzEnabled":           true,
		"port":                     int64(cachePort),
		"parameterGroupName":       w.cacheParameterGroupName(),
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
