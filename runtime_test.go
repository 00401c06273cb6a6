package main

import (
	"encoding/json"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/crossplane-contrib/function-langfuse/internal/fakeaws"
)

// rendered converges xr and returns what the function composes, and the
// status.atProvider the provider reports for each resource.
func rendered(t *testing.T, xr *structpb.Struct) (desired, atProvider map[string]map[string]any) {
	t.Helper()
	p, last, _ := converge(t, xr)
	desired, atProvider = desiredMaps(last), map[string]map[string]any{}
	for name, r := range p.observed {
		st, _ := r.GetResource().AsMap()["status"].(map[string]any)
		ap, _ := st["atProvider"].(map[string]any)
		atProvider[name] = ap
	}
	return desired, atProvider
}

// desiredMaps is a response's desired resources, by name.
func desiredMaps(rsp *fnv1.RunFunctionResponse) map[string]map[string]any {
	out := map[string]map[string]any{}
	for name, r := range rsp.GetDesired().GetResources() {
		out[name] = r.GetResource().AsMap()
	}
	return out
}

// revisionOf is the one revision of a task definition a converged render
// composes.
func revisionOf(t *testing.T, out map[string]map[string]any, task string) map[string]any {
	t.Helper()
	found := membersOf(out, task)
	if len(found) != 1 {
		t.Fatalf("want one revision of %s, got %v", task, found)
	}
	return out[found[0]]
}

// containerOf decodes the one container definition of a rendered task
// definition.
func containerOf(t *testing.T, td map[string]any) containerDefinition {
	t.Helper()
	var defs []containerDefinition
	if err := json.Unmarshal([]byte(fp(td)["containerDefinitions"].(string)), &defs); err != nil {
		t.Fatalf("containerDefinitions is not JSON: %v", err)
	}
	if len(defs) != 1 {
		t.Fatalf("want one container, got %d", len(defs))
	}
	return defs[0]
}

// variables are a container's environment and secrets by name.
func variables(c containerDefinition) (env, secrets map[string]string) {
	env, secrets = map[string]string{}, map[string]string{}
	for _, kv := range c.Environment {
		env[kv.Name] = kv.Value
	}
	for _, s := range c.Secrets {
		secrets[s.Name] = s.ValueFrom
	}
	return env, secrets
}

// What Langfuse refuses to start without (its env schemas and entrypoints,
// v3.174.1 and v4; ../shared/notes/langfuse-on-aws.md), plus what it needs
// at run time on AWS: Redis over TLS, a single-node ClickHouse, the bucket.
var (
	requiredByBoth = []string{
		"DATABASE_HOST", "DATABASE_USERNAME", "DATABASE_PASSWORD", "DATABASE_NAME",
		"CLICKHOUSE_URL", "CLICKHOUSE_USER", "CLICKHOUSE_PASSWORD", "CLICKHOUSE_MIGRATION_URL", "CLICKHOUSE_CLUSTER_ENABLED",
		"LANGFUSE_S3_EVENT_UPLOAD_BUCKET", "SALT", "ENCRYPTION_KEY",
		"REDIS_HOST", "REDIS_PORT", "REDIS_AUTH", "REDIS_TLS_ENABLED", "HOSTNAME", "NODE_OPTIONS",
	}
	requiredByWeb = []string{"NEXTAUTH_URL", "NEXTAUTH_SECRET", "AUTH_COGNITO_CLIENT_ID", "AUTH_COGNITO_CLIENT_SECRET", "AUTH_COGNITO_ISSUER"}
	// credentialVariables may only ever be ECS secrets.
	credentialVariables = []string{
		"DATABASE_PASSWORD", "CLICKHOUSE_PASSWORD", "SALT", "ENCRYPTION_KEY", "NEXTAUTH_SECRET", "REDIS_AUTH", "AUTH_COGNITO_CLIENT_SECRET",
	}
	reCredentialName    = regexp.MustCompile(`(^|_)(PASSWORD|SECRET|SALT|ENCRYPTION_KEY|TOKEN|AUTH)$`)
	reSecretsManagerARN = regexp.MustCompile(`^arn:aws:secretsmanager:eu-west-1:[0-9]{12}:secret:[^:]+(:[A-Z_]+::)?$`)
)

