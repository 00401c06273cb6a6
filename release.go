package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/util/validation/field"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/response"
)

// Langfuse's releases: the major a claim runs, Langfuse 4's move to its new
// data model as spec, and the order Langfuse's v3 → v4 upgrade guide asks
// for. What runs is read off the task definition revision a service runs
// (AWS's report), so nothing is remembered anywhere else.
//
// The migration's variables (LANGFUSE_MIGRATION_V4_*, read by web and
// worker at 4.16.0; worker/src/env.ts validateV4Flags refuses three
// combinations at start-up):
//
//   - WRITE_MODE legacy | dual | events_only: which tables Langfuse writes.
//     Langfuse defaults to events_only, the cut-over that rejects old SDKs
//     and the v1 ingestion endpoints, so an existing v3 install is never
//     moved there unasked: it starts in legacy, the guide's safest step.
//   - NATIVE_OTEL_BEHAVIOUR follows the mode: dual_write in legacy (direct
//     would write to tables legacy never reads), direct otherwise (dual_write
//     is incoherent with events_only).
//   - ALLOW_PREVIEW_OPT_IN: the new tables in the UI; events_only needs it.
//   - BACKGROUND_MIGRATION_V4_ENABLE_HISTORIC_BACKFILL: runs exactly once, so
//     never while legacy writes only the old tables (what arrives before dual
//     would be missing for good); off unless asked.
//   - BACKGROUND_MIGRATION_V4_DROP_PID_TID_SORTING_TABLES: drops the
//     backfill's scratch table.

// Langfuse 4's write modes, in the guide's order.
const (
	writeModeLegacy     = "legacy"
	writeModeDual       = "dual"
	writeModeEventsOnly = "events_only"
)

var writeModes = []string{writeModeLegacy, writeModeDual, writeModeEventsOnly}

// Langfuse 4 needs ClickHouse 25.12 or later (lightweight updates, the JSON
// type and the full-text index of its migrations).
const (
	v4ClickHouseMajor = 25
	v4ClickHouseMinor = 12
)

// majorOf is a release's major version.
func majorOf(version string) string {
	major, _, _ := strings.Cut(version, ".")
	return major
}

// isV4 says whether the spec asks for Langfuse 4.
func (s *Spec) isV4() bool { return majorOf(s.Langfuse.Version) == "4" }

// validateMigration checks the migration fields on their own: what the XRD
// refuses too. The write mode an empty field resolves to is checked against
// what runs (migrationEdits).
func (l *Langfuse) validateMigration(lf *field.Path) field.ErrorList {
	m := l.Migration
	if m == nil {
		return nil
	}
	p := lf.Child("migration")
	if majorOf(l.Version) != "4" {
		return field.ErrorList{field.Forbidden(p, "applies to Langfuse 4 only (spec.langfuse.version is "+l.Version+"): remove it, or set the version to 4")}
	}
	if m.WriteMode != "" && !slices.Contains(writeModes, m.WriteMode) {
		return field.ErrorList{field.NotSupported(p.Child("writeMode"), m.WriteMode, writeModes)}
	}
	if m.WriteMode == "" {
		return nil
	}
	return m.combinations(p, m.WriteMode)
}

// combinations refuses what Langfuse's worker refuses to start with, and
// what its upgrade guide says loses data, for the write mode mode.
func (m *Migration) combinations(p *field.Path, mode string) field.ErrorList {
	var errs field.ErrorList
	if mode == writeModeEventsOnly && m.PreviewOptIn != nil && !*m.PreviewOptIn {
		errs = append(errs, field.Invalid(p.Child("previewOptIn"), false,
			"must be true in write mode events_only: Langfuse reads only the new tables then, and its worker refuses to start without the opt-in"))
	}
	if mode == writeModeLegacy && m.HistoricBackfill {
		errs = append(errs, field.Invalid(p.Child("historicBackfill"), true,
			"must be false in write mode legacy: the backfill runs exactly once, and what Langfuse ingests before writeMode dual would be missing from the new tables for good; set writeMode: dual first"))
	}
	return errs
}

// running is the container a service runs, and whether it is known.
type running struct {
	container runningDefinition
	known     bool
}

// runningDefinition is what the function reads of a container a service
// runs: its image and environment. Decoding only these skips the rest of
// the definition's JSON.
type runningDefinition struct {
	Image       string     `json:"image"`
	Environment []keyValue `json:"environment"`
}

// runningContainer is the container of the task definition revision a
// service runs, as AWS reports it. The write mode, the health path, the
// condition and the checks all ask, so it is decoded once per call.
func (w *world) runningContainer(task, service string) (runningDefinition, bool) {
	r, ok := w.running[service]
	if !ok {
		r = w.readRunningContainer(task, service)
		w.running[service] = r
	}
	return r.container, r.known
}

