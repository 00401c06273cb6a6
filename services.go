package main

import (
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// The four ECS services, in the private subnets without public addresses,
// on Fargate (web and worker on Spot if asked, capacity.go; ClickHouse
// never: a reclaimed ClickHouse task takes Langfuse down),
// with ECS Exec. ClickHouse registers in the private DNS namespace, where web
// and worker find it by name; web registers with the load balancer's target
// group.

// maxServiceName is ECS's limit on a service's name.
const maxServiceName = 255

// webHealthGraceSeconds is how long the load balancer's health checks are
// ignored after a web task starts: the task runs its database migrations
// first, and some releases' migrations take minutes.
const webHealthGraceSeconds = 600

// service is what differs between the three services.
type service struct {
	component string
	container container
	// securityGroup is the tier whose group the tasks are in.
	securityGroup tier
	// autoscaled services take their task count from the autoscaler, not
	// from the service (see buildService).
	autoscaled bool
}

var (
	clickHouseService = service{component: compClickHouseService, container: clickHouseContainer, securityGroup: tierClickHouse}
	// migrateService runs the migrations in one task, in web's group (it
	// reaches Postgres and ClickHouse as web does).
	migrateService = service{component: compMigrateService, container: migrateContainer, securityGroup: tierWeb}
	webService     = service{component: compWebService, container: webContainer, securityGroup: tierWeb, autoscaled: true}
	workerService  = service{component: compWorkerService, container: workerContainer, securityGroup: tierWorker, autoscaled: true}
)

// serviceName is the service's name, its external name.
func (w *world) serviceName(s service) string {
	return w.externalName(s.component, w.names.name(s.container.name, maxServiceName))
}

// buildClickHouseDiscovery is ClickHouse's name in the private DNS
// namespace: an A record per task, which ECS registers and deregisters.
func buildClickHouseDiscovery(w *world) (*composed.Unstructured, error) {
	return w.style.New(compClickHouseDiscovery, kindDiscoveryService, w.spec.Region, map[string]any{
		"name":        clickHouseServiceName,
		"description": "ClickHouse of Langfuse at https://" + w.spec.FQDN(),
		"dnsConfig": map[string]any{
			"namespaceIdSelector": selectorFor(compServiceNamespace),
			"dnsRecords":          []any{map[string]any{"type": "A", "ttl": int64(10)}},
			"routingPolicy":       "MULTIVALUE",
		},
		"healthCheckCustomConfig": map[string]any{"failureThreshold": int64(1)},
		"forceDestroy":            true,
	}, mrOptions{tagged: true}), nil
}

// buildService returns an ECS service. It runs the revision of its task
// definition the spec asks for once AWS reports it (revisions.go): a new
// revision is a rolling deployment, which the circuit breaker rolls back if
// its tasks never become healthy.
func (s service) buildService(w *world) (*composed.Unstructured, error) {
	taskDefinition, err := w.currentRevisionARN(s.container.component, s.component)
	if err != nil {
		return nil, err
	}
	subnets, err := w.privateSubnetIDs()
	if err != nil {
		return nil, err
	}
	body := map[string]any{
		"clusterSelector": selectorFor(compECSCluster),
		"taskDefinition":  taskDefinition,
		"platformVersion": "LATEST",
		"networkConfiguration": map[string]any{
			"subnets":               stringList(subnets),
			"securityGroupSelector": selectorFor(securityGroupComponent(s.securityGroup)),
			"assignPublicIp":        false,
		},
		"enableExecuteCommand":     true,
		"enableEcsManagedTags":     true,
		"propagateTags":            "SERVICE",
		"deploymentCircuitBreaker": map[string]any{"enable": true, "rollback": true},
	}
	w.placeTasks(s, body)
	o := mrOptions{tagged: true, externalName: w.serviceName(s)}
	switch s.component {
	case compClickHouseService:
		registry, err := w.arns(compClickHouseDiscovery)
		if err != nil {
			return nil, err
		}
		// One ClickHouse, ever: a deployment stops the old task before it
		// starts the new one, as two must never share the data directory.
		body["desiredCount"] = int64(1)
		body["deploymentMaximumPercent"] = int64(100)
		body["deploymentMinimumHealthyPercent"] = int64(0)
		body["serviceRegistries"] = map[string]any{"registryArn": registry[0], "containerName": s.container.name}
		// Ready only once ClickHouse is running and healthy, so web and
		// worker, which wait for it, start against a ClickHouse that answers.
		body["waitForSteadyState"] = true
	case compMigrateService:
		// One migrating task, ever: a new revision stops the old task
		// before its own migrates. Ready once the migrations ran (the
		// task's health check), and a failed migration fails the wait.
		body["desiredCount"] = int64(1)
		body["deploymentMaximumPercent"] = int64(100)
		body["deploymentMinimumHealthyPercent"] = int64(0)
		body["waitForSteadyState"] = true
	case compWebService:
		body["loadBalancer"] = []any{map[string]any{
			"containerName":          s.container.name,
			"containerPort":          int64(langfuseWebPort),
			"targetGroupArnSelector": selectorFor(compALBTargetGroup),
		}}
		body["healthCheckGracePeriodSeconds"] = int64(webHealthGraceSeconds)
	}
	if s.autoscaled {
		// The autoscaler owns the task count: the service starts with
		// replicas tasks and the function never sets the count again (nor
		// does the provider copy it back into the spec), so a scale-out is
		// never undone. replicas edits move the autoscaler's minimum.
		body["deploymentMaximumPercent"] = int64(200)
		body["deploymentMinimumHealthyPercent"] = int64(100)
		o.initProvider = map[string]any{"desiredCount": *s.container.task(w.spec).Replicas}
		o.skipLateInitialize = true
	}
	return w.style.New(s.component, kindECSService, w.spec.Region, body, o), nil
}
