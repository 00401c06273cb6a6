package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// The three task definitions: Fargate, ARM64, awsvpc. Every credential
// reaches a container as an ECS secret, by the full ARN of its Secrets
// Manager secret (and its JSON key in the credentials document), which ECS
// reads with the execution role when the task starts; the environment holds
// no credential. Web and worker share one block of settings (appSettings).

// Ports and paths of the containers.
const (
	langfuseWorkerHealth  = "/api/health"
	clickHouseHealthPath  = "/ping"
	clickHouseDataDir     = "/var/lib/clickhouse"
	clickHouseUser        = "clickhouse"
	clickHouseConfigDir   = "/etc/clickhouse-server/config.d"
	clickHouseDataVolume  = "clickhouse-data"
	clickHouseServiceName = "clickhouse"
)

// Images, from Docker Hub unless spec.langfuse.imageRegistry is set.
const (
	imageWeb        = "langfuse/langfuse"
	imageWorker     = "langfuse/langfuse-worker"
	imageClickHouse = "clickhouse/clickhouse-server"
)

// The migrations' task: one Prisma and one golang-migrate run, then idle.
const (
	migrateCPU     = 512
	migrateMemory  = 1024
	migratedMarker = "/tmp/langfuse-migrated"
)

// maxFamilyName is ECS's limit on a task definition family.
const maxFamilyName = 255

// clickHouseLogConfig turns off ClickHouse's system log tables that nobody
// reads and that write to EFS all day (about $30 a day on an idle install),
// and keeps a week of the query log.
const clickHouseLogConfig = `<clickhouse>` +
	`<asynchronous_insert_log remove="1"/><asynchronous_metric_log remove="1"/><backup_log remove="1"/>` +
	`<blob_storage_log remove="1"/><error_log remove="1"/><latency_log remove="1"/><metric_log remove="1"/>` +
	`<opentelemetry_span_log remove="1"/><part_log remove="1"/><processors_profile_log remove="1"/>` +
	`<query_metric_log remove="1"/><query_thread_log remove="1"/><query_views_log remove="1"/>` +
	`<session_log remove="1"/><text_log remove="1"/><trace_log remove="1"/>` +
	`<query_log><ttl>event_date + INTERVAL 7 DAY DELETE</ttl></query_log>` +
	`</clickhouse>`

// clickHouseEntrypoint writes the log configuration, then starts the image's
// own entrypoint: the official image, unchanged, with one config file more.
const clickHouseEntrypoint = `printf '%s' "$LANGFUSE_CLICKHOUSE_CONFIG" > ` + clickHouseConfigDir + `/langfuse.xml && exec /entrypoint.sh`

// containerDefinition is the part of ECS's container definition we use. The
// fields are in ECS's order; environment and secrets are sorted by name.
type containerDefinition struct {
	Name  string `json:"name"`
	Image string `json:"image"`
	// RepositoryCredentials is the registry login ECS pulls the image with.
	RepositoryCredentials *repositoryCredentials `json:"repositoryCredentials,omitempty"`
	Essential             bool                   `json:"essential"`
	EntryPoint            []string               `json:"entryPoint,omitempty"`
	Command               []string               `json:"command,omitempty"`
	PortMappings          []portMapping          `json:"portMappings,omitempty"`
	Environment           []keyValue             `json:"environment"`
	Secrets               []containerSecret      `json:"secrets"`
	MountPoints           []mountPoint           `json:"mountPoints,omitempty"`
	Ulimits               []ulimit               `json:"ulimits,omitempty"`
	HealthCheck           healthCheck            `json:"healthCheck"`
	LinuxParameters       linuxParameters        `json:"linuxParameters"`
	StopTimeout           int64                  `json:"stopTimeout"`
	LogConfiguration      logConfiguration       `json:"logConfiguration"`
}

type portMapping struct {
	Name          string `json:"name"`
	ContainerPort int64  `json:"containerPort"`
	Protocol      string `json:"protocol"`
}

type keyValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type containerSecret struct {
	Name      string `json:"name"`
	ValueFrom string `json:"valueFrom"`
}

type mountPoint struct {
	SourceVolume  string `json:"sourceVolume"`
	ContainerPath string `json:"containerPath"`
	ReadOnly      bool   `json:"readOnly"`
}

