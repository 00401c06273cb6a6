package main

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// Component names: the composition-resource-name of each composed resource,
// stable across calls. A component that composes several resources (one DNS
// record per validation option, one rule per CIDR) names them <component>-<key>.
const (
	compCertHost             = "cert-host"
	compCertHostRecords      = "cert-host-validation-record"
	compCertHostValidation   = "cert-host-validation"
	compCertAuth             = "cert-auth"
	compCertAuthRecords      = "cert-auth-validation-record"
	compCertAuthValidation   = "cert-auth-validation"
	compALBSecurityGroup     = "alb-security-group"
	compALBIngress           = "alb-ingress"
	compALBEgress            = "alb-egress"
	compALB                  = "alb"
	compALBTargetGroup       = "alb-target-group"
	compALBListenerHTTP      = "alb-listener-http"
	compALBListenerHTTPS     = "alb-listener-https"
	compDNSRecordHost        = "dns-record-host"
	compUserPool             = "cognito-user-pool"
	compUserPoolClient       = "cognito-client"
	compClientSecret         = "cognito-client-secret"
	compClientSecretVersion  = "cognito-client-secret-version"
	compManagedLoginBranding = "cognito-branding"
	compUserPoolDomain       = "cognito-domain"
	compDNSRecordAuth        = "dns-record-auth"
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
	needs   []need
	// build returns the component's resources keyed by suffix ("" for a
	// single resource named after the component). It may read the observed
	// values its needs promise to be there.
	build func(*world) (map[string]*composed.Unstructured, error)
}

func always(*Spec) bool { return true }

func withCognito(s *Spec) bool { return s.CognitoEnabled() }

func withManagedLoginV2(s *Spec) bool {
	return s.CognitoEnabled() && s.Auth.Cognito.ManagedLogin == ManagedLoginV2
}

