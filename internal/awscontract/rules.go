package awscontract

import "strings"

// The rule table. Each entry says which AWS API input member Terraform
// (provider-aws v2.4.0's terraform-provider-aws fork) sends an MR field to;
// the constraints themselves come from the models when they load. A docs
// clause quotes the sentence that states a rule only in words.
//
// Where an MR's AWS name is its external name (provider-aws's external-name
// configuration names the parameter: NameAsIdentifier, ParameterAsIdentifier,
// or a template around {{ .external_name }}), the rule's field is
// "external-name".

// rule builds one entry: target is "group/Kind field", member "service
// Operation Member.Path".
func rule(target, member string, opts ...func(*Rule)) Rule {
	gk, field, _ := strings.Cut(target, " ")
	group, kind, _ := strings.Cut(gk, "/")
	parts := strings.Fields(member)
	r := Rule{Group: group, Kind: kind, Field: field}
	if len(parts) == 3 {
		r.Service, r.Operation, r.Member = parts[0], parts[1], parts[2]
	}
	for _, o := range opts {
		o(&r)
	}
	return r
}

// stale leaves out a bound of a shape the rule reaches, which AWS has
// changed since the SDK's last model update.
func stale(shape, bound, why string) func(*Rule) {
	return func(r *Rule) { r.Stale = append(r.Stale, StaleBound{Shape: shape, Bound: bound, Why: why}) }
}

func docs(kind ClauseKind, sentence string) func(*Rule) {
	return func(r *Rule) { r.Docs = append(r.Docs, Clause{Kind: kind, Sentence: sentence}) }
}

// docsIn is docs for a sentence in other text than the member's own.
func docsIn(in string, kind ClauseKind, sentence string) func(*Rule) {
	return func(r *Rule) { r.Docs = append(r.Docs, Clause{Kind: kind, Sentence: sentence, In: in}) }
}

func advisory(kind ClauseKind, sentence string) func(*Rule) {
	return func(r *Rule) { r.Docs = append(r.Docs, Clause{Kind: kind, Sentence: sentence, Advisory: true}) }
}

func notEnforced(why string, kind ClauseKind, sentence string) func(*Rule) {
	return func(r *Rule) { r.Docs = append(r.Docs, Clause{Kind: kind, Sentence: sentence, NotEnforced: why}) }
}

func when(conds ...string) func(*Rule) { return func(r *Rule) { r.When = append(r.When, conds...) } }
func unless(conds ...string) func(*Rule) {
	return func(r *Rule) { r.Unless = append(r.Unless, conds...) }
}
func note(s string) func(*Rule) { return func(r *Rule) { r.Note = s } }
func deep() func(*Rule)         { return func(r *Rule) { r.Deep = true } }

// set lists a field with the names of its reference and selector, which
// resolve to it.
func set(field string) []string { return []string{field, field + "Ref", field + "Selector"} }

// tags maps forProvider.tags to the key and value members of an operation.
func tags(gk, keyMember, valueMember string, opts ...func(*Rule)) []Rule {
	return []Rule{rule(gk+" tags.$key", keyMember, opts...), rule(gk+" tags.$value", valueMember, opts...)}
}

// Sentences several services share.
const (
	// EC2 security groups and rules.
	ec2UpTo = `Up to (?P<max>\d+) characters in length`
	// ECS names: "Up to 255 letters (uppercase and lowercase), numbers,
	// underscores, and hyphens are allowed."
	ecsUpTo  = `Up to (?P<max>\d+) letters`
	ecsChars = `Up to \d+ (?P<set>[^.]+?) are allowed`
	// RDS and ElastiCache identifiers.
	firstLetter   = `(?i:first character must be a letter)`
	endOrDouble   = `(?i:can't|cannot) end with a hyphen or contain two consecutive hyphens`
	rdsTagJava    = `Java regex: "(?P<re>[^"]+)"`
	rdsTagLength  = `from (?P<min>\d+) to (?P<max>\d+) Unicode characters in length`
	rdsTagNotAWS  = `can't be prefixed with (?P<prefix>aws:)`
	rdsTagNotRDS  = `can't be prefixed with aws: or (?P<prefix>rds:)`
	elbNameMax    = `can have a maximum of (?P<max>\d+) characters`
	elbNameChars  = `must contain only (?P<set>[^,]+),`
	elbNameHyphen = `must not begin or end with a hyphen`
	serverlessACU = `You can specify ACU values in half-step increments`
	serverlessWhy = "AWS raised it after the SDK's last model update (2024-07-30): 0 ACUs with auto-pause, 256 on recent Aurora versions"
	// WAF's rate-based rules.
	rateLimitWhy = "AWS lowered it to 10 in 2024, after the SDK's last model update (2024-07-30)"
	// WAF's CloudWatch metric names: the text is stricter than the
	// model's MetricName shape (1..255, ^[\w#:\.\-/]+$), which the API
	// checks and every rule checks too.
	wafMetricChars    = `The name can contain only the characters: (?P<set>[^.]+)\.`
	wafMetricLength   = `The name can be from (?P<min>\w+) to (?P<max>\d+) characters long`
	wafMetricWhy      = "contradicts the model's MetricName shape, which the API checks (1..255 characters, pattern ^[\\w#:\\.\\-/]+$)"
	wafMetricAll      = `reserved for WAF, for example (?P<value>All) and`
	wafMetricDefault  = `reserved for WAF, for example All and (?P<value>Default_Action)`
	cloudFrontACMOnly = `CloudFront only supports ACM certificates in the US East \(N\. Virginia\) Region \((?P<region>[a-z0-9-]+)\)`
)

// wafMetricName are the rules of a WAF CloudWatch metric name, at a
// VisibilityConfig.MetricName member.
func wafMetricName(target, member string) Rule {
	return rule(target, member,
		notEnforced(wafMetricWhy, Length, wafMetricLength),
		notEnforced(wafMetricWhy, Charset, wafMetricChars),
		docs(NotValue, wafMetricAll), docs(NotValue, wafMetricDefault))
}

func rdsTags(gk, op string) []Rule {
	return tags(gk, "rds "+op+" Tags.Key", "rds "+op+" Tags.Value",
		docs(Pattern, rdsTagJava), docs(Length, rdsTagLength), docs(NotPrefix, rdsTagNotAWS), docs(NotPrefix, rdsTagNotRDS))
}