type ulimit struct {
	Name      string `json:"name"`
	SoftLimit int64  `json:"softLimit"`
	HardLimit int64  `json:"hardLimit"`
}

type healthCheck struct {
	Command     []string `json:"command"`
	Interval    int64    `json:"interval"`
	Timeout     int64    `json:"timeout"`
	Retries     int64    `json:"retries"`
	StartPeriod int64    `json:"startPeriod"`
}

// linuxParameters: an init process reaps the ECS Exec agent's children.
type linuxParameters struct {
	InitProcessEnabled bool `json:"initProcessEnabled"`
}

type logConfiguration struct {
	LogDriver string            `json:"logDriver"`
	Options   map[string]string `json:"options"`
}

// container is what differs between the three containers.
type container struct {
	component, name, role, logGroup string
	// logOwner is the container whose log group this one writes to, when
	// it is not its own.
	logOwner string
	task     func(*Spec) Task
	image    func(*Spec) string
	// settings are the container's environment and secrets.
	settings func(*world) (settings, error)
}

var (
	webContainer = container{
		component: compWebTask, name: "web", role: compAppTaskRole, logGroup: compLogGroupWeb,
		task:     func(s *Spec) Task { return s.Langfuse.Web },
		image:    func(s *Spec) string { return imageOf(imageWeb, s.Langfuse.Version, s.Langfuse.Web.Digest) },
		settings: webSettings,
	}
	workerContainer = container{
		component: compWorkerTask, name: "worker", role: compAppTaskRole, logGroup: compLogGroupWorker,
		task:     func(s *Spec) Task { return s.Langfuse.Worker },
		image:    func(s *Spec) string { return imageOf(imageWorker, s.Langfuse.Version, s.Langfuse.Worker.Digest) },
		settings: workerSettings,
	}
	// migrateContainer runs Langfuse's migrations, in one task for the
	// whole XR: the web image's entrypoint migrates Postgres (Prisma, which
	// holds an advisory lock) and ClickHouse (golang-migrate, whose lock is
	// per process: two web tasks starting together could leave its
	// schema_migrations dirty, langfuse#4975, #6639), then runs the command,
	// which marks the task healthy and idles. Web runs no migrations.
	migrateContainer = container{
		component: compMigrateTask, name: "migrate", logGroup: compLogGroupWeb, logOwner: "web",
		task:     func(*Spec) Task { return Task{CPU: migrateCPU, Memory: migrateMemory} },
		image:    func(s *Spec) string { return imageOf(imageWeb, s.Langfuse.Version, s.Langfuse.Web.Digest) },
		settings: migrateSettings,
	}
	clickHouseContainer = container{
		component: compClickHouseTask, name: "clickhouse", role: compClickHouseTaskRole, logGroup: compLogGroupClickHouse,
		task:     func(s *Spec) Task { return s.ClickHouse },
		image:    func(s *Spec) string { return imageOf(imageClickHouse, s.ClickHouse.Version, s.ClickHouse.Digest) },
		settings: clickHouseSettings,
	}
)

// settings are a container's environment and its secrets, by variable.
type settings struct {
	env     map[string]string
	secrets map[string]string
}

// imageOf names an image by its digest where the spec pins one (ECS then
// pulls exactly that), else by its release tag.
func imageOf(image, tag, digest string) string {
	if digest != "" {
		return image + "@" + digest
	}
	return image + ":" + tag
}

// imageRef is an image, behind the registry the spec names.
func (w *world) imageRef(image string) string {
	if r := w.spec.Langfuse.ImageRegistry; r != "" {
		return r + "/" + image
	}
	return image
}

// familyName is the task definition's family, which every new revision
// keeps: the family of the revisions observed, else a new one.
func (w *world) familyName(c container) string {
	for _, n := range w.byComponent[c.component] {
		if family := w.observed[n].str("spec.forProvider.family"); family != "" {
			return family
		}
	}
	return w.names.name(c.name, maxFamilyName)
}