// TestTaskDefinitionsGiveLangfuseWhatItRequires reads the rendered web and
// worker task definitions the way Langfuse's start-up does.
func TestTaskDefinitionsGiveLangfuseWhatItRequires(t *testing.T) {
	for _, xrPath := range []string{exampleClaimXR, exampleNamespacedXR} {
		t.Run(xrPath, func(t *testing.T) {
			out, status := rendered(t, loadXR(t, xrPath))
			web := containerOf(t, revisionOf(t, out, compWebTask))
			worker := containerOf(t, revisionOf(t, out, compWorkerTask))
			webEnv, webSecrets := variables(web)
			workerEnv, workerSecrets := variables(worker)

			for name, vars := range map[string][]string{"web": append(slices.Clone(requiredByBoth), requiredByWeb...), "worker": requiredByBoth} {
				env, secrets := webEnv, webSecrets
				if name == "worker" {
					env, secrets = workerEnv, workerSecrets
				}
				for _, v := range vars {
					if env[v] == "" && secrets[v] == "" {
						t.Errorf("%s: %s is missing", name, v)
					}
				}
				for _, v := range credentialVariables {
					if _, ok := env[v]; ok {
						t.Errorf("%s: the credential %s is in the environment", name, v)
					}
				}
				for v, from := range secrets {
					if !reSecretsManagerARN.MatchString(from) {
						t.Errorf("%s: secret %s comes from %q, not a Secrets Manager ARN (with its JSON key)", name, v, from)
					}
				}
				if env["HOSTNAME"] != "0.0.0.0" || env["CLICKHOUSE_CLUSTER_ENABLED"] != "false" || env["REDIS_TLS_ENABLED"] != "true" {
					t.Errorf("%s: HOSTNAME=%q CLICKHOUSE_CLUSTER_ENABLED=%q REDIS_TLS_ENABLED=%q", name, env["HOSTNAME"], env["CLICKHOUSE_CLUSTER_ENABLED"], env["REDIS_TLS_ENABLED"])
				}
				if !strings.HasPrefix(env["CLICKHOUSE_MIGRATION_URL"], "clickhouse://") || !strings.HasPrefix(env["CLICKHOUSE_URL"], "http://") {
					t.Errorf("%s: ClickHouse URLs %q, %q", name, env["CLICKHOUSE_MIGRATION_URL"], env["CLICKHOUSE_URL"])
				}
			}

			// One block feeds both: every shared setting is the same.
			for _, v := range requiredByBoth {
				if v == "NODE_OPTIONS" {
					continue // sized to each task
				}
				if webEnv[v] != workerEnv[v] || webSecrets[v] != workerSecrets[v] {
					t.Errorf("%s differs between web and worker", v)
				}
			}

			// Values AWS reported, copied where Langfuse reads them.
			if got, want := webEnv["DATABASE_HOST"], reported(t, status, compDatabase, "endpoint"); got != want {
				t.Errorf("DATABASE_HOST = %q, want the cluster endpoint %q", got, want)
			}
			if got, want := webEnv["REDIS_HOST"], reported(t, status, compCache, "primaryEndpointAddress"); got != want {
				t.Errorf("REDIS_HOST = %q, want the primary endpoint %q", got, want)
			}
			if got, want := webEnv["AUTH_COGNITO_ISSUER"], "https://"+reported(t, status, compUserPool, "endpoint"); got != want {
				t.Errorf("AUTH_COGNITO_ISSUER = %q, want %q", got, want)
			}
			if got, want := webEnv["AUTH_COGNITO_CLIENT_ID"], reported(t, status, compUserPoolClient, "id"); got != want {
				t.Errorf("AUTH_COGNITO_CLIENT_ID = %q, want %q", got, want)
			}
			if got, want := webSecrets["AUTH_COGNITO_CLIENT_SECRET"], reported(t, status, compClientSecret, "arn"); got != want {
				t.Errorf("AUTH_COGNITO_CLIENT_SECRET from %q, want the client secret's copy %q", got, want)
			}
			if got, want := webEnv["NEXTAUTH_URL"], "https://langfuse.example.com"; got != want {
				t.Errorf("NEXTAUTH_URL = %q, want %q", got, want)
			}
			if got, want := webEnv["NODE_OPTIONS"], "--max-old-space-size=3072"; got != want {
				t.Errorf("web NODE_OPTIONS = %q, want %q (3/4 of 4096 MiB)", got, want)
			}
			// ClickHouse is reached by its Cloud Map name in the namespace.
			host := fp(out[compClickHouseDiscovery])["name"].(string) + "." + fp(out[compServiceNamespace])["name"].(string)
			if got, want := webEnv["CLICKHOUSE_URL"], "http://"+host+":8123"; got != want {
				t.Errorf("CLICKHOUSE_URL = %q, want %q", got, want)
			}
		})
	}
}

