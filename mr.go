package main

import (
	"encoding/base64"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// Labels and annotations the function puts on what it composes.
const (
	// labelComponent names the graph component an MR belongs to. Selectors
	// use it, together with matchControllerRef, to find a sibling MR without
	// knowing its generated name.
	labelComponent = "langfuse.fn.crossplane.io/component"
	// labelMember names the member of a component of several resources
	// (its member key), so a selector can pick one of them.
	labelMember = "langfuse.fn.crossplane.io/member"

	annotationExternalName = meta.AnnotationKeyExternalName
)

// kind is a provider-aws kind the function composes. The namespaced kinds in
// <group>.aws.m.upbound.io serve only v1beta1; the cluster kinds in
// <group>.aws.upbound.io sometimes also serve v1beta2, whose field shapes
// (objects, not singleton lists) match the namespaced v1beta1 that the
// builders write. So one body serves both, at the version named here.
type kind struct {
	group          string // e.g. "acm"
	kind           string // e.g. "Certificate"
	clusterVersion string // the newest cluster version, the one shaped like namespaced v1beta1
	regional       bool   // false for global kinds (Route53 Record, IAM) that reject forProvider.region
}

var (
	kindCertificate           = kind{"acm", "Certificate", "v1beta2", true}
	kindCertificateValidation = kind{"acm", "CertificateValidation", "v1beta1", true}
	kindRecord                = kind{"route53", "Record", "v1beta2", false}
	kindSecurityGroup         = kind{"ec2", "SecurityGroup", "v1beta1", true}
	kindIngressRule           = kind{"ec2", "SecurityGroupIngressRule", "v1beta1", true}
	kindEgressRule            = kind{"ec2", "SecurityGroupEgressRule", "v1beta1", true}
	kindLB                    = kind{"elbv2", "LB", "v1beta2", true}
	kindLBListener            = kind{"elbv2", "LBListener", "v1beta2", true}
	kindLBTargetGroup         = kind{"elbv2", "LBTargetGroup", "v1beta2", true}
	kindUserPool              = kind{"cognitoidp", "UserPool", "v1beta2", true}
	kindUserPoolClient        = kind{"cognitoidp", "UserPoolClient", "v1beta1", true}
	kindUserPoolDomain        = kind{"cognitoidp", "UserPoolDomain", "v1beta1", true}
	kindCloudControlResource  = kind{"cloudcontrol", "Resource", "v1beta1", true}
	kindDistribution          = kind{"cloudfront", "Distribution", "v1beta2", false}
	kindIPSet                 = kind{"wafv2", "IPSet", "v1beta1", true}
	kindWebACL                = kind{"wafv2", "WebACL", "v1beta1", true}
	kindWebACLAssociation     = kind{"wafv2", "WebACLAssociation", "v1beta1", true}
	kindSecret                = kind{"secretsmanager", "Secret", "v1beta1", true}
	kindSecretVersion         = kind{"secretsmanager", "SecretVersion", "v1beta1", true}

	kindBucket                              = kind{"s3", "Bucket", "v1beta2", true}
	kindBucketPublicAccessBlock             = kind{"s3", "BucketPublicAccessBlock", "v1beta1", true}
	kindBucketOwnershipControls             = kind{"s3", "BucketOwnershipControls", "v1beta2", true}
	kindBucketEncryption                    = kind{"s3", "BucketServerSideEncryptionConfiguration", "v1beta2", true}
	kindBucketPolicy                        = kind{"s3", "BucketPolicy", "v1beta1", true}
	kindBucketLifecycle                     = kind{"s3", "BucketLifecycleConfiguration", "v1beta1", true}
	kindFileSystem                          = kind{"efs", "FileSystem", "v1beta2", true}
	kindMountTarget                         = kind{"efs", "MountTarget", "v1beta1", true}
	kindAccessPoint                         = kind{"efs", "AccessPoint", "v1beta2", true}
	kindFileSystemPolicy                    = kind{"efs", "FileSystemPolicy", "v1beta1", true}
	kindDBSubnetGroup                       = kind{"rds", "SubnetGroup", "v1beta1", true}
	kindDBClusterParameterGroup             = kind{"rds", "ClusterParameterGroup", "v1beta1", true}
	kindDBCluster                           = kind{"rds", "Cluster", "v1beta2", true}
	kindDBClusterInstance                   = kind{"rds", "ClusterInstance", "v1beta1", true}
	kindCacheSubnetGroup                    = kind{"elasticache", "SubnetGroup", "v1beta1", true}
	kindCacheParameterGroup                 = kind{"elasticache", "ParameterGroup", "v1beta1", true}
	kindReplicationGroup                    = kind{"elasticache", "ReplicationGroup", "v1beta2", true}
	kindECSCluster                          = kind{"ecs", "Cluster", "v1beta2", true}
	kindLogGroup                            = kind{"cloudwatchlogs", "Group", "v1beta1", true}
	kindPrivateDNSNamespace                 = kind{"servicediscovery", "PrivateDNSNamespace", "v1beta1", true}
	kindDiscoveryService                    = kind{"servicediscovery", "Service", "v1beta2", true}
	kindVPC                                 = kind{"ec2", "VPC", "v1beta1", true}
	kindSubnet                              = kind{"ec2", "Subnet", "v1beta1", true}
	kindInternetGateway                     = kind{"ec2", "InternetGateway", "v1beta1", true}
	kindRouteTable                          = kind{"ec2", "RouteTable", "v1beta1", true}
	kindRoute                               = kind{"ec2", "Route", "v1beta2", true}
	kindRouteTableAssociation               = kind{"ec2", "RouteTableAssociation", "v1beta1", true}
	kindEIP                                 = kind{"ec2", "EIP", "v1beta1", true}
	kindNATGateway                          = kind{"ec2", "NATGateway", "v1beta1", true}
	kindInstance                            = kind{"ec2", "Instance", "v1beta2", true}
	kindVPCEndpoint                         = kind{"ec2", "VPCEndpoint", "v1beta1", true}
	kindVPCEndpointRouteTableAssociation    = kind{"ec2", "VPCEndpointRouteTableAssociation", "v1beta1", true}
	kindVPCEndpointSubnetAssociation        = kind{"ec2", "VPCEndpointSubnetAssociation", "v1beta1", true}
	kindVPCEndpointSecurityGroupAssociation = kind{"ec2", "VPCEndpointSecurityGroupAssociation", "v1beta1", true}
	kindRole                                = kind{"iam", "Role", "v1beta1", false}
	kindRolePolicy                          = kind{"iam", "RolePolicy", "v1beta1", false}
	kindTaskDefinition                      = kind{"ecs", "TaskDefinition", "v1beta2", true}
	kindECSService                          = kind{"ecs", "Service", "v1beta2", true}
	kindClusterCapacityProviders            = kind{"ecs", "ClusterCapacityProviders", "v1beta1", true}
	kindScalingTarget                       = kind{"appautoscaling", "Target", "v1beta1", true}
	kindScalingPolicy                       = kind{"appautoscaling", "Policy", "v1beta2", true}
)

// MRStyle knows how the two kinds of XR compose managed resources (README.md,
// "Two kinds of XR, two kinds of MR"). Builders describe a resource's
// forProvider body and never look at the scope; everything that differs
// between the scopes goes through here.
type MRStyle struct {
	// Namespaced is true for a namespaced (Crossplane v2) XR, whose MRs are the
	// .m. kinds in the XR's namespace. False for a claim's cluster-scoped XR.
	Namespaced bool

	ProviderConfigName string

	// SecretNamespace is where cluster-scoped MRs write and read secrets.
	// Namespaced MRs always use their own namespace, so they name none.
	SecretNamespace string

	// Orphan keeps stateful resources in AWS when the XR is deleted.
	Orphan bool

	// Tags go on every resource that takes tags.
	Tags map[string]string
}

// apiVersion of a kind in this style.
func (s MRStyle) apiVersion(k kind) string {
	if s.Namespaced {
		return k.group + ".aws.m.upbound.io/v1beta1"
	}
	return k.group + ".aws.upbound.io/" + k.clusterVersion
}

// mrOptions are what a builder may ask of New beyond the body.
type mrOptions struct {
	region       string            // forProvider.region, for regional kinds; defaults to the main region
	stateful     bool              // orphaned on delete unless deletionPolicy: Delete
	externalName string            // the AWS name, for kinds whose name is the external-name
	tagged       bool              // the kind has forProvider.tags
	connSecret   string            // writeConnectionSecretToRef name
	extraTags    map[string]string // per-resource tags such as Name
	// initProvider fields are set when the resource is created and never
	// again, for fields something else owns after that (the autoscaler owns
	// a service's task count).
	initProvider map[string]any
	// skipLateInitialize keeps the provider from copying what AWS reports
	// into the spec, where it would undo the owner's later changes.
	skipLateInitialize bool
	// observeOnly makes the provider only report the resource, which the
	// user owns: it never creates, changes or deletes it.
	observeOnly bool
}

// New returns a managed resource of kind k, with forProvider set to body plus
// region and tags, and everything scope-specific filled in.
func (s MRStyle) New(component string, k kind, region string, body map[string]any, o mrOptions) *composed.Unstructured {
	mr := composed.New()
	mr.SetAPIVersion(s.apiVersion(k))
	mr.SetKind(k.kind)
	setLabels(mr, labelComponent, component)
	if o.externalName != "" {
		mr.SetAnnotations(map[string]string{annotationExternalName: o.externalName})
	}

	fp := maps.Clone(body)
	if k.regional {
		if o.region != "" {
			region = o.region
		}
		fp["region"] = region
	}
	if o.tagged {
		tags := map[string]any{}
		for k, v := range s.Tags {
			tags[k] = v
		}
		for k, v := range o.extraTags {
			tags[k] = v
		}
		tags[tagManagedBy] = "function-langfuse"
		tags[labelComponent] = component
		fp["tags"] = tags
	}

	spec := map[string]any{"forProvider": fp}
	if o.initProvider != nil {
		spec["initProvider"] = o.initProvider
	}
	orphan := o.stateful && s.Orphan
	if s.Namespaced {
		spec["providerConfigRef"] = map[string]any{"kind": "ClusterProviderConfig", "name": s.ProviderConfigName}
	} else {
		spec["providerConfigRef"] = map[string]any{"name": s.ProviderConfigName}
		if orphan {
			spec["deletionPolicy"] = DeletionPolicyOrphan
		}
	}
	// Namespaced MRs have no deletionPolicy: leaving Delete out of the
	// management policies is how they orphan.
	if policies := managementPolicies(orphan && s.Namespaced, o.skipLateInitialize); policies != nil {
		spec["managementPolicies"] = policies
	}
	if o.observeOnly {
		spec["managementPolicies"] = []any{"Observe"}
	}
	if o.connSecret != "" {
		spec["writeConnectionSecretToRef"] = s.secretRef(o.connSecret, "")
	}
	// Set directly: the body is already plain JSON-shaped data, and SetValue
	// would round-trip it through JSON on every call.
	mr.Object["spec"] = spec
	return mr
}

// setLabels sets a composed resource's labels to the key and value pairs
// given, straight into its metadata: SetLabels converts through a typed map
// and fieldpath, on every resource of every call.
func setLabels(mr *composed.Unstructured, kv ...string) {
	labels := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		labels[kv[i]] = kv[i+1]
	}
	meta, ok := mr.Object["metadata"].(map[string]any)
	if !ok {
		meta = map[string]any{}
		mr.Object["metadata"] = meta
	}
	meta["labels"] = labels
}

