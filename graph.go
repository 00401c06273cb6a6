package main

import (
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// Component names: the composition-resource-name of each composed resource,
// stable across calls. A component that composes several resources (one DNS
// record per validation option, one rule per CIDR and port) names each
// <component>-<key>, where the key is derived from the member's content,
// never from its position in a list: an edit then adds and removes exactly
// the members that changed.
const (
	compCertHost                 = "cert-host"
	compCertHostRecords          = "cert-host-validation-record"
	compCertHostValidation       = "cert-host-validation"
	compCertAuth                 = "cert-auth"
	compCertAuthRecords          = "cert-auth-validation-record"
	compCertAuthValidation       = "cert-auth-validation"
	compNetworkVPC               = "network-vpc"
	compPublicSubnets            = "network-public-subnet"
	compPrivateSubnets           = "network-private-subnet"
	compALBSecurityGroup         = "alb-security-group"
	compALBIngress               = "alb-ingress"
	compWebSecurityGroup         = "web-security-group"
	compWorkerSecurityGroup      = "worker-security-group"
	compClickHouseSG             = "clickhouse-security-group"
	compDatabaseSG               = "database-security-group"
	compCacheSG                  = "cache-security-group"
	compEFSSecurityGroup         = "efs-security-group"
	compNetworkEgress            = "network-egress"
	compNetworkIngress           = "network-ingress"
	compALB                      = "alb"
	compALBTargetGroup           = "alb-target-group"
	compALBListenerHTTP          = "alb-listener-http"
	compALBListenerHTTPS         = "alb-listener-https"
	compDNSRecordHost            = "dns-record-host"
	compUserPool                 = "cognito-user-pool"
	compUserPoolClient           = "cognito-client"
	compClientSecret             = "cognito-client-secret"
	compClientSecretVersion      = "cognito-client-secret-version"
	compManagedLoginBranding     = "cognito-branding"
	compUserPoolDomain           = "cognito-domain"
	compDNSRecordAuth            = "dns-record-auth"
	compBucket                   = "bucket"
	compBucketPublicAccess       = "bucket-public-access-block"
	compBucketOwnership          = "bucket-ownership-controls"
	compBucketEncryption         = "bucket-encryption"
	compBucketPolicy             = "bucket-policy"
	compEFS                      = "efs"
	compEFSMountTargets          = "efs-mount-target"
	compEFSAccessPoint           = "efs-access-point"
	compEFSPolicy                = "efs-policy"
	compDatabaseSubnetGroup      = "database-subnet-group"
	compDatabaseParameters       = "database-parameters"
	compDatabase                 = "database"
	compDatabaseInstance         = "database-instance"
	compDatabaseSecret           = "database-password"
	compDatabaseSecretVersion    = "database-password-version"
	compCacheSubnetGroup         = "cache-subnet-group"
	compCacheParameters          = "cache-parameters"
	compCacheParametersValkey    = "cache-parameters-valkey"
	compCache                    = "cache"
	compCacheSecret              = "cache-token"
	compCacheSecretVersion       = "cache-token-version"
	compCredentials              = "credentials"
	compCredentialsSecret        = "credentials-secret"
	compCredentialsSecretVersion = "credentials-secret-version"
	compECSCluster               = "ecs-cluster"
	compLogGroupWeb              = "log-group-web"
	compLogGroupWorker           = "log-group-worker"
	compLogGroupClickHouse       = "log-group-clickhouse"
	compServiceNamespace         = "service-namespace"
	compExecutionRole            = "execution-role"
	compExecutionPolicy          = "execution-role-policy"
	compAppTaskRole              = "app-task-role"
	compAppTaskPolicy            = "app-task-role-policy"
	compClickHouseTaskRole       = "clickhouse-task-role"
	compClickHouseTaskPolicy     = "clickhouse-task-role-policy"
	compClickHouseDiscovery      = "clickhouse-discovery"
	compClickHouseTask           = "clickhouse-task"
	compClickHouseService        = "clickhouse-service"
	compMigrateTask              = "migrate-task"
	compMigrateService           = "migrate-service"
	compWorkerTask               = "worker-task"
	compWorkerService            = "worker-service"
	compWorkerScalingTarget      = "worker-scaling-target"
	compWorkerScalingPolicy      = "worker-scaling-policy"
	compWebTask                  = "web-task"
	compWebService               = "web-service"
	compWebScalingTarget         = "web-scaling-target"
	compWebScalingPolicy         = "web-scaling-policy"
	compRegistrySecret           = "registry-credentials"
	compRegistryVersion          = "registry-credentials-version"
	compInitSecrets              = "init-secret"
	compInitVersions             = "init-secret-version"

	compUsageAuthCertificate      = "usage-auth-certificate"
	compUsageTargetGroup          = "usage-target-group"
	compUsageWebTaskRole          = "usage-web-task-role"
	compUsageWebTaskPolicy        = "usage-web-task-role-policy"
	compUsageWorkerTaskRole       = "usage-worker-task-role"
	compUsageWorkerTaskPolicy     = "usage-worker-task-role-policy"
	compUsageClickHouseTaskRole   = "usage-clickhouse-task-role"
	compUsageClickHouseTaskPolicy = "usage-clickhouse-task-role-policy"
	compUsageFileSystem           = "usage-efs"
	compUsageUserPool             = "usage-user-pool"
	compUsageEdgeCertificate      = "usage-edge-certificate"
	compUsageCloudFrontWebACL     = "usage-cloudfront-web-acl"
	compUsageVPCOrigin            = "usage-vpc-origin"
	compUsageOriginLoadBalancer   = "usage-origin-load-balancer"
	compUsageRegionalWebACL       = "usage-regional-web-acl"
)

// Status fields of composed resources that builders copy into dependants.
const (
	statusPathARN          = "status.atProvider.arn"
	statusPathID           = "status.atProvider.id"
	statusPathDVO          = "status.atProvider.domainValidationOptions"
	statusPathLBDNSName    = "status.atProvider.dnsName"
	statusPathLBZoneID     = "status.atProvider.zoneId"
	statusPathPoolEndpoint = "status.atProvider.endpoint"
	statusPathCloudFront   = "status.atProvider.cloudfrontDistribution"
	statusPathCIDRBlock    = "status.atProvider.cidrBlock"
	// statusPathEndpoint is the Aurora cluster's writer endpoint.
	statusPathEndpoint        = "status.atProvider.endpoint"
	statusPathPrimaryEndpoint = "status.atProvider.primaryEndpointAddress"
)

// Custom XR conditions, one per gate of the graph.
const (
	conditionHostCertificate  = "HostCertificateReady"
	conditionAuthCertificate  = "AuthCertificateReady"
	conditionLoadBalancer     = "LoadBalancerReady"
	conditionHostRecord       = "HostRecordReady"
	conditionCognitoDomain    = "CognitoDomainReady"
	conditionAuthRecord       = "AuthRecordReady"
	conditionClientSecret     = "CognitoClientSecretReady"
	conditionManagedLoginBrnd = "ManagedLoginBrandingReady"
	conditionBucket           = "BucketReady"
	conditionClickHouseData   = "ClickHouseStorageReady"
	conditionDatabase         = "DatabaseReady"
	conditionCache            = "CacheReady"
	conditionCredentials      = "CredentialsReady"
	conditionCluster          = "ClusterReady"
	conditionTaskRoles        = "TaskRolesReady"
	conditionClickHouse       = "ClickHouseReady"
	conditionMigrations       = "MigrationsReady"
	conditionWorker           = "WorkerReady"
	conditionWeb              = "WebReady"
	conditionDeletionOrder    = "DeletionOrderReady"
	conditionNetwork          = "NetworkReady"
)

// need is one edge of the graph: what a component needs of another before it
// may be created.
type need struct {
	component string
	// ready asks for every resource of the component to be observed Ready.
	ready bool
	// fields are status paths of the component's (single) resource that must
	// be set, because the builder copies them into the dependant.
	fields []string
	// when, if set, says whether the need applies to a spec (the web task
	// needs the Cognito client only with Cognito).
	when func(*Spec) bool
}

// applies says whether a need applies to a spec.
func (n need) applies(s *Spec) bool { return n.when == nil || n.when(s) }

// onlyWhen narrows where a need applies to specs where cond holds too.
func (n need) onlyWhen(cond func(*Spec) bool) need {
	applied := n.applies
	n.when = func(s *Spec) bool { return cond(s) && applied(s) }
	return n
}

// arnOf needs a component's resource to report its ARN.
func arnOf(component string) need { return need{component: component, fields: []string{statusPathARN}} }

// readyOf needs every resource of a component to be Ready.
func readyOf(component string) need { return need{component: component, ready: true} }

// withCognitoOnly makes a need apply only with Cognito.
func withCognitoOnly(n need) need {
	n.when = withCognito
	return n
}

// withValkeyOnly makes a need apply only to a Valkey cache.
func withValkeyOnly(n need) need {
	n.when = withValkey
	return n
}

// withRedisOnly makes a need apply only to a Redis cache.
func withRedisOnly(n need) need {
	n.when = withRedis
	return n
}

// withInitOnly makes a need apply only with headless initialization.
func withInitOnly(n need) need {
	n.when = withInit
	return n
}

// component is one node of the graph.
type component struct {
	name string
	// title names the component in condition reasons (WaitingForHostRecord).
	title string
	// condition is the custom XR condition that reports this component's gate.
	condition string
	// enabled says whether the spec asks for the component at all.
	enabled func(*Spec) bool
	// retained, when set, says whether an existing component stays while the
	// spec disables it: state that a later re-enable must find again (the
	// user pool's users) is only deleted with deletionPolicy: Delete.
	retained func(*Spec) bool
	needs    []need
	// memberKey, set on components of several resources, is the key of a
	// member: a function of its forProvider, so a member observed under an
	// older name is recognised by its content and keeps that name.
	memberKey func(forProvider map[string]any) string
	// build returns the component's resources keyed by member key ("" for a
	// single resource named after the component). It may read the observed
	// values its needs promise to be there.
	build func(*world) (map[string]*composed.Unstructured, error)
	// check, when set, says what is wrong with what the component observes
	// once it is Ready (prerequisites.go): until it passes, the component
	// is not Ready to its dependants, and its gate says why.
	check func(*world) error
}

func always(*Spec) bool { return true }

func withCognito(s *Spec) bool { return s.CognitoEnabled() }

func withManagedLoginV2(s *Spec) bool {
	return s.CognitoEnabled() && s.Auth.Cognito.ManagedLogin == ManagedLoginV2
}

func unlessDeletePolicy(s *Spec) bool { return s.DeletionPolicy != DeletionPolicyDelete }

// graph is the whole dependency graph, in an order where every component comes
// after the components it needs (a test checks this). The same data drives
// gating, readiness, the "waiting for" messages and the conditions.
var graph = []component{
	{name: compCertHost, title: "HostCertificate", condition: conditionHostCertificate, enabled: always, build: single(hostCertificate.build)},
	{name: compCertHostRecords, title: "HostCertificateValidationRecords", condition: conditionHostCertificate, enabled: always,
		needs:     []need{{component: compCertHost, fields: []string{statusPathDVO}}},
		memberKey: validationRecordKey, build: hostCertificate.buildValidationRecords},
	{name: compCertHostValidation, title: "HostCertificateValidation", condition: conditionHostCertificate, enabled: always,
		needs: []need{{component: compCertHost, fields: []string{statusPathARN}}, {component: compCertHostRecords, ready: true}},
		build: single(hostCertificate.buildValidation)},

	{name: compCertAuth, title: "AuthCertificate", condition: conditionAuthCertificate, enabled: withCognito, build: single(authCertificate.build)},
	{name: compCertAuthRecords, title: "AuthCertificateValidationRecords", condition: conditionAuthCertificate, enabled: withCognito,
		needs:     []need{{component: compCertAuth, fields: []string{statusPathDVO}}},
		memberKey: validationRecordKey, build: authCertificate.buildValidationRecords},
	{name: compCertAuthValidation, title: "AuthCertificateValidation", condition: conditionAuthCertificate, enabled: withCognito,
		needs: []need{{component: compCertAuth, fields: []string{statusPathARN}}, {component: compCertAuthRecords, ready: true}},
		build: single(authCertificate.buildValidation)},

	// Where Langfuse runs: the user's VPC and subnets, observed only, and
	// what they must be (prerequisites.go); or a VPC of its own, with its
	// routes out (vpc.go). Tasks start once their subnet's route is there.
	{name: compNetworkVPC, title: "VPC", condition: conditionNetwork, enabled: always, build: single(buildNetworkVPC), check: checkVPC},
	{name: compPublicSubnets, title: "PublicSubnets", condition: conditionNetwork, enabled: always, memberKey: subnetKey,
		needs: []need{ownVPCID()},
		build: buildNetworkSubnets(compPublicSubnets), check: checkSubnets(compPublicSubnets, "spec.network.publicSubnetIds")},
	{name: compPrivateSubnets, title: "PrivateSubnets", condition: conditionNetwork, enabled: always, memberKey: subnetKey,
		needs: []need{ownVPCID()},
		build: buildNetworkSubnets(compPrivateSubnets), check: checkSubnets(compPrivateSubnets, "spec.network.privateSubnetIds")},
	{name: compInternetGateway, title: "InternetGateway", condition: conditionNetwork, enabled: withOwnVPC,
		needs: []need{ownVPCID()}, build: single(buildInternetGateway)},
	{name: compPublicRouteTable, title: "PublicRouteTable", condition: conditionNetwork, enabled: withOwnVPC,
		needs: []need{ownVPCID()}, build: single(buildPublicRouteTable)},
	{name: compPublicRoute, title: "PublicRoute", condition: conditionNetwork, enabled: withOwnVPC,
		needs: []need{{component: compPublicRouteTable, fields: []string{statusPathID}}, {component: compInternetGateway, ready: true, fields: []string{statusPathID}}},
		build: single(buildPublicRoute)},
	{name: compPublicRouteAssociations, title: "PublicRouteAssociations", condition: conditionNetwork, enabled: withOwnVPC,
		needs:     []need{readyOf(compPublicSubnets), {component: compPublicRouteTable, fields: []string{statusPathID}}},
		memberKey: associationKey, build: buildRouteAssociations(compPublicRouteAssociations, compPublicSubnets)},
	{name: compPrivateRouteTables, title: "PrivateRouteTables", condition: conditionNetwork, enabled: withOwnVPC,
		needs: []need{ownVPCID()}, memberKey: zoneKey, build: buildPrivateRouteTables},
	{name: compPrivateRouteAssociations, title: "PrivateRouteAssociations", condition: conditionNetwork, enabled: withOwnVPC,
		needs:     []need{readyOf(compPrivateSubnets), readyOf(compPrivateRouteTables)},
		memberKey: associationKey, build: buildRouteAssociations(compPrivateRouteAssociations, compPrivateSubnets)},
	{name: compNATAddresses, title: "NATAddresses", condition: conditionNetwork, enabled: withOwnVPC, memberKey: zoneKey, build: buildNATAddresses},
	// A public NAT gateway in a VPC without an internet gateway fails
	// ("Network vpc-… has no Internet gateway attached").
	{name: compNATGateways, title: "NATGateways", condition: conditionNetwork, enabled: withOwnVPC,
		needs:     []need{readyOf(compNATAddresses), readyOf(compPublicSubnets), readyOf(compInternetGateway)},
		memberKey: zoneKey, build: buildNATGateways},
	// Or the NAT instance (natinstance.go), which fetches its packages at
	// boot, so it starts once the public subnet routes out.
	{name: compNATInstanceSG, title: "NATInstanceSecurityGroup", condition: conditionNetwork, enabled: withNATInstance, retained: withOwnVPC,
		needs: []need{ownVPCID()}, build: single(buildVPCGroup(compNATInstanceSG, "nat", "Langfuse NAT instance: HTTPS from the VPC, out to the internet"))},
	{name: compNATInstanceIngress, title: "NATInstanceIngressRule", condition: conditionNetwork, enabled: withNATInstance, retained: withOwnVPC,
		build: single(buildHTTPSFromVPC(compNATInstanceIngress, compNATInstanceSG))},
	{name: compNATInstanceEgress, title: "NATInstanceEgressRules", condition: conditionNetwork, enabled: withNATInstance, retained: withOwnVPC,
		memberKey: natEgressKey, build: buildNATInstanceEgress},
	{name: compNATInstance, title: "NATInstance", condition: conditionNetwork, enabled: withOwnVPC,
		needs: []need{
			withNATInstanceOnly(readyOf(compPublicSubnets)), withNATInstanceOnly(readyOf(compPublicRoute)), withNATInstanceOnly(readyOf(compPublicRouteAssociations)),
			withNATInstanceOnly(need{component: compNATInstanceSG, fields: []string{statusPathID}}), withNATInstanceOnly(readyOf(compNATInstanceEgress)),
		},
		memberKey: zoneKey, build: buildNATInstance},
	{name: compPrivateRoutes, title: "PrivateRoutes", condition: conditionNetwork, enabled: withOwnVPC,
		needs:     []need{readyOf(compPrivateRouteTables), readyOf(compNATGateways).onlyWhen(withoutNATInstance), withNATInstanceOnly(readyOf(compNATInstance))},
		memberKey: routeKey, build: buildPrivateRoutes},
	// S3 without the NAT gateways' per-GB charge.
	{name: compS3Endpoint, title: "S3Endpoint", condition: conditionNetwork, enabled: withOwnVPC,
		needs: []need{ownVPCID()}, build: single(buildS3Endpoint)},
	{name: compS3EndpointRoutes, title: "S3EndpointRoutes", condition: conditionNetwork, enabled: withOwnVPC,
		needs:     []need{{component: compS3Endpoint, fields: []string{statusPathID}}, readyOf(compPrivateRouteTables)},
		memberKey: routeKey, build: buildS3EndpointRoutes},
	// Or no route out, and an interface endpoint per AWS API the tasks
	// reach (endpoints.go).
	{name: compEndpointSG, title: "EndpointSecurityGroup", condition: conditionNetwork, enabled: withVPCEndpoints, retained: withOwnVPC,
		needs: []need{ownVPCID()}, build: single(buildVPCGroup(compEndpointSG, "endpoints", "Langfuse VPC endpoints: HTTPS from the VPC"))},
	{name: compEndpointIngress, title: "EndpointIngressRule", condition: conditionNetwork, enabled: withVPCEndpoints, retained: withOwnVPC,
		build: single(buildHTTPSFromVPC(compEndpointIngress, compEndpointSG))},
	{name: compInterfaceEndpoints, title: "InterfaceEndpoints", condition: conditionNetwork, enabled: withOwnVPC,
		needs: []need{ownVPCID()}, memberKey: endpointKey, build: buildInterfaceEndpoints},
	{name: compInterfaceEndpointSubnet, title: "InterfaceEndpointSubnets", condition: conditionNetwork, enabled: withOwnVPC,
		needs:     []need{readyOf(compPrivateSubnets)},
		memberKey: endpointSubnetKey, build: buildInterfaceEndpointSubnets},
	{name: compInterfaceEndpointGroup, title: "InterfaceEndpointGroups", condition: conditionNetwork, enabled: withOwnVPC,
		needs:     []need{withVPCEndpointsOnly(need{component: compEndpointSG, fields: []string{statusPathID}})},
		memberKey: endpointGroupKey, build: buildInterfaceEndpointGroups},

	// The network: a group per tier, and rules between groups (network.go).
	{name: compALBSecurityGroup, title: "LoadBalancerSecurityGroup", enabled: always, needs: []need{ownVPCID()}, build: single(buildSecurityGroup(tierALB))},
	{name: compWebSecurityGroup, title: "WebSecurityGroup", enabled: always, needs: []need{ownVPCID()}, build: single(buildSecurityGroup(tierWeb))},
	{name: compWorkerSecurityGroup, title: "WorkerSecurityGroup", enabled: always, needs: []need{ownVPCID()}, build: single(buildSecurityGroup(tierWorker))},
	{name: compClickHouseSG, title: "ClickHouseSecurityGroup", enabled: always, needs: []need{ownVPCID()}, build: single(buildSecurityGroup(tierClickHouse))},
	{name: compDatabaseSG, title: "DatabaseSecurityGroup", enabled: always, needs: []need{ownVPCID()}, build: single(buildSecurityGroup(tierDatabase))},
	{name: compCacheSG, title: "CacheSecurityGroup", enabled: always, needs: []need{ownVPCID()}, build: single(buildSecurityGroup(tierCache))},
	{name: compEFSSecurityGroup, title: "EFSSecurityGroup", enabled: always, needs: []need{ownVPCID()}, build: single(buildSecurityGroup(tierEFS))},
	{name: compNetworkEgress, title: "EgressRules", enabled: always, memberKey: egressRuleKey, build: buildEgressRules},
	{name: compNetworkIngress, title: "IngressRules", enabled: always, memberKey: ingressFlowKey, build: buildIngressRules},
	{name: compALBIngress, title: "LoadBalancerIngressRules", enabled: always, memberKey: ingressRuleKey,
		needs: []need{withCloudFrontOnly(readyOf(compPrivateSubnets))}, build: buildALBIngressRules},
	// Its access logs (accesslogs.go): the load balancer turns them on once
	// the bucket's policy lets them in. The bucket and its protections stay
	// unless deletionPolicy is Delete.
	{name: compLogsBucket, title: "AccessLogBucket", condition: conditionLoadBalancer, enabled: withAccessLogs, retained: unlessDeletePolicy, build: single(buildBucketOf(compLogsBucket, logsBucketSuffix))},
	{name: compLogsBucketPublicAccess, title: "AccessLogBucketPublicAccessBlock", condition: conditionLoadBalancer, enabled: withAccessLogs, retained: unlessDeletePolicy, build: single(blockPublicAccess(compLogsBucketPublicAccess, compLogsBucket))},
	{name: compLogsBucketOwnership, title: "AccessLogBucketOwnershipControls", condition: conditionLoadBalancer, enabled: withAccessLogs, retained: unlessDeletePolicy, build: single(enforceBucketOwner(compLogsBucketOwnership, compLogsBucket))},
	{name: compLogsBucketEncryption, title: "AccessLogBucketEncryption", condition: conditionLoadBalancer, enabled: withAccessLogs, retained: unlessDeletePolicy, build: single(encryptWithS3Keys(compLogsBucketEncryption, compLogsBucket, false))},
	{name: compLogsBucketLifecycle, title: "AccessLogBucketLifecycle", condition: conditionLoadBalancer, enabled: withAccessLogs, retained: unlessDeletePolicy, build: single(buildLogsBucketLifecycle)},
	{name: compLogsBucketPolicy, title: "AccessLogBucketPolicy", condition: conditionLoadBalancer, enabled: withAccessLogs, retained: unlessDeletePolicy,
		needs: []need{{component: compLogsBucket, fields: []string{statusPathARN}}},
		build: single(buildLogsBucketPolicy)},
	{name: compALB, title: "LoadBalancer", condition: conditionLoadBalancer, enabled: always,
		// An internet-facing load balancer needs its VPC's internet
		// gateway, and answers only once its subnets route to it.
		// Behind CloudFront, it is internal, in the private subnets.
		needs: []need{
			withoutCloudFrontOnly(readyOf(compPublicSubnets)),
			withoutCloudFrontOnly(withOwnVPCOnly(readyOf(compPublicRoute))), withoutCloudFrontOnly(withOwnVPCOnly(readyOf(compPublicRouteAssociations))),
			withCloudFrontOnly(readyOf(compPrivateSubnets)),
		},
		build: single(buildALB)},
	{name: compALBTargetGroup, title: "TargetGroup", condition: conditionLoadBalancer, enabled: always, needs: []need{ownVPCID()}, build: single(buildTargetGroup)},
	{name: compALBListenerHTTP, title: "HTTPListener", condition: conditionLoadBalancer, enabled: always, build: single(buildHTTPListener)},
	{name: compALBListenerHTTPS, title: "HTTPSListener", condition: conditionLoadBalancer, enabled: always,
		needs: []need{{component: compCertHost, fields: []string{statusPathARN}}, {component: compCertHostValidation, ready: true}},
		build: single(buildHTTPSListener)},

	// The CloudFront front (cloudfront.go, waf.go): the host's certificate
	// in us-east-1 (its validation record is the host certificate's), the
	// WAF web ACL and its allowlists, the VPC origin to the internal load
	// balancer once it serves HTTPS, and the distribution once all of
	// them are there.
	{name: compCertEdge, title: "EdgeCertificate", condition: conditionCloudFront, enabled: withCloudFront, build: single(edgeCertificate.build)},
	{name: compCertEdgeRecords, title: "EdgeCertificateValidationRecords", condition: conditionCloudFront, enabled: withCloudFront,
		needs:     []need{{component: compCertEdge, fields: []string{statusPathDVO}}, {component: compCertHost, fields: []string{statusPathDVO}}},
		memberKey: validationRecordKey, build: edgeCertificate.buildValidationRecords},
	{name: compCertEdgeValidation, title: "EdgeCertificateValidation", condition: conditionCloudFront, enabled: withCloudFront,
		needs: []need{arnOf(compCertEdge), readyOf(compCertEdgeRecords), readyOf(compCertHostRecords)},
		build: single(edgeCertificate.buildValidation)},
	{name: compIPv4Allowlist, title: "IPv4Allowlist", condition: conditionWAF, enabled: withWAF, build: single(buildAllowlist(compIPv4Allowlist, true))},
	{name: compIPv6Allowlist, title: "IPv6Allowlist", condition: conditionWAF, enabled: withWAF, build: single(buildAllowlist(compIPv6Allowlist, false))},
	{name: compWebACL, title: "WebACL", condition: conditionWAF, enabled: withWAF,
		needs: []need{arnOf(compIPv4Allowlist), arnOf(compIPv6Allowlist)}, build: single(buildWebACL)},
	{name: compWebACLAssociation, title: "WebACLAssociation", condition: conditionWAF, enabled: withRegionalWAF,
		needs: []need{{component: compWebACL, ready: true, fields: []string{statusPathARN}}, {component: compALB, ready: true, fields: []string{statusPathARN}}},
		build: single(buildWebACLAssociation)},
	{name: compVPCOrigin, title: "VPCOrigin", condition: conditionCloudFront, enabled: withCloudFront,
		needs: []need{arnOf(compALB), readyOf(compALBListenerHTTPS)}, build: single(buildVPCOrigin)},
	{name: compDistribution, title: "Distribution", condition: conditionCloudFront, enabled: withCloudFront,
		needs: []need{
			{component: compVPCOrigin, ready: true, fields: []string{statusPathID}}, {component: compALB, fields: []string{statusPathLBDNSName}},
			arnOf(compCertEdge), readyOf(compCertEdgeValidation), {component: compWebACL, ready: true, fields: []string{statusPathARN}},
		},
		build: single(buildDistribution)},

	{name: compDNSRecordHost, title: "HostRecord", condition: conditionHostRecord, enabled: always,
		needs: []need{
			withoutCloudFrontOnly(need{component: compALB, fields: []string{statusPathLBDNSName, statusPathLBZoneID}}), withoutCloudFrontOnly(readyOf(compALBListenerHTTPS)),
			withCloudFrontOnly(need{component: compDistribution, ready: true, fields: []string{statusPathDomainName}}),
		},
		build: single(buildHostRecord)},
	{name: compDNSRecordHostIPv6, title: "HostIPv6Record", condition: conditionHostRecord, enabled: withCloudFrontIPv6,
		needs: []need{{component: compDistribution, ready: true, fields: []string{statusPathDomainName}}},
		build: single(buildHostIPv6Record)},

	// Storage: the bucket (storage.go) and ClickHouse's file system (efs.go).
	{name: compBucket, title: "Bucket", condition: conditionBucket, enabled: always, build: single(buildBucketOf(compBucket, dataBucketSuffix))},
	{name: compBucketPublicAccess, title: "BucketPublicAccessBlock", condition: conditionBucket, enabled: always, build: single(blockPublicAccess(compBucketPublicAccess, compBucket))},
	{name: compBucketOwnership, title: "BucketOwnershipControls", condition: conditionBucket, enabled: always, build: single(enforceBucketOwner(compBucketOwnership, compBucket))},
	{name: compBucketEncryption, title: "BucketEncryption", condition: conditionBucket, enabled: always, build: single(encryptWithS3Keys(compBucketEncryption, compBucket, true))},
	{name: compBucketPolicy, title: "BucketPolicy", condition: conditionBucket, enabled: always,
		needs: []need{{component: compBucket, fields: []string{statusPathARN}}},
		build: single(buildBucketPolicy)},
	{name: compEFS, title: "FileSystem", condition: conditionClickHouseData, enabled: always, build: single(buildFileSystem)},
	{name: compEFSMountTargets, title: "MountTargets", condition: conditionClickHouseData, enabled: always,
		needs: []need{readyOf(compPrivateSubnets)}, memberKey: mountTargetKey, build: buildMountTargets},
	{name: compEFSAccessPoint, title: "AccessPoint", condition: conditionClickHouseData, enabled: always, build: single(buildAccessPoint)},
	{name: compEFSPolicy, title: "FileSystemPolicy", condition: conditionClickHouseData, enabled: always,
		needs: []need{{component: compEFS, fields: []string{statusPathARN}}},
		build: single(buildFileSystemPolicy)},

	// Data stores: Aurora (database.go) and ElastiCache (cache.go), each
	// with its generated credential copied into Secrets Manager (secrets.go).
	{name: compDatabaseSubnetGroup, title: "DatabaseSubnetGroup", condition: conditionDatabase, enabled: always,
		needs: []need{withOwnVPCOnly(readyOf(compPrivateSubnets))}, build: single(buildPrivateSubnetGroup(compDatabaseSubnetGroup, kindDBSubnetGroup, tierDatabase, true))},
	{name: compDatabaseParameters, title: "DatabaseParameters", condition: conditionDatabase, enabled: always, build: single(buildDatabaseParameters)},
	{name: compDatabase, title: "Database", condition: conditionDatabase, enabled: always, build: single(buildDatabase)},
	{name: compDatabaseInstance, title: "DatabaseInstance", condition: conditionDatabase, enabled: always,
		needs: []need{{component: compDatabase, ready: true}},
		build: single(buildDatabaseInstance)},
	{name: compDatabaseSecret, title: "DatabasePassword", condition: conditionDatabase, enabled: always, build: single(databasePasswordCopy.buildSecret)},
	{name: compDatabaseSecretVersion, title: "DatabasePasswordVersion", condition: conditionDatabase, enabled: always,
		// The provider writes the generated password before it creates the cluster.
		needs: []need{{component: compDatabase, ready: true}},
		build: single(databasePasswordCopy.buildVersion)},
	{name: compCacheSubnetGroup, title: "CacheSubnetGroup", condition: conditionCache, enabled: always,
		needs: []need{withOwnVPCOnly(readyOf(compPrivateSubnets))}, build: single(buildPrivateSubnetGroup(compCacheSubnetGroup, kindCacheSubnetGroup, tierCache, false))},
	// One parameter group per engine (cache.go). Redis's stays once it
	// exists: the cache may still use it while it moves to Valkey.
	{name: compCacheParameters, title: "CacheParameters", condition: conditionCache, enabled: withRedis, retained: always, build: single(buildCacheParameters(cacheEngineRedis))},
	{name: compCacheParametersValkey, title: "CacheParametersValkey", condition: conditionCache, enabled: withValkey, build: single(buildCacheParameters(cacheEngineValkey))},
	// The replication group names its parameter group (it has no selector
	// for it), and ElastiCache refuses a group that does not exist yet.
	{name: compCache, title: "Cache", condition: conditionCache, enabled: always,
		needs: []need{withValkeyOnly(readyOf(compCacheParametersValkey)), withRedisOnly(readyOf(compCacheParameters))},
		build: single(buildCache)},
	{name: compCacheSecret, title: "CacheToken", condition: conditionCache, enabled: always, build: single(cacheTokenCopy.buildSecret)},
	{name: compCacheSecretVersion, title: "CacheTokenVersion", condition: conditionCache, enabled: always,
		needs: []need{{component: compCache, ready: true}},
		build: single(cacheTokenCopy.buildVersion)},

	// Langfuse's own credentials, generated once (credentials.go).
	{name: compCredentials, title: "Credentials", condition: conditionCredentials, enabled: always, build: buildCredentials},
	{name: compCredentialsSecret, title: "CredentialsSecret", condition: conditionCredentials, enabled: always, build: single(credentialsCopy.buildSecret)},
	{name: compCredentialsSecretVersion, title: "CredentialsSecretVersion", condition: conditionCredentials, enabled: always,
		needs: []need{{component: compCredentials, ready: true}},
		build: single(buildCredentialsVersion)},
	{name: compRegistrySecret, title: "RegistryCredentials", condition: conditionCredentials, enabled: withRegistryCredentials, build: single(registryCredentialsCopy.buildSecret)},
	{name: compRegistryVersion, title: "RegistryCredentialsVersion", condition: conditionCredentials, enabled: withRegistryCredentials,
		needs: []need{arnOf(compRegistrySecret)},
		build: single(registryCredentialsCopy.buildVersion)},

	// Where the tasks run (ecs.go).
	{name: compECSCluster, title: "Cluster", condition: conditionCluster, enabled: always, build: single(buildECSCluster)},
	{name: compLogGroupWeb, title: "WebLogGroup", condition: conditionCluster, enabled: always, build: single(buildLogGroup(compLogGroupWeb, "web"))},
	{name: compLogGroupWorker, title: "WorkerLogGroup", condition: conditionCluster, enabled: always, build: single(buildLogGroup(compLogGroupWorker, "worker"))},
	{name: compLogGroupClickHouse, title: "ClickHouseLogGroup", condition: conditionCluster, enabled: always, build: single(buildLogGroup(compLogGroupClickHouse, "clickhouse"))},
	{name: compCapacityProviders, title: "CapacityProviders", condition: conditionCluster, enabled: always, build: single(buildCapacityProviders)},
	{name: compServiceNamespace, title: "ServiceNamespace", condition: conditionCluster, enabled: always, needs: []need{ownVPCID()}, build: single(buildServiceNamespace)},

	// The pool holds the users and the secret's name is taken for 7 days
	// once deleted: both outlive a disabled Cognito unless deletionPolicy is
	// Delete, so enabling it again brings the same users back.
	{name: compUserPool, title: "UserPool", enabled: withCognito, retained: unlessDeletePolicy, build: single(buildUserPool)},
	{name: compUserPoolClient, title: "UserPoolClient", enabled: withCognito, build: single(buildUserPoolClient)},
	{name: compClientSecret, title: "ClientSecret", condition: conditionClientSecret, enabled: withCognito, retained: unlessDeletePolicy, build: single(clientSecretCopy.buildSecret)},
	{name: compClientSecretVersion, title: "ClientSecretVersion", condition: conditionClientSecret, enabled: withCognito,
		// The client's connection secret exists once the client is Ready.
		needs: []need{{component: compUserPoolClient, ready: true}},
		build: single(clientSecretCopy.buildVersion)},
	{name: compManagedLoginBranding, title: "ManagedLoginBranding", condition: conditionManagedLoginBrnd, enabled: withManagedLoginV2,
		needs: []need{{component: compUserPool, ready: true, fields: []string{statusPathID}}, {component: compUserPoolClient, ready: true, fields: []string{statusPathID}}},
		build: single(buildManagedLoginBranding)},
	// The mission's edge: Cognito rejects a custom domain whose parent name
	// does not resolve, and the parent of auth.<host> is the host record.
	{name: compUserPoolDomain, title: "CognitoDomain", condition: conditionCognitoDomain, enabled: withCognito,
		needs: []need{
			{component: compDNSRecordHost, ready: true},
			{component: compCertAuth, fields: []string{statusPathARN}},
			{component: compCertAuthValidation, ready: true},
		},
		build: single(buildUserPoolDomain)},
	{name: compDNSRecordAuth, title: "AuthRecord", condition: conditionAuthRecord, enabled: withCognito,
		needs: []need{{component: compUserPoolDomain, fields: []string{statusPathCloudFront}}},
		build: single(buildAuthRecord)},

	// Langfuse's headless initialization, from the user's own Secret, one
	// copy per key (init.go).
	{name: compInitSecrets, title: "InitSecrets", condition: conditionWeb, enabled: withInit, memberKey: initSecretKey, build: buildInitSecrets},
	{name: compInitVersions, title: "InitSecretVersions", condition: conditionWeb, enabled: withInit,
		needs:     []need{readyOf(compInitSecrets)},
		memberKey: initVersionKey, build: buildInitVersions},

	// Who the tasks are to AWS (iam.go): each policy names the ARNs of
	// exactly what the role may use.
	{name: compExecutionRole, title: "ExecutionRole", condition: conditionTaskRoles, enabled: always, build: single(executionRole.buildRole)},
	{name: compExecutionPolicy, title: "ExecutionPolicy", condition: conditionTaskRoles, enabled: always,
		needs: []need{
			arnOf(compCredentialsSecret), arnOf(compDatabaseSecret), arnOf(compCacheSecret), withCognitoOnly(arnOf(compClientSecret)),
			arnOf(compLogGroupWeb), arnOf(compLogGroupWorker), arnOf(compLogGroupClickHouse),
			withInitOnly(readyOf(compInitSecrets)), withRegistryCredentialsOnly(arnOf(compRegistrySecret)),
		},
		build: single(executionRole.buildPolicy)},
	{name: compAppTaskRole, title: "AppTaskRole", condition: conditionTaskRoles, enabled: always, build: single(appTaskRole.buildRole)},
	{name: compAppTaskPolicy, title: "AppTaskPolicy", condition: conditionTaskRoles, enabled: always,
		needs: []need{arnOf(compBucket), arnOf(compLogGroupWeb), arnOf(compLogGroupWorker)},
		build: single(appTaskRole.buildPolicy)},
	{name: compClickHouseTaskRole, title: "ClickHouseTaskRole", condition: conditionTaskRoles, enabled: always, build: single(clickHouseTaskRole.buildRole)},
	{name: compClickHouseTaskPolicy, title: "ClickHouseTaskPolicy", condition: conditionTaskRoles, enabled: always,
		needs: []need{arnOf(compEFS), arnOf(compEFSAccessPoint), arnOf(compLogGroupClickHouse)},
		build: single(clickHouseTaskRole.buildPolicy)},

	// ClickHouse: one task on its file system, found by name
	// (taskdefinitions.go, services.go). It is Ready once it runs healthy.
	{name: compClickHouseDiscovery, title: "ClickHouseDiscovery", condition: conditionClickHouse, enabled: always, build: single(buildClickHouseDiscovery)},
	{name: compClickHouseTask, title: "ClickHouseTaskDefinition", condition: conditionClickHouse, enabled: always,
		needs: []need{
			arnOf(compClickHouseTaskRole), arnOf(compCredentialsSecret), withRegistryCredentialsOnly(arnOf(compRegistrySecret)),
			{component: compEFS, fields: []string{statusPathID}}, {component: compEFSAccessPoint, fields: []string{statusPathID}},
		}, memberKey: revisionKey,
		build: revisions(compClickHouseTask, compClickHouseService, clickHouseContainer.buildTaskDefinition)},
	{name: compClickHouseService, title: "ClickHouseService", condition: conditionClickHouse, enabled: always,
		needs: append([]need{
			{component: compClickHouseTask, ready: true, fields: []string{statusPathARN}}, arnOf(compClickHouseDiscovery),
			// A task starts only with its secrets readable and its file
			// system mountable.
			readyOf(compExecutionPolicy), readyOf(compClickHouseTaskPolicy), readyOf(compCredentialsSecretVersion),
			withRegistryCredentialsOnly(readyOf(compRegistryVersion)),
			// Web and worker find it by its private DNS name.
			readyOf(compNetworkVPC),
			readyOf(compEFSMountTargets), readyOf(compEFSPolicy),
		}, egressNeeds()...),
		build: single(clickHouseService.buildService)},

	// Langfuse's migrations, in one task (taskdefinitions.go): web and
	// worker start, and roll out a new release, only once they ran.
	{name: compMigrateTask, title: "MigrateTaskDefinition", condition: conditionMigrations, enabled: always,
		needs: appTaskNeeds(), memberKey: revisionKey,
		build: revisions(compMigrateTask, compMigrateService, migrateContainer.buildTaskDefinition)},
	{name: compMigrateService, title: "MigrateService", condition: conditionMigrations, enabled: always,
		needs: append([]need{
			{component: compMigrateTask, ready: true, fields: []string{statusPathARN}},
			readyOf(compExecutionPolicy), readyOf(compCredentialsSecretVersion), readyOf(compDatabaseSecretVersion),
			readyOf(compDatabaseInstance), readyOf(compClickHouseService), withRegistryCredentialsOnly(readyOf(compRegistryVersion)),
		}, egressNeeds()...),
		build: single(migrateService.buildService)},

	// Langfuse: worker and web, which start against a ClickHouse that
	// answers and a database, cache and secrets that are there. Web is the
	// last thing that needs the Cognito client, and it does not wait for
	// the Cognito domain: Langfuse starts while CloudFront deploys it.
	{name: compWorkerTask, title: "WorkerTaskDefinition", condition: conditionWorker, enabled: always,
		needs: appTaskNeeds(), memberKey: revisionKey,
		build: revisions(compWorkerTask, compWorkerService, workerContainer.buildTaskDefinition)},
	{name: compWorkerService, title: "WorkerService", condition: conditionWorker, enabled: always,
		needs: append(appServiceNeeds(compWorkerTask), readyOf(compCapacityProviders)),
		build: single(workerService.buildService)},
	scalingTargetOf(workerScaling, "WorkerScalingTarget", conditionWorker),
	scalingPolicyOf(workerScaling, "WorkerScalingPolicy", conditionWorker),
	{name: compWebTask, title: "WebTaskDefinition", condition: conditionWeb, enabled: always,
		needs: append(appTaskNeeds(),
			withCognitoOnly(need{component: compUserPool, fields: []string{statusPathPoolEndpoint}}),
			withCognitoOnly(need{component: compUserPoolClient, fields: []string{statusPathID}}),
			withCognitoOnly(arnOf(compClientSecret)),
			withInitOnly(readyOf(compInitSecrets)),
		), memberKey: revisionKey,
		build: revisions(compWebTask, compWebService, webContainer.buildTaskDefinition)},
	{name: compWebService, title: "WebService", condition: conditionWeb, enabled: always,
		needs: append(appServiceNeeds(compWebTask), readyOf(compCapacityProviders),
			withCognitoOnly(readyOf(compClientSecretVersion)),
			withInitOnly(readyOf(compInitVersions)),
			// ECS refuses a target group that no listener forwards to.
			readyOf(compALBListenerHTTPS),
		),
		build: single(webService.buildService)},
	scalingTargetOf(webScaling, "WebScalingTarget", conditionWeb),
	scalingPolicyOf(webScaling, "WebScalingPolicy", conditionWeb),

	// Deletion order (usage.go): what uses a resource is deleted first.
	usageOf(usages[0], withCognito),
	usageOf(usages[1], always), usageOf(usages[2], always), usageOf(usages[3], always),
	usageOf(usages[4], always), usageOf(usages[5], always), usageOf(usages[6], always), usageOf(usages[7], always),
	usageOf(usages[8], withCognito),
	usageOf(usages[9], withCloudFront), usageOf(usages[10], withCloudFront), usageOf(usages[11], withCloudFront), usageOf(usages[12], withCloudFront),
	usageOf(usages[13], withRegionalWAF),
	{name: compUsageFileSystem, title: "FileSystemUsages", condition: conditionDeletionOrder, enabled: always,
		needs:     []need{readyOf(compEFS), readyOf(compEFSMountTargets)},
		memberKey: fileSystemUsageKey, build: buildFileSystemUsages},
}

// scalingTargetOf registers a service with the autoscaler once it exists.
func scalingTargetOf(s scaling, title, condition string) component {
	return component{
		name: s.target, title: title, condition: condition, enabled: always,
		needs: []need{readyOf(s.service.component)},
		build: single(s.buildTarget),
	}
}

// scalingPolicyOf is a service's scaling policy, once its target exists.
func scalingPolicyOf(s scaling, title, condition string) component {
	return component{
		name: s.policy, title: title, condition: condition, enabled: always,
		needs: []need{readyOf(s.target)},
		build: single(s.buildPolicy),
	}
}

// usageOf is the component of a deletion order: emitted once both ends exist.
func usageOf(u usage, enabled func(*Spec) bool) component {
	return component{
		name: u.component, title: "Usage", condition: conditionDeletionOrder, enabled: enabled,
		needs: []need{readyOf(u.of), readyOf(u.by)},
		build: single(u.build),
	}
}

// appTaskNeeds are what the web and worker task definitions read: the
// endpoints of the data stores and the ARNs of the secrets and the role.
func appTaskNeeds() []need {
	return []need{
		arnOf(compAppTaskRole),
		{component: compDatabase, fields: []string{statusPathEndpoint}},
		{component: compCache, fields: []string{statusPathPrimaryEndpoint}},
		arnOf(compCredentialsSecret), arnOf(compDatabaseSecret), arnOf(compCacheSecret),
		withRegistryCredentialsOnly(arnOf(compRegistrySecret)),
	}
}

// appServiceNeeds are what web and worker tasks need to start and stay up.
func appServiceNeeds(task string) []need {
	return append([]need{
		{component: task, ready: true, fields: []string{statusPathARN}},
		readyOf(compExecutionPolicy), readyOf(compAppTaskPolicy),
		readyOf(compCredentialsSecretVersion), readyOf(compDatabaseSecretVersion), readyOf(compCacheSecretVersion),
		readyOf(compDatabaseInstance), readyOf(compCache),
		readyOf(compClickHouseService), readyOf(compMigrateService),
		withRegistryCredentialsOnly(readyOf(compRegistryVersion)),
	}, egressNeeds()...)
}

// ownVPCID needs the id of a composed VPC, which what is placed in it
// names; the user's is in the spec.
func ownVPCID() need {
	return withOwnVPCOnly(need{component: compNetworkVPC, fields: []string{statusPathID}})
}

// egressNeeds are what a task needs to reach the internet from a composed
// VPC's private subnets (image pulls, Cognito, the AWS APIs): its subnet in
// its route table, the route to the NAT gateway, and the NAT gateway's
// route out; or, without a route out, the endpoints of the AWS APIs.
func egressNeeds() []need {
	out := []need{withOwnVPCOnly(readyOf(compPrivateRouteAssociations))}
	for _, c := range []string{compPrivateRoutes, compPublicRouteAssociations, compPublicRoute} {
		out = append(out, readyOf(c).onlyWhen(withRouteOut))
	}
	// Without a route out, the endpoints in every private subnet, and S3's
	// in every private route table (ECR's image layers).
	for _, c := range []string{compInterfaceEndpoints, compInterfaceEndpointSubnet, compInterfaceEndpointGroup, compS3EndpointRoutes} {
		out = append(out, withVPCEndpointsOnly(readyOf(c)))
	}
	return out
}

// single adapts a builder of one resource to the graph's builder signature.
func single(b func(*world) (*composed.Unstructured, error)) func(*world) (map[string]*composed.Unstructured, error) {
	return func(w *world) (map[string]*composed.Unstructured, error) {
		mr, err := b(w)
		if err != nil {
			return nil, err
		}
		return map[string]*composed.Unstructured{"": mr}, nil
	}
}

// componentByName finds a component of the graph.
func componentByName(name string) (*component, bool) {
	c, ok := componentIndex[name]
	return c, ok
}

// componentIndex finds components by name.
var componentIndex = func() map[string]*component {
	m := make(map[string]*component, len(graph))
	for i := range graph {
		m[graph[i].name] = &graph[i]
	}
	return m
}()

// revisioned says whether the component is a replace-only resource composed
// as content-addressed revisions (revisions.go).
func (c *component) revisioned() bool {
	return c.name == compWebTask || c.name == compWorkerTask || c.name == compClickHouseTask || c.name == compMigrateTask
}

// componentOf returns the component a composition-resource name belongs to:
// the component of that name, or the component of several resources whose
// name and a dash begin it (the longest, as cert-host-validation-record-…
// also begins with cert-host-validation). Crossplane owns this name, so it
// identifies a composed resource whatever happens to its labels.
func componentOf(name string) (*component, bool) {
	if c, ok := componentIndex[name]; ok {
		// A task definition named after its component alone is a revision
		// an older release composed; other components of several
		// resources never had one.
		return c, c.memberKey == nil || c.revisioned()
	}
	// A member: the longest component of several resources whose name and
	// a dash begin the name, with a key after them.
	for i := len(name) - 2; i > 0; i-- {
		if name[i] == '-' {
			if c, ok := componentIndex[name[:i]]; ok && c.memberKey != nil {
				return c, true
			}
		}
	}
	return nil, false
}

// neededFields lists, per component, the status fields some enabled dependant
// copies from it. A resource is only Ready to the XR once they are there, so
// Crossplane v1, which derives XR readiness from composed readiness alone,
// never reports an XR Ready while a dependant still waits on a value.
func neededFields(s *Spec) map[string][]string {
	out := map[string][]string{}
	for _, c := range graph {
		if !c.enabled(s) {
			continue
		}
		for _, n := range c.needs {
			if n.applies(s) {
				out[n.component] = append(out[n.component], n.fields...)
			}
		}
	}
	return out
}
