package main

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// validateV4Flags is Langfuse's worker's start-up check of the migration's
// variables (worker/src/env.ts at 4.16.0), with its defaults: the worker
// exits on each of these combinations.
func validateV4Flags(env map[string]string) error {
	or := func(k, def string) string {
		if v := env[k]; v != "" {
			return v
		}
		return def
	}
	mode := or("LANGFUSE_MIGRATION_V4_WRITE_MODE", "events_only")
	otel := or("LANGFUSE_MIGRATION_V4_NATIVE_OTEL_BEHAVIOUR", "direct")
	optIn := or("LANGFUSE_MIGRATION_V4_ALLOW_PREVIEW_OPT_IN", "true")
	switch {
	case mode == "legacy" && otel == "direct":
		return fmt.Errorf("NATIVE_OTEL_BEHAVIOUR=direct requires WRITE_MODE in {dual, events_only}")
	case mode == "events_only" && otel == "dual_write":
		return fmt.Errorf("NATIVE_OTEL_BEHAVIOUR=dual_write is incoherent with WRITE_MODE=events_only")
	case mode == "events_only" && optIn != "true":
		return fmt.Errorf("WRITE_MODE=events_only requires ALLOW_PREVIEW_OPT_IN=true")
	}
	return nil
}

// rollOut plays ECS: every observed service whose spec names a task
// definition other than the one it runs now runs it. It returns how many
// did.
func (p *fakeProvider) rollOut(t testing.TB, rsp *fnv1.RunFunctionResponse) int {
	t.Helper()
	n := 0
	for _, svc := range []string{compClickHouseService, compMigrateService, compWorkerService, compWebService} {
		o, ok := p.observed[svc]
		if !ok {
			continue
		}
		told, _ := fp(o.GetResource().AsMap())["taskDefinition"].(string)
		runs, _ := lookup(o.GetResource().AsMap(), "status.atProvider.taskDefinition").(string)
		if told != runs {
			p.observed[svc] = resourceOf(p.observe(t, svc, rsp.GetDesired().GetResources()[svc].GetResource(), true))
			n++
		}
	}
	return n
}

// settle calls the function, with AWS creating what it asks for and ECS
// rolling out what the services are told to run, until nothing changes
// and the XR is Ready. Every call is checked: no Fatal, nothing observed
// dropped, no task definition revision edited in place.
func settle(t *testing.T, p *fakeProvider, xr *structpb.Struct) *fnv1.RunFunctionResponse {
	t.Helper()
	for range 20 {
		rsp := run(t, p.request(xr, nil))
		if msg := fatal(rsp); msg != "" {
			t.Fatalf("unexpected Fatal result: %s", msg)
		}
		assertRevisionsKept(t, p, rsp)
		added := p.observeAll(t, rsp)
		rolled := p.rollOut(t, rsp)
		if xrReady(rsp) && len(added) == 0 && rolled == 0 {
			return rsp
		}
		xr = carryXRStatus(t, xr, rsp)
	}
	t.Fatal("the XR did not settle in 20 calls")
	return nil
}

// assertRevisionsKept checks nothing observed is dropped, and that every
// observed task definition revision is desired with the content it has:
// upjet refuses an update of any of it (revisions.go).
func assertRevisionsKept(t *testing.T, p *fakeProvider, rsp *fnv1.RunFunctionResponse) {
	t.Helper()
	desired := rsp.GetDesired().GetResources()
	for name, o := range p.observed {
		d, ok := desired[name]
		if !ok {
			if c, isRevision := componentOf(name); !isRevision || (c.name != compWebTask && c.name != compWorkerTask && c.name != compMigrateTask && c.name != compClickHouseTask) {
				t.Errorf("%s was dropped from the desired state, which would delete it", name)
			}
			continue // an old revision goes once its service runs a newer one
		}
		if c, ok := componentOf(name); ok && c.memberKey != nil && strings.HasSuffix(c.name, "-task") {
			if got, want := revisionKey(fp(d.GetResource().AsMap())), revisionKey(fp(o.GetResource().AsMap())); got != want {
				t.Errorf("%s: its replace-only content was edited in place", name)
			}
		}
	}
}