func (w *world) readRunningContainer(task, service string) running {
	svc := w.observedOne(service)
	if svc == nil {
		return running{}
	}
	runs, _ := svc.GetString("status.atProvider.taskDefinition")
	if runs == "" {
		return running{}
	}
	for _, n := range w.byComponent[task] {
		o := w.observed[n]
		if arn, _ := o.GetString(statusPathARN); arn != runs {
			continue
		}
		if c, ok := w.containers.get(runs); ok {
			return running{container: c, known: true}
		}
		var defs []runningDefinition
		if s, err := o.GetString("spec.forProvider.containerDefinitions"); err == nil && json.Unmarshal([]byte(s), &defs) == nil && len(defs) == 1 {
			w.containers.put(runs, defs[0])
			return running{container: defs[0], known: true}
		}
	}
	return running{}
}

// containerCache remembers the container of task definition revisions by
// their ARN, which names one revision of one family for good: ECS never
// changes a registered revision. Every call reads what web (or worker) and
// ClickHouse run, and decoding their JSON was a twentieth of a call. It is
// bounded by forgetting everything once it is full; a nil cache remembers
// nothing.
type containerCache struct {
	mu sync.Mutex
	m  map[string]runningDefinition
}

// maxCachedContainers bounds the cache: three services per XR, and a few
// revisions each during a rollout.
const maxCachedContainers = 1024

func newContainerCache() *containerCache {
	return &containerCache{m: map[string]runningDefinition{}}
}