// reported reads a string the provider reports in status.atProvider.
func reported(t *testing.T, atProvider map[string]map[string]any, component, field string) string {
	t.Helper()
	v, _ := atProvider[component][field].(string)
	if v == "" {
		t.Fatalf("%s reports no %s", component, field)
	}
	return v
}

// TestNoCredentialInAnyEnvironment checks every environment value of every
// task definition against every credential the function generates and every
// value a provider generates: none may appear.
func TestNoCredentialInAnyEnvironment(t *testing.T) {
	out, _ := rendered(t, loadXR(t, exampleClaimXR))
	var values []string
	for _, c := range credentials {
		v, _ := fakeGenerate(c)
		values = append(values, v)
	}
	for _, td := range []string{compWebTask, compWorkerTask, compClickHouseTask} {
		c := containerOf(t, revisionOf(t, out, td))
		for _, kv := range c.Environment {
			for _, v := range values {
				if strings.Contains(kv.Value, v) {
					t.Errorf("%s: %s holds a generated credential", td, kv.Name)
				}
			}
			// A switch such as AUTH_DISABLE_USERNAME_PASSWORD is no credential.
			if reCredentialName.MatchString(kv.Name) && !strings.HasPrefix(kv.Name, "AUTH_DISABLE_") {
				t.Errorf("%s: %s looks like a credential but is in the environment", td, kv.Name)
			}
		}
	}
}

// TestExecutionRoleReadsExactlyThisXRsSecrets checks the execution policy
// against the secrets the task definitions name: it grants every one and
// nothing else.
func TestExecutionRoleReadsExactlyThisXRsSecrets(t *testing.T) {
	for name, set := range map[string]map[string]any{
		"Cognito":   nil,
		"NoCognito": {"spec.auth.cognito.enabled": false, "spec.auth.disableEmailPasswordAuth": false, "spec.auth.allowSignUp": true},
		"Init":      {"spec.langfuse.init": map[string]any{"secretName": "langfuse-init"}},
		"Registry":  {"spec.langfuse.registryCredentials": map[string]any{"secretName": "docker-hub"}},
	} {
		t.Run(name, func(t *testing.T) {
			out, _ := rendered(t, withSpec(t, loadXR(t, exampleClaimXR), set))
			used := map[string]bool{}
			for _, td := range []string{compWebTask, compWorkerTask, compClickHouseTask, compMigrateTask} {
				c := containerOf(t, revisionOf(t, out, td))
				if c.RepositoryCredentials != nil {
					used[c.RepositoryCredentials.CredentialsParameter] = true
				}
				_, secrets := variables(c)
				for _, from := range secrets {
					// ECS reads a JSON key of the secret: the policy grants the secret.
					arn := from
					if k := lastKey(from); k != "" {
						arn = strings.TrimSuffix(from, ":"+k+"::")
					}
					used[arn] = true
				}
			}
			var policy struct {
				Statement []struct {
					Sid      string
					Action   []string
					Resource []string
				}
			}
			if err := json.Unmarshal([]byte(fp(out[compExecutionPolicy])["policy"].(string)), &policy); err != nil {
				t.Fatal(err)
			}
			var granted []string
			for _, s := range policy.Statement {
				if slices.Contains(s.Action, "secretsmanager:GetSecretValue") {
					granted = append(granted, s.Resource...)
				}
			}
			var want []string
			for arn := range used {
				want = append(want, arn)
			}
			sort.Strings(want)
			sort.Strings(granted)
			if diff := cmp.Diff(want, granted); diff != "" {
				t.Errorf("secrets the execution role may read: -used by the tasks, +granted:\n%s", diff)
			}
		})
	}
}

