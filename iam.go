package main

import (
	"encoding/json"
	"regexp"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// Who the tasks are to AWS. The execution role is what ECS itself uses to
// start a task: pull its image, create its log streams and read exactly this
// XR's secrets, by ARN. The task roles are what the containers run as: web
// and worker read and write the bucket's prefixes; ClickHouse mounts its
// access point of the file system; every container opens ECS Exec sessions.
// Each policy names the ARNs AWS reported, so it waits for them.

// maxRoleName is IAM's limit on a role's name.
const maxRoleName = 64

// ecsTasksPrincipal is the service that assumes the roles.
const ecsTasksPrincipal = "ecs-tasks.amazonaws.com"

// role is one of the IAM roles of the tasks, with the inline policy that
// grants what it may do.
type role struct {
	component, policy string
	// name is the role's name, within the XR's names.
	name string
	// what says what the role is for, as its description.
	what string
	// task roles take a confused-deputy guard in their trust policy; ECS
	// documents it for task roles only.
	task bool
	// statements are the policy's statements, built from observed ARNs.
	statements func(*world) ([]any, error)
}

var (
	executionRole = role{
		component: compExecutionRole, policy: compExecutionPolicy, name: "execution",
		what:       "ECS task execution role of Langfuse: image pulls, logs and this XR's secrets",
		statements: executionStatements,
	}
	appTaskRole = role{
		component: compAppTaskRole, policy: compAppTaskPolicy, name: "app", task: true,
		what:       "Task role of Langfuse web and worker: the bucket's prefixes and ECS Exec",
		statements: appTaskStatements,
	}
	clickHouseTaskRole = role{
		component: compClickHouseTaskRole, policy: compClickHouseTaskPolicy, name: "clickhouse", task: true,
		what:       "Task role of ClickHouse: its access point of the file system and ECS Exec",
		statements: clickHouseTaskStatements,
	}
)

// roleName is the role's AWS name, its external name.
func (w *world) roleName(r role) string {
	return w.externalName(r.component, w.names.name(r.name, maxRoleName))
}

// buildRole returns the role, which ECS tasks in the XR's region may assume.
func (r role) buildRole(w *world) (*composed.Unstructured, error) {
	trust := map[string]any{
		"Effect":    "Allow",
		"Principal": map[string]any{"Service": ecsTasksPrincipal},
		"Action":    "sts:AssumeRole",
	}
	if r.task {
		trust["Condition"] = map[string]any{"ArnLike": map[string]any{"aws:SourceArn": "arn:aws:ecs:" + w.spec.Region + ":*:*"}}
	}
	doc, err := policyDocument([]any{trust})
	if err != nil {
		return nil, errors.Wrapf(err, "cannot encode the trust policy of %s", r.component)
	}
	return w.style.New(r.component, kindRole, w.spec.Region, map[string]any{
		"assumeRolePolicy": doc,
		"description":      r.what,
	}, mrOptions{tagged: true, externalName: w.roleName(r)}), nil
}

// buildPolicy returns the role's inline policy.
func (r role) buildPolicy(w *world) (*composed.Unstructured, error) {
	statements, err := r.statements(w)
	if err != nil {
		return nil, err
	}
	doc, err := policyDocument(statements)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot encode the policy of %s", r.component)
	}
	// The policy's name is its external name, unique within its role.
	return w.style.New(r.policy, kindRolePolicy, w.spec.Region, map[string]any{
		"roleSelector": selectorFor(r.component),
		"policy":       doc,
	}, mrOptions{externalName: "langfuse"}), nil
}

// executionSecrets are the secrets ECS reads for the containers, by the
// component of each Secrets Manager secret.
func executionSecrets(s *Spec) []string {
	out := []string{compCredentialsSecret, compDatabaseSecret, compCacheSecret}
	if s.CognitoEnabled() {
		out = append(out, compClientSecret)
	}
	return out
}

// logGroups are the containers' log groups.
var logGroups = []string{compLogGroupWeb, compLogGroupWorker, compLogGroupClickHouse}