func (c *containerCache) get(arn string) (runningDefinition, bool) {
	if c == nil {
		return runningDefinition{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.m[arn]
	return d, ok
}

func (c *containerCache) put(arn string, d runningDefinition) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCachedContainers {
		clear(c.m)
	}
	c.m[arn] = d
}

// imageTag is the tag of an image reference, "" for one pinned by digest.
func imageTag(image string) string {
	if strings.Contains(image, "@") {
		return ""
	}
	name := image[strings.LastIndex(image, "/")+1:]
	_, tag, _ := strings.Cut(name, ":")
	return tag
}

// envOf is the value of a container's variable.
func envOf(c runningDefinition, name string) string {
	for _, kv := range c.Environment {
		if kv.Name == name {
			return kv.Value
		}
	}
	return ""
}

// runningLangfuse is the container of the release Langfuse runs: web's, or
// the worker's where web runs nothing yet.
func (w *world) runningLangfuse() (runningDefinition, bool) {
	if c, ok := w.runningContainer(compWebTask, compWebService); ok {
		return c, true
	}
	return w.runningContainer(compWorkerTask, compWorkerService)
}

const envWriteMode = "LANGFUSE_MIGRATION_V4_WRITE_MODE"

// writeMode is the write mode Langfuse 4 runs in: the spec's, else the one
// it runs in, else legacy where it runs Langfuse 3 (the guide's first step
// of an upgrade), else events_only (a new install has nothing to migrate).
func (w *world) writeMode() string {
	if m := w.spec.Langfuse.Migration; m != nil && m.WriteMode != "" {
		return m.WriteMode
	}
	if c, ok := w.runningLangfuse(); ok {
		if mode := envOf(c, envWriteMode); mode != "" {
			return mode
		}
		if majorOf(imageTag(c.Image)) == "3" || imageTag(c.Image) == "" {
			// A digest-pinned release without the variable ran before it.
			return writeModeLegacy
		}
	}
	return writeModeEventsOnly
}

// migrationEnv are the migration's variables, for Langfuse 4 only: Langfuse
// 3 releases from 3.179.0 read them too, with legacy defaults of their own.
func (w *world) migrationEnv() map[string]string {
	if !w.spec.isV4() {
		return nil
	}
	m := w.spec.Langfuse.Migration
	if m == nil {
		m = &Migration{}
	}
	mode := w.writeMode()
	otel := "direct"
	if mode == writeModeLegacy {
		otel = "dual_write"
	}
	optIn := mode == writeModeEventsOnly
	if m.PreviewOptIn != nil {
		optIn = *m.PreviewOptIn
	}
	return map[string]string{
		envWriteMode: mode,
		"LANGFUSE_MIGRATION_V4_NATIVE_OTEL_BEHAVIOUR":                  otel,
		"LANGFUSE_MIGRATION_V4_ALLOW_PREVIEW_OPT_IN":                   strconv.FormatBool(optIn),
		"LANGFUSE_BACKGROUND_MIGRATION_V4_ENABLE_HISTORIC_BACKFILL":    strconv.FormatBool(m.HistoricBackfill),
		"LANGFUSE_BACKGROUND_MIGRATION_V4_DROP_PID_TID_SORTING_TABLES": strconv.FormatBool(m.DropScratchTables),
	}
}

// migrationEdits refuses, against what runs, an edit that would move
// Langfuse somewhere its guide says there is no way back from, and the
// combinations of an empty write mode with what it resolves to.
func (w *world) migrationEdits() field.ErrorList {
	lf := field.NewPath("spec", "langfuse")
	var errs field.ErrorList
	if m := w.spec.Langfuse.Migration; m != nil && m.WriteMode == "" {
		errs = append(errs, m.combinations(lf.Child("migration"), w.writeMode())...)
	}
	c, ok := w.runningLangfuse()
	if !ok || envOf(c, envWriteMode) != writeModeEventsOnly {
		return errs
	}
	// Since the cut-over, new data lands only in the new tables.
	if !w.spec.isV4() {
		errs = append(errs, field.Invalid(lf.Child("version"), w.spec.Langfuse.Version, fmt.Sprintf(
			"Langfuse runs %s in write mode events_only, whose data Langfuse 3 does not read: once cut over, stay on 4", imageTag(c.Image))))
	} else if mode := w.writeMode(); mode != writeModeEventsOnly {
		errs = append(errs, field.Invalid(lf.Child("migration", "writeMode"), mode,
			"Langfuse runs in write mode events_only, the point of commitment: the old tables no longer receive data, so it cannot go back to "+mode))
	}
	return errs
}

// rolloutWaits says why a new Langfuse release is not rolled out yet: a
// Langfuse 4 release waits for ClickHouse to run 25.12 or later (the guide:
// ClickHouse first). The migrations keep the release they run, and so do
// worker and web, which wait for them.
func (w *world) rolloutWaits() []string {
	if !w.spec.isV4() {
		return nil
	}
	c, ok := w.runningContainer(compClickHouseTask, compClickHouseService)
	if !ok || c.Image == w.imageRef(clickHouseContainer.image(w.spec)) {
		return nil // none yet, or what the spec asks for (validated)
	}
	if v := reCHVersion.FindStringSubmatch(imageTag(c.Image)); len(v) == 3 && atLeast(v[1], v[2], v4ClickHouseMajor, v4ClickHouseMinor) {
		return nil
	}
	return []string{fmt.Sprintf(
		"Langfuse %s waits for ClickHouse %d.%d or later, which Langfuse 4 needs: the ClickHouse service runs %s; the migrations, worker and web keep the release they run until it runs spec.clickhouse.version %s",
		w.spec.Langfuse.Version, v4ClickHouseMajor, v4ClickHouseMinor, c.Image, w.spec.ClickHouse.Version)}
}

// conditionRelease says where the Langfuse release stands: Langfuse 3's
// end of support, and the step of the migration to Langfuse 4's data model.
const conditionRelease = "LangfuseRelease"

// v3SupportEnds is when Langfuse 3's security patches end (Langfuse's v3 →
// v4 upgrade guide).
const v3SupportEnds = "the end of January 2027"

// setReleaseCondition sets the release's condition on the XR and its claim.
func setReleaseCondition(rsp *fnv1.RunFunctionResponse, w *world) {
	if !w.spec.isV4() {
		response.ConditionFalse(rsp, conditionRelease, "SupportEnding").WithMessage(fmt.Sprintf(
			"Langfuse %s: Langfuse 3 receives security patches only until %s; upgrade spec.clickhouse.version to %d.%d or later, then spec.langfuse.version to 4 (README: day 2)",
			w.spec.Langfuse.Version, v3SupportEnds, v4ClickHouseMajor, v4ClickHouseMinor)).TargetCompositeAndClaim()
		return
	}
	mode := w.writeMode()
	next := map[string]string{
		writeModeLegacy: "once your SDKs and API clients are migrated, set spec.langfuse.migration.writeMode: dual",
		writeModeDual:   "backfill the history (historicBackfill: true) or dual-write for a retention window, then set writeMode: events_only, the point of commitment",
	}[mode]
	if next == "" {
		response.ConditionTrue(rsp, conditionRelease, "Current").WithMessage(fmt.Sprintf(
			"Langfuse %s in write mode %s", w.spec.Langfuse.Version, mode)).TargetCompositeAndClaim()
		return
	}
	response.ConditionTrue(rsp, conditionRelease, "MigratingDataModel").WithMessage(fmt.Sprintf(
		"Langfuse %s in write mode %s; next: %s (README: day 2)", w.spec.Langfuse.Version, mode, next)).TargetCompositeAndClaim()
}
