package main

import (
	"encoding/json"
	"regexp"
	"strings"

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
	statements func(*world) ([]policyStatement, error)
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
	trust := policyStatement{Effect: "Allow", Principal: map[string]any{"Service": ecsTasksPrincipal}, Action: "sts:AssumeRole"}
	if r.task {
		// Only ECS in this region, and once the role's own ARN tells the
		// account, only ECS of this account (a one-time in-place update of
		// the trust policy).
		trust.Condition = policyCondition{"ArnLike": {"aws:SourceArn": "arn:aws:ecs:" + w.spec.Region + ":*:*"}}
		if partition, account := w.roleAccount(r); account != "" {
			trust.Condition = policyCondition{
				"ArnLike":      {"aws:SourceArn": "arn:" + partition + ":ecs:" + w.spec.Region + ":" + account + ":*"},
				"StringEquals": {"aws:SourceAccount": account},
			}
		}
	}
	doc, err := policyDocument(trust)
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
	doc, err := policyDocument(statements...)
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
	if withRegistryCredentials(s) {
		out = append(out, compRegistrySecret)
	}
	return out
}

// logGroups are the containers' log groups.
var logGroups = []string{compLogGroupWeb, compLogGroupWorker, compLogGroupClickHouse}

func executionStatements(w *world) ([]policyStatement, error) {
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
	statements := []policyStatement{
		allow("ReadThisXRsSecrets", []string{"secretsmanager:GetSecretValue"}, secrets),
		allow("WriteContainerLogs", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, streams),
	}
	if repo, ok := ecrRepositories(w.spec.Langfuse.ImageRegistry); ok {
		statements = append(statements,
			allow("AuthenticateToECR", []string{"ecr:GetAuthorizationToken"}, []string{"*"}),
			// A pull-through cache creates a repository and imports the
			// image on its first pull.
			allow("PullThroughTheRegistry", []string{
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

func appTaskStatements(w *world) ([]policyStatement, error) {
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
	list := allow("ListLangfusePrefixes", []string{"s3:ListBucket"}, bucket).
		when(policyCondition{"StringLike": {"s3:prefix": listable}})
	return append([]policyStatement{
		allow("ReadWriteLangfuseObjects", []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"}, objects),
		list,
	}, execStatements(streams)...), nil
}

func clickHouseTaskStatements(w *world) ([]policyStatement, error) {
	fs, err := w.arns(compEFS, compEFSAccessPoint)
	if err != nil {
		return nil, err
	}
	streams, err := w.logStreamARNs(compLogGroupClickHouse)
	if err != nil {
		return nil, err
	}
	mount := allow("MountTheAccessPoint", []string{"elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"}, fs[:1]).
		when(policyCondition{"StringEquals": {"elasticfilesystem:AccessPointArn": fs[1]}})
	return append([]policyStatement{mount}, execStatements(streams)...), nil
}

// execStatements let a container open ECS Exec sessions, whose output goes
// to the container's log group (the cluster logs them as DEFAULT).
func execStatements(streams []string) []policyStatement {
	return []policyStatement{
		allow("OpenExecSessions", []string{
			"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
			"ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
		}, []string{"*"}),
		allow("DescribeLogGroupsForExec", []string{"logs:DescribeLogGroups"}, []string{"*"}),
		allow("LogExecSessions", []string{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"}, streams),
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

// roleAccount is the partition and account of a role: from the ARN AWS
// reports, else from the trust policy the role was given (a provider that
// forgets the status must not loosen the trust).
func (w *world) roleAccount(r role) (partition, account string) {
	if partition, account = arnAccount(w.statusString(r.component, statusPathARN)); account != "" {
		return partition, account
	}
	var doc policyDoc
	trust := w.observedOne(r.component).str("spec.forProvider.assumeRolePolicy")
	if trust == "" || json.Unmarshal([]byte(trust), &doc) != nil {
		return "", ""
	}
	for _, st := range doc.Statement {
		if a, ok := st.Condition["StringEquals"]["aws:SourceAccount"].(string); ok && reAccountID.MatchString(a) {
			source, _ := st.Condition["ArnLike"]["aws:SourceArn"].(string)
			if p, _ := arnAccount(source); p != "" {
				return p, a
			}
		}
	}
	return "", ""
}

// arnAccount is the partition and account of an ARN (arn:<partition>:<service>:
// <region>:<account>:…), or "" where it names none.
func arnAccount(arn string) (partition, account string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || !reAccountID.MatchString(parts[4]) {
		return "", ""
	}
	return parts[1], parts[4]
}

// reAccountID is an AWS account id.
var reAccountID = regexp.MustCompile(`^[0-9]{12}$`)

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
