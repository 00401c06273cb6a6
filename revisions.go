package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// Replace-only resources: every argument of an ECS task definition is
// ForceNew in Terraform, and upjet never replaces a resource. It refuses the
// update ("refuse to update the external resource because the following
// update requires replacing it"), the MR turns Synced=False and stays Ready,
// and nothing reaches ECS. So a task definition is never edited: each
// revision is a composed resource of its own, named after a hash of what
// Terraform would replace it for, and an edit composes a new revision
// beside the one the service runs. The service switches to the new ARN once
// AWS reports it, and the older revision's MR is dropped once the service
// is told and reports it runs the new one. Its skipDestroy keeps the
// revision registered in ECS, so a deployment's circuit breaker can still
// roll back to it.

// taskDefinitionContent lists the forProvider fields of a task definition
// that Terraform replaces it for: all the function sets but its tags and
// skipDestroy. The contract tests hold the list against Terraform's schema.
var taskDefinitionContent = []string{
	"family", "cpu", "memory", "networkMode", "requiresCompatibilities", "runtimePlatform",
	"executionRoleArnSelector", "taskRoleArn", "containerDefinitions", "volume",
}

// revisionKeyLength is the length of a revision's key: 40 bits of hash, so
// two revisions of one task never share a name.
const revisionKeyLength = 10

// revisionKey is the member key of a task definition revision: a hash of its
// replace-only content, the same for the desired and the observed copy
// (fields the provider adds, such as the resolved executionRoleArn, are not
// part of it).
func revisionKey(fp map[string]any) string {
	content := make(map[string]any, len(taskDefinitionContent))
	for _, f := range taskDefinitionContent {
		content[f] = fp[f]
	}
	b, _ := json.Marshal(content) //nolint:errchkjson // decoded JSON values always encode
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:revisionKeyLength]
}

// memberKeyOf is the member key of a component's resource name: what follows
// the component's name, or "" for a resource named after the component alone
// (as releases before revisions named the task definitions).
func memberKeyOf(component string, name resource.Name) string {
	return strings.TrimPrefix(strings.TrimPrefix(string(name), component), "-")
}

// revisions adapts the builder of a replace-only resource to the graph: it
// returns the revision the spec asks for, under the name of its content,
// and keeps every observed revision whose ARN the service is told to run or
// reports it runs. The current revision's name is recorded in the world, so
// the service's builder and the graph's needs read that revision's status.
func revisions(name, service string, build func(*world) (*composed.Unstructured, error)) func(*world) (map[string]*composed.Unstructured, error) {
	return func(w *world) (map[string]*composed.Unstructured, error) {
		mr, err := build(w)
		if err != nil {
			return nil, err
		}
		key := revisionKey(desiredForProvider(mr))
		// A revision observed with this content keeps the name it has: the
		// first in name order. Names after the content's own need no look,
		// whatever their content, as the content's own name is the answer
		// then.
		for _, n := range w.byComponent[name] {
			if n == resourceName(name, key) {
				break
			}
			if revisionKey(memberBody(w.observed[n])) == key {
				key = memberKeyOf(name, n)
				break
			}
		}
		out := map[string]*composed.Unstructured{key: mr}
		w.revisions[name] = resourceName(name, key)

		inUse := w.taskDefinitionsOf(service)
		self := &component{name: name, memberKey: revisionKey}
		for _, n := range w.byComponent[name] {
			k := memberKeyOf(name, n)
			if _, ok := out[k]; ok {
				continue
			}
			o := w.observed[n]
			if arn, _ := o.GetString(statusPathARN); arn != "" && slices.Contains(inUse, arn) {
				out[k] = carryOver(self, o)
			}
		}
		return out, nil
	}
}

// taskDefinitionsOf lists the task definition ARNs an observed ECS service is
// told to run (its forProvider) and reports it runs (its atProvider).
func (w *world) taskDefinitionsOf(service string) []string {
	mr := w.observedOne(service)
	if mr == nil {
		return nil
	}
	var out []string
	for _, path := range []string{"spec.forProvider.taskDefinition", "status.atProvider.taskDefinition"} {
		if arn, _ := mr.GetString(path); arn != "" {
			out = append(out, arn)
		}
	}
	return out
}

// currentRevisionARN is the task definition a service runs: the revision the
// spec asks for once AWS reports it Ready, else the one the service was told
// to run before, so a rollout starts only once its revision exists, and a
// Langfuse release's migrations only once ClickHouse runs what it needs.
func (w *world) currentRevisionARN(task, service string) (string, error) {
	if name, ok := w.revisions[task]; ok && w.ready[name] && (!needsMigrations(service) || w.migrated()) && (service != compMigrateService || len(w.rolloutWaits()) == 0) {
		if arn := w.statusString(task, statusPathARN); arn != "" {
			return arn, nil
		}
	}
	if arns := w.taskDefinitionsOf(service); len(arns) > 0 {
		return arns[0], nil
	}
	return w.reported(task, statusPathARN)
}

// needsMigrations says whether a service runs Langfuse, whose new release
// must wait for its migrations.
func needsMigrations(service string) bool {
	return service == compWebService || service == compWorkerService
}

// migrated says whether the migrations of the release the spec asks for ran:
// the migrate service reports it runs the current migrate revision, and its
// last deployment did not fail. Until then web and worker keep the revision
// they run, so a new release never serves on the old schema.
func (w *world) migrated() bool {
	name, ok := w.revisions[compMigrateTask]
	if !ok || !w.ready[name] || w.failed[resource.Name(compMigrateService)] != "" {
		return false
	}
	migrate := w.observedOne(compMigrateService)
	if migrate == nil {
		return false
	}
	arn := w.statusString(compMigrateTask, statusPathARN)
	runs, _ := migrate.GetString("status.atProvider.taskDefinition")
	return arn != "" && runs == arn
}

// desiredForProvider is the forProvider of a desired resource.
func desiredForProvider(mr *composed.Unstructured) map[string]any {
	fp, _ := mr.Object["spec"].(map[string]any)["forProvider"].(map[string]any)
	return fp
}
