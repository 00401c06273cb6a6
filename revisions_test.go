package main

import (
	"slices"
	"strings"
	"testing"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// revisionsOf lists the desired revisions of a task definition, sorted.
func revisionsOf(rsp *fnv1.RunFunctionResponse, task string) []string {
	return membersOf(rsp.GetDesired().GetResources(), task)
}

// membersOf lists, sorted, the names in resources that belong to a
// component (componentOf: by composition-resource name).
func membersOf[V any](resources map[string]V, component string) []string {
	var out []string
	for n := range resources {
		if c, ok := componentOf(n); ok && c.name == component {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// serviceRuns is the task definition ARN a desired service is told to run.
func serviceRuns(t *testing.T, rsp *fnv1.RunFunctionResponse, service string) string {
	t.Helper()
	arn, _ := fp(rsp.GetDesired().GetResources()[service].GetResource().AsMap())["taskDefinition"].(string)
	return arn
}

// TestTaskDefinitionEditIsANewRevision plays a Langfuse upgrade the way
// upjet can apply it: every argument of a task definition is replace-only,
// so the edit composes a new revision beside the running one (never an
// update of the old one, which upjet refuses), the service switches once
// AWS reports the new revision and the new release's migrations ran in
// their own single task, and the old revision's MR goes once the service
// runs the new one.
func TestTaskDefinitionEditIsANewRevision(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	p, before, _ := converge(t, xr)
	old := revisionsOf(before, compWebTask)
	if len(old) != 1 {
		t.Fatalf("a converged XR composes %v, want one web revision", old)
	}
	oldARN := serviceRuns(t, before, compWebService)
	oldBody := before.GetDesired().GetResources()[old[0]].GetResource().AsMap()

	upgraded := withSpec(t, xr, map[string]any{"spec.langfuse.version": "4.17.0"})

	// 1. The new revision appears beside the old, which is left as it was;
	// the service keeps running the old one, which exists.
	rsp := run(t, p.request(upgraded, nil))
	revs := revisionsOf(rsp, compWebTask)
	if len(revs) != 2 || !slices.Contains(revs, old[0]) {
		t.Fatalf("after the edit: revisions %v, want %s and a new one", revs, old[0])
	}
	if diff := fp(rsp.GetDesired().GetResources()[old[0]].GetResource().AsMap())["containerDefinitions"]; diff != fp(oldBody)["containerDefinitions"] {
		t.Errorf("the running revision %s was edited in place", old[0])
	}
	if got := serviceRuns(t, rsp, compWebService); got != oldARN {
		t.Errorf("the service switched to %q before the new revision exists, want %q", got, oldARN)
	}
	// The worker's revision changes too (the same release); ClickHouse's
	// does not.
	if got := revisionsOf(rsp, compClickHouseTask); len(got) != 1 {
		t.Errorf("a Langfuse upgrade composed ClickHouse revisions %v, want the one it had", got)
	}
	newRev := revs[0]
	if newRev == old[0] {
		newRev = revs[1]
	}
	image := containerOf(t, rsp.GetDesired().GetResources()[newRev].GetResource().AsMap()).Image
	if !strings.HasSuffix(image, ":4.17.0") {
		t.Errorf("the new revision runs %s, want 4.17.0", image)
	}

	// 2. AWS registers it, but the new release's migrations have not run:
	// web keeps the release it runs.
	p.observed[newRev] = resourceOf(p.observe(t, newRev, rsp.GetDesired().GetResources()[newRev].GetResource(), true))
	rsp = run(t, p.request(upgraded, nil))
	if got := serviceRuns(t, rsp, compWebService); got != oldARN {
		t.Fatalf("web switched to the new release before its migrations ran: %q", got)
	}
	// The migrations' new revision exists: their service switches to it,
	// and once it reports it runs it, so does web.
	migrate := revisionsOf(rsp, compMigrateTask)
	if len(migrate) != 2 {
		t.Fatalf("migrate revisions %v, want the running one and the new release's", migrate)
	}
	for _, m := range migrate {
		if _, seen := p.observed[m]; !seen {
			p.observed[m] = resourceOf(p.observe(t, m, rsp.GetDesired().GetResources()[m].GetResource(), true))
		}
	}
	rsp = run(t, p.request(upgraded, nil))
	if got := serviceRuns(t, rsp, compWebService); got != oldARN {
		t.Fatalf("web switched while the migrate service was only told to run the new release: %q", got)
	}
	p.observed[compMigrateService] = resourceOf(p.observe(t, compMigrateService, rsp.GetDesired().GetResources()[compMigrateService].GetResource(), true))
	rsp = run(t, p.request(upgraded, nil))
	newARN, _ := composedOf(t, p.observed[newRev]).GetString(statusPathARN)
	if got := serviceRuns(t, rsp, compWebService); got != newARN || newARN == oldARN {
		t.Fatalf("the service runs %q once the new revision exists and migrated, want %q (old %q)", got, newARN, oldARN)
	}
	if revs := revisionsOf(rsp, compWebTask); !slices.Contains(revs, old[0]) {
		t.Errorf("the old revision was dropped before the service ran the new one: %v", revs)
	}

	// 3. The service runs the new revision: the old revision's MR goes
	// (skipDestroy keeps it registered in ECS for rollbacks).
	p.observed[compWebService] = resourceOf(p.observe(t, compWebService, rsp.GetDesired().GetResources()[compWebService].GetResource(), true))
	rsp = run(t, p.request(upgraded, nil))
	if got := revisionsOf(rsp, compWebTask); !slices.Equal(got, []string{newRev}) {
		t.Errorf("once the service runs %s, revisions %v, want only it", newRev, got)
	}
	if skip := fp(rsp.GetDesired().GetResources()[newRev].GetResource().AsMap())["skipDestroy"]; skip != true {
		t.Errorf("skipDestroy = %v: dropping a revision's MR would deregister it", skip)
	}
}

// TestRevisionOfAnOlderRelease checks the upgrade of this function itself:
// a task definition an older release composed as web-task keeps its name
// while its content is what the spec asks for, and stays, in use, until the
// service runs a new revision.
func TestRevisionOfAnOlderRelease(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	p, before, _ := converge(t, xr)
	rev := revisionsOf(before, compWebTask)[0]
	p.observed[compWebTask] = p.observed[rev]
	delete(p.observed, rev)

	rsp := run(t, p.request(xr, nil))
	if got := revisionsOf(rsp, compWebTask); !slices.Equal(got, []string{compWebTask}) {
		t.Errorf("unchanged content: revisions %v, want the older release's %s only", got, compWebTask)
	}

	rsp = run(t, p.request(withSpec(t, xr, map[string]any{"spec.langfuse.web.memory": int64(8192)}), nil))
	got := revisionsOf(rsp, compWebTask)
	if len(got) != 2 || !slices.Contains(got, compWebTask) {
		t.Errorf("an edit: revisions %v, want %s kept beside a new one", got, compWebTask)
	}
}