// runningEnv is the environment of the container a service runs.
func runningEnv(t *testing.T, p *fakeProvider, task, service string) map[string]string {
	t.Helper()
	runs, _ := lookup(p.observed[service].GetResource().AsMap(), "status.atProvider.taskDefinition").(string)
	for name, o := range p.observed {
		if c, ok := componentOf(name); ok && c.name == task && lookup(o.GetResource().AsMap(), "status.atProvider.arn") == runs {
			env, _ := variables(containerOf(t, o.GetResource().AsMap()))
			return env
		}
	}
	t.Fatalf("%s runs %s, which is not observed", service, runs)
	return nil
}

// TestUpgradeToLangfuse4 plays Langfuse's v3 → v4 upgrade guide on a
// converged v3 claim: ClickHouse first (a Langfuse 4 release never rolls
// out before ClickHouse runs 25.12), then v4 in legacy (never events_only
// unasked), dual, the backfill, the cut-over, and the refusals of what the
// guide says has no way back. Every step is new task definition revisions
// rolled out by the services, never an edit of one in place, and every
// worker Langfuse would start (validateV4Flags).
func TestUpgradeToLangfuse4(t *testing.T) {
	v3 := withSpec(t, loadXR(t, exampleClaimXR), map[string]any{"spec.langfuse.version": "3.174.1", "spec.clickhouse.version": "24.8.14.39"})
	p, rsp, _ := converge(t, v3)
	if c := gateCondition(rsp, conditionRelease); c.GetStatus() != fnv1.Status_STATUS_CONDITION_FALSE || c.GetReason() != "SupportEnding" || !strings.Contains(c.GetMessage(), "January 2027") {
		t.Errorf("a v3 claim: %s = %v %s %q, want False SupportEnding naming January 2027", conditionRelease, c.GetStatus(), c.GetReason(), c.GetMessage())
	}
	if env := runningEnv(t, p, compWorkerTask, compWorkerService); env["LANGFUSE_MIGRATION_V4_WRITE_MODE"] != "" {
		t.Errorf("Langfuse 3 is given the v4 migration's variables: %v", env)
	}

	// Langfuse 4 on ClickHouse 24.8 is refused, naming both fields.
	rsp = run(t, p.request(withSpec(t, v3, map[string]any{"spec.langfuse.version": "4.16.0"}), nil))
	if msg := fatal(rsp); !strings.Contains(msg, "spec.clickhouse.version") || !strings.Contains(msg, "spec.langfuse.version") {
		t.Errorf("Langfuse 4 before ClickHouse 25.12: Fatal %q, want one naming spec.clickhouse.version and spec.langfuse.version", msg)
	}

	// Both in one edit: ClickHouse rolls out first; the migrations, worker
	// and web keep Langfuse 3 until it runs 25.12.
	v4 := withSpec(t, v3, map[string]any{"spec.langfuse.version": "4.16.0", "spec.clickhouse.version": "25.12.9.61"})
	for range 3 {
		rsp = run(t, p.request(v4, nil))
		assertRevisionsKept(t, p, rsp)
		p.observeAll(t, rsp)
	}
	migrateRuns := lookup(p.observed[compMigrateService].GetResource().AsMap(), "status.atProvider.taskDefinition").(string)
	if got := serviceRuns(t, rsp, compMigrateService); got != migrateRuns {
		t.Errorf("the migrations of Langfuse 4 start while ClickHouse runs 24.8: told %s, runs %s", got, migrateRuns)
	}
	if c := gateCondition(rsp, conditionMigrations); c.GetReason() != reasonUpgradeOrder || !strings.Contains(c.GetMessage(), "spec.clickhouse.version") {
		t.Errorf("%s = %s %q, want %s naming spec.clickhouse.version", conditionMigrations, c.GetReason(), c.GetMessage(), reasonUpgradeOrder)
	}
	if xrReady(rsp) {
		t.Error("the XR is Ready while Langfuse 4 waits for ClickHouse")
	}
	if !strings.Contains(fmt.Sprint(lookup(rsp.GetDesired().GetComposite().GetResource().AsMap(), "status.waitingFor")), "waits for ClickHouse 25.12") {
		t.Errorf("status.waitingFor does not say Langfuse 4 waits for ClickHouse")
	}
	rsp = settle(t, p, v4)

	steps := []struct {
		name      string
		migration map[string]any
		want      map[string]string
		health    string
	}{
		{"v4 keeps legacy unasked", nil, map[string]string{
			"LANGFUSE_MIGRATION_V4_WRITE_MODE": "legacy", "LANGFUSE_MIGRATION_V4_NATIVE_OTEL_BEHAVIOUR": "dual_write",
			"LANGFUSE_MIGRATION_V4_ALLOW_PREVIEW_OPT_IN": "false", "LANGFUSE_BACKGROUND_MIGRATION_V4_ENABLE_HISTORIC_BACKFILL": "false",
		}, "failIfQueueConsumptionStuck=true'"},
		{"dual", map[string]any{"writeMode": "dual"}, map[string]string{
			"LANGFUSE_MIGRATION_V4_WRITE_MODE": "dual", "LANGFUSE_MIGRATION_V4_NATIVE_OTEL_BEHAVIOUR": "direct",
			"LANGFUSE_MIGRATION_V4_ALLOW_PREVIEW_OPT_IN": "false", "LANGFUSE_BACKGROUND_MIGRATION_V4_ENABLE_HISTORIC_BACKFILL": "false",
		}, "failIfEventPropagationStuck=true"},
		{"dual with the backfill and the preview", map[string]any{"writeMode": "dual", "historicBackfill": true, "previewOptIn": true}, map[string]string{
			"LANGFUSE_MIGRATION_V4_WRITE_MODE": "dual", "LANGFUSE_MIGRATION_V4_ALLOW_PREVIEW_OPT_IN": "true",
			"LANGFUSE_BACKGROUND_MIGRATION_V4_ENABLE_HISTORIC_BACKFILL": "true",
		}, "failIfEventPropagationStuck=true"},
		{"the cut-over", map[string]any{"writeMode": "events_only", "historicBackfill": true}, map[string]string{
			"LANGFUSE_MIGRATION_V4_WRITE_MODE": "events_only", "LANGFUSE_MIGRATION_V4_NATIVE_OTEL_BEHAVIOUR": "direct",
			"LANGFUSE_MIGRATION_V4_ALLOW_PREVIEW_OPT_IN": "true", "LANGFUSE_BACKGROUND_MIGRATION_V4_ENABLE_HISTORIC_BACKFILL": "true",
		}, "failIfQueueConsumptionStuck=true'"},
		{"the cleanup", map[string]any{"historicBackfill": true, "dropScratchTables": true}, map[string]string{
			"LANGFUSE_MIGRATION_V4_WRITE_MODE":                             "events_only",
			"LANGFUSE_BACKGROUND_MIGRATION_V4_DROP_PID_TID_SORTING_TABLES": "true",
		}, "failIfQueueConsumptionStuck=true'"},
	}
	xr := v4
	for _, s := range steps {
		xr = withSpec(t, v4, map[string]any{"spec.langfuse.migration": s.migration})
		if s.migration == nil {
			xr = v4
		}
		rsp = settle(t, p, xr)
		for _, task := range [][2]string{{compWebTask, compWebService}, {compWorkerTask, compWorkerService}} {
			env := runningEnv(t, p, task[0], task[1])
			for k, v := range s.want {
				if env[k] != v {
					t.Errorf("%s: %s runs %s=%q, want %q", s.name, task[1], k, env[k], v)
				}
			}
			if task[0] == compWorkerTask {
				if err := validateV4Flags(env); err != nil {
					t.Errorf("%s: Langfuse's worker would not start: %v", s.name, err)
				}
			}
		}
		worker := revisionOf(t, desiredMaps(rsp), compWorkerTask)
		if hc := strings.Join(containerOf(t, worker).HealthCheck.Command, " "); !strings.Contains(hc, s.health) {
			t.Errorf("%s: the worker's health check %q, want %q in it", s.name, hc, s.health)
		}
	}
	if c := gateCondition(rsp, conditionRelease); c.GetStatus() != fnv1.Status_STATUS_CONDITION_TRUE || c.GetReason() != "Current" {
		t.Errorf("after the cut-over: %s = %s %q, want True Current", conditionRelease, c.GetReason(), c.GetMessage())
	}

	// The cut-over is the point of commitment.
	for field, edit := range map[string]map[string]any{
		"spec.langfuse.migration.writeMode": {"spec.langfuse.migration": map[string]any{"writeMode": "dual"}},
		"spec.langfuse.version":             {"spec.langfuse.version": "3.174.1", "spec.langfuse.migration": nil},
	} {
		rsp := run(t, p.request(withSpec(t, xr, edit), nil))
		if msg := fatal(rsp); !strings.Contains(msg, field) || !strings.Contains(msg, "events_only") {
			t.Errorf("back from events_only: Fatal %q, want one naming %s", msg, field)
		}
	}
}