// graph is the whole dependency graph, in an order where every component comes
// after the components it needs (a test checks this). The same data drives
// gating, readiness, the "waiting for" messages and the conditions.
var graph = []component{
	{name: compCertHost, title: "HostCertificate", condition: conditionHostCertificate, enabled: always, build: single(buildHostCertificate)},
	{name: compCertHostRecords, title: "HostCertificateValidationRecords", condition: conditionHostCertificate, enabled: always,
		needs: []need{{component: compCertHost, fields: []string{statusPathDVO}}},
		build: func(w *world) (map[string]*composed.Unstructured, error) {
			return w.buildValidationRecords(compCertHost)
		}},
	{name: compCertHostValidation, title: "HostCertificateValidation", condition: conditionHostCertificate, enabled: always,
		needs: []need{{component: compCertHost, fields: []string{statusPathARN}}, {component: compCertHostRecords, ready: true}},
		build: single(func(w *world) (*composed.Unstructured, error) {
			return w.buildCertificateValidation(compCertHost)
		})},

	{name: compCertAuth, title: "AuthCertificate", condition: conditionAuthCertificate, enabled: withCognito, build: single(buildAuthCertificate)},
	{name: compCertAuthRecords, title: "AuthCertificateValidationRecords", condition: conditionAuthCertificate, enabled: withCognito,
		needs: []need{{component: compCertAuth, fields: []string{statusPathDVO}}},
		build: func(w *world) (map[string]*composed.Unstructured, error) {
			return w.buildValidationRecords(compCertAuth)
		}},
	{name: compCertAuthValidation, title: "AuthCertificateValidation", condition: conditionAuthCertificate, enabled: withCognito,
		needs: []need{{component: compCertAuth, fields: []string{statusPathARN}}, {component: compCertAuthRecords, ready: true}},
		build: single(func(w *world) (*composed.Unstructured, error) {
			return w.buildCertificateValidation(compCertAuth)
		})},

	{name: compALBSecurityGroup, title: "LoadBalancerSecurityGroup", enabled: always, build: single(buildALBSecurityGroup)},
	{name: compALBIngress, title: "LoadBalancerIngressRules", enabled: always, build: buildALBIngressRules},
	{name: compALBEgress, title: "LoadBalancerEgressRule", enabled: always, build: single(buildALBEgressRule)},
	{name: compALB, title: "LoadBalancer", condition: conditionLoadBalancer, enabled: always, build: single(buildALB)},
	{name: compALBTargetGroup, title: "TargetGroup", condition: conditionLoadBalancer, enabled: always, build: single(buildTargetGroup)},
	{name: compALBListenerHTTP, title: "HTTPListener", condition: conditionLoadBalancer, enabled: always, build: single(buildHTTPListener)},
	{name: compALBListenerHTTPS, title: "HTTPSListener", condition: conditionLoadBalancer, enabled: always,
		needs: []need{{component: compCertHost, fields: []string{statusPathARN}}, {component: compCertHostValidation, ready: true}},
		build: single(buildHTTPSListener)},
	{name: compDNSRecordHost, title: "HostRecord", condition: conditionHostRecord, enabled: always,
		needs: []need{{component: compALB, fields: []string{statusPathLBDNSName, statusPathLBZoneID}}, {component: compALBListenerHTTPS, ready: true}},
		build: single(buildHostRecord)},

	{name: compUserPool, title: "UserPool", enabled: withCognito, build: single(buildUserPool)},
	{name: compUserPoolClient, title: "UserPoolClient", enabled: withCognito, build: single(buildUserPoolClient)},
	{name: compClientSecret, title: "ClientSecret", condition: conditionClientSecret, enabled: withCognito, build: single(buildClientSecret)},
	{name: compClientSecretVersion, title: "ClientSecretVersion", condition: conditionClientSecret, enabled: withCognito,
		// The client's connection secret exists once the client is Ready.
		needs: []need{{component: compUserPoolClient, ready: true}},
		build: single(buildClientSecretVersion)},
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

// world is what builders may read: the spec, how to shape MRs, and the
// observed state of the XR's composed resources.
type world struct {
	spec  *Spec
	style MRStyle
	// base is the prefix of AWS names, unique per XR.
	base     string
	observed map[resource.Name]resource.ObservedComposed
	// byComponent indexes observed resources by their component label.
	byComponent map[string][]resource.Name
	// ready records which observed resources report Ready=True, read once:
	// decoding conditions is the costliest read of an observed resource.
	ready map[resource.Name]bool
}

func newWorld(spec *Spec, style MRStyle, base string, observed map[resource.Name]resource.ObservedComposed) *world {
	w := &world{spec: spec, style: style, base: base, observed: observed, byComponent: map[string][]resource.Name{}, ready: map[resource.Name]bool{}}
	for name, o := range observed {
		if o.Resource == nil {
			continue
		}
		c := o.Resource.GetLabels()[labelComponent]
		w.byComponent[c] = append(w.byComponent[c], name)
		w.ready[name] = isReady(o.Resource)
	}
	for _, names := range w.byComponent {
		sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	}
	return w
}

// observedOne is the observed resource of a single-resource component.
func (w *world) observedOne(component string) *composed.Unstructured {
	if o, ok := w.observed[resource.Name(component)]; ok && o.Resource != nil {
		return o.Resource
	}
	return nil
}

// statusString reads a string a component's observed resource reports.
func (w *world) statusString(component, path string) string {
	mr := w.observedOne(component)
	if mr == nil {
		return ""
	}
	v, _ := mr.GetString(path)
	return v
}

// hasField says whether the observed resource reports a non-empty value at path.
func (w *world) hasField(component, path string) bool {
	mr := w.observedOne(component)
	if mr == nil {
		return false
	}
	v, err := mr.GetValue(path)
	if err != nil || v == nil {
		return false
	}
	switch t := v.(type) {
	case string:
		return t != ""
	case []any:
		return len(t) > 0
	case map[string]any:
		return len(t) > 0
	default:
		return true
	}
}

// isReady says whether an observed resource reports Ready=True. It reads the
// conditions as they are, where GetCondition would decode them through JSON.
func isReady(mr *composed.Unstructured) bool {
	if mr == nil {
		return false
	}
	v, _, _ := unstructured.NestedFieldNoCopy(mr.Object, "status", "conditions")
	conditions, _ := v.([]any)
	for _, c := range conditions {
		if cm, ok := c.(map[string]any); ok && cm["type"] == string(xpv2.TypeReady) {
			return cm["status"] == string(corev1.ConditionTrue)
		}
	}
	return false
}

// emitted is one desired resource and the component it belongs to.
type emitted struct {
	component *component
	resource  *composed.Unstructured
}

// held is a component the graph holds back, and why.
type held struct {
	component *component
	unmet     need
	// err is set when the needs were met but the observed values were not
	// usable, e.g. a certificate whose validation options lack a value.
	err error
}

// plan is the outcome of walking the graph once.
type plan struct {
	desired map[resource.Name]*emitted
	// order lists desired names in graph order, for stable output and tests.
	order []resource.Name
	// names lists the desired names of each component.
	names map[string][]resource.Name
	// held are components not emitted because a need is unmet.
	held []held
	// kept are components emitted only because they already exist.
	kept []held
	// componentReady records, per emitted component, whether all its
	// resources are observed Ready.
	componentReady map[string]bool
}

// Walk decides, component by component, what to emit: a component is emitted
// when everything it needs is satisfied, or when it already exists (sticky:
// dropping an existing resource from the desired state deletes it in AWS,
// whatever its dependencies report now).
func (w *world) Walk() *plan {
	p := &plan{desired: map[resource.Name]*emitted{}, names: map[string][]resource.Name{}, componentReady: map[string]bool{}}
	for i := range graph {
		c := &graph[i]
		if !c.enabled(w.spec) {
			continue
		}
		unmet, blocked := w.firstUnmet(c, p)
		var built map[string]*composed.Unstructured
		var err error
		if !blocked {
			built, err = c.build(w)
		}
		exists := len(w.byComponent[c.name]) > 0

		switch {
		case !blocked && err == nil:
			p.add(c, built)
		case exists:
			// Keep what exists. Rebuild it where the inputs are still there,
			// and carry over the observed copy of anything the builder can't
			// produce now.
			if blocked {
				built, _ = c.build(w)
			}
			p.add(c, built)
			for _, name := range w.byComponent[c.name] {
				if _, ok := p.desired[name]; !ok {
					p.put(c, name, carryOver(w.observed[name].Resource))
				}
			}
			p.kept = append(p.kept, held{component: c, unmet: unmet, err: err})
		default:
			p.held = append(p.held, held{component: c, unmet: unmet, err: err})
			continue
		}

		ready := true
		for _, name := range p.names[c.name] {
			ready = ready && w.ready[name]
		}
		p.componentReady[c.name] = ready
	}
	return p
}

// firstUnmet returns the first need of c that is not satisfied yet.
func (w *world) firstUnmet(c *component, p *plan) (need, bool) {
	for _, n := range c.needs {
		if n.ready && !p.componentReady[n.component] {
			return n, true
		}
		for _, f := range n.fields {
			if !w.hasField(n.component, f) {
				return n, true
			}
		}
	}
	return need{}, false
}

func (p *plan) add(c *component, mrs map[string]*composed.Unstructured) {
	keys := make([]string, 0, len(mrs))
	for k := range mrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.put(c, resourceName(c.name, k), mrs[k])
	}
}

