package main

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane/function-sdk-go/errors"
)

// Spec is the XR's spec: the API in README.md ("The API"). The function depends only on
// it, never on the XR's group or kind, so platform teams may rename those.
type Spec struct {
	Region             string       `json:"region"`
	ProviderConfigName string       `json:"providerConfigName,omitempty"`
	DeletionPolicy     string       `json:"deletionPolicy,omitempty"`
	Domain             Domain       `json:"domain"`
	Network            Network      `json:"network"`
	LoadBalancer       LoadBalancer `json:"loadBalancer"`
	Auth               Auth         `json:"auth"`
	Langfuse           Langfuse     `json:"langfuse"`
	ClickHouse         Task         `json:"clickhouse"`
	Database           Database     `json:"database"`
	Cache              Cache        `json:"cache"`
}

// Domain is where Langfuse is reachable: hostName.zoneName in an existing
// public Route53 hosted zone.
type Domain struct {
	HostName string `json:"hostName"`
	ZoneName string `json:"zoneName"`
	ZoneID   string `json:"zoneId"`
}

// Network is where Langfuse runs: the user's own VPC, given by the IDs of
// it and its subnets, or a VPC the function composes (VPC). One or the
// other, for the life of the Langfuse.
type Network struct {
	VPCID            string   `json:"vpcId,omitempty"`
	PublicSubnetIDs  []string `json:"publicSubnetIds,omitempty"`
	PrivateSubnetIDs []string `json:"privateSubnetIds,omitempty"`
	VPC              *VPC     `json:"vpc,omitempty"`
	AllowedCIDRs     []string `json:"allowedCidrs"`
}

// VPC is a VPC of Langfuse's own (vpc.go): a public and a private subnet in
// each availability zone, carved from one CIDR block, and the egress of the
// private subnets.
type VPC struct {
	CIDR string `json:"cidr,omitempty"`
	// AvailabilityZones are the zone names, 2 or 3, in order: each zone's
	// subnet blocks follow its position.
	AvailabilityZones []string `json:"availabilityZones,omitempty"`
	Egress            string   `json:"egress,omitempty"`
}

// OwnVPC says whether the function composes the VPC.
func (n *Network) OwnVPC() bool { return n.VPC != nil }

// ownVPC is the VPC to compose, empty with the user's.
func (n *Network) ownVPC() VPC {
	if n.VPC == nil {
		return VPC{}
	}
	return *n.VPC
}

// LoadBalancer configures the load balancer beyond who may reach it.
type LoadBalancer struct {
	AccessLogs AccessLogs `json:"accessLogs"`
	CloudFront CloudFront `json:"cloudFront"`
	WAF        WAF        `json:"waf"`
}

// CloudFront puts Langfuse behind a CloudFront distribution and a WAF web
// ACL, the load balancer internal behind them (cloudfront.go, waf.go). Set
// when the Langfuse is created: AWS can only replace a load balancer to make
// it internal.
type CloudFront struct {
	Enabled bool `json:"enabled,omitempty"`
}

// WAF is the web ACL in front of Langfuse (waf.go): CloudFront's, always
// there behind CloudFront (it holds the allowlist), or, when Enabled, the
// load balancer's.
type WAF struct {
	Enabled bool `json:"enabled,omitempty"`
	// RateLimit is how many requests one address may send in five minutes
	// before WAF blocks it for a while; Langfuse's public API (the SDKs'
	// ingestion) is not counted.
	RateLimit int64 `json:"rateLimit,omitempty"`
}

// Default fills the defaults of spec.loadBalancer.
func (l *LoadBalancer) Default() {
	if l.AccessLogs.ExpireAfterDays == 0 {
		l.AccessLogs.ExpireAfterDays = defaultAccessLogDays
	}
	if l.WAF.RateLimit == 0 {
		l.WAF.RateLimit = defaultRateLimit
	}
}

// AccessLogs are the load balancer's access logs, in a bucket of their own
// (accesslogs.go).
type AccessLogs struct {
	Enabled         bool  `json:"enabled,omitempty"`
	ExpireAfterDays int64 `json:"expireAfterDays,omitempty"`
}

// maxAccessLogDays is the longest access logs are kept: ten years.
const maxAccessLogDays = 3650

// Auth selects how people sign in to Langfuse.
type Auth struct {
	// DisableEmailPasswordAuth is a pointer because its default depends on
	// whether Cognito is enabled.
	DisableEmailPasswordAuth *bool `json:"disableEmailPasswordAuth,omitempty"`
	// AllowSignUp opens Langfuse's own sign-up to anyone who reaches it,
	// which only applies without Cognito (Cognito decides who exists).
	AllowSignUp bool    `json:"allowSignUp,omitempty"`
	Cognito     Cognito `json:"cognito"`
}

// Cognito configures the Amazon Cognito user pool that Langfuse signs in with.
type Cognito struct {
	Enabled             *bool  `json:"enabled,omitempty"`
	DomainPrefix        string `json:"domainPrefix,omitempty"`
	SelfSignUp          bool   `json:"selfSignUp,omitempty"`
	AllowAccountLinking bool   `json:"allowAccountLinking,omitempty"`
	MFA                 string `json:"mfa,omitempty"`
	ManagedLogin        string `json:"managedLogin,omitempty"`
}

// Langfuse pins the Langfuse release and sizes its containers.
type Langfuse struct {
	Version string `json:"version,omitempty"`
	// LogLevel and LogFormat are Langfuse's own; empty leaves its defaults
	// (info, text), and task definitions as they were.
	LogLevel  string `json:"logLevel,omitempty"`
	LogFormat string `json:"logFormat,omitempty"`
	// ImageRegistry, when set, prefixes every image (an ECR pull-through
	// cache of Docker Hub, say), so no task pulls from Docker Hub itself.
	ImageRegistry       string               `json:"imageRegistry,omitempty"`
	DefaultOrganization *DefaultOrganization `json:"defaultOrganization,omitempty"`
	Init                *Init                `json:"init,omitempty"`
	// RegistryCredentials names the user's Secret of a registry login,
	// with which ECS pulls every image: Docker Hub limits anonymous pulls to
	// 10 per hour per IP address, which every task behind one NAT shares.
	RegistryCredentials *RegistryCredentials `json:"registryCredentials,omitempty"`
	// Migration is Langfuse 4's move to its new data model, which the
	// function never makes unasked (release.go).
	Migration *Migration `json:"migration,omitempty"`
	Web       Task       `json:"web"`
	Worker    Task       `json:"worker"`
}