// TestNewInstallStartsInEventsOnly checks a new Langfuse 4 has nothing to
// migrate: it writes the new tables only, as Langfuse's default, and the
// worker starts.
func TestNewInstallStartsInEventsOnly(t *testing.T) {
	out, _ := rendered(t, loadXR(t, exampleClaimXR))
	for _, task := range []string{compWebTask, compWorkerTask} {
		env, _ := variables(containerOf(t, revisionOf(t, out, task)))
		if env["LANGFUSE_MIGRATION_V4_WRITE_MODE"] != "events_only" || env["LANGFUSE_MIGRATION_V4_ALLOW_PREVIEW_OPT_IN"] != "true" {
			t.Errorf("%s of a new install: %v", task, env)
		}
		if err := validateV4Flags(env); err != nil {
			t.Errorf("%s: %v", task, err)
		}
	}
}

// langfuseWebKeepAliveSeconds is how long Langfuse's web server keeps an idle
// connection open (its Dockerfile: node server.js --keepAliveTimeout 110000,
// in 3.174.1 and 4.16.0).
const langfuseWebKeepAliveSeconds = 110

// TestLoadBalancerClosesIdleConnectionsFirst checks the load balancer's idle
// timeout is below web's keep-alive: otherwise web may close a connection
// the load balancer is sending a request on, which clients see as a 502.
func TestLoadBalancerClosesIdleConnectionsFirst(t *testing.T) {
	out, _ := rendered(t, loadXR(t, exampleClaimXR))
	idle, ok := fp(out[compALB])["idleTimeout"].(float64)
	if !ok || idle >= langfuseWebKeepAliveSeconds {
		t.Errorf("the load balancer's idleTimeout is %v, want below web's keep-alive of %d s", fp(out[compALB])["idleTimeout"], langfuseWebKeepAliveSeconds)
	}
	if got := lookup(out[compALBTargetGroup], "spec.forProvider.healthCheck.path"); got != langfuseReadyPath {
		t.Errorf("the target group checks %v, want %s, which fails once a web task received SIGTERM", got, langfuseReadyPath)
	}
}