// buildTaskDefinition returns the task definition of a container.
func (c container) buildTaskDefinition(w *world) (*composed.Unstructured, error) {
	var err error
	var roleARN []string
	if c.role != "" {
		if roleARN, err = w.arns(c.role); err != nil {
			return nil, err
		}
	}
	st, err := c.settings(w)
	if err != nil {
		return nil, err
	}
	def, err := c.definition(w, st)
	if err != nil {
		return nil, err
	}
	defs, err := json.Marshal([]containerDefinition{def})
	if err != nil {
		return nil, errors.Wrapf(err, "cannot encode the container definitions of %s", c.component)
	}
	t := c.task(w.spec)
	body := map[string]any{
		"family":                   w.familyName(c),
		"cpu":                      strconv.FormatInt(t.CPU, 10),
		"memory":                   strconv.FormatInt(t.Memory, 10),
		"networkMode":              "awsvpc",
		"requiresCompatibilities":  []any{"FARGATE"},
		"runtimePlatform":          map[string]any{"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
		"executionRoleArnSelector": selectorFor(compExecutionRole),
		"containerDefinitions":     string(defs),
		// A new revision keeps the one before registered, so a deployment
		// that fails can roll back to it.
		"skipDestroy": true,
	}
	if len(roleARN) > 0 {
		body["taskRoleArn"] = roleARN[0]
	}
	if c.component == compClickHouseTask {
		volume, err := clickHouseVolume(w)
		if err != nil {
			return nil, err
		}
		body["volume"] = []any{volume}
	}
	return w.style.New(c.component, kindTaskDefinition, w.spec.Region, body, mrOptions{tagged: true}), nil
}

// definition is the container's definition.
func (c container) definition(w *world, st settings) (containerDefinition, error) {
	d := containerDefinition{
		Name:            c.name,
		Image:           w.imageRef(c.image(w.spec)),
		Essential:       true,
		Environment:     sortedEnv(st.env),
		LinuxParameters: linuxParameters{InitProcessEnabled: true},
		// Fargate's longest: ClickHouse flushes its parts, Langfuse drains.
		StopTimeout: 120,
		LogConfiguration: logConfiguration{LogDriver: "awslogs", Options: map[string]string{
			"awslogs-group":         w.logGroupName(c.logGroup, cmp.Or(c.logOwner, c.name)),
			"awslogs-region":        w.spec.Region,
			"awslogs-stream-prefix": c.name,
		}},
	}
	var err error
	if d.RepositoryCredentials, err = w.repositoryCredentials(); err != nil {
		return d, errors.Wrapf(err, "cannot define %s", c.component)
	}
	if d.Secrets, err = sortedSecrets(st.secrets); err != nil {
		return d, errors.Wrapf(err, "cannot define %s", c.component)
	}
	switch c.component {
	case compClickHouseTask:
		d.EntryPoint = []string{"/bin/sh", "-c"}
		d.Command = []string{clickHouseEntrypoint}
		d.PortMappings = []portMapping{
			{Name: "clickhouse-http", ContainerPort: clickHouseHTTPPort, Protocol: "tcp"},
			{Name: "clickhouse-native", ContainerPort: clickHouseNativePort, Protocol: "tcp"},
		}
		d.MountPoints = []mountPoint{{SourceVolume: clickHouseDataVolume, ContainerPath: clickHouseDataDir}}
		d.Ulimits = []ulimit{{Name: "nofile", SoftLimit: 262144, HardLimit: 262144}}
		d.HealthCheck = httpCheck(clickHouseHTTPPort, clickHouseHealthPath, 30)
	case compWebTask:
		d.PortMappings = []portMapping{{Name: "web", ContainerPort: langfuseWebPort, Protocol: "tcp"}}
		// Migrations run before the server listens.
		d.HealthCheck = httpCheck(langfuseWebPort, langfuseHealthPath, 300)
	case compMigrateTask:
		d.Command = []string{"sh", "-c", "touch " + migratedMarker + " && echo 'Langfuse migrations done' && exec tail -f /dev/null"}
		d.HealthCheck = healthCheck{
			Command:  []string{"CMD-SHELL", "test -f " + migratedMarker},
			Interval: 15, Timeout: 5, Retries: 3, StartPeriod: 300,
		}
	case compWorkerTask:
		d.PortMappings = []portMapping{{Name: "worker", ContainerPort: langfuseWorkerPort, Protocol: "tcp"}}
		d.HealthCheck = httpCheck(langfuseWorkerPort, w.workerHealthPath(), 120)
	}
	return d, nil
}

// httpCheck asks the container itself for path. Every image has a wget, but
// Langfuse's (Alpine) has BusyBox's, which knows only the short options:
// -q and --spider are what both it and GNU wget take.
func httpCheck(port int64, path string, startPeriod int64) healthCheck {
	url := fmt.Sprintf("http://127.0.0.1:%d%s", port, path)
	if strings.ContainsAny(url, "?&") {
		url = "'" + url + "'" // a query is not the shell's
	}
	return healthCheck{
		Command:  []string{"CMD-SHELL", "wget -q --spider " + url + " || exit 1"},
		Interval: 15, Timeout: 5, Retries: 3, StartPeriod: startPeriod,
	}
}

// clickHouseVolume is ClickHouse's data on its access point of the file
// system, mounted over TLS with the task role's IAM authorization.
func clickHouseVolume(w *world) (map[string]any, error) {
	fs := w.statusString(compEFS, statusPathID)
	ap := w.statusString(compEFSAccessPoint, statusPathID)
	if fs == "" || ap == "" {
		return nil, errors.Errorf("%s and %s must report %s", compEFS, compEFSAccessPoint, statusPathID)
	}
	return map[string]any{
		"name": clickHouseDataVolume,
		"efsVolumeConfiguration": map[string]any{
			"fileSystemId":      fs,
			"transitEncryption": "ENABLED",
			"authorizationConfig": map[string]any{
				"accessPointId": ap,
				"iam":           "ENABLED",
			},
		},
	}, nil
}

// appSettings are the settings web and worker share: where Postgres, Redis,
// ClickHouse and the bucket are, and the credentials both need (Langfuse
// requires them to be the same in both), and the port and heap of the
// container, which runs as task t.
func appSettings(w *world, t Task, port int) (settings, error) {
	dbHost := w.statusString(compDatabase, statusPathEndpoint)
	redisHost := w.statusString(compCache, statusPathPrimaryEndpoint)
	if dbHost == "" || redisHost == "" {
		return settings{}, errors.Errorf("%s must report %s and %s %s", compDatabase, statusPathEndpoint, compCache, statusPathPrimaryEndpoint)
	}
	secretARNs, err := w.arns(compCredentialsSecret, compDatabaseSecret, compCacheSecret)
	if err != nil {
		return settings{}, err
	}
	credentials, dbPassword, redisToken := secretARNs[0], secretARNs[1], secretARNs[2]
	bucket := w.bucketName()
	clickHouse := w.clickHouseHost()
	env := map[string]string{
		// Both servers listen on $HOSTNAME, which Fargate sets to the task's
		// own name: health checks on 127.0.0.1 would fail.
		"HOSTNAME": "0.0.0.0",
		// Both build links with it: web for sign-in, the worker in exports
		// and notifications.
		"NEXTAUTH_URL": "https://" + w.spec.FQDN(),
		"PORT":         strconv.Itoa(port),
		"NODE_OPTIONS": "--max-old-space-size=" + strconv.FormatInt(nodeHeapMiB(t.Memory), 10),

		"DATABASE_HOST":     dbHost,
		"DATABASE_USERNAME": databaseUser,
		"DATABASE_NAME":     databaseName,
		// Aurora speaks TLS; the entrypoint appends this to the URL.
		"DATABASE_ARGS": "sslmode=require",

		"REDIS_HOST":        redisHost,
		"REDIS_PORT":        strconv.Itoa(cachePort),
		"REDIS_TLS_ENABLED": "true",

		"CLICKHOUSE_URL":           fmt.Sprintf("http://%s:%d", clickHouse, clickHouseHTTPPort),
		"CLICKHOUSE_MIGRATION_URL": fmt.Sprintf("clickhouse://%s:%d", clickHouse, clickHouseNativePort),
		"CLICKHOUSE_USER":          clickHouseUser,
		"CLICKHOUSE_DB":            "default",
		// A single node, for good: Langfuse cannot migrate between the two.
		"CLICKHOUSE_CLUSTER_ENABLED": "false",

		"LANGFUSE_S3_EVENT_UPLOAD_BUCKET":  bucket,
		"LANGFUSE_S3_EVENT_UPLOAD_PREFIX":  eventsPrefix,
		"LANGFUSE_S3_EVENT_UPLOAD_REGION":  w.spec.Region,
		"LANGFUSE_S3_MEDIA_UPLOAD_BUCKET":  bucket,
		"LANGFUSE_S3_MEDIA_UPLOAD_PREFIX":  mediaPrefix,
		"LANGFUSE_S3_MEDIA_UPLOAD_REGION":  w.spec.Region,
		"LANGFUSE_S3_BATCH_EXPORT_ENABLED": "true",
		"LANGFUSE_S3_BATCH_EXPORT_BUCKET":  bucket,
		"LANGFUSE_S3_BATCH_EXPORT_PREFIX":  exportsPrefix,
		"LANGFUSE_S3_BATCH_EXPORT_REGION":  w.spec.Region,
	}
	// Both read the migration's state: the worker migrates, web gates its
	// API and UI on it.
	maps.Copy(env, w.migrationEnv())
	if l := w.spec.Langfuse.LogLevel; l != "" {
		env["LANGFUSE_LOG_LEVEL"] = l
	}
	if f := w.spec.Langfuse.LogFormat; f != "" {
		env["LANGFUSE_LOG_FORMAT"] = f
	}
	secrets := map[string]string{
		"SALT":                jsonKey(credentials, "SALT"),
		"ENCRYPTION_KEY":      jsonKey(credentials, "ENCRYPTION_KEY"),
		"CLICKHOUSE_PASSWORD": jsonKey(credentials, "CLICKHOUSE_PASSWORD"),
		"DATABASE_PASSWORD":   dbPassword,
		"REDIS_AUTH":          redisToken,
	}
	return settings{env: env, secrets: secrets}, nil
}

// webSettings adds what only the web container reads: its public URL, how
// people sign in, and the organization SSO users join.
func webSettings(w *world) (settings, error) {
	st, err := appSettings(w, w.spec.Langfuse.Web, langfuseWebPort)
	if err != nil {
		return st, err
	}
	st.env["LANGFUSE_CSP_ENFORCE_HTTPS"] = "true"
	// The migrate service migrates, once; web tasks start on the schema.
	st.env["LANGFUSE_AUTO_POSTGRES_MIGRATION_DISABLED"] = "true"
	st.env["LANGFUSE_AUTO_CLICKHOUSE_MIGRATION_DISABLED"] = "true"
	st.env["AUTH_DISABLE_USERNAME_PASSWORD"] = strconv.FormatBool(*w.spec.Auth.DisableEmailPasswordAuth)
	// Langfuse's own sign-up is closed unless the spec opens it. With
	// Cognito it stays open to Langfuse: the variable would also refuse
	// first sign-ins with Cognito, which decides who exists.
	st.env["AUTH_DISABLE_SIGNUP"] = strconv.FormatBool(!w.spec.CognitoEnabled() && !w.spec.Auth.AllowSignUp)
	credentials, err := w.arns(compCredentialsSecret)
	if err != nil {
		return st, err
	}
	st.secrets["NEXTAUTH_SECRET"] = jsonKey(credentials[0], "NEXTAUTH_SECRET")
	initSecrets, err := w.initSecretARNs()
	if err != nil {
		return st, err
	}
	for key, arn := range initSecrets {
		st.secrets[key] = arn
	}
	if o := w.spec.Langfuse.DefaultOrganization; o != nil {
		st.env["LANGFUSE_DEFAULT_ORG_ID"] = o.ID
		st.env["LANGFUSE_DEFAULT_ORG_ROLE"] = o.Role
	}
	if !w.spec.CognitoEnabled() {
		return st, nil
	}
	pool := w.statusString(compUserPool, statusPathPoolEndpoint)
	client := w.statusString(compUserPoolClient, statusPathID)
	clientSecret, err := w.arns(compClientSecret)
	if pool == "" || client == "" || err != nil {
		return st, errors.Errorf("%s must report %s, %s %s and %s %s", compUserPool, statusPathPoolEndpoint, compUserPoolClient, statusPathID, compClientSecret, statusPathARN)
	}
	// The issuer is the pool's regional endpoint, which serves the OIDC
	// discovery document; the custom domain does not.
	st.env["AUTH_COGNITO_ISSUER"] = "https://" + pool
	st.env["AUTH_COGNITO_CLIENT_ID"] = client
	st.env["AUTH_COGNITO_ALLOW_ACCOUNT_LINKING"] = strconv.FormatBool(w.spec.Auth.Cognito.AllowAccountLinking)
	st.secrets["AUTH_COGNITO_CLIENT_SECRET"] = clientSecret[0]
	return st, nil
}

// migrateSettings are what the web image's entrypoint reads to migrate:
// where Postgres and ClickHouse are, and their passwords.
func migrateSettings(w *world) (settings, error) {
	st, err := appSettings(w, Task{Memory: migrateMemory}, langfuseWebPort)
	if err != nil {
		return st, err
	}
	keep := func(name string) bool {
		return strings.HasPrefix(name, "DATABASE_") || strings.HasPrefix(name, "CLICKHOUSE_") || name == "NODE_OPTIONS"
	}
	maps.DeleteFunc(st.env, func(k, _ string) bool { return !keep(k) })
	maps.DeleteFunc(st.secrets, func(k, _ string) bool { return !keep(k) })
	return st, nil
}

func workerSettings(w *world) (settings, error) {
	st, err := appSettings(w, w.spec.Langfuse.Worker, langfuseWorkerPort)
	if err == nil && w.spec.isV4() && *w.spec.Langfuse.Worker.Replicas > 1 {
		// The stuck-queue check (workerHealthPath) counts on the hourly
		// repeatable jobs to keep a worker busy, but each runs on one
		// task: with several always running, give each more time.
		st.env["LANGFUSE_QUEUE_CONSUMPTION_STUCK_THRESHOLD_MINUTES"] = strconv.FormatInt(60**w.spec.Langfuse.Worker.Replicas, 10)
	}
	return st, err
}

// workerHealthPath is the worker's health check. Langfuse 4's worker also
// fails it when its queue consumers wedged (no job picked up for an hour,
// which Redis lock loss can cause while the process and its connections
// look fine), and, in write mode dual, when the propagation of events to
// the new tables is stuck (the upgrade guide's probe for dual).
func (w *world) workerHealthPath() string {
	if !w.spec.isV4() {
		return langfuseWorkerHealth
	}
	path := langfuseWorkerHealth + "?failIfQueueConsumptionStuck=true"
	if w.writeMode() == writeModeDual {
		path += "&failIfEventPropagationStuck=true"
	}
	return path
}

func clickHouseSettings(w *world) (settings, error) {
	credentials, err := w.arns(compCredentialsSecret)
	if err != nil {
		return settings{}, err
	}
	return settings{
		env: map[string]string{
			"CLICKHOUSE_DB":              "default",
			"CLICKHOUSE_USER":            clickHouseUser,
			"LANGFUSE_CLICKHOUSE_CONFIG": clickHouseLogConfig,
		},
		secrets: map[string]string{"CLICKHOUSE_PASSWORD": jsonKey(credentials[0], "CLICKHOUSE_PASSWORD")},
	}, nil
}

// nodeHeapMiB is Node's heap for a container of memory MiB: three quarters,
// leaving the rest to buffers, the ECS Exec agent and the runtime itself.
func nodeHeapMiB(memory int64) int64 { return memory * 3 / 4 }

// jsonKey is how ECS names one key of a JSON secret.
func jsonKey(arn, key string) string { return arn + ":" + key + "::" }

// clickHouseHost is ClickHouse's name in the XR's private DNS namespace.
func (w *world) clickHouseHost() string {
	return clickHouseServiceName + "." + w.serviceNamespaceName()
}

func sortedEnv(env map[string]string) []keyValue {
	out := make([]keyValue, 0, len(env))
	for k, v := range env {
		out = append(out, keyValue{Name: k, Value: v})
	}
	slices.SortFunc(out, func(a, b keyValue) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// sortedSecrets lists the secrets by variable, and refuses one that is not
// a Secrets Manager ARN: ECS would read a bare name from SSM instead.
func sortedSecrets(secrets map[string]string) ([]containerSecret, error) {
	out := make([]containerSecret, 0, len(secrets))
	for k, v := range secrets {
		if !strings.HasPrefix(v, "arn:") || !strings.Contains(v, ":secretsmanager:") {
			return nil, errors.Errorf("secret %s is not a Secrets Manager ARN", k)
		}
		out = append(out, containerSecret{Name: k, ValueFrom: v})
	}
	slices.SortFunc(out, func(a, b containerSecret) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