// lastKey is the JSON key of an ECS secret reference, or "".
func lastKey(valueFrom string) string {
	if !strings.HasSuffix(valueFrom, "::") {
		return ""
	}
	parts := strings.Split(strings.TrimSuffix(valueFrom, "::"), ":")
	if k := parts[len(parts)-1]; regexp.MustCompile(`^[A-Z_]+$`).MatchString(k) {
		return k
	}
	return ""
}

// TestClickHouseRunsOnce checks what keeps two ClickHouse processes off one
// data directory, and ClickHouse off Spot.
func TestClickHouseRunsOnce(t *testing.T) {
	out, status := rendered(t, loadXR(t, exampleClaimXR))
	svc := fp(out[compClickHouseService])
	for field, want := range map[string]any{
		"desiredCount": float64(1), "deploymentMaximumPercent": float64(100), "deploymentMinimumHealthyPercent": float64(0),
		"launchType": "FARGATE", "waitForSteadyState": true,
	} {
		if diff := cmp.Diff(want, svc[field]); diff != "" {
			t.Errorf("clickhouse-service %s: -want, +got:\n%s", field, diff)
		}
	}
	if _, spot := svc["capacityProviderStrategy"]; spot {
		t.Error("clickhouse-service has a capacity provider strategy: it could run on Spot")
	}
	td := fp(revisionOf(t, out, compClickHouseTask))
	c := containerOf(t, revisionOf(t, out, compClickHouseTask))
	if diff := cmp.Diff([]ulimit{{Name: "nofile", SoftLimit: 262144, HardLimit: 262144}}, c.Ulimits); diff != "" {
		t.Errorf("ulimits: -want, +got:\n%s", diff)
	}
	if !strings.Contains(strings.Join(c.HealthCheck.Command, " "), ":8123/ping") {
		t.Errorf("health check %v does not ask /ping", c.HealthCheck.Command)
	}
	// BusyBox's wget (the Alpine-based Langfuse images) refuses GNU's long
	// options such as --no-verbose and --tries: the check would always fail.
	for _, td := range []string{compWebTask, compWorkerTask, compClickHouseTask} {
		check := strings.Join(containerOf(t, revisionOf(t, out, td)).HealthCheck.Command, " ")
		for _, gnuOnly := range []string{"--no-verbose", "--tries", "--timeout"} {
			if strings.Contains(check, gnuOnly) {
				t.Errorf("%s health check %q uses %s, which BusyBox's wget refuses", td, check, gnuOnly)
			}
		}
	}
	if diff := cmp.Diff([]mountPoint{{SourceVolume: clickHouseDataVolume, ContainerPath: "/var/lib/clickhouse"}}, c.MountPoints); diff != "" {
		t.Errorf("mount points: -want, +got:\n%s", diff)
	}
	volume := td["volume"].([]any)[0].(map[string]any)["efsVolumeConfiguration"].(map[string]any)
	want := map[string]any{
		"fileSystemId":        reported(t, status, compEFS, "id"),
		"transitEncryption":   "ENABLED",
		"authorizationConfig": map[string]any{"accessPointId": reported(t, status, compEFSAccessPoint, "id"), "iam": "ENABLED"},
	}
	if diff := cmp.Diff(want, volume); diff != "" {
		t.Errorf("data volume: -want, +got:\n%s", diff)
	}
	env, _ := variables(c)
	for _, table := range []string{"trace_log", "text_log", "metric_log", "asynchronous_metric_log", "part_log"} {
		if !strings.Contains(env["LANGFUSE_CLICKHOUSE_CONFIG"], "<"+table+` remove="1"/>`) {
			t.Errorf("the ClickHouse configuration keeps %s, which writes to EFS all day", table)
		}
	}
	if !strings.Contains(c.Command[0], "/entrypoint.sh") {
		t.Errorf("ClickHouse does not start the image's entrypoint: %v", c.Command)
	}
}