func table() []Rule {
	var t []Rule
	add := func(rs ...Rule) { t = append(t, rs...) }
	addAll := func(rss ...[]Rule) {
		for _, rs := range rss {
			t = append(t, rs...)
		}
	}

	// acm
	add(
		rule("acm/Certificate domainName", "acm RequestCertificate DomainName",
			docs(Length, `cannot exceed (?P<max>\d+) octets`)),
		rule("acm/Certificate subjectAlternativeNames", "acm RequestCertificate SubjectAlternativeNames"),
		rule("acm/Certificate keyAlgorithm", "acm RequestCertificate KeyAlgorithm"),
		rule("acm/Certificate validationMethod", "acm RequestCertificate ValidationMethod"),
		rule("acm/Certificate options.certificateTransparencyLoggingPreference", "acm RequestCertificate Options.CertificateTransparencyLoggingPreference"),
		rule("acm/CertificateValidation certificateArn", "acm DescribeCertificate CertificateArn",
			note("Terraform only waits: it reads the certificate until it is issued")),
	)
	addAll(tags("acm/Certificate", "acm RequestCertificate Tags.Key", "acm RequestCertificate Tags.Value"))

	// appautoscaling
	add(
		rule("appautoscaling/Target resourceId", "application-autoscaling RegisterScalableTarget ResourceId"),
		rule("appautoscaling/Target minCapacity", "application-autoscaling RegisterScalableTarget MinCapacity"),
		rule("appautoscaling/Target maxCapacity", "application-autoscaling RegisterScalableTarget MaxCapacity"),
		rule("appautoscaling/Target scalableDimension", "application-autoscaling RegisterScalableTarget ScalableDimension"),
		rule("appautoscaling/Target serviceNamespace", "application-autoscaling RegisterScalableTarget ServiceNamespace"),
		rule("appautoscaling/Policy external-name", "application-autoscaling PutScalingPolicy PolicyName"),
		rule("appautoscaling/Policy policyType", "application-autoscaling PutScalingPolicy PolicyType"),
		rule("appautoscaling/Policy targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType",
			"application-autoscaling PutScalingPolicy TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType"),
		rule("appautoscaling/Policy targetTrackingScalingPolicyConfiguration.targetValue",
			"application-autoscaling PutScalingPolicy TargetTrackingScalingPolicyConfiguration.TargetValue"),
		rule("appautoscaling/Policy targetTrackingScalingPolicyConfiguration.scaleInCooldown",
			"application-autoscaling PutScalingPolicy TargetTrackingScalingPolicyConfiguration.ScaleInCooldown"),
		rule("appautoscaling/Policy targetTrackingScalingPolicyConfiguration.scaleOutCooldown",
			"application-autoscaling PutScalingPolicy TargetTrackingScalingPolicyConfiguration.ScaleOutCooldown"),
	)

	// cloudcontrol
	add(
		rule("cloudcontrol/Resource typeName", "cloudcontrol CreateResource TypeName"),
		rule("cloudcontrol/Resource desiredState", "cloudcontrol CreateResource DesiredState"),
	)

	// cloudfront: Terraform creates a distribution with
	// CreateDistributionWithTags, its tags beside its config. The model
	// predates CloudFront's VPC origins (2024-11): Origin has no
	// VpcOriginConfig, so origin.vpcOriginConfig (vpcOriginId,
	// originReadTimeout, originKeepaliveTimeout) has no member to map to
	// and is left out. aws-sdk-go-v2's service/cloudfront (v1.54.1,
	// types.VpcOriginConfig) says both timeouts are 1 to 120 seconds; the
	// Terraform fork checks only that they are at least 1.
	const cfDist = "cloudfront CreateDistributionWithTags DistributionConfigWithTags.DistributionConfig."
	cachedMethods := docs(OneOf, `Valid values for CachedMethods include (?P<values>[A-Z]+(?:,? (?:and )?[A-Z]+)*), depending`)
	add(
		rule("cloudfront/Distribution aliases", cfDist+"Aliases.Items"),
		rule("cloudfront/Distribution comment", cfDist+"Comment",
			docs(Length, `The comment cannot be longer than (?P<max>\d+) characters`)),
		rule("cloudfront/Distribution enabled", cfDist+"Enabled"),
		rule("cloudfront/Distribution httpVersion", cfDist+"HttpVersion"),
		rule("cloudfront/Distribution isIpv6Enabled", cfDist+"IsIPV6Enabled"),
		rule("cloudfront/Distribution priceClass", cfDist+"PriceClass"),
		rule("cloudfront/Distribution webAclId", cfDist+"WebACLId"),
		rule("cloudfront/Distribution origin.originId", cfDist+"Origins.Items.Id"),
		rule("cloudfront/Distribution origin.domainName", cfDist+"Origins.Items.DomainName"),
		rule("cloudfront/Distribution defaultCacheBehavior.targetOriginId", cfDist+"DefaultCacheBehavior.TargetOriginId"),
		rule("cloudfront/Distribution defaultCacheBehavior.viewerProtocolPolicy", cfDist+"DefaultCacheBehavior.ViewerProtocolPolicy"),
		rule("cloudfront/Distribution defaultCacheBehavior.allowedMethods", cfDist+"DefaultCacheBehavior.AllowedMethods.Items"),
		rule("cloudfront/Distribution defaultCacheBehavior.cachedMethods", cfDist+"DefaultCacheBehavior.AllowedMethods.CachedMethods.Items", cachedMethods),
		rule("cloudfront/Distribution defaultCacheBehavior.compress", cfDist+"DefaultCacheBehavior.Compress"),
		rule("cloudfront/Distribution defaultCacheBehavior.cachePolicyId", cfDist+"DefaultCacheBehavior.CachePolicyId"),
		rule("cloudfront/Distribution defaultCacheBehavior.originRequestPolicyId", cfDist+"DefaultCacheBehavior.OriginRequestPolicyId"),
		rule("cloudfront/Distribution orderedCacheBehavior.pathPattern", cfDist+"CacheBehaviors.Items.PathPattern"),
		rule("cloudfront/Distribution orderedCacheBehavior.targetOriginId", cfDist+"CacheBehaviors.Items.TargetOriginId"),
		rule("cloudfront/Distribution orderedCacheBehavior.viewerProtocolPolicy", cfDist+"CacheBehaviors.Items.ViewerProtocolPolicy"),
		rule("cloudfront/Distribution orderedCacheBehavior.allowedMethods", cfDist+"CacheBehaviors.Items.AllowedMethods.Items"),
		rule("cloudfront/Distribution orderedCacheBehavior.cachedMethods", cfDist+"CacheBehaviors.Items.AllowedMethods.CachedMethods.Items", cachedMethods),
		rule("cloudfront/Distribution orderedCacheBehavior.compress", cfDist+"CacheBehaviors.Items.Compress"),
		rule("cloudfront/Distribution orderedCacheBehavior.cachePolicyId", cfDist+"CacheBehaviors.Items.CachePolicyId"),
		rule("cloudfront/Distribution orderedCacheBehavior.originRequestPolicyId", cfDist+"CacheBehaviors.Items.OriginRequestPolicyId"),
		rule("cloudfront/Distribution viewerCertificate.acmCertificateArn", cfDist+"ViewerCertificate.ACMCertificateArn",
			docs(ARNRegion, cloudFrontACMOnly)),
		rule("cloudfront/Distribution viewerCertificate.sslSupportMethod", cfDist+"ViewerCertificate.SSLSupportMethod"),
		rule("cloudfront/Distribution viewerCertificate.minimumProtocolVersion", cfDist+"ViewerCertificate.MinimumProtocolVersion",
			note("the model's list stops at TLSv1.2_2021: the TLSv1.2_2025 and TLSv1.3_2025 policies came after it")),
		rule("cloudfront/Distribution restrictions.geoRestriction.restrictionType", cfDist+"Restrictions.GeoRestriction.RestrictionType"),
	)
	addAll(tags("cloudfront/Distribution",
		"cloudfront CreateDistributionWithTags DistributionConfigWithTags.Tags.Items.Key",
		"cloudfront CreateDistributionWithTags DistributionConfigWithTags.Tags.Items.Value"))

	// cloudwatchlogs
	add(
		rule("cloudwatchlogs/Group external-name", "logs CreateLogGroup logGroupName"),
		rule("cloudwatchlogs/Group retentionInDays", "logs PutRetentionPolicy retentionInDays",
			docs(OneOf, `Possible values are: (?P<values>[\d, and]+)\.`)),
		rule("cloudwatchlogs/Group kmsKeyId", "logs CreateLogGroup kmsKeyId"),
	)
	addAll(tags("cloudwatchlogs/Group", "logs CreateLogGroup tags.$key", "logs CreateLogGroup tags.$value"))

	// cognitoidp
	add(
		rule("cognitoidp/UserPool name", "cognito-idp CreateUserPool PoolName"),
		rule("cognitoidp/UserPool passwordPolicy.minimumLength", "cognito-idp CreateUserPool Policies.PasswordPolicy.MinimumLength"),
		rule("cognitoidp/UserPool passwordPolicy.temporaryPasswordValidityDays", "cognito-idp CreateUserPool Policies.PasswordPolicy.TemporaryPasswordValidityDays"),
		rule("cognitoidp/UserPool accountRecoverySetting.recoveryMechanism.name", "cognito-idp CreateUserPool AccountRecoverySetting.RecoveryMechanisms.Name"),
		rule("cognitoidp/UserPool accountRecoverySetting.recoveryMechanism.priority", "cognito-idp CreateUserPool AccountRecoverySetting.RecoveryMechanisms.Priority"),
		rule("cognitoidp/UserPool mfaConfiguration", "cognito-idp CreateUserPool MfaConfiguration"),
		rule("cognitoidp/UserPool deletionProtection", "cognito-idp CreateUserPool DeletionProtection"),
		rule("cognitoidp/UserPool autoVerifiedAttributes", "cognito-idp CreateUserPool AutoVerifiedAttributes"),
		rule("cognitoidp/UserPool usernameAttributes", "cognito-idp CreateUserPool UsernameAttributes"),
		rule("cognitoidp/UserPool userAttributeUpdateSettings.attributesRequireVerificationBeforeUpdate",
			"cognito-idp CreateUserPool UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate"),
		rule("cognitoidp/UserPoolClient name", "cognito-idp CreateUserPoolClient ClientName"),
		rule("cognitoidp/UserPoolClient callbackUrls", "cognito-idp CreateUserPoolClient CallbackURLs"),
		rule("cognitoidp/UserPoolClient logoutUrls", "cognito-idp CreateUserPoolClient LogoutURLs"),
		rule("cognitoidp/UserPoolClient allowedOauthScopes", "cognito-idp CreateUserPoolClient AllowedOAuthScopes"),
		rule("cognitoidp/UserPoolClient allowedOauthFlows", "cognito-idp CreateUserPoolClient AllowedOAuthFlows"),
		rule("cognitoidp/UserPoolClient explicitAuthFlows", "cognito-idp CreateUserPoolClient ExplicitAuthFlows"),
		rule("cognitoidp/UserPoolClient supportedIdentityProviders", "cognito-idp CreateUserPoolClient SupportedIdentityProviders"),
		rule("cognitoidp/UserPoolClient accessTokenValidity", "cognito-idp CreateUserPoolClient AccessTokenValidity",
			note("the model's range is of the number; the unit is tokenValidityUnits")),
		rule("cognitoidp/UserPoolClient idTokenValidity", "cognito-idp CreateUserPoolClient IdTokenValidity"),
		rule("cognitoidp/UserPoolClient refreshTokenValidity", "cognito-idp CreateUserPoolClient RefreshTokenValidity"),
		rule("cognitoidp/UserPoolClient tokenValidityUnits.accessToken", "cognito-idp CreateUserPoolClient TokenValidityUnits.AccessToken"),
		rule("cognitoidp/UserPoolClient tokenValidityUnits.idToken", "cognito-idp CreateUserPoolClient TokenValidityUnits.IdToken"),
		rule("cognitoidp/UserPoolClient tokenValidityUnits.refreshToken", "cognito-idp CreateUserPoolClient TokenValidityUnits.RefreshToken"),
		rule("cognitoidp/UserPoolClient preventUserExistenceErrors", "cognito-idp CreateUserPoolClient PreventUserExistenceErrors"),
		// The model's pattern allows no dot, yet its text says a custom
		// domain is the full name (auth.example.com): the pattern is the
		// prefix domain's.
		rule("cognitoidp/UserPoolDomain domain", "cognito-idp CreateUserPoolDomain Domain",
			unless(set("certificateArn")...),
			note("prefix domains only: the model's pattern has no dot, and its text says a custom domain is the full name")),
		rule("cognitoidp/UserPoolDomain certificateArn", "cognito-idp CreateUserPoolDomain CustomDomainConfig.CertificateArn"),
	)
	addAll(tags("cognitoidp/UserPool", "cognito-idp CreateUserPool UserPoolTags.$key", "cognito-idp CreateUserPool UserPoolTags.$value"))

	// ec2: a rule's description goes to the IpPermissions entry of its peer.
	const (
		sgCharset   = `Valid characters: (?P<set>.+)$`
		ruleCharset = `Allowed characters are (?P<set>.+)$`
	)
	add(
		rule("ec2/SecurityGroup description", "ec2 CreateSecurityGroup Description",
			docs(Length, ec2UpTo), docs(Charset, sgCharset)),
		rule("ec2/SecurityGroup name", "ec2 CreateSecurityGroup GroupName",
			docs(Length, ec2UpTo), docs(NotPrefix, `Cannot start with (?P<prefix>\S+?)\.`), docs(Charset, sgCharset)),
	)
	for _, k := range []struct{ kind, op string }{
		{"SecurityGroupIngressRule", "AuthorizeSecurityGroupIngress"},
		{"SecurityGroupEgressRule", "AuthorizeSecurityGroupEgress"},
	} {
		add(
			rule("ec2/"+k.kind+" description", "ec2 "+k.op+" IpPermissions.IpRanges.Description",
				when("cidrIpv4"), docs(Length, ec2UpTo), docs(Charset, ruleCharset)),
			rule("ec2/"+k.kind+" description", "ec2 "+k.op+" IpPermissions.Ipv6Ranges.Description",
				when("cidrIpv6"), docs(Length, ec2UpTo), docs(Charset, ruleCharset)),
			rule("ec2/"+k.kind+" description", "ec2 "+k.op+" IpPermissions.PrefixListIds.Description",
				when(set("prefixListId")...), docs(Length, ec2UpTo), docs(Charset, ruleCharset)),
			rule("ec2/"+k.kind+" description", "ec2 "+k.op+" IpPermissions.UserIdGroupPairs.Description",
				when(set("referencedSecurityGroupId")...), docs(Length, ec2UpTo), docs(Charset, ruleCharset)),
		)
	}

	// A composed VPC (spec.network.vpc).
	add(
		rule("ec2/VPC cidrBlock", "ec2 CreateVpc CidrBlock"),
		rule("ec2/VPC enableDnsSupport", "ec2 ModifyVpcAttribute EnableDnsSupport"),
		rule("ec2/VPC enableDnsHostnames", "ec2 ModifyVpcAttribute EnableDnsHostnames"),
		rule("ec2/Subnet cidrBlock", "ec2 CreateSubnet CidrBlock"),
		rule("ec2/Subnet availabilityZone", "ec2 CreateSubnet AvailabilityZone"),
		rule("ec2/Subnet mapPublicIpOnLaunch", "ec2 ModifySubnetAttribute MapPublicIpOnLaunch"),
		rule("ec2/RouteTableAssociation subnetId", "ec2 AssociateRouteTable SubnetId"),
		rule("ec2/RouteTableAssociation routeTableId", "ec2 AssociateRouteTable RouteTableId"),
		rule("ec2/Route destinationCidrBlock", "ec2 CreateRoute DestinationCidrBlock"),
		rule("ec2/Route natGatewayId", "ec2 CreateRoute NatGatewayId"),
		rule("ec2/Route gatewayId", "ec2 CreateRoute GatewayId"),
		rule("ec2/EIP domain", "ec2 AllocateAddress Domain"),
		rule("ec2/NATGateway connectivityType", "ec2 CreateNatGateway ConnectivityType"),
		rule("ec2/VPCEndpoint vpcEndpointType", "ec2 CreateVpcEndpoint VpcEndpointType"),
		rule("ec2/VPCEndpoint serviceName", "ec2 CreateVpcEndpoint ServiceName"),
		rule("ec2/VPCEndpointRouteTableAssociation routeTableId", "ec2 ModifyVpcEndpoint AddRouteTableIds"),
		// The interface endpoints of a VPC without a route out: Terraform
		// creates each without subnets or groups, and the associations add
		// them with ModifyVpcEndpoint.
		rule("ec2/VPCEndpoint privateDnsEnabled", "ec2 CreateVpcEndpoint PrivateDnsEnabled"),
		rule("ec2/VPCEndpointSubnetAssociation subnetId", "ec2 ModifyVpcEndpoint AddSubnetIds"),
		rule("ec2/VPCEndpointSubnetAssociation vpcEndpointId", "ec2 ModifyVpcEndpoint VpcEndpointId"),
		rule("ec2/VPCEndpointSecurityGroupAssociation securityGroupId", "ec2 ModifyVpcEndpoint AddSecurityGroupIds"),
		rule("ec2/VPCEndpointSecurityGroupAssociation vpcEndpointId", "ec2 ModifyVpcEndpoint VpcEndpointId"),
		rule("ec2/NATGateway allocationId", "ec2 CreateNatGateway AllocationId"),
		rule("ec2/NATGateway subnetId", "ec2 CreateNatGateway SubnetId"),
		rule("ec2/Route networkInterfaceId", "ec2 CreateRoute NetworkInterfaceId"),
		// The NAT instance: Terraform launches it with RunInstances, with
		// the public address on its primary network interface, and turns
		// the source/destination check off with ModifyInstanceAttribute.
		rule("ec2/Instance instanceType", "ec2 RunInstances InstanceType"),
		rule("ec2/Instance subnetId", "ec2 RunInstances SubnetId"),
		rule("ec2/Instance vpcSecurityGroupIds", "ec2 RunInstances SecurityGroupIds"),
		rule("ec2/Instance userData", "ec2 RunInstances UserData",
			note("Terraform base64-encodes the plain text before it sends it")),
		rule("ec2/Instance metadataOptions.httpTokens", "ec2 RunInstances MetadataOptions.HttpTokens"),
		rule("ec2/Instance metadataOptions.httpEndpoint", "ec2 RunInstances MetadataOptions.HttpEndpoint"),
		rule("ec2/Instance associatePublicIpAddress", "ec2 RunInstances NetworkInterfaces.AssociatePublicIpAddress"),
		rule("ec2/Instance sourceDestCheck", "ec2 ModifyInstanceAttribute SourceDestCheck"),
	)

	// EC2 tags go in the create call's TagSpecifications.
	for _, k := range []struct{ kind, op string }{
		{"SecurityGroup", "CreateSecurityGroup"},
		{"SecurityGroupIngressRule", "AuthorizeSecurityGroupIngress"},
		{"SecurityGroupEgressRule", "AuthorizeSecurityGroupEgress"},
		{"VPC", "CreateVpc"},
		{"Subnet", "CreateSubnet"},
		{"InternetGateway", "CreateInternetGateway"},
		{"RouteTable", "CreateRouteTable"},
		{"EIP", "AllocateAddress"},
		{"NATGateway", "CreateNatGateway"},
		{"VPCEndpoint", "CreateVpcEndpoint"},
		{"Instance", "RunInstances"},
	} {
		add(
			rule("ec2/"+k.kind+" tags.$key", "ec2 "+k.op+" TagSpecifications.Tags.Key",
				docs(Length, `accept a maximum of (?P<max>\d+) Unicode characters`),
				docs(NotPrefix, `May not begin with (?P<prefix>aws:)`)),
			rule("ec2/"+k.kind+" tags.$value", "ec2 "+k.op+" TagSpecifications.Tags.Value",
				docs(Length, `accept a maximum of (?P<max>\d+) Unicode characters`)),
		)
	}

	// ecs
	add(
		rule("ecs/Cluster external-name", "ecs CreateCluster clusterName", docs(Length, ecsUpTo), docs(Charset, ecsChars)),
		rule("ecs/Cluster setting.name", "ecs CreateCluster settings.name"),
		rule("ecs/ClusterCapacityProviders capacityProviders", "ecs PutClusterCapacityProviders capacityProviders"),
		rule("ecs/Service capacityProviderStrategy.capacityProvider", "ecs CreateService capacityProviderStrategy.capacityProvider"),
		rule("ecs/Service capacityProviderStrategy.weight", "ecs CreateService capacityProviderStrategy.weight"),
		rule("ecs/Service capacityProviderStrategy.base", "ecs CreateService capacityProviderStrategy.base"),
		rule("ecs/Cluster setting.value", "ecs CreateCluster settings.value",
			notEnforced("containerInsights took \"enhanced\" after the SDK's last model update", OneOf, `The supported values are (?P<values>\w+ and \w+)\.`)),
		rule("ecs/Cluster configuration.executeCommandConfiguration.logging", "ecs CreateCluster configuration.executeCommandConfiguration.logging"),

		rule("ecs/Service external-name", "ecs CreateService serviceName", docs(Length, ecsUpTo), docs(Charset, ecsChars)),
		rule("ecs/Service healthCheckGracePeriodSeconds", "ecs CreateService healthCheckGracePeriodSeconds",
			docs(Range, `grace period of up to (?P<max>[\d,]+) seconds`)),
		rule("ecs/Service launchType", "ecs CreateService launchType"),
		rule("ecs/Service propagateTags", "ecs CreateService propagateTags"),
		rule("ecs/Service deploymentMaximumPercent", "ecs CreateService deploymentConfiguration.maximumPercent"),
		rule("ecs/Service deploymentMinimumHealthyPercent", "ecs CreateService deploymentConfiguration.minimumHealthyPercent"),
		rule("ecs/Service loadBalancer.containerPort", "ecs CreateService loadBalancers.containerPort"),

		rule("ecs/TaskDefinition family", "ecs RegisterTaskDefinition family", docs(Length, ecsUpTo), docs(Charset, ecsChars)),
		rule("ecs/TaskDefinition cpu", "ecs RegisterTaskDefinition cpu",
			when("requiresCompatibilities=FARGATE"),
			docs(FargateSizes, `If you're using the Fargate launch type, this field is required and you must use one of the following values`),
			note("checks the memory field too: Fargate allows each CPU size a set of memory sizes")),
		rule("ecs/TaskDefinition networkMode", "ecs RegisterTaskDefinition networkMode"),
		rule("ecs/TaskDefinition requiresCompatibilities", "ecs RegisterTaskDefinition requiresCompatibilities"),
		rule("ecs/TaskDefinition runtimePlatform.cpuArchitecture", "ecs RegisterTaskDefinition runtimePlatform.cpuArchitecture"),
		rule("ecs/TaskDefinition runtimePlatform.operatingSystemFamily", "ecs RegisterTaskDefinition runtimePlatform.operatingSystemFamily"),
		rule("ecs/TaskDefinition volume.name", "ecs RegisterTaskDefinition volumes.name", docs(Length, ecsUpTo), docs(Charset, ecsChars)),
		rule("ecs/TaskDefinition volume.efsVolumeConfiguration.transitEncryption", "ecs RegisterTaskDefinition volumes.efsVolumeConfiguration.transitEncryption"),
		rule("ecs/TaskDefinition volume.efsVolumeConfiguration.authorizationConfig.iam", "ecs RegisterTaskDefinition volumes.efsVolumeConfiguration.authorizationConfig.iam"),
		rule("ecs/TaskDefinition containerDefinitions#", "ecs RegisterTaskDefinition containerDefinitions", deep(),
			note("Terraform decodes the JSON into the SDK's ContainerDefinition with encoding/json")),
		rule("ecs/TaskDefinition containerDefinitions#name", "ecs RegisterTaskDefinition containerDefinitions.name",
			docs(Length, ecsUpTo), docs(Charset, ecsChars)),
		rule("ecs/TaskDefinition containerDefinitions#image", "ecs RegisterTaskDefinition containerDefinitions.image",
			docs(Length, ecsUpTo),
			notEnforced("the same text gives repository-url/image@digest, whose @ the list leaves out", Charset, ecsChars)),
		rule("ecs/TaskDefinition containerDefinitions#healthCheck.interval", "ecs RegisterTaskDefinition containerDefinitions.healthCheck.interval",
			docs(Range, `You may specify between (?P<min>\d+) and (?P<max>\d+) seconds`)),
		rule("ecs/TaskDefinition containerDefinitions#healthCheck.timeout", "ecs RegisterTaskDefinition containerDefinitions.healthCheck.timeout",
			docs(Range, `You may specify between (?P<min>\d+) and (?P<max>\d+) seconds`)),
		rule("ecs/TaskDefinition containerDefinitions#healthCheck.retries", "ecs RegisterTaskDefinition containerDefinitions.healthCheck.retries",
			docs(Range, `You may specify between (?P<min>\d+) and (?P<max>\d+) retries`)),
		rule("ecs/TaskDefinition containerDefinitions#healthCheck.startPeriod", "ecs RegisterTaskDefinition containerDefinitions.healthCheck.startPeriod",
			docs(Range, `You can specify between (?P<min>\d+) and (?P<max>\d+) seconds`)),
		rule("ecs/TaskDefinition containerDefinitions#stopTimeout", "ecs RegisterTaskDefinition containerDefinitions.stopTimeout",
			docs(Range, `The valid values are (?P<min>\d+)-(?P<max>\d+) seconds`),
			docs(Range, `For tasks using the Fargate launch type, .{0,200}?The max stop timeout value is (?P<max>\d+) seconds`)),
		rule("ecs/TaskDefinition containerDefinitions#startTimeout", "ecs RegisterTaskDefinition containerDefinitions.startTimeout",
			docs(Range, `The valid values are (?P<min>\d+)-(?P<max>\d+) seconds`)),
		rule("ecs/TaskDefinition containerDefinitions#portMappings.name", "ecs RegisterTaskDefinition containerDefinitions.portMappings.name",
			docs(Length, `The name can include up to (?P<max>\d+) characters`),
			docs(Charset, `The characters can include (?P<set>[^.]+)\.`),
			docs(NoLeadingHyphen, `The name can't start with a hyphen`)),
	)
	addAll(
		tags("ecs/Cluster", "ecs CreateCluster tags.key", "ecs CreateCluster tags.value"),
		tags("ecs/Service", "ecs CreateService tags.key", "ecs CreateService tags.value"),
		tags("ecs/TaskDefinition", "ecs RegisterTaskDefinition tags.key", "ecs RegisterTaskDefinition tags.value"),
	)

	// efs
	add(
		rule("efs/FileSystem creationToken", "elasticfilesystem CreateFileSystem CreationToken"),
		rule("efs/FileSystem performanceMode", "elasticfilesystem CreateFileSystem PerformanceMode"),
		rule("efs/FileSystem throughputMode", "elasticfilesystem CreateFileSystem ThroughputMode"),
		rule("efs/FileSystem provisionedThroughputInMibps", "elasticfilesystem CreateFileSystem ProvisionedThroughputInMibps"),
		rule("efs/FileSystem lifecyclePolicy.transitionToIa", "elasticfilesystem PutLifecycleConfiguration LifecyclePolicies.TransitionToIA"),
		rule("efs/FileSystem lifecyclePolicy.transitionToPrimaryStorageClass", "elasticfilesystem PutLifecycleConfiguration LifecyclePolicies.TransitionToPrimaryStorageClass"),
		rule("efs/AccessPoint rootDirectory.path", "elasticfilesystem CreateAccessPoint RootDirectory.Path"),
		rule("efs/AccessPoint rootDirectory.creationInfo.permissions", "elasticfilesystem CreateAccessPoint RootDirectory.CreationInfo.Permissions"),
		rule("efs/AccessPoint rootDirectory.creationInfo.ownerUid", "elasticfilesystem CreateAccessPoint RootDirectory.CreationInfo.OwnerUid"),
		rule("efs/AccessPoint rootDirectory.creationInfo.ownerGid", "elasticfilesystem CreateAccessPoint RootDirectory.CreationInfo.OwnerGid"),
		rule("efs/AccessPoint posixUser.uid", "elasticfilesystem CreateAccessPoint PosixUser.Uid"),
		rule("efs/AccessPoint posixUser.gid", "elasticfilesystem CreateAccessPoint PosixUser.Gid"),
		rule("efs/MountTarget subnetId", "elasticfilesystem CreateMountTarget SubnetId"),
		rule("efs/FileSystemPolicy policy", "elasticfilesystem PutFileSystemPolicy Policy"),
	)
	addAll(
		tags("efs/FileSystem", "elasticfilesystem CreateFileSystem Tags.Key", "elasticfilesystem CreateFileSystem Tags.Value"),
		tags("efs/AccessPoint", "elasticfilesystem CreateAccessPoint Tags.Key", "elasticfilesystem CreateAccessPoint Tags.Value"),
	)

	// elasticache
	add(
		rule("elasticache/ReplicationGroup external-name", "elasticache CreateReplicationGroup ReplicationGroupId",
			docs(Length, `must contain from (?P<min>\d+) to (?P<max>\d+) `),
			docs(Charset, `must contain from \d+ to \d+ (?P<set>[a-z ]+)\.`),
			docs(FirstLetter, `(?i:the first character must be a letter)`),
			docs(NoTrailingHyphen, endOrDouble), docs(NoDoubleHyphen, endOrDouble)),
		rule("elasticache/ReplicationGroup numCacheClusters", "elasticache CreateReplicationGroup NumCacheClusters",
			docs(Range, `The maximum permitted value for NumCacheClusters is (?P<max>\d+)`)),
		rule("elasticache/ReplicationGroup numCacheClusters", "elasticache CreateReplicationGroup NumCacheClusters",
			when("automaticFailoverEnabled=true"),
			docs(Range, `If AutomaticFailoverEnabled is true, the value of this parameter must be at least (?P<min>\d+)`)),
		rule("elasticache/SubnetGroup external-name", "elasticache CreateCacheSubnetGroup CacheSubnetGroupName",
			docs(Length, `Must contain no more than (?P<max>\d+) `),
			docs(Charset, `Must contain no more than \d+ (?P<set>[a-z ]+)\.`)),
		rule("elasticache/ParameterGroup family", "elasticache CreateCacheParameterGroup CacheParameterGroupFamily",
			notEnforced("the valkey families came after the SDK's last model update", OneOf, `Valid values are: (?P<values>[a-z0-9.x| ]+)`)),
	)

	// elbv2
	add(
		rule("elbv2/LB name", "elasticloadbalancingv2 CreateLoadBalancer Name",
			docs(Length, elbNameMax), docs(Charset, elbNameChars),
			docs(NoLeadingHyphen, elbNameHyphen), docs(NoTrailingHyphen, elbNameHyphen),
			docs(NotPrefix, `must not begin with "(?P<prefix>[^"]+)"`)),
		rule("elbv2/LB loadBalancerType", "elasticloadbalancingv2 CreateLoadBalancer Type"),
		rule("elbv2/LB ipAddressType", "elasticloadbalancingv2 CreateLoadBalancer IpAddressType"),
		rule("elbv2/LB idleTimeout", "elasticloadbalancingv2 ModifyLoadBalancerAttributes Attributes.Value",
			docsIn("LoadBalancerAttribute$Key", Range, `idle_timeout\.timeout_seconds - The idle timeout value, in seconds\. The valid range is (?P<min>\d+)-(?P<max>\d+) seconds`),
			note("sent as the idle_timeout.timeout_seconds attribute")),
		rule("elbv2/LB desyncMitigationMode", "elasticloadbalancingv2 ModifyLoadBalancerAttributes Attributes.Value",
			docsIn("LoadBalancerAttribute$Key", OneOf, `routing\.http\.desync_mitigation_mode - .{0,200}?The possible values are (?P<values>[a-z ,]+?) ?\.`),
			note("sent as the routing.http.desync_mitigation_mode attribute")),
		rule("elbv2/LBTargetGroup name", "elasticloadbalancingv2 CreateTargetGroup Name",
			docs(Length, elbNameMax), docs(Charset, elbNameChars),
			docs(NoLeadingHyphen, elbNameHyphen), docs(NoTrailingHyphen, elbNameHyphen)),
		rule("elbv2/LBTargetGroup port", "elasticloadbalancingv2 CreateTargetGroup Port"),
		rule("elbv2/LBTargetGroup protocol", "elasticloadbalancingv2 CreateTargetGroup Protocol"),
		rule("elbv2/LBTargetGroup targetType", "elasticloadbalancingv2 CreateTargetGroup TargetType"),
		rule("elbv2/LBTargetGroup healthCheck.path", "elasticloadbalancingv2 CreateTargetGroup HealthCheckPath"),
		rule("elbv2/LBTargetGroup healthCheck.interval", "elasticloadbalancingv2 CreateTargetGroup HealthCheckIntervalSeconds"),
		rule("elbv2/LBTargetGroup healthCheck.timeout", "elasticloadbalancingv2 CreateTargetGroup HealthCheckTimeoutSeconds"),
		rule("elbv2/LBTargetGroup healthCheck.healthyThreshold", "elasticloadbalancingv2 CreateTargetGroup HealthyThresholdCount"),
		rule("elbv2/LBTargetGroup healthCheck.unhealthyThreshold", "elasticloadbalancingv2 CreateTargetGroup UnhealthyThresholdCount"),
		rule("elbv2/LBTargetGroup healthCheck.protocol", "elasticloadbalancingv2 CreateTargetGroup HealthCheckProtocol"),
		rule("elbv2/LBTargetGroup deregistrationDelay", "elasticloadbalancingv2 ModifyTargetGroupAttributes Attributes.Value",
			docsIn("TargetGroupAttribute$Key", Range, `deregistration_delay\.timeout_seconds - .{0,200}?The range is (?P<min>\d+)-(?P<max>\d+) seconds`),
			note("sent as the deregistration_delay.timeout_seconds attribute")),
		rule("elbv2/LBListener port", "elasticloadbalancingv2 CreateListener Port"),
		rule("elbv2/LBListener protocol", "elasticloadbalancingv2 CreateListener Protocol"),
		rule("elbv2/LBListener defaultAction.type", "elasticloadbalancingv2 CreateListener DefaultActions.Type"),
		rule("elbv2/LBListener defaultAction.redirect.protocol", "elasticloadbalancingv2 CreateListener DefaultActions.RedirectConfig.Protocol"),
		rule("elbv2/LBListener defaultAction.redirect.statusCode", "elasticloadbalancingv2 CreateListener DefaultActions.RedirectConfig.StatusCode"),
	)
	addAll(
		tags("elbv2/LB", "elasticloadbalancingv2 CreateLoadBalancer Tags.Key", "elasticloadbalancingv2 CreateLoadBalancer Tags.Value"),
		tags("elbv2/LBTargetGroup", "elasticloadbalancingv2 CreateTargetGroup Tags.Key", "elasticloadbalancingv2 CreateTargetGroup Tags.Value"),
		tags("elbv2/LBListener", "elasticloadbalancingv2 CreateListener Tags.Key", "elasticloadbalancingv2 CreateListener Tags.Value"),
	)

	// iam
	add(
		rule("iam/Role external-name", "iam CreateRole RoleName"),
		rule("iam/Role path", "iam CreateRole Path"),
		rule("iam/Role description", "iam CreateRole Description"),
		rule("iam/Role assumeRolePolicy", "iam CreateRole AssumeRolePolicyDocument"),
		rule("iam/Role maxSessionDuration", "iam CreateRole MaxSessionDuration"),
		rule("iam/Role permissionsBoundary", "iam CreateRole PermissionsBoundary"),
		rule("iam/RolePolicy external-name", "iam PutRolePolicy PolicyName"),
		rule("iam/RolePolicy policy", "iam PutRolePolicy PolicyDocument"),
	)
	addAll(tags("iam/Role", "iam CreateRole Tags.Key", "iam CreateRole Tags.Value"))

	// rds
	add(
		rule("rds/Cluster external-name", "rds CreateDBCluster DBClusterIdentifier",
			docs(Length, `Must contain from (?P<min>\d+) to (?P<max>\d+) \(for Aurora DB clusters\)`),
			docs(Charset, `\(for Multi-AZ DB clusters\) (?P<set>[a-z, ]+)\.`),
			docs(FirstLetter, firstLetter), docs(NoTrailingHyphen, endOrDouble), docs(NoDoubleHyphen, endOrDouble)),
		rule("rds/Cluster engine", "rds CreateDBCluster Engine",
			docs(OneOf, `Valid Values: (?P<values>(?:[a-z][a-z0-9-]* )+)`)),
		rule("rds/Cluster port", "rds CreateDBCluster Port",
			docs(Range, `Valid Values: (?P<min>\d+)-(?P<max>\d+)`)),
		rule("rds/Cluster backupRetentionPeriod", "rds CreateDBCluster BackupRetentionPeriod",
			docs(Range, `Must be a value from (?P<min>\d+) to (?P<max>\d+)\.`)),
		rule("rds/Cluster masterUsername", "rds CreateDBCluster MasterUsername",
			docs(Length, `Must be (?P<min>\d+) to (?P<max>\d+) letters or numbers`),
			docs(Charset, `Must be \d+ to \d+ (?P<set>letters or numbers)\.`),
			docs(FirstLetter, firstLetter)),
		rule("rds/Cluster databaseName", "rds CreateDBCluster DatabaseName",
			docs(Length, `of up to (?P<max>\d+) alphanumeric characters`),
			docs(Charset, `of up to \d+ (?P<set>alphanumeric characters)\.`)),
		rule("rds/Cluster finalSnapshotIdentifier", "rds DeleteDBCluster FinalDBSnapshotIdentifier",
			docs(Length, `Must be (?P<min>\d+) to (?P<max>\d+) letters`),
			docs(Charset, `Must be \d+ to \d+ (?P<set>[a-z, ]+)\.`),
			docs(FirstLetter, firstLetter), docs(NoTrailingHyphen, endOrDouble), docs(NoDoubleHyphen, endOrDouble),
			note("sent when the cluster is deleted without skipFinalSnapshot")),
		rule("rds/Cluster serverlessv2ScalingConfiguration.minCapacity", "rds CreateDBCluster ServerlessV2ScalingConfiguration.MinCapacity",
			docs(HalfStep, serverlessACU),
			notEnforced(serverlessWhy, Range, `The smallest value that you can use is (?P<min>[\d.]+)\.`)),
		rule("rds/Cluster serverlessv2ScalingConfiguration.maxCapacity", "rds CreateDBCluster ServerlessV2ScalingConfiguration.MaxCapacity",
			docs(HalfStep, serverlessACU),
			notEnforced(serverlessWhy, Range, `The largest value that you can use is (?P<max>[\d.]+)\.`)),
		// Sent at creation, and to EnableHttpEndpoint or DisableHttpEndpoint
		// when it changes (Terraform, for a provisioned cluster).
		rule("rds/Cluster enableHttpEndpoint", "rds CreateDBCluster EnableHttpEndpoint"),
		rule("rds/ClusterInstance external-name", "rds CreateDBInstance DBInstanceIdentifier",
			docs(Length, `Must contain from (?P<min>\d+) to (?P<max>\d+) letters`),
			docs(Charset, `Must contain from \d+ to \d+ (?P<set>[a-z, ]+)\.`),
			docs(FirstLetter, firstLetter), docs(NoTrailingHyphen, endOrDouble), docs(NoDoubleHyphen, endOrDouble)),
		rule("rds/SubnetGroup external-name", "rds CreateDBSubnetGroup DBSubnetGroupName",
			docs(Length, `Must contain no more than (?P<max>\d+) `),
			docs(Charset, `Must contain no more than \d+ (?P<set>[a-z, ]+)\.`),
			docs(NotValue, `Must not be (?P<value>\w+)\.`),
			docs(FirstLetter, firstLetter)),
		rule("rds/ClusterParameterGroup parameter.applyMethod", "rds ModifyDBClusterParameterGroup Parameters.ApplyMethod"),
	)
	addAll(
		rdsTags("rds/Cluster", "CreateDBCluster"),
		rdsTags("rds/ClusterInstance", "CreateDBInstance"),
		rdsTags("rds/SubnetGroup", "CreateDBSubnetGroup"),
		rdsTags("rds/ClusterParameterGroup", "CreateDBClusterParameterGroup"),
	)

	// route53
	add(
		rule("route53/Record name", "route53 ChangeResourceRecordSets ChangeBatch.Changes.ResourceRecordSet.Name"),
		rule("route53/Record type", "route53 ChangeResourceRecordSets ChangeBatch.Changes.ResourceRecordSet.Type"),
		rule("route53/Record ttl", "route53 ChangeResourceRecordSets ChangeBatch.Changes.ResourceRecordSet.TTL"),
		rule("route53/Record records", "route53 ChangeResourceRecordSets ChangeBatch.Changes.ResourceRecordSet.ResourceRecords.Value"),
		rule("route53/Record zoneId", "route53 ChangeResourceRecordSets HostedZoneId"),
		rule("route53/Record setIdentifier", "route53 ChangeResourceRecordSets ChangeBatch.Changes.ResourceRecordSet.SetIdentifier"),
	)

	// s3: CreateBucket's Bucket has no constraint in the model, and its text
	// points at the naming rules in the user guide instead of stating them.
	add(
		rule("s3/BucketOwnershipControls rule.objectOwnership", "s3 PutBucketOwnershipControls OwnershipControls.Rules.ObjectOwnership"),
		rule("s3/BucketLifecycleConfiguration rule.status", "s3 PutBucketLifecycleConfiguration LifecycleConfiguration.Rules.Status"),
		rule("s3/BucketLifecycleConfiguration rule.id", "s3 PutBucketLifecycleConfiguration LifecycleConfiguration.Rules.ID"),
		rule("s3/BucketLifecycleConfiguration rule.expiration.days", "s3 PutBucketLifecycleConfiguration LifecycleConfiguration.Rules.Expiration.Days"),
		rule("s3/BucketServerSideEncryptionConfiguration rule.applyServerSideEncryptionByDefault.sseAlgorithm",
			"s3 PutBucketEncryption ServerSideEncryptionConfiguration.Rules.ApplyServerSideEncryptionByDefault.SSEAlgorithm"),
		rule("s3/BucketServerSideEncryptionConfiguration rule.bucketKeyEnabled",
			"s3 PutBucketEncryption ServerSideEncryptionConfiguration.Rules.BucketKeyEnabled"),
		rule("s3/BucketPublicAccessBlock blockPublicAcls", "s3 PutPublicAccessBlock PublicAccessBlockConfiguration.BlockPublicAcls"),
	)

	// secretsmanager
	add(
		rule("secretsmanager/Secret name", "secretsmanager CreateSecret Name",
			docs(Charset, `The secret name can contain (?P<set>.+?) Do not end`),
			advisory(HyphenSuffix, `Do not end your secret name with a hyphen followed by (?P<n>\w+) characters`)),
		rule("secretsmanager/Secret description", "secretsmanager CreateSecret Description"),
		rule("secretsmanager/Secret kmsKeyId", "secretsmanager CreateSecret KmsKeyId"),
		rule("secretsmanager/Secret recoveryWindowInDays", "secretsmanager DeleteSecret RecoveryWindowInDays",
			unless("recoveryWindowInDays=0"),
			docs(Range, `The number of days from (?P<min>\d+) to (?P<max>\d+) that`),
			note("sent when the secret is deleted; Terraform sends 0 as ForceDeleteWithoutRecovery instead")),
		rule("secretsmanager/SecretVersion secretString", "secretsmanager PutSecretValue SecretString"),
	)
	addAll(tags("secretsmanager/Secret", "secretsmanager CreateSecret Tags.Key", "secretsmanager CreateSecret Tags.Value"))

	// servicediscovery
	add(
		rule("servicediscovery/PrivateDNSNamespace name", "servicediscovery CreatePrivateDnsNamespace Name"),
		rule("servicediscovery/PrivateDNSNamespace description", "servicediscovery CreatePrivateDnsNamespace Description"),
		rule("servicediscovery/PrivateDNSNamespace vpc", "servicediscovery CreatePrivateDnsNamespace Vpc"),
		rule("servicediscovery/Service name", "servicediscovery CreateService Name"),
		rule("servicediscovery/Service description", "servicediscovery CreateService Description"),
		rule("servicediscovery/Service dnsConfig.dnsRecords.ttl", "servicediscovery CreateService DnsConfig.DnsRecords.TTL"),
		rule("servicediscovery/Service dnsConfig.dnsRecords.type", "servicediscovery CreateService DnsConfig.DnsRecords.Type"),
		rule("servicediscovery/Service dnsConfig.routingPolicy", "servicediscovery CreateService DnsConfig.RoutingPolicy"),
		rule("servicediscovery/Service healthCheckCustomConfig.failureThreshold", "servicediscovery CreateService HealthCheckCustomConfig.FailureThreshold"),
	)
	addAll(
		tags("servicediscovery/PrivateDNSNamespace", "servicediscovery CreatePrivateDnsNamespace Tags.Key", "servicediscovery CreatePrivateDnsNamespace Tags.Value"),
		tags("servicediscovery/Service", "servicediscovery CreateService Tags.Key", "servicediscovery CreateService Tags.Value"),
	)

	// wafv2: an IP set's and a web ACL's description must match the
	// model's EntityDescription pattern (letters, digits, _ + = : # @ / - ,
	// . and, inside, white space: no parentheses, no apostrophe), which the
	// API enforces.
	const (
		wafNoZero = `WAF supports all IPv4 and IPv6 CIDR ranges except for (?P<suffix>/0)\.`
		wafCIDR   = `All addresses must be specified using Classless Inter-Domain Routing \(CIDR\) notation`
	)
	add(
		rule("wafv2/IPSet name", "wafv2 CreateIPSet Name"),
		rule("wafv2/IPSet description", "wafv2 CreateIPSet Description"),
		rule("wafv2/IPSet scope", "wafv2 CreateIPSet Scope"),
		rule("wafv2/IPSet ipAddressVersion", "wafv2 CreateIPSet IPAddressVersion"),
		rule("wafv2/IPSet addresses", "wafv2 CreateIPSet Addresses",
			docs(CIDR, wafCIDR), docs(NotSuffix, wafNoZero)),

		rule("wafv2/WebACL name", "wafv2 CreateWebACL Name"),
		rule("wafv2/WebACL description", "wafv2 CreateWebACL Description"),
		rule("wafv2/WebACL scope", "wafv2 CreateWebACL Scope"),
		rule("wafv2/WebACL defaultAction", "wafv2 CreateWebACL DefaultAction",
			note("a structure: the model constrains only the custom response inside block, which the function leaves out")),
		wafMetricName("wafv2/WebACL visibilityConfig.metricName", "wafv2 CreateWebACL VisibilityConfig.MetricName"),
		rule("wafv2/WebACL ruleJson#", "wafv2 CreateWebACL Rules", deep(),
			stale("RateLimit", "min", rateLimitWhy),
			note("Terraform decodes the JSON into aws-sdk-go-v2's []types.Rule with encoding/json, after base64-encoding every "+
				"ByteMatchStatement.SearchString, a blob: the document holds it as plain text, and blobs have no constraint in the model, so any string passes")),
		wafMetricName("wafv2/WebACL ruleJson#VisibilityConfig.MetricName", "wafv2 CreateWebACL Rules.VisibilityConfig.MetricName"),
		rule("wafv2/WebACL ruleJson#Statement.RateBasedStatement.EvaluationWindowSec", "wafv2 CreateWebACL Rules.Statement.RateBasedStatement.EvaluationWindowSec",
			docs(OneOf, `Valid settings are (?P<values>\d+(?:,? (?:and )?\d+)*)\.`)),

		rule("wafv2/WebACLAssociation webAclArn", "wafv2 AssociateWebACL WebACLArn"),
		rule("wafv2/WebACLAssociation resourceArn", "wafv2 AssociateWebACL ResourceArn"),
	)
	addAll(
		tags("wafv2/IPSet", "wafv2 CreateIPSet Tags.Key", "wafv2 CreateIPSet Tags.Value"),
		tags("wafv2/WebACL", "wafv2 CreateWebACL Tags.Key", "wafv2 CreateWebACL Tags.Value"),
	)
	return t
}