// Migration is the v3 → v4 migration of Langfuse's upgrade guide: which
// tables Langfuse writes (writeMode), whether the new tables show in the UI,
// the one-off backfill of the data written before, and the cleanup of its
// scratch table. Empty fields keep what runs (release.go).
type Migration struct {
	WriteMode         string `json:"writeMode,omitempty"`
	PreviewOptIn      *bool  `json:"previewOptIn,omitempty"`
	HistoricBackfill  bool   `json:"historicBackfill,omitempty"`
	DropScratchTables bool   `json:"dropScratchTables,omitempty"`
}

// Init names the Kubernetes Secret that Langfuse's headless initialization
// reads, and which of its keys it has.
type Init struct {
	SecretName string   `json:"secretName"`
	Keys       []string `json:"keys,omitempty"`
}

// RegistryCredentials is a key of a Kubernetes Secret in the claim's
// namespace whose value is what ECS reads as a private registry's login:
// {"username": "…", "password": "…"}.
type RegistryCredentials struct {
	SecretName string `json:"secretName"`
	Key        string `json:"key,omitempty"`
}

// defaultRegistryCredentialsKey is the key of the registry login.
const defaultRegistryCredentialsKey = "credentials"

// reSecretKey is a key of a Kubernetes Secret.
var reSecretKey = regexp.MustCompile(`^[-._a-zA-Z0-9]{1,253}$`)

// DefaultOrganization is the organization people who sign in with SSO join.
type DefaultOrganization struct {
	ID   string `json:"id"`
	Role string `json:"role,omitempty"`
}

// Task sizes one ECS task. Version and Storage are used by ClickHouse only, MaxReplicas
// by the autoscaled web and worker only.
type Task struct {
	Version string `json:"version,omitempty"`
	// Digest, when set, pins the image by content (sha256:…): the tag
	// names the release, the digest is what ECS pulls.
	Digest      string `json:"digest,omitempty"`
	Replicas    *int64 `json:"replicas,omitempty"`
	MaxReplicas *int64 `json:"maxReplicas,omitempty"`
	CPU         int64  `json:"cpu,omitempty"`
	Memory      int64  `json:"memory,omitempty"`
	// Storage is ClickHouse's file system (efs.go).
	Storage *Storage `json:"storage,omitempty"`
	// Spot runs web's or the worker's tasks on Fargate Spot (capacity.go).
	Spot bool `json:"spot,omitempty"`
}

// Storage configures the EFS file system ClickHouse keeps its data on.
type Storage struct {
	ThroughputMode             string   `json:"throughputMode,omitempty"`
	ProvisionedThroughputMibps *float64 `json:"provisionedThroughputMibps,omitempty"`
	InfrequentAccessAfterDays  int64    `json:"infrequentAccessAfterDays,omitempty"`
}

// EFS's throughput modes, and the days after which it can move a file to
// Infrequent Access (elasticfilesystem's TransitionToIARules).
var (
	efsThroughputModes = []string{"elastic", "bursting", "provisioned"}
	efsIADays          = []int64{1, 7, 14, 30, 60, 90, 180, 270, 365}
)

// Database sizes Aurora Serverless v2, in ACUs.
type Database struct {
	// EngineVersion is Aurora PostgreSQL's version. Empty keeps what an
	// existing cluster runs, and creates a new one at the default.
	EngineVersion string `json:"engineVersion,omitempty"`
	// MinCapacity is a pointer so that an explicit 0 is told from a missing
	// value, and refused with why.
	MinCapacity *float64 `json:"minCapacity,omitempty"`
	MaxCapacity float64  `json:"maxCapacity,omitempty"`
	// DataAPI turns on Aurora's Data API (SQL over HTTPS, with IAM and a
	// Secrets Manager secret of the database's user), for operators.
	DataAPI bool `json:"dataApi,omitempty"`
}

// Cache sizes ElastiCache and picks its engine.
type Cache struct {
	// Engine is valkey or redis; empty keeps what runs, and a new cache
	// runs Valkey (cache.go).
	Engine   string `json:"engine,omitempty"`
	NodeType string `json:"nodeType,omitempty"`
}

// Values of the enumerations in the API.
const (
	DeletionPolicyOrphan = "Orphan"
	DeletionPolicyDelete = "Delete"

	MFAOff      = "OFF"
	MFAOptional = "OPTIONAL"
	MFAOn       = "ON"

	ManagedLoginV2      = "v2"
	ManagedLoginClassic = "classic"

	// EgressNATGatewayPerZone gives each zone's private subnet a NAT
	// gateway of its own: a zone's outage leaves the others their egress.
	EgressNATGatewayPerZone = "natGatewayPerZone"
	// EgressNATGateway shares one NAT gateway, in the first zone, among
	// all private subnets: one gateway's hourly charge instead of one per
	// zone, and no egress while the first zone is down.
	EgressNATGateway = "natGateway"
	// EgressVPCEndpoints gives the private subnets no route out at all:
	// the AWS APIs the tasks use are reached through VPC endpoints
	// (endpoints.go), and the images come from ECR.
	EgressVPCEndpoints = "vpcEndpoints"
)

// egressModes are the values of spec.network.vpc.egress.
var egressModes = []string{EgressNATGatewayPerZone, EgressNATGateway, EgressNATInstance, EgressVPCEndpoints}

// Langfuse's log levels and formats (packages/shared/src/env.ts, 3.174.1
// and 4.16.0).
var (
	langfuseLogLevels  = []string{"trace", "debug", "info", "warn", "error", "fatal"}
	langfuseLogFormats = []string{"text", "json"}
)

// organizationRoles are the roles Langfuse gives members of an organization.
var organizationRoles = []string{"OWNER", "ADMIN", "MEMBER", "VIEWER", "NONE"}