// langfuseBooleans are the variables Langfuse's env schemas read as
// z.enum(["true", "false"]) (web/src/env.mjs, worker/src/env.ts and
// packages/shared/src/env.ts at 3.174.1 and 4.16.0): any other spelling
// stops the container at start-up.
var langfuseBooleans = []string{
	"AUTH_DISABLE_SIGNUP", "AUTH_DISABLE_USERNAME_PASSWORD", "AUTH_COGNITO_ALLOW_ACCOUNT_LINKING", "LANGFUSE_CSP_ENFORCE_HTTPS",
	"CLICKHOUSE_CLUSTER_ENABLED", "REDIS_TLS_ENABLED", "LANGFUSE_S3_BATCH_EXPORT_ENABLED",
	"LANGFUSE_MIGRATION_V4_ALLOW_PREVIEW_OPT_IN", "LANGFUSE_BACKGROUND_MIGRATION_V4_ENABLE_HISTORIC_BACKFILL",
	"LANGFUSE_BACKGROUND_MIGRATION_V4_DROP_PID_TID_SORTING_TABLES",
}

// langfuseEnums are the other enumerations the schemas read, with their values.
var langfuseEnums = map[string][]string{
	"LANGFUSE_LOG_LEVEL":                          langfuseLogLevels,
	"LANGFUSE_LOG_FORMAT":                         langfuseLogFormats,
	"LANGFUSE_MIGRATION_V4_WRITE_MODE":            writeModes,
	"LANGFUSE_MIGRATION_V4_NATIVE_OTEL_BEHAVIOUR": {"dual_write", "direct"},
}

// langfuseURLs are the variables the schemas check as URLs with a scheme.
var langfuseURLs = []string{"NEXTAUTH_URL", "CLICKHOUSE_URL", "AUTH_COGNITO_ISSUER"}

