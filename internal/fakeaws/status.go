// Package fakeaws stands in for provider-aws in tests: it invents the status
// values AWS would report for the managed resources function-langfuse
// composes, so tests can play the provider without AWS.
package fakeaws

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Account is the AWS account id in invented ARNs.
const Account = "123456789012"

// cloudFrontHostedZoneID is the hosted zone of every CloudFront distribution.
const cloudFrontHostedZoneID = "Z2FDTNDATAQYW2"

// Hash is a hex SHA-256, to derive stable identifiers from names.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// AtProvider invents the status.atProvider that provider-aws would report for
// a managed resource of kind with the given forProvider, once AWS created it.
// The values the function reads look like AWS's. name seeds the identifiers.
func AtProvider(kind, name, defaultRegion string, fp map[string]any) map[string]any { //nolint:gocyclo // One case per kind reads best.
	h := Hash(name)
	region, _ := fp["region"].(string)
	if region == "" {
		region = defaultRegion
	}
	arn := func(service, res string) string {
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, region, Account, res)
	}
	switch kind {
	case "Certificate":
		domain, _ := fp["domainName"].(string)
		dvo := map[string]any{
			"domainName":          domain,
			"resourceRecordName":  "_" + h[:32] + "." + domain + ".",
			"resourceRecordType":  "CNAME",
			"resourceRecordValue": "_" + h[32:64] + ".jkddzztszm.acm-validations.aws.",
		}
		// ACM repeats a record for names that share it; the function dedupes.
		return map[string]any{
			"arn":                     arn("acm", "certificate/"+h[:8]+"-"+h[8:12]+"-"+h[12:16]+"-"+h[16:20]+"-"+h[20:32]),
			"domainName":              domain,
			"status":                  "ISSUED",
			"domainValidationOptions": []any{dvo, dvo},
		}
	case "CertificateValidation":
		return map[string]any{"id": fp["certificateArn"]}
	case "Record":
		n, _ := fp["name"].(string)
		return map[string]any{"fqdn": strings.TrimSuffix(n, "."), "id": fp["zoneId"].(string) + "_" + n + "_" + fp["type"].(string)}
	case "SecurityGroup":
		return map[string]any{"id": "sg-0" + h[:16], "arn": arn("ec2", "security-group/sg-0"+h[:16])}
	case "VPC":
		return map[string]any{"id": "vpc-0" + h[:16], "arn": arn("ec2", "vpc/vpc-0"+h[:16]), "enableDnsSupport": true, "enableDnsHostnames": true}
	case "Subnet":
		// A zone per subnet, from the last digit of its id (the examples'
		// subnets end in distinct digits).
		// A subnet the function creates is in the zone it asks for.
		tags, _ := fp["tags"].(map[string]any)
		id, _ := tags["langfuse-subnet"].(string)
		if id == "" {
			id = "subnet-" + h[:17]
		}
		zone, _ := fp["availabilityZone"].(string)
		if zone == "" {
			zone = region + string("abcdef"[int(id[len(id)-1])%6])
		}
		// The user's subnets get a block from their id's last digit.
		cidr, _ := fp["cidrBlock"].(string)
		if cidr == "" {
			cidr = "10.0." + strconv.Itoa(int(id[len(id)-1])%16*16) + ".0/20"
		}
		return map[string]any{"id": id, "arn": arn("ec2", "subnet/"+id), "vpcId": fp["vpcId"], "availabilityZone": zone, "cidrBlock": cidr}
	case "InternetGateway":
		return map[string]any{"id": "igw-" + h[:17], "arn": arn("ec2", "internet-gateway/igw-"+h[:17])}
	case "RouteTable":
		return map[string]any{"id": "rtb-" + h[:17], "arn": arn("ec2", "route-table/rtb-"+h[:17])}
	case "Route":
		// What the route goes through, once the provider applied it.
		return map[string]any{"id": "r-" + fmt.Sprint(fp["routeTableId"]) + "1080289494", "natGatewayId": fp["natGatewayId"], "gatewayId": fp["gatewayId"], "networkInterfaceId": fp["networkInterfaceId"]}
	case "Instance":
		return map[string]any{
			"id": "i-0" + h[:16], "arn": arn("ec2", "instance/i-0"+h[:16]), "primaryNetworkInterfaceId": "eni-0" + h[16:32],
			"ami": "ami-0" + h[32:48], "instanceState": "running", "publicIp": "198.51.100." + strconv.Itoa(int(h[1])%250+1),
		}
	case "RouteTableAssociation":
		return map[string]any{"id": "rtbassoc-" + h[:17]}
	case "EIP":
		return map[string]any{"id": "eipalloc-" + h[:17], "allocationId": "eipalloc-" + h[:17], "publicIp": "198.51.100." + strconv.Itoa(int(h[0])%250+1)}
	case "VPCEndpoint":
		return map[string]any{"id": "vpce-" + h[:17], "arn": arn("ec2", "vpc-endpoint/vpce-"+h[:17]), "prefixListId": "pl-6da54004"}
	case "VPCEndpointRouteTableAssociation":
		return map[string]any{"id": "a-vpce-" + h[:17] + fmt.Sprint(fp["routeTableId"])}
	case "VPCEndpointSubnetAssociation":
		return map[string]any{"id": "a-" + fmt.Sprint(fp["vpcEndpointId"]) + strconv.Itoa(int(h[0])<<8|int(h[1]))}
	case "VPCEndpointSecurityGroupAssociation":
		return map[string]any{"id": "vpce-sg-" + h[:17]}
	case "NATGateway":
		return map[string]any{"id": "nat-" + h[:17], "allocationId": fp["allocationId"], "subnetId": fp["subnetId"]}
	case "SecurityGroupIngressRule", "SecurityGroupEgressRule":
		return map[string]any{"id": "sgr-0" + h[:16]}
	case "LB":
		n, _ := fp["name"].(string)
		dnsName := n + "-1234567890." + region + ".elb.amazonaws.com"
		if internal, _ := fp["internal"].(bool); internal {
			dnsName = "internal-" + dnsName
		}
		return map[string]any{
			"arn":     arn("elasticloadbalancing", "loadbalancer/app/"+n+"/"+h[:16]),
			"dnsName": dnsName,
			"zoneId":  "Z32O12XQLNTSW2",
		}
	case "LBTargetGroup":
		return map[string]any{"arn": arn("elasticloadbalancing", "targetgroup/"+fp["name"].(string)+"/"+h[:16])}
	case "LBListener":
		return map[string]any{"arn": arn("elasticloadbalancing", "listener/app/lb/"+h[:16]+"/"+h[16:32])}
	case "UserPool":
		id := region + "_" + strings.ToUpper(h[:9])
		return map[string]any{
			"id":       id,
			"arn":      arn("cognito-idp", "userpool/"+id),
			"endpoint": "cognito-idp." + region + ".amazonaws.com/" + id,
		}
	case "UserPoolClient":
		return map[string]any{"id": h[:26]}
	case "UserPoolDomain":
		return map[string]any{
			"cloudfrontDistribution":       "d" + h[:13] + ".cloudfront.net",
			"cloudfrontDistributionZoneId": cloudFrontHostedZoneID,
			"awsAccountId":                 Account,
		}
	case "Secret":
		return map[string]any{"arn": arn("secretsmanager", "secret:"+fp["name"].(string)+"-"+h[:6]), "id": "x"}
	case "SecretVersion":
		return map[string]any{"id": "secret|" + h[:8], "versionId": h[:32]}
	case "Bucket":
		// The bucket's name is its external name, which forProvider lacks.
		return map[string]any{"arn": "arn:aws:s3:::bucket-" + h[:12], "id": "bucket-" + h[:12]}
	case "FileSystem":
		id := "fs-0" + h[:16]
		return map[string]any{"id": id, "arn": arn("elasticfilesystem", "file-system/"+id), "dnsName": id + ".efs." + region + ".amazonaws.com"}
	case "MountTarget":
		return map[string]any{"id": "fsmt-0" + h[:16]}
	case "AccessPoint":
		id := "fsap-0" + h[:16]
		return map[string]any{"id": id, "arn": arn("elasticfilesystem", "access-point/"+id)}
	case "Resource":
		// Cloud Control's identifier: a VPC origin's is its id.
		if fp["typeName"] == "AWS::CloudFront::VpcOrigin" {
			return map[string]any{"id": "vo_" + h[:22]}
		}
		return map[string]any{"id": h[:12]}
	case "Distribution":
		id := "E" + strings.ToUpper(h[:13])
		return map[string]any{
			"id": id, "arn": "arn:aws:cloudfront::" + Account + ":distribution/" + id,
			"domainName": "d" + h[:13] + ".cloudfront.net", "hostedZoneId": cloudFrontHostedZoneID, "status": "Deployed",
		}
	case "IPSet", "WebACL":
		// Scope CLOUDFRONT: WAF's ARNs say global.
		n, _ := fp["name"].(string)
		id := h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
		return map[string]any{"id": id, "arn": arn("wafv2", "global/"+strings.ToLower(kind)+"/"+n+"/"+id)}
	case "Group": // a log group, named by its external name
		return map[string]any{"id": "/ecs/" + h[:12], "arn": arn("logs", "log-group:/ecs/"+h[:12])}
	case "Role":
		return map[string]any{"id": "role-" + h[:12], "arn": "arn:aws:iam::" + Account + ":role/role-" + h[:12], "uniqueId": "AROA" + strings.ToUpper(h[:17])}
	case "TaskDefinition":
		// Each revision its own number, derived from its name.
		family, _ := fp["family"].(string)
		revision, _ := strconv.ParseInt(h[:5], 16, 64)
		return map[string]any{
			"arn":                arn("ecs", fmt.Sprintf("task-definition/%s:%d", family, revision+1)),
			"arnWithoutRevision": arn("ecs", "task-definition/"+family),
			"revision":           revision + 1,
		}
	case "Service":
		if _, discovery := fp["dnsConfig"]; discovery {
			id := "srv-" + h[:16]
			return map[string]any{"id": id, "arn": arn("servicediscovery", "service/"+id)}
		}
		// What the service runs, once the provider applied it.
		return map[string]any{"id": arn("ecs", "service/"+h[:12]), "taskDefinition": fp["taskDefinition"]}
	case "Cluster":
		if _, rds := fp["engine"]; rds {
			return map[string]any{
				"arn":            arn("rds", "cluster:"+h[:12]),
				"endpoint":       h[:12] + ".cluster-c" + h[12:22] + "." + region + ".rds.amazonaws.com",
				"readerEndpoint": h[:12] + ".cluster-ro-c" + h[12:22] + "." + region + ".rds.amazonaws.com",
				"port":           int64(5432),
			}
		}
		return map[string]any{"id": h[:12], "arn": arn("ecs", "cluster/"+h[:12])}
	case "ReplicationGroup":
		return map[string]any{
			"arn":                    arn("elasticache", "replicationgroup:"+h[:12]),
			"primaryEndpointAddress": "master." + h[:12] + ".c" + h[12:18] + "." + region + ".cache.amazonaws.com",
			"readerEndpointAddress":  "replica." + h[:12] + ".c" + h[12:18] + "." + region + ".cache.amazonaws.com",
			"port":                   int64(6379),
		}
	case "PrivateDNSNamespace":
		id := "ns-" + h[:16]
		return map[string]any{"id": id, "arn": arn("servicediscovery", "namespace/"+id), "hostedZone": "Z" + strings.ToUpper(h[:20])}
	default:
		return map[string]any{"id": h[:12]}
	}
}