// managementPolicies are the policies of an MR that leaves out Delete or
// LateInitialize; nil for the default, everything.
func managementPolicies(noDelete, noLateInitialize bool) []any {
	if !noDelete && !noLateInitialize {
		return nil
	}
	policies := []any{"Observe", "Create", "Update"}
	if !noDelete {
		policies = append(policies, "Delete")
	}
	if !noLateInitialize {
		policies = append(policies, "LateInitialize")
	}
	return policies
}

// NewSecret returns a Kubernetes Secret holding data. A claim's cluster-scoped
// XR puts it in the secret namespace; a namespaced XR's namespace is forced
// onto it by Crossplane.
func (s MRStyle) NewSecret(component, name string, data map[string]string) *composed.Unstructured {
	mr := composed.New()
	mr.SetAPIVersion("v1")
	mr.SetKind("Secret")
	mr.SetName(name)
	if !s.Namespaced {
		mr.SetNamespace(s.SecretNamespace)
	}
	setLabels(mr, labelComponent, component)
	encoded := make(map[string]any, len(data))
	for k, v := range data {
		encoded[k] = base64.StdEncoding.EncodeToString([]byte(v))
	}
	mr.Object["type"] = "Opaque"
	mr.Object["data"] = encoded
	return mr
}

// typed is anything with an apiVersion and a kind: a desired resource, or
// an observed one read in place.
type typed interface {
	GetAPIVersion() string
	GetKind() string
}