// TestAutoscalingOwnsTheTaskCount checks that web and worker scale between
// replicas and maxReplicas, and that the function never sets their count
// after creation (it would undo every scale-out), also after an edit.
func TestAutoscalingOwnsTheTaskCount(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	p, _, _ := converge(t, xr)
	edited := withSpec(t, xr, map[string]any{"spec.langfuse.web.replicas": int64(3), "spec.langfuse.web.maxReplicas": int64(10)})
	rsp := run(t, p.request(edited, nil))
	res := rsp.GetDesired().GetResources()
	for _, tc := range []struct {
		target, service string
		min, max        float64
	}{
		{compWebScalingTarget, compWebService, 3, 10},
		{compWorkerScalingTarget, compWorkerService, 1, 2},
	} {
		target := fp(res[tc.target].GetResource().AsMap())
		if target["minCapacity"] != tc.min || target["maxCapacity"] != tc.max {
			t.Errorf("%s: capacity %v..%v, want %v..%v", tc.target, target["minCapacity"], target["maxCapacity"], tc.min, tc.max)
		}
		svc := res[tc.service].GetResource().AsMap()
		if _, ok := fp(svc)["desiredCount"]; ok {
			t.Errorf("%s sets forProvider.desiredCount: the provider would undo the autoscaler", tc.service)
		}
		spec := svc["spec"].(map[string]any)
		if slices.Contains(spec["managementPolicies"].([]any), any("LateInitialize")) {
			t.Errorf("%s late-initializes: the provider would copy the count into the spec and undo the autoscaler", tc.service)
		}
		if spec["initProvider"] == nil {
			t.Errorf("%s has no initProvider.desiredCount to start with", tc.service)
		}
	}
}

// TestImageRegistryPrefixesEveryImage checks the pull-through registry and
// that the execution role may pull through it, and only from it.
func TestImageRegistryPrefixesEveryImage(t *testing.T) {
	const registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub"
	out, _ := rendered(t, withSpec(t, loadXR(t, exampleClaimXR), map[string]any{"spec.langfuse.imageRegistry": registry}))
	want := map[string]string{
		compWebTask:        registry + "/langfuse/langfuse:" + defaultLangfuseVersion,
		compWorkerTask:     registry + "/langfuse/langfuse-worker:" + defaultLangfuseVersion,
		compClickHouseTask: registry + "/clickhouse/clickhouse-server:" + defaultClickHouseVersion,
	}
	for td, image := range want {
		if got := containerOf(t, revisionOf(t, out, td)).Image; got != image {
			t.Errorf("%s image = %q, want %q", td, got, image)
		}
	}
	policy := fp(out[compExecutionPolicy])["policy"].(string)
	if !strings.Contains(policy, `"arn:aws:ecr:eu-west-1:123456789012:repository/docker-hub/*"`) {
		t.Errorf("the execution role may not pull through the registry: %s", policy)
	}

	plain, _ := rendered(t, loadXR(t, exampleClaimXR))
	if p := fp(plain[compExecutionPolicy])["policy"].(string); strings.Contains(p, "ecr:") {
		t.Errorf("without an ECR registry the execution role still has ECR permissions: %s", p)
	}
}