func (p *plan) put(c *component, name resource.Name, mr *composed.Unstructured) {
	if _, dup := p.desired[name]; dup {
		return
	}
	p.desired[name] = &emitted{component: c, resource: mr}
	p.order = append(p.order, name)
	p.names[c.name] = append(p.names[c.name], name)
}

// resourceName is the composition-resource-name of a component's resource.
func resourceName(component, suffix string) resource.Name {
	if suffix == "" {
		return resource.Name(component)
	}
	return resource.Name(component + "-" + suffix)
}

// carryOver copies what the function owns of an observed resource: its type,
// labels, external name and spec. Status and server-set metadata stay behind.
func carryOver(o *composed.Unstructured) *composed.Unstructured {
	mr := composed.New()
	mr.SetAPIVersion(o.GetAPIVersion())
	mr.SetKind(o.GetKind())
	mr.SetLabels(map[string]string{labelComponent: o.GetLabels()[labelComponent]})
	if en := o.GetAnnotations()[annotationExternalName]; en != "" {
		mr.SetAnnotations(map[string]string{annotationExternalName: en})
	}
	if spec, err := o.GetValue("spec"); err == nil {
		_ = mr.SetValue("spec", spec)
	}
	return mr
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
			out[n.component] = append(out[n.component], n.fields...)
		}
	}
	return out
}

// describe says what a held component waits for, in words.
func (h held) describe() string {
	if h.err != nil {
		return fmt.Sprintf("%s waits for usable observed values: %v", h.component.name, h.err)
	}
	if len(h.unmet.fields) > 0 && !h.unmet.ready {
		return fmt.Sprintf("%s waits for %s to report %s", h.component.name, h.unmet.component, strings.Join(h.unmet.fields, " and "))
	}
	return fmt.Sprintf("%s waits for %s to be Ready", h.component.name, h.unmet.component)
}

// reason is the condition reason of a held component, e.g. WaitingForHostRecord.
func (h held) reason() string {
	if c, ok := componentByName(h.unmet.component); ok {
		return "WaitingFor" + c.title
	}
	return "WaitingForDependency"
}

// componentByName finds a component of the graph.
func componentByName(name string) (*component, bool) {
	for i := range graph {
		if graph[i].name == name {
			return &graph[i], true
		}
	}
	return nil, false
}