// TestEveryVariantStartsLangfuse reads web's and the worker's environment in
// every render variant as Langfuse's start-up does: the booleans as the
// schemas spell them, the URLs with a scheme, the stuck threshold a whole
// number of minutes, and the worker's migration flags in a combination
// validateV4Flags accepts. (Langfuse's own schemas ran against these task
// definitions at both tags once: ../shared/notes/langfuse-env-check.md.)
func TestEveryVariantStartsLangfuse(t *testing.T) {
	for name, set := range renderVariants {
		t.Run(name, func(t *testing.T) {
			xr := withSpec(t, loadXR(t, exampleClaimXR), set)
			out, _ := rendered(t, xr)
			v4 := parseSpecOf(t, xr).isV4()
			for _, task := range []string{compWebTask, compWorkerTask} {
				env, _ := variables(containerOf(t, revisionOf(t, out, task)))
				for _, v := range langfuseBooleans {
					if got, ok := env[v]; ok && got != "true" && got != "false" {
						t.Errorf("%s: %s=%q, which Langfuse refuses: want true or false", task, v, got)
					}
				}
				for v, values := range langfuseEnums {
					if got, ok := env[v]; ok && !slices.Contains(values, got) {
						t.Errorf("%s: %s=%q, which Langfuse refuses: want one of %v", task, v, got, values)
					}
				}
				for _, v := range langfuseURLs {
					if got, ok := env[v]; ok {
						if u, err := url.Parse(got); err != nil || u.Scheme == "" || u.Host == "" {
							t.Errorf("%s: %s=%q is not a URL with a scheme and a host", task, v, got)
						}
					}
				}
				if got, ok := env["LANGFUSE_QUEUE_CONSUMPTION_STUCK_THRESHOLD_MINUTES"]; ok {
					if n, err := strconv.Atoi(got); err != nil || n <= 0 {
						t.Errorf("%s: the stuck threshold %q is not a positive whole number", task, got)
					}
				}
				if v4 != (env["LANGFUSE_MIGRATION_V4_WRITE_MODE"] != "") {
					t.Errorf("%s: Langfuse 4 is %v, but the migration's variables are set %v", task, v4, !v4)
				}
				if err := validateV4Flags(env); task == compWorkerTask && env["LANGFUSE_MIGRATION_V4_WRITE_MODE"] != "" && err != nil {
					t.Errorf("Langfuse's worker would refuse to start: %v", err)
				}
			}
		})
	}
}

// TestLogSettingsReachWebAndWorker checks Langfuse's log level and format
// reach both containers when asked, and nothing is set (no new revision for
// an existing claim) when not.
func TestLogSettingsReachWebAndWorker(t *testing.T) {
	for set, want := range map[string]map[string]string{
		"asked":   {"LANGFUSE_LOG_LEVEL": "debug", "LANGFUSE_LOG_FORMAT": "json"},
		"unasked": {"LANGFUSE_LOG_LEVEL": "", "LANGFUSE_LOG_FORMAT": ""},
	} {
		xr := loadXR(t, exampleClaimXR)
		if set == "asked" {
			xr = withSpec(t, xr, map[string]any{"spec.langfuse.logLevel": "debug", "spec.langfuse.logFormat": "json"})
		}
		out, _ := rendered(t, xr)
		for _, task := range []string{compWebTask, compWorkerTask} {
			env, _ := variables(containerOf(t, revisionOf(t, out, task)))
			for k, v := range want {
				if env[k] != v {
					t.Errorf("%s, %s: %s=%q, want %q", set, task, k, env[k], v)
				}
			}
		}
	}
}

// TestContainerCacheAnswersAsDecoding calls one Function twice with the same
// converged request: the second call reads what web and ClickHouse run from
// the cache the first filled, and answers the same.
func TestContainerCacheAnswersAsDecoding(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	p, _, _ := converge(t, xr)
	f := newTestFunction(logging.NewNopLogger())
	first, err := f.RunFunction(context.Background(), p.request(xr, nil))
	if err != nil {
		t.Fatal(err)
	}
	// Langfuse's release is read off web's container, ClickHouse's off its own.
	if n := len(f.containers.m); n != 2 {
		t.Errorf("%d containers cached, want web's and ClickHouse's", n)
	}
	second, err := f.RunFunction(context.Background(), p.request(xr, nil))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, second, protocmp.Transform()); diff != "" {
		t.Errorf("answer from the cache: -decoded, +cached:\n%s", diff)
	}
}

// TestContainerCacheIsBounded fills the cache past its bound.
func TestContainerCacheIsBounded(t *testing.T) {
	c := newContainerCache()
	for i := range maxCachedContainers + 10 {
		c.put(fmt.Sprintf("arn:aws:ecs:eu-west-1:123456789012:task-definition/x:%d", i), runningDefinition{Image: "x"})
	}
	if n := len(c.m); n > maxCachedContainers {
		t.Errorf("%d containers cached, bound %d", n, maxCachedContainers)
	}
	var none *containerCache
	none.put("arn", runningDefinition{})
	if _, ok := none.get("arn"); ok {
		t.Error("a nil cache remembers")
	}
}