func executionStatements(w *world) ([]any, error) {
	secrets, err := w.arns(executionSecrets(w.spec)...)
	if err != nil {
		return nil, err
	}
	initSecrets, err := w.initSecretARNs()
	if err != nil {
		return nil, err
	}
	secrets = append(secrets, sortedValues(initSecrets)...)
	streams, err := w.logStreamARNs(logGroups...)
	if err != nil {
		return nil, err
	}
	statements := []any{
		statement("ReadThisXRsSecrets", []string{"secretsmanager:GetSecretValue"}, secrets),
		statement("WriteContainerLogs", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, streams),
	}
	if repo, ok := ecrRepositories(w.spec.Langfuse.ImageRegistry); ok {
		statements = append(statements,
			statement("AuthenticateToECR", []string{"ecr:GetAuthorizationToken"}, []string{"*"}),
			// A pull-through cache creates a repository and imports the
			// image on its first pull.
			statement("PullThroughTheRegistry", []string{
				"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
				"ecr:BatchImportUpstreamImage", "ecr:CreateRepository",
			}, []string{repo}),
		)
	}
	return statements, nil
}

// bucketPrefixes are where Langfuse keeps its objects in the bucket.
var bucketPrefixes = []string{eventsPrefix, mediaPrefix, exportsPrefix}

const (
	eventsPrefix  = "events/"
	mediaPrefix   = "media/"
	exportsPrefix = "exports/"
)

func appTaskStatements(w *world) ([]any, error) {
	bucket, err := w.arns(compBucket)
	if err != nil {
		return nil, err
	}
	streams, err := w.logStreamARNs(compLogGroupWeb, compLogGroupWorker)
	if err != nil {
		return nil, err
	}
	objects := make([]string, 0, len(bucketPrefixes))
	listable := make([]string, 0, len(bucketPrefixes))
	for _, p := range bucketPrefixes {
		objects = append(objects, bucket[0]+"/"+p+"*")
		listable = append(listable, p+"*")
	}
	list := statement("ListLangfusePrefixes", []string{"s3:ListBucket"}, bucket)
	list["Condition"] = map[string]any{"StringLike": map[string]any{"s3:prefix": listable}}
	return append([]any{
		statement("ReadWriteLangfuseObjects", []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"}, objects),
		list,
	}, execStatements(streams)...), nil
}

func clickHouseTaskStatements(w *world) ([]any, error) {
	fs, err := w.arns(compEFS, compEFSAccessPoint)
	if err != nil {
		return nil, err
	}
	streams, err := w.logStreamARNs(compLogGroupClickHouse)
	if err != nil {
		return nil, err
	}
	mount := statement("MountTheAccessPoint", []string{"elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"}, fs[:1])
	mount["Condition"] = map[string]any{"StringEquals": map[string]any{"elasticfilesystem:AccessPointArn": fs[1]}}
	return append([]any{mount}, execStatements(streams)...), nil
}

// execStatements let a container open ECS Exec sessions, whose output goes
// to the container's log group (the cluster logs them as DEFAULT).
func execStatements(streams []string) []any {
	return []any{
		statement("OpenExecSessions", []string{
			"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
			"ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
		}, []string{"*"}),
		statement("DescribeLogGroupsForExec", []string{"logs:DescribeLogGroups"}, []string{"*"}),
		statement("LogExecSessions", []string{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"}, streams),
	}
}

// logStreamARNs are the ARNs of the log groups' streams.
func (w *world) logStreamARNs(groups ...string) ([]string, error) {
	arns, err := w.arns(groups...)
	if err != nil {
		return nil, err
	}
	for i, a := range arns {
		arns[i] = a + ":log-stream:*"
	}
	return arns, nil
}

func statement(sid string, actions, resources []string) map[string]any {
	return map[string]any{"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}
}

func policyDocument(statements []any) (string, error) {
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
	return string(b), err
}

// reECRRegistry is a private ECR registry with an optional repository
// prefix: <account>.dkr.ecr.<region>.amazonaws.com[/<prefix>].
var reECRRegistry = regexp.MustCompile(`^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?(/(.+))?$`)

// ecrRepositories is the ARN pattern of the repositories an ECR image
// registry serves the images from, when the registry is ECR.
func ecrRepositories(registry string) (string, bool) {
	m := reECRRegistry.FindStringSubmatch(registry)
	if m == nil {
		return "", false
	}
	partition := "aws"
	if m[3] != "" {
		partition = "aws-cn"
	}
	repo := "*"
	if m[5] != "" {
		repo = m[5] + "/*"
	}
	return "arn:" + partition + ":ecr:" + m[2] + ":" + m[1] + ":repository/" + repo, true
}