func TestECRRepositories(t *testing.T) {
	cases := map[string]struct {
		registry, want string
		ok             bool
	}{
		"PullThroughPrefix": {"123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub", "arn:aws:ecr:eu-west-1:123456789012:repository/docker-hub/*", true},
		"WholeRegistry":     {"123456789012.dkr.ecr.us-east-2.amazonaws.com", "arn:aws:ecr:us-east-2:123456789012:repository/*", true},
		"China":             {"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/hub", "arn:aws-cn:ecr:cn-north-1:123456789012:repository/hub/*", true},
		"NotECR":            {"registry.example.com/mirror", "", false},
		"PublicECR":         {"public.ecr.aws/docker", "", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := ecrRepositories(tc.registry)
			if got != tc.want || ok != tc.ok {
				t.Errorf("ecrRepositories(%q) = %q, %v; want %q, %v", tc.registry, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestDefaultOrganization checks that SSO users join the organization the
// spec names, in the web container only.
func TestDefaultOrganization(t *testing.T) {
	out, _ := rendered(t, withSpec(t, loadXR(t, exampleClaimXR), map[string]any{"spec.langfuse.defaultOrganization": map[string]any{"id": "acme"}}))
	env, _ := variables(containerOf(t, revisionOf(t, out, compWebTask)))
	if env["LANGFUSE_DEFAULT_ORG_ID"] != "acme" || env["LANGFUSE_DEFAULT_ORG_ROLE"] != "VIEWER" {
		t.Errorf("LANGFUSE_DEFAULT_ORG_ID=%q LANGFUSE_DEFAULT_ORG_ROLE=%q, want acme and VIEWER", env["LANGFUSE_DEFAULT_ORG_ID"], env["LANGFUSE_DEFAULT_ORG_ROLE"])
	}
}

// TestInitPassedByReference checks that each init key goes from the user's
// Secret to Secrets Manager by reference and into the web container as an
// ECS secret, and nowhere else.
func TestInitPassedByReference(t *testing.T) {
	keys := []any{"LANGFUSE_INIT_ORG_ID", "LANGFUSE_INIT_PROJECT_ID", "LANGFUSE_INIT_PROJECT_PUBLIC_KEY", "LANGFUSE_INIT_PROJECT_SECRET_KEY", "LANGFUSE_INIT_USER_EMAIL", "LANGFUSE_INIT_USER_PASSWORD"}
	for _, tc := range []struct {
		xr, namespace string
	}{{exampleClaimXR, "team-ml"}, {exampleNamespacedXR, ""}} {
		t.Run(tc.xr, func(t *testing.T) {
			// The init user signs in with a password.
			out, status := rendered(t, withSpec(t, loadXR(t, tc.xr), map[string]any{"spec.langfuse.init": map[string]any{"secretName": "langfuse-init", "keys": keys}, "spec.auth.disableEmailPasswordAuth": false}))
			_, webSecrets := variables(containerOf(t, revisionOf(t, out, compWebTask)))
			_, workerSecrets := variables(containerOf(t, revisionOf(t, out, compWorkerTask)))
			for _, k := range keys {
				key := k.(string)
				member := initMemberKey(key)
				secret := string(resourceName(compInitSecrets, member))
				version := out[string(resourceName(compInitVersions, member))]
				if version == nil {
					t.Fatalf("no secret version copies %s", key)
				}
				want := map[string]any{"name": "langfuse-init", "key": key}
				if tc.namespace != "" {
					want["namespace"] = tc.namespace // the claim's: the user's own Secret
				}
				if diff := cmp.Diff(want, fp(version)["secretStringSecretRef"]); diff != "" {
					t.Errorf("%s copies: -want, +got:\n%s", key, diff)
				}
				if got, want := fp(version)["secretId"], fp(out[secret])["name"]; got != want {
					t.Errorf("%s is copied into %v, want its own secret %v", key, got, want)
				}
				if got, want := webSecrets[key], reported(t, status, secret, "arn"); got != want {
					t.Errorf("web reads %s from %q, want %q", key, got, want)
				}
				if _, ok := workerSecrets[key]; ok {
					t.Errorf("the worker reads %s: initialization is the web container's", key)
				}
			}
		})
	}
}

// TestLinksAndSignUp checks what issue 12 found missing: the worker builds
// links from NEXTAUTH_URL too, and Langfuse's own sign-up is closed unless
// the spec opens it, but never closed to Cognito's users.
func TestLinksAndSignUp(t *testing.T) {
	cases := map[string]struct {
		set        map[string]any
		wantSignUp string
	}{
		"Cognito": {wantSignUp: "false"},
		"NoCognitoInitUser": {set: map[string]any{
			"spec.auth.cognito.enabled": false, "spec.auth.disableEmailPasswordAuth": false,
			"spec.langfuse.init": map[string]any{"secretName": "langfuse-init", "keys": []any{"LANGFUSE_INIT_ORG_ID", "LANGFUSE_INIT_USER_EMAIL", "LANGFUSE_INIT_USER_PASSWORD"}},
		}, wantSignUp: "true"},
		"NoCognitoOpenSignUp": {set: map[string]any{"spec.auth.cognito.enabled": false, "spec.auth.disableEmailPasswordAuth": false, "spec.auth.allowSignUp": true}, wantSignUp: "false"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out, _ := rendered(t, withSpec(t, loadXR(t, exampleClaimXR), tc.set))
			web, _ := variables(containerOf(t, revisionOf(t, out, compWebTask)))
			worker, _ := variables(containerOf(t, revisionOf(t, out, compWorkerTask)))
			for c, env := range map[string]map[string]string{"web": web, "worker": worker} {
				if got := env["NEXTAUTH_URL"]; got != "https://langfuse.example.com" {
					t.Errorf("%s NEXTAUTH_URL = %q, want https://langfuse.example.com", c, got)
				}
			}
			if got := web["AUTH_DISABLE_SIGNUP"]; got != tc.wantSignUp {
				t.Errorf("web AUTH_DISABLE_SIGNUP = %q, want %q", got, tc.wantSignUp)
			}
		})
	}
}

// TestDigestsPinImages checks that a digest in the spec is what ECS pulls.
func TestDigestsPinImages(t *testing.T) {
	digest := "sha256:" + strings.Repeat("0f", 32)
	out, _ := rendered(t, withSpec(t, loadXR(t, exampleClaimXR), map[string]any{"spec.langfuse.worker.digest": digest, "spec.clickhouse.digest": digest}))
	want := map[string]string{
		compWebTask:        "langfuse/langfuse:" + defaultLangfuseVersion,
		compWorkerTask:     "langfuse/langfuse-worker@" + digest,
		compClickHouseTask: "clickhouse/clickhouse-server@" + digest,
	}
	for td, image := range want {
		if got := containerOf(t, revisionOf(t, out, td)).Image; got != image {
			t.Errorf("%s image = %q, want %q", td, got, image)
		}
	}
}

// TestTaskRolesTrustOnlyThisAccount checks the confused-deputy guard of the
// task roles: once AWS reports a role's ARN, only ECS of that account and
// region may assume it, and a provider that forgets the ARN does not loosen
// it.
func TestTaskRolesTrustOnlyThisAccount(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	p, rsp, _ := converge(t, xr)
	trust := func(rsp *fnv1.RunFunctionResponse, role string) policyDoc {
		var doc policyDoc
		if err := json.Unmarshal([]byte(fp(rsp.GetDesired().GetResources()[role].GetResource().AsMap())["assumeRolePolicy"].(string)), &doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	want := policyCondition{
		"ArnLike":      {"aws:SourceArn": "arn:aws:ecs:eu-west-1:" + fakeaws.Account + ":*"},
		"StringEquals": {"aws:SourceAccount": fakeaws.Account},
	}
	for _, role := range []string{compAppTaskRole, compClickHouseTaskRole} {
		if diff := cmp.Diff(want, trust(rsp, role).Statement[0].Condition); diff != "" {
			t.Errorf("%s trust condition: -want, +got:\n%s", role, diff)
		}
		p.forgetStatus(t, role)
		if diff := cmp.Diff(want, trust(run(t, p.request(xr, nil)), role).Statement[0].Condition); diff != "" {
			t.Errorf("%s trust condition once the provider forgot its ARN: -want, +got:\n%s", role, diff)
		}
	}
}

// TestUserPoolTier checks the Cognito feature plan: Essentials where managed
// login needs it, Lite with the classic hosted UI.
func TestUserPoolTier(t *testing.T) {
	for login, want := range map[string]string{ManagedLoginV2: "ESSENTIALS", ManagedLoginClassic: "LITE"} {
		out, _ := rendered(t, withSpec(t, loadXR(t, exampleClaimXR), map[string]any{"spec.auth.cognito.managedLogin": login}))
		if got := fp(out[compUserPool])["userPoolTier"]; got != want {
			t.Errorf("managedLogin %s: userPoolTier %v, want %s", login, got, want)
		}
	}
}

// TestMigrationsRunInOneTask checks item 6 of issue 12: Langfuse's
// migrations run in exactly one place. Web tasks run none (two starting
// together could leave ClickHouse's schema_migrations dirty); one migrate
// task, in a service that never runs two, runs the web image's entrypoint
// with what it reads to migrate, and nothing else secret.
func TestMigrationsRunInOneTask(t *testing.T) {
	out, _ := rendered(t, loadXR(t, exampleClaimXR))
	web, _ := variables(containerOf(t, revisionOf(t, out, compWebTask)))
	for _, k := range []string{"LANGFUSE_AUTO_POSTGRES_MIGRATION_DISABLED", "LANGFUSE_AUTO_CLICKHOUSE_MIGRATION_DISABLED"} {
		if web[k] != "true" {
			t.Errorf("web %s = %q, want true: every web task would migrate", k, web[k])
		}
	}
	migrate := containerOf(t, revisionOf(t, out, compMigrateTask))
	env, secrets := variables(migrate)
	if want := "langfuse/langfuse:" + defaultLangfuseVersion; migrate.Image != want {
		t.Errorf("migrate image %q, want web's %q", migrate.Image, want)
	}
	if len(migrate.EntryPoint) != 0 {
		t.Errorf("migrate overrides the entrypoint %v, which is what migrates", migrate.EntryPoint)
	}
	for _, k := range []string{"DATABASE_HOST", "DATABASE_USERNAME", "DATABASE_NAME", "DATABASE_ARGS", "CLICKHOUSE_URL", "CLICKHOUSE_MIGRATION_URL", "CLICKHOUSE_USER", "CLICKHOUSE_DB"} {
		if env[k] == "" {
			t.Errorf("migrate lacks %s, which the entrypoint reads", k)
		}
	}
	if env["CLICKHOUSE_CLUSTER_ENABLED"] != "false" {
		t.Errorf("CLICKHOUSE_CLUSTER_ENABLED = %q: up.sh would take the clustered path", env["CLICKHOUSE_CLUSTER_ENABLED"])
	}
	if got := slices.Sorted(maps.Keys(secrets)); !slices.Equal(got, []string{"CLICKHOUSE_PASSWORD", "DATABASE_PASSWORD"}) {
		t.Errorf("migrate secrets %v, want only the two passwords it migrates with", got)
	}
	svc := fp(out[compMigrateService])
	if svc["desiredCount"] != 1.0 || svc["deploymentMaximumPercent"] != 100.0 || svc["deploymentMinimumHealthyPercent"] != 0.0 || svc["waitForSteadyState"] != true {
		t.Errorf("migrate service %v: want one task, never two (100 %%/0 %%), waiting for steady state", svc)
	}
}

// TestRegistryLoginPullsEveryImage checks that with registry credentials
// every container pulls logged in, with the Secrets Manager copy of the
// user's Secret, copied by reference from the claim's namespace.
func TestRegistryLoginPullsEveryImage(t *testing.T) {
	out, _ := rendered(t, withSpec(t, loadXR(t, exampleClaimXR), map[string]any{"spec.langfuse.registryCredentials": map[string]any{"secretName": "docker-hub"}}))
	version := fp(out[compRegistryVersion])
	if ref := version["secretStringSecretRef"]; !reflect.DeepEqual(ref, map[string]any{"name": "docker-hub", "namespace": "team-ml", "key": "credentials"}) {
		t.Errorf("the registry login is copied from %v, want the claim's Secret docker-hub, key credentials", ref)
	}
	for _, td := range []string{compWebTask, compWorkerTask, compClickHouseTask, compMigrateTask} {
		c := containerOf(t, revisionOf(t, out, td))
		if c.RepositoryCredentials == nil || !strings.Contains(c.RepositoryCredentials.CredentialsParameter, ":secretsmanager:") {
			t.Errorf("%s pulls %s without the registry login: %+v", td, c.Image, c.RepositoryCredentials)
		}
	}
}