// Defaults of the API; the XRDs in example/ declare the same ones.
const (
	defaultProviderConfigName = "default"
	defaultDomainPrefix       = "auth"
	defaultLangfuseVersion    = "4.16.0"
	// An exact release, never a moving tag such as 25.12: the tag names
	// what runs, and a task replaced tomorrow must pull the same image.
	defaultClickHouseVersion = "25.12.9.61"
	defaultCacheNodeType     = "cache.t4g.small"
	defaultAllowedCIDR       = "0.0.0.0/0"
	defaultVPCCIDR           = "10.0.0.0/16"
	defaultOrganizationRole  = "VIEWER"
)

// The patterns below are the XRDs' patterns; keep them in step.
var (
	reRegion       = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$`)
	reDNSLabel     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	reDNSName      = regexp.MustCompile(`^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	reZoneID       = regexp.MustCompile(`^Z[A-Z0-9]{1,31}$`)
	reVPCID        = regexp.MustCompile(`^vpc-([0-9a-f]{8}|[0-9a-f]{17})$`)
	reSubnetID     = regexp.MustCompile(`^subnet-([0-9a-f]{8}|[0-9a-f]{17})$`)
	reZoneName     = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+[a-z]$`)
	reK8sName      = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$`)
	reImageTag     = regexp.MustCompile(`^([34])\.[0-9]+\.[0-9]+$`)
	reCHVersion    = regexp.MustCompile(`^([0-9]+)\.([0-9]+)\.[0-9]+\.[0-9]+$`)
	reDigest       = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
	reAuroraPG     = regexp.MustCompile(`^(1[5-9])\.[0-9]+$`)
	reCacheNodeTyp = regexp.MustCompile(`^cache\.[a-z0-9]+\.[a-z0-9]+$`)
	reRegistry     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]([-a-z0-9._]*[a-z0-9])?)*$`)
	reOrgID        = regexp.MustCompile(`^[A-Za-z0-9][-A-Za-z0-9_]{0,63}$`)
)

// maxRegistryLength keeps an image reference within what ECS accepts.
const maxRegistryLength = 200

// acmMaxDomainLength is ACM's limit on a certificate's first domain name. The
// longest name we certify is <domainPrefix>.<hostName>.<zoneName>.
const acmMaxDomainLength = 64

// fargateMemory lists the memory sizes (MiB) Fargate accepts for each CPU size.
var fargateMemory = map[int64]func(int64) bool{
	256:   func(m int64) bool { return m == 512 || m == 1024 || m == 2048 },
	512:   func(m int64) bool { return m >= 1024 && m <= 4096 && m%1024 == 0 },
	1024:  func(m int64) bool { return m >= 2048 && m <= 8192 && m%1024 == 0 },
	2048:  func(m int64) bool { return m >= 4096 && m <= 16384 && m%1024 == 0 },
	4096:  func(m int64) bool { return m >= 8192 && m <= 30720 && m%1024 == 0 },
	8192:  func(m int64) bool { return m >= 16384 && m <= 61440 && m%4096 == 0 },
	16384: func(m int64) bool { return m >= 32768 && m <= 122880 && m%8192 == 0 },
}

// ParseSpec decodes an XR's spec, applies the API's defaults and validates it.
// The XRD validates the same rules at kubectl apply, but crossplane render and
// XRDs installed without them skip that, so the function checks again. The
// error names every offending field.
func ParseSpec(raw map[string]any) (*Spec, error) {
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, errors.Wrap(err, "cannot encode spec")
	}
	// Go's decoder matches names case-insensitively and skips unknown
	// ones; the API server does neither. A spec that kubectl apply would
	// refuse (privateSubnetIDs, a misspelt name) is refused here too, rather than
	// rendered as if the field were right or absent.
	if errs := unknownFields(raw, reflect.TypeFor[Spec](), field.NewPath("spec"), crossplaneSpecFields); len(errs) > 0 {
		return nil, errs.ToAggregate()
	}
	s := &Spec{}
	if err := json.Unmarshal(b, s); err != nil {
		return nil, describeDecodeError(err)
	}
	s.Default()
	if errs := s.Validate(); len(errs) > 0 {
		return nil, errs.ToAggregate()
	}
	return s, nil
}

// crossplaneSpecFields are the fields Crossplane itself keeps in an XR's
// spec (v1 at the top, v2 under crossplane), which are not the API's.
var crossplaneSpecFields = []string{
	"crossplane", "claimRef", "compositionRef", "compositionSelector", "compositionRevisionRef",
	"compositionRevisionSelector", "compositionUpdatePolicy", "compositeDeletePolicy", "resourceRefs",
	"writeConnectionSecretToRef", "publishConnectionDetailsTo", "environmentConfigRefs",
}

// unknownFields names every field of v that t does not declare, by its
// exact JSON name, as the API server does with a structural schema.
func unknownFields(v any, t reflect.Type, p *field.Path, ignore []string) field.ErrorList {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var errs field.ErrorList
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return nil // the decoder names a wrong type
		}
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
				fields[name] = t.Field(i).Type
			}
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			ft, known := fields[k]
			switch {
			case known:
				errs = append(errs, unknownFields(m[k], ft, p.Child(k), nil)...)
			case !slices.Contains(ignore, k):
				errs = append(errs, field.Invalid(p.Child(k), field.OmitValueType{}, "unknown field (names are case-sensitive; the API is in README.md)"))
			}
		}
	case reflect.Slice:
		if l, ok := v.([]any); ok {
			for i, e := range l {
				errs = append(errs, unknownFields(e, t.Elem(), p.Index(i), nil)...)
			}
		}
	}
	return errs
}

// describeDecodeError turns a JSON type error into one that names the field
// the way the XR does (spec.langfuse.web.replicas), not the Go struct.
func describeDecodeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return field.Invalid(field.NewPath("spec").Child(te.Field), te.Value, "must be of type "+jsonTypeName(te.Type.Kind().String()))
	}
	return errors.Wrap(err, "cannot decode spec")
}

func jsonTypeName(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice":
		return "array"
	case "struct", "map":
		return "object"
	case "float64", "float32":
		return "number"
	default:
		return "integer"
	}
}

// Default fills every field the API gives a default.
func (s *Spec) Default() {
	if s.ProviderConfigName == "" {
		s.ProviderConfigName = defaultProviderConfigName
	}
	if s.DeletionPolicy == "" {
		s.DeletionPolicy = DeletionPolicyOrphan
	}
	// Only a missing list is defaulted: an explicit [] would open the load
	// balancer to everyone where the user meant no one, so it is refused.
	if s.Network.AllowedCIDRs == nil {
		s.Network.AllowedCIDRs = []string{defaultAllowedCIDR}
	}
	if v := s.Network.VPC; v != nil {
		v.Default()
	}
	s.LoadBalancer.Default()
	c := &s.Auth.Cognito
	if c.Enabled == nil {
		c.Enabled = ptr(true)
	}
	if s.Auth.DisableEmailPasswordAuth == nil {
		s.Auth.DisableEmailPasswordAuth = ptr(*c.Enabled)
	}
	if c.DomainPrefix == "" {
		c.DomainPrefix = defaultDomainPrefix
	}
	if c.MFA == "" {
		c.MFA = MFAOptional
	}
	if c.ManagedLogin == "" {
		c.ManagedLogin = ManagedLoginV2
	}
	s.Langfuse.Default()
	defaultTask(&s.ClickHouse, 1, 2048, 8192)
	if s.ClickHouse.Version == "" {
		s.ClickHouse.Version = defaultClickHouseVersion
	}
	if s.Database.MinCapacity == nil {
		s.Database.MinCapacity = ptr(0.5)
	}
	if s.Database.MaxCapacity == 0 {
		s.Database.MaxCapacity = 2
	}
	if s.Cache.NodeType == "" {
		s.Cache.NodeType = defaultCacheNodeType
	}
}

// Default fills the defaults of spec.network.vpc: the CDK's block, and a
// NAT gateway per zone. The zones have none: which of a region's zones an
// account has differs (ap-northeast-1b and us-west-1a are missing in many).
func (v *VPC) Default() {
	if v.CIDR == "" {
		v.CIDR = defaultVPCCIDR
	}
	if v.Egress == "" {
		v.Egress = EgressNATGatewayPerZone
	}
}

// Default fills the defaults of spec.langfuse.
func (l *Langfuse) Default() {
	if l.Version == "" {
		l.Version = defaultLangfuseVersion
	}
	defaultTask(&l.Web, 2, 2048, 4096)
	defaultTask(&l.Worker, 1, 2048, 4096)
	for _, t := range []*Task{&l.Web, &l.Worker} {
		if t.MaxReplicas == nil {
			t.MaxReplicas = ptr(min(2**t.Replicas, maxTaskReplicas))
		}
	}
	if o := l.DefaultOrganization; o != nil && o.Role == "" {
		o.Role = defaultOrganizationRole
	}
	if l.Init != nil && l.Init.Keys == nil {
		l.Init.Keys = slices.Clone(defaultInitKeys)
	}
	if r := l.RegistryCredentials; r != nil && r.Key == "" {
		r.Key = defaultRegistryCredentialsKey
	}
}

func defaultTask(t *Task, replicas, cpu, memory int64) {
	if t.Replicas == nil {
		t.Replicas = ptr(replicas)
	}
	if t.CPU == 0 {
		t.CPU = cpu
	}
	if t.Memory == 0 {
		t.Memory = memory
	}
}

// Validate checks a defaulted spec and names each field it rejects.
func (s *Spec) Validate() field.ErrorList { //nolint:gocyclo // A flat list of rules reads best.
	spec := field.NewPath("spec")
	var errs field.ErrorList

	errs = append(errs, matches(spec.Child("region"), s.Region, reRegion, "an AWS region such as eu-west-1")...)
	errs = append(errs, matches(spec.Child("providerConfigName"), s.ProviderConfigName, reK8sName, "a Kubernetes object name")...)
	if s.DeletionPolicy != DeletionPolicyOrphan && s.DeletionPolicy != DeletionPolicyDelete {
		errs = append(errs, field.NotSupported(spec.Child("deletionPolicy"), s.DeletionPolicy, []string{DeletionPolicyOrphan, DeletionPolicyDelete}))
	}

	domain := spec.Child("domain")
	errs = append(errs, matches(domain.Child("hostName"), s.Domain.HostName, reDNSName, "a DNS name such as langfuse, in lower case")...)
	errs = append(errs, matches(domain.Child("zoneName"), s.Domain.ZoneName, reDNSName, "a DNS zone name such as example.com, in lower case, without a trailing dot")...)
	errs = append(errs, matches(domain.Child("zoneId"), s.Domain.ZoneID, reZoneID, "a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ")...)
	// The host is <hostName>.<zoneName>: a hostName that already ends in the
	// zone would certify langfuse.example.com.example.com, and domain is
	// immutable, so the fix would be a delete.
	if z := s.Domain.ZoneName; z != "" && (s.Domain.HostName == z || strings.HasSuffix(s.Domain.HostName, "."+z)) {
		errs = append(errs, field.Invalid(domain.Child("hostName"), s.Domain.HostName, fmt.Sprintf("must not end in spec.domain.zoneName (%s): the host is <hostName>.<zoneName>, so give only the part before the zone, such as langfuse", z)))
	}

	errs = append(errs, s.validateNetwork(spec.Child("network"))...)
	if d := s.LoadBalancer.AccessLogs.ExpireAfterDays; d < 1 || d > maxAccessLogDays {
		errs = append(errs, field.Invalid(spec.Child("loadBalancer", "accessLogs", "expireAfterDays"), d, fmt.Sprintf("must be between 1 and %d", maxAccessLogDays)))
	}
	if r := s.LoadBalancer.WAF.RateLimit; r < minRateLimit || r > maxRateLimit {
		errs = append(errs, field.Invalid(spec.Child("loadBalancer", "waf", "rateLimit"), r, fmt.Sprintf("must be between %d and %d requests per address in five minutes", minRateLimit, maxRateLimit)))
	}

	cognitoPath := spec.Child("auth", "cognito")
	c := s.Auth.Cognito
	errs = append(errs, matches(cognitoPath.Child("domainPrefix"), c.DomainPrefix, reDNSLabel, "a single DNS label such as auth")...)
	if c.MFA != MFAOff && c.MFA != MFAOptional && c.MFA != MFAOn {
		errs = append(errs, field.NotSupported(cognitoPath.Child("mfa"), c.MFA, []string{MFAOff, MFAOptional, MFAOn}))
	}
	if c.ManagedLogin != ManagedLoginV2 && c.ManagedLogin != ManagedLoginClassic {
		errs = append(errs, field.NotSupported(cognitoPath.Child("managedLogin"), c.ManagedLogin, []string{ManagedLoginV2, ManagedLoginClassic}))
	}
	if c.SelfSignUp && c.AllowAccountLinking {
		errs = append(errs, field.Forbidden(cognitoPath.Child("allowAccountLinking"), "must be false when selfSignUp is true: anyone could sign up with someone else's email and take over their Langfuse account"))
	}
	if *s.Auth.DisableEmailPasswordAuth && !*c.Enabled {
		errs = append(errs, field.Forbidden(spec.Child("auth", "disableEmailPasswordAuth"), "must be false when auth.cognito.enabled is false: nobody could sign in"))
	}
	errs = append(errs, s.validateSignIn(spec)...)
	// Only check the length once the parts are valid, so one mistake gives one message.
	if len(errs) == 0 {
		if n := len(s.AuthFQDN()); *c.Enabled && n > acmMaxDomainLength {
			errs = append(errs, field.TooLong(domain.Child("hostName"), s.AuthFQDN(), acmMaxDomainLength))
		} else if n := len(s.FQDN()); n > acmMaxDomainLength {
			errs = append(errs, field.TooLong(domain.Child("hostName"), s.FQDN(), acmMaxDomainLength))
		}
	}

	errs = append(errs, s.validateWorkloads(spec)...)
	return errs
}

// validateSignIn checks that someone can sign in, and that nobody else can
// sign up: Langfuse's own sign-up is open to whoever reaches the load
// balancer unless AUTH_DISABLE_SIGNUP is set, which also blocks first
// sign-ins with SSO, so it is closed exactly when Cognito is off.
func (s *Spec) validateSignIn(spec *field.Path) field.ErrorList {
	var errs field.ErrorList
	auth := spec.Child("auth")
	initUser := s.Langfuse.Init != nil && slices.Contains(s.Langfuse.Init.Keys, "LANGFUSE_INIT_USER_EMAIL")
	switch {
	case s.CognitoEnabled() && s.Auth.AllowSignUp:
		errs = append(errs, field.Forbidden(auth.Child("allowSignUp"), "applies only when auth.cognito.enabled is false: with Cognito, auth.cognito.selfSignUp says who may sign up"))
	case !s.CognitoEnabled() && !s.Auth.AllowSignUp && !initUser:
		errs = append(errs, field.Required(spec.Child("langfuse", "init", "keys"), "must include LANGFUSE_INIT_USER_EMAIL and LANGFUSE_INIT_USER_PASSWORD when auth.cognito.enabled is false: sign-up is then closed (AUTH_DISABLE_SIGNUP) and nobody could sign in; or set auth.allowSignUp: true to let anyone who reaches Langfuse sign up"))
	}
	// The init user signs in with a password. Without password sign-in, and
	// without account linking to let a Cognito sign-in of the same email
	// in, Langfuse answers OAuthAccountNotLinked: the user is locked out.
	if initUser && *s.Auth.DisableEmailPasswordAuth && !s.Auth.Cognito.AllowAccountLinking {
		errs = append(errs, field.Invalid(spec.Child("langfuse", "init", "keys"), s.Langfuse.Init.Keys,
			"LANGFUSE_INIT_USER_EMAIL would be locked out: its user signs in with a password, which spec.auth.disableEmailPasswordAuth turns off, and a Cognito sign-in of the same email is refused unless spec.auth.cognito.allowAccountLinking is true; set one of the two, or leave the user out and let Cognito users join through spec.langfuse.defaultOrganization"))
	}
	return errs
}

func (s *Spec) validateWorkloads(spec *field.Path) field.ErrorList {
	var errs field.ErrorList
	lf := spec.Child("langfuse")
	m := reImageTag.FindStringSubmatch(s.Langfuse.Version)
	if m == nil {
		errs = append(errs, field.Invalid(lf.Child("version"), s.Langfuse.Version, "must be an exact Langfuse release of major version 3 or 4, such as "+defaultLangfuseVersion+": a tag such as 3 moves, and tasks replaced later would run another release"))
	}
	errs = append(errs, s.Langfuse.validate(lf)...)

	ch := spec.Child("clickhouse")
	errs = append(errs, task(ch, s.ClickHouse)...)
	// Two ClickHouse processes must never share the data directory.
	if *s.ClickHouse.Replicas != 1 {
		errs = append(errs, field.Invalid(ch.Child("replicas"), *s.ClickHouse.Replicas, "ClickHouse runs as exactly one task: leave the field out"))
	}
	if s.ClickHouse.MaxReplicas != nil {
		errs = append(errs, field.Forbidden(ch.Child("maxReplicas"), "ClickHouse runs as exactly one task and is not autoscaled"))
	}
	errs = append(errs, s.ClickHouse.Storage.validate(ch.Child("storage"))...)
	if s.ClickHouse.Spot {
		errs = append(errs, field.Forbidden(ch.Child("spot"), "ClickHouse runs as one task, which a Spot interruption would take down with Langfuse: only web and worker run on Spot"))
	}
	for _, t := range []struct {
		p    *field.Path
		task Task
	}{{lf.Child("web"), s.Langfuse.Web}, {lf.Child("worker"), s.Langfuse.Worker}} {
		if t.task.Storage != nil {
			errs = append(errs, field.Forbidden(t.p.Child("storage"), "only ClickHouse keeps data: set spec.clickhouse.storage"))
		}
	}
	chv := reCHVersion.FindStringSubmatch(s.ClickHouse.Version)
	switch {
	case chv == nil:
		errs = append(errs, field.Invalid(ch.Child("version"), s.ClickHouse.Version, "must be an exact ClickHouse release such as "+defaultClickHouseVersion+": a tag such as 25.12 moves, and a task replaced later would run another release"))
	case len(m) > 1 && m[1] == "4" && !atLeast(chv[1], chv[2], 25, 12):
		errs = append(errs, field.Invalid(ch.Child("version"), s.ClickHouse.Version, "must be 25.12 or later when spec.langfuse.version is 4 ("+s.Langfuse.Version+"): upgrade ClickHouse first"))
	case !atLeast(chv[1], chv[2], 24, 3):
		errs = append(errs, field.Invalid(ch.Child("version"), s.ClickHouse.Version, "must be 24.3 or later"))
	}

	errs = append(errs, s.digests(lf, ch)...)

	errs = append(errs, s.Database.validate(spec.Child("database"))...)
	errs = append(errs, matches(spec.Child("cache", "nodeType"), s.Cache.NodeType, reCacheNodeTyp, "an ElastiCache node type such as cache.t4g.small")...)
	if e := s.Cache.Engine; e != "" && e != cacheEngineValkey && e != cacheEngineRedis {
		errs = append(errs, field.NotSupported(spec.Child("cache", "engine"), e, []string{cacheEngineValkey, cacheEngineRedis}))
	}
	return errs
}

// validate checks ClickHouse's file system settings.
func (st *Storage) validate(p *field.Path) field.ErrorList {
	if st == nil {
		return nil
	}
	var errs field.ErrorList
	if m := st.ThroughputMode; m != "" && !slices.Contains(efsThroughputModes, m) {
		errs = append(errs, field.NotSupported(p.Child("throughputMode"), m, efsThroughputModes))
	}
	switch provisioned := st.ThroughputMode == "provisioned"; {
	case provisioned && st.ProvisionedThroughputMibps == nil:
		errs = append(errs, field.Required(p.Child("provisionedThroughputMibps"), "is required with throughputMode provisioned"))
	case !provisioned && st.ProvisionedThroughputMibps != nil:
		errs = append(errs, field.Forbidden(p.Child("provisionedThroughputMibps"), "applies only with throughputMode provisioned"))
	case provisioned && *st.ProvisionedThroughputMibps < 1:
		errs = append(errs, field.Invalid(p.Child("provisionedThroughputMibps"), *st.ProvisionedThroughputMibps, "must be at least 1 MiB/s"))
	}
	if d := st.InfrequentAccessAfterDays; d != 0 && !slices.Contains(efsIADays, d) {
		errs = append(errs, field.NotSupported(p.Child("infrequentAccessAfterDays"), strconv.FormatInt(d, 10), []string{"1", "7", "14", "30", "60", "90", "180", "270", "365"}))
	}
	return errs
}

// validate checks Aurora's version and capacity.
func (d *Database) validate(db *field.Path) field.ErrorList {
	var errs field.ErrorList
	if v := d.EngineVersion; v != "" && !reAuroraPG.MatchString(v) {
		errs = append(errs, field.Invalid(db.Child("engineVersion"), v, "must be an Aurora PostgreSQL version <major>.<minor> of major 15 or later, such as "+defaultDatabaseEngineVersion))
	}
	minCapacity := *d.MinCapacity
	switch {
	case minCapacity == 0:
		// Aurora pauses only after minutes without a connection, and
		// Langfuse's health checks query Postgres every 15 s.
		errs = append(errs, field.Invalid(db.Child("minCapacity"), minCapacity, "must be at least 0.5: Aurora pauses at 0 only when nothing connects, and Langfuse's health checks query Postgres every 15 s, so it would never pause"))
	case minCapacity < 0.5 || minCapacity > 256:
		errs = append(errs, field.Invalid(db.Child("minCapacity"), minCapacity, "must be between 0.5 and 256 ACUs"))
	}
	if d.MaxCapacity < 1 || d.MaxCapacity > 256 {
		errs = append(errs, field.Invalid(db.Child("maxCapacity"), d.MaxCapacity, "must be between 1 and 256 ACUs"))
	}
	if minCapacity > d.MaxCapacity {
		errs = append(errs, field.Invalid(db.Child("minCapacity"), minCapacity, "must not be greater than maxCapacity"))
	}
	return errs
}

// digests checks the image digests the spec pins.
func (s *Spec) digests(lf, ch *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, d := range []struct {
		p      *field.Path
		digest string
	}{{lf.Child("web", "digest"), s.Langfuse.Web.Digest}, {lf.Child("worker", "digest"), s.Langfuse.Worker.Digest}, {ch.Child("digest"), s.ClickHouse.Digest}} {
		if d.digest != "" && !reDigest.MatchString(d.digest) {
			errs = append(errs, field.Invalid(d.p, d.digest, "must be an image digest: sha256: and 64 lower-case hex digits"))
		}
	}
	return errs
}

func matches(p *field.Path, v string, re *regexp.Regexp, what string) field.ErrorList {
	if v == "" {
		return field.ErrorList{field.Required(p, "must be "+what)}
	}
	if !re.MatchString(v) {
		return field.ErrorList{field.Invalid(p, v, "must be "+what)}
	}
	return nil
}

// validateNetwork checks the user's VPC, or the one to compose: one of the two.
func (s *Spec) validateNetwork(network *field.Path) field.ErrorList {
	var errs field.ErrorList
	n := s.Network
	if n.VPC == nil {
		errs = append(errs, matches(network.Child("vpcId"), n.VPCID, reVPCID, "a VPC id such as vpc-0123456789abcdef0, or leave the ids out and set spec.network.vpc for a VPC of Langfuse's own")...)
		errs = append(errs, subnets(network.Child("publicSubnetIds"), n.PublicSubnetIDs, "the load balancer")...)
		errs = append(errs, subnets(network.Child("privateSubnetIds"), n.PrivateSubnetIDs, "the tasks and data stores")...)
	} else {
		if n.VPCID != "" || n.PublicSubnetIDs != nil || n.PrivateSubnetIDs != nil {
			errs = append(errs, field.Forbidden(network.Child("vpcId"), "spec.network.vpcId, publicSubnetIds and privateSubnetIds must be left out with spec.network.vpc: Langfuse runs either in the VPC given by id or in a VPC of its own"))
		}
		errs = append(errs, n.VPC.validate(network.Child("vpc"), s.Region)...)
	}
	errs = append(errs, allowedCIDRs(network.Child("allowedCidrs"), n.AllowedCIDRs, s.LoadBalancer.CloudFront.Enabled)...)
	errs = append(errs, s.validateNoInternet(network.Child("vpc", "egress"))...)
	return errs
}

// validateNoInternet checks that a Langfuse without a route to the internet
// (egress vpcEndpoints) needs none: its images come from ECR in its region,
// through the ECR endpoints, and nobody signs in with Cognito, whose token
// endpoint on the user pool's domain AWS PrivateLink does not serve (a user
// pool with a domain is reachable over the internet only).
func (s *Spec) validateNoInternet(egress *field.Path) field.ErrorList {
	if !s.Network.OwnVPC() || s.Network.VPC.Egress != EgressVPCEndpoints {
		return nil
	}
	var errs field.ErrorList
	if s.CognitoEnabled() {
		errs = append(errs, field.Forbidden(egress, "must not be vpcEndpoints while spec.auth.cognito.enabled is true: Langfuse's server redeems every Cognito sign-in at the token endpoint of the user pool's domain, which AWS PrivateLink does not serve, so it needs a route to the internet; choose a NAT mode, or set spec.auth.cognito.enabled: false"))
	}
	if m := reECRRegistry.FindStringSubmatch(s.Langfuse.ImageRegistry); len(m) < 3 || m[2] != s.Region {
		errs = append(errs, field.Invalid(field.NewPath("spec", "langfuse", "imageRegistry"), s.Langfuse.ImageRegistry, fmt.Sprintf(
			"must be an ECR registry of spec.region with egress vpcEndpoints, such as 123456789012.dkr.ecr.%s.amazonaws.com/docker-hub (an ECR pull-through cache rule for Docker Hub): without a route to the internet the tasks reach ECR only, through the VPC's endpoints", s.Region)))
	}
	return errs
}

// VPC CIDR blocks: AWS takes /16 to /28; the subnets carved from it
// (vpc.go) are 4 prefix bits longer for the public ones, and the load
// balancer needs at least a /27.
const (
	minVPCPrefix = 16
	maxVPCPrefix = 23
)

// validate checks a VPC to compose.
func (v *VPC) validate(p *field.Path, region string) field.ErrorList {
	var errs field.ErrorList
	if pfx, err := netip.ParsePrefix(v.CIDR); err != nil || !pfx.Addr().Is4() || pfx.Masked() != pfx || pfx.Bits() < minVPCPrefix || pfx.Bits() > maxVPCPrefix {
		errs = append(errs, field.Invalid(p.Child("cidr"), v.CIDR, fmt.Sprintf("must be an IPv4 CIDR block from /%d to /%d whose host bits are zero, such as %s: the public subnets are 4 bits longer, and the load balancer needs at least a /27", minVPCPrefix, maxVPCPrefix, defaultVPCCIDR)))
	}
	zones := p.Child("availabilityZones")
	if n := len(v.AvailabilityZones); n == 0 {
		errs = append(errs, field.Required(zones, fmt.Sprintf("must list the %d or %d availability zones of spec.region to use, such as %sa and %sb (aws ec2 describe-availability-zones lists the account's)", minZones, maxZones, region, region)))
	} else if n < minZones || n > maxZones {
		errs = append(errs, field.Invalid(zones, v.AvailabilityZones, fmt.Sprintf("must list %d or %d availability zones: the load balancer and the data stores need two", minZones, maxZones)))
	}
	seen := map[string]bool{}
	for i, z := range v.AvailabilityZones {
		switch {
		case !reZoneName.MatchString(z) || !strings.HasPrefix(z, region) || len(z) != len(region)+1:
			errs = append(errs, field.Invalid(zones.Index(i), z, "must be an availability zone of spec.region ("+region+"), such as "+region+"a"))
		case seen[z]:
			errs = append(errs, field.Duplicate(zones.Index(i), z))
		}
		seen[z] = true
	}
	if !slices.Contains(egressModes, v.Egress) {
		errs = append(errs, field.NotSupported(p.Child("egress"), v.Egress, egressModes))
	}
	return errs
}

func subnets(p *field.Path, ids []string, what string) field.ErrorList {
	var errs field.ErrorList
	if len(ids) < 2 {
		errs = append(errs, field.Invalid(p, ids, fmt.Sprintf("must list at least 2 subnets, in different availability zones, for %s", what)))
	}
	seen := map[string]bool{}
	for i, id := range ids {
		switch {
		case !reSubnetID.MatchString(id):
			errs = append(errs, field.Invalid(p.Index(i), id, "must be a subnet id such as subnet-0123456789abcdef0"))
		case seen[id]:
			errs = append(errs, field.Duplicate(p.Index(i), id))
		}
		seen[id] = true
	}
	return errs
}

// maxAllowedCIDRs keeps the load balancer's group within EC2's default quota
// of 60 inbound rules per group and address family: each CIDR takes two
// rules, one for 443 and one for 80.
const maxAllowedCIDRs = 30

// allowedCIDRs checks who may reach Langfuse: CIDR blocks whose host bits
// are zero, each once. IPv6 ones only behind CloudFront, whose WAF allows
// them: the load balancer has IPv4 addresses only, so an IPv6 rule on its
// security group could never match.
func allowedCIDRs(p *field.Path, cidrs []string, cloudFront bool) field.ErrorList {
	var errs field.ErrorList
	switch {
	case len(cidrs) == 0:
		errs = append(errs, field.Required(p, "must list at least one CIDR block; leave the field out to allow 0.0.0.0/0"))
	case len(cidrs) > maxAllowedCIDRs:
		errs = append(errs, field.TooMany(p, len(cidrs), maxAllowedCIDRs))
	}
	seen := map[string]bool{}
	for i, c := range cidrs {
		pfx, err := netip.ParsePrefix(c)
		switch {
		case err != nil || pfx.Masked() != pfx || pfx.Addr().Is4In6() || pfx.Addr().Zone() != "":
			errs = append(errs, field.Invalid(p.Index(i), c, "must be a CIDR block whose host bits are zero, such as 0.0.0.0/0, 10.0.0.0/16 or 2001:db8::/32"))
		case !pfx.Addr().Is4() && !cloudFront:
			errs = append(errs, field.Invalid(p.Index(i), c, "must be an IPv4 CIDR block unless spec.loadBalancer.cloudFront.enabled: the load balancer has IPv4 addresses only, so IPv6 clients never reach it"))
		case seen[pfx.String()]:
			errs = append(errs, field.Duplicate(p.Index(i), c))
		}
		seen[pfx.String()] = true
	}
	return errs
}

func task(p *field.Path, t Task) field.ErrorList {
	var errs field.ErrorList
	if *t.Replicas < 0 || *t.Replicas > 100 {
		errs = append(errs, field.Invalid(p.Child("replicas"), *t.Replicas, "must be between 0 and 100"))
	}
	fits, ok := fargateMemory[t.CPU]
	switch {
	case !ok:
		errs = append(errs, field.NotSupported(p.Child("cpu"), strconv.FormatInt(t.CPU, 10), []string{"256", "512", "1024", "2048", "4096", "8192", "16384"}))
	case !fits(t.Memory):
		errs = append(errs, field.Invalid(p.Child("memory"), t.Memory, fmt.Sprintf("is not a Fargate memory size (MiB) for cpu %d", t.CPU)))
	}
	return errs
}

// validate checks spec.langfuse but for its version, which ClickHouse's
// version is checked against.
func (l *Langfuse) validate(lf *field.Path) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, task(lf.Child("web"), l.Web)...)
	errs = append(errs, task(lf.Child("worker"), l.Worker)...)
	errs = append(errs, autoscaled(lf.Child("web"), l.Web)...)
	errs = append(errs, autoscaled(lf.Child("worker"), l.Worker)...)
	if r := l.ImageRegistry; r != "" && (len(r) > maxRegistryLength || !reRegistry.MatchString(r)) {
		errs = append(errs, field.Invalid(lf.Child("imageRegistry"), r, "must be a registry host with an optional path and no trailing slash, such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub"))
	}
	if o := l.DefaultOrganization; o != nil {
		org := lf.Child("defaultOrganization")
		errs = append(errs, matches(org.Child("id"), o.ID, reOrgID, "a Langfuse organization id: letters, digits, - and _, at most 64")...)
		if !slices.Contains(organizationRoles, o.Role) {
			errs = append(errs, field.NotSupported(org.Child("role"), o.Role, organizationRoles))
		}
	}
	if l.Init != nil {
		errs = append(errs, l.Init.validate(lf.Child("init"))...)
	}
	errs = append(errs, l.validateMigration(lf)...)
	if l.LogLevel != "" && !slices.Contains(langfuseLogLevels, l.LogLevel) {
		errs = append(errs, field.NotSupported(lf.Child("logLevel"), l.LogLevel, langfuseLogLevels))
	}
	if l.LogFormat != "" && !slices.Contains(langfuseLogFormats, l.LogFormat) {
		errs = append(errs, field.NotSupported(lf.Child("logFormat"), l.LogFormat, langfuseLogFormats))
	}
	if r := l.RegistryCredentials; r != nil {
		rc := lf.Child("registryCredentials")
		errs = append(errs, matches(rc.Child("secretName"), r.SecretName, reK8sName, "the name of a Kubernetes Secret in the claim's namespace")...)
		errs = append(errs, matches(rc.Child("key"), r.Key, reSecretKey, "a key of that Secret")...)
	}
	return errs
}

// validate checks the init Secret's name and keys: Langfuse's own names,
// each once, and the ones that need another with it.
func (i *Init) validate(p *field.Path) field.ErrorList {
	errs := matches(p.Child("secretName"), i.SecretName, reK8sName, "the name of a Kubernetes Secret in the claim's namespace")
	keys := p.Child("keys")
	seen := map[string]bool{}
	for n, k := range i.Keys {
		switch {
		case !slices.Contains(initKeys, k):
			errs = append(errs, field.NotSupported(keys.Index(n), k, initKeys))
		case seen[k]:
			errs = append(errs, field.Duplicate(keys.Index(n), k))
		}
		seen[k] = true
	}
	if len(i.Keys) > 0 && !seen["LANGFUSE_INIT_ORG_ID"] {
		errs = append(errs, field.Required(keys, "must include LANGFUSE_INIT_ORG_ID: Langfuse initializes nothing without an organization"))
	}
	for _, dep := range [][2]string{
		{"LANGFUSE_INIT_PROJECT_PUBLIC_KEY", "LANGFUSE_INIT_PROJECT_ID"}, {"LANGFUSE_INIT_PROJECT_SECRET_KEY", "LANGFUSE_INIT_PROJECT_ID"},
		{"LANGFUSE_INIT_PROJECT_PUBLIC_KEY", "LANGFUSE_INIT_PROJECT_SECRET_KEY"}, {"LANGFUSE_INIT_PROJECT_SECRET_KEY", "LANGFUSE_INIT_PROJECT_PUBLIC_KEY"},
		{"LANGFUSE_INIT_USER_EMAIL", "LANGFUSE_INIT_USER_PASSWORD"}, {"LANGFUSE_INIT_USER_PASSWORD", "LANGFUSE_INIT_USER_EMAIL"},
	} {
		if seen[dep[0]] && !seen[dep[1]] {
			errs = append(errs, field.Invalid(keys, i.Keys, dep[0]+" needs "+dep[1]))
		}
	}
	return errs
}

// maxTaskReplicas is the most tasks a service runs.
const maxTaskReplicas = 100

// autoscaled checks the range the autoscaler keeps a service in.
func autoscaled(p *field.Path, t Task) field.ErrorList {
	switch {
	case *t.MaxReplicas > maxTaskReplicas:
		return field.ErrorList{field.Invalid(p.Child("maxReplicas"), *t.MaxReplicas, fmt.Sprintf("must be at most %d", maxTaskReplicas))}
	case *t.MaxReplicas < *t.Replicas:
		return field.ErrorList{field.Invalid(p.Child("maxReplicas"), *t.MaxReplicas, fmt.Sprintf("must not be less than replicas (%d)", *t.Replicas))}
	}
	return nil
}

func atLeast(major, minor string, wantMajor, wantMinor int) bool {
	ma, _ := strconv.Atoi(major)
	mi, _ := strconv.Atoi(minor)
	return ma > wantMajor || (ma == wantMajor && mi >= wantMinor)
}

// FQDN is the host name Langfuse answers on.
func (s *Spec) FQDN() string {
	return s.Domain.HostName + "." + strings.TrimSuffix(s.Domain.ZoneName, ".")
}

// AuthFQDN is the Cognito custom domain, a subdomain of the Langfuse host.
func (s *Spec) AuthFQDN() string { return s.Auth.Cognito.DomainPrefix + "." + s.FQDN() }

// CognitoEnabled says whether Cognito is the login provider.
func (s *Spec) CognitoEnabled() bool { return *s.Auth.Cognito.Enabled }

func ptr[T any](v T) *T { return &v }