// isKubernetesSecret says whether a composed resource is a Secret, which has
// no Ready condition: it is ready once it exists.
func isKubernetesSecret(mr typed) bool {
	return mr.GetAPIVersion() == "v1" && mr.GetKind() == "Secret"
}

// secretRef is a reference to a Kubernetes Secret (with a key when key is set).
func (s MRStyle) secretRef(name, key string) map[string]any {
	ref := map[string]any{"name": name}
	if key != "" {
		ref["key"] = key
	}
	if !s.Namespaced {
		ref["namespace"] = s.SecretNamespace
	}
	return ref
}

// selectorFor selects the MR of another component of the same XR. Selectors,
// unlike refs, need no knowledge of the generated metadata.name, and
// matchControllerRef keeps the match inside this XR.
func selectorFor(component string) map[string]any {
	return map[string]any{
		"matchControllerRef": true,
		"matchLabels":        map[string]any{labelComponent: component},
	}
}

// Tags the function sets itself on every tagged resource.
const (
	tagManagedBy = "managed-by"
	tagName      = "Name"
)

// AWS's tag rules: at most 50 tags on a resource, keys of 1 to 128 and values
// of up to 256 characters, letters, digits, spaces and _.:/=+-@, and no key
// beginning with aws: (AWS reserves it).
const (
	maxTagsPerResource = 50
	maxTagKeyLength    = 128
	maxTagValueLength  = 256
)

var reTagChars = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// validateTags checks the input's tags against AWS's rules, naming each tag
// it refuses, so that no resource is sent to AWS with a tag AWS rejects.
func validateTags(tags map[string]string) field.ErrorList {
	p := field.NewPath("input", "tags")
	var errs field.ErrorList
	reserved := map[string]bool{tagManagedBy: true, tagName: true, labelComponent: true}
	// Sorted, so the same input always gives the same message.
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		v := tags[k]
		switch {
		case k == "" || len(k) > maxTagKeyLength:
			errs = append(errs, field.Invalid(p.Key(k), k, fmt.Sprintf("a tag key must have 1 to %d characters", maxTagKeyLength)))
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			errs = append(errs, field.Invalid(p.Key(k), k, "tag keys beginning with aws: are reserved by AWS"))
		case reserved[k]:
			errs = append(errs, field.Invalid(p.Key(k), k, "the function sets this tag itself"))
		case !reTagChars.MatchString(k):
			errs = append(errs, field.Invalid(p.Key(k), k, "a tag key may only have letters, digits, spaces and _.:/=+-@"))
		}
		switch {
		case len(v) > maxTagValueLength:
			errs = append(errs, field.TooLong(p.Key(k), v, maxTagValueLength))
		case !reTagChars.MatchString(v):
			errs = append(errs, field.Invalid(p.Key(k), v, "a tag value may only have letters, digits, spaces and _.:/=+-@"))
		}
	}
	if limit := maxTagsPerResource - len(reserved); len(tags) > limit {
		errs = append(errs, field.TooMany(p, len(tags), limit))
	}
	return errs
}
