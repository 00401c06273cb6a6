// Package awscontract checks the values of rendered provider-aws managed
// resources against AWS's own API contracts, as the service teams publish
// them in the SDK models: api-2.json gives each input member's shape (length,
// range, pattern, enum) and docs-2.json the API reference text, where several
// rules live only in words ("Cannot start with sg-", the Fargate CPU and
// memory pairs). Nothing here retypes a limit: the rule table (rules.go) only
// says which MR field Terraform sends to which API member, and, for a rule in
// words, which sentence states it; the numbers and character sets are read
// from the models when they load, and a sentence that is no longer there
// fails the load, so a changed contract is noticed.
//
// Field paths (Rule.Field) are paths in spec.forProvider:
//
//	description                  a field
//	healthCheck.path             a nested field; lists are walked through
//	tags.$key, tags.$value       every key, or every value, of a map
//	containerDefinitions#name    the field holds a JSON document (a string);
//	                             after # the path goes on inside it
//	containerDefinitions#        the whole JSON document
//	external-name                the crossplane.io/external-name annotation,
//	                             for kinds whose AWS name it is
//
// Member paths (Rule.Member) are api-2.json member names from the operation's
// input, dotted, with lists walked through and $key/$value for maps:
// IpPermissions.IpRanges.Description, Tags.Key, UserPoolTags.$key.
package awscontract

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Rule maps one field of a kind to the AWS API input member it becomes.
type Rule struct {
	// Group is the short API group ("ec2", "elbv2"), Kind the MR kind.
	Group, Kind string
	// Field is the path of the value in spec.forProvider, or "external-name".
	Field string
	// Service is the models/apis directory ("elasticloadbalancingv2"),
	// Operation the API call, Member the input member path.
	Service, Operation, Member string
	// Deep checks the whole value (a JSON document) against the member's
	// shape: every key must be a member (Terraform decodes these documents
	// with encoding/json, which drops an unknown or misspelt key without a
	// word), and every nested value meets its own shape's constraints.
	Deep bool
	// When and Unless make the rule conditional on other forProvider fields:
	// "field" is set, or "field=value" (equal, or contained in a list). The
	// rule applies if any When holds (or there is none) and no Unless does.
	When, Unless []string
	// Docs are rules that the API reference states only in words.
	Docs []Clause
	// Stale are api-2.json bounds, of shapes the rule reaches, that AWS has
	// changed since the SDK's last model update: they are read (and must
	// still be in the model, so that an update that fixes them is noticed)
	// but not enforced.
	Stale []StaleBound
	// Note says, where it is not plain, how Terraform sends the field to the
	// member, or what limits the rule.
	Note string

	// Constraints is filled in by Load: what it read for this rule, each
	// with its source (api-2.json, or the docs sentence).
	Constraints []string
}

// StaleBound is a min or max of an api-2.json shape that AWS no longer
// holds values to, and why.
type StaleBound struct {
	Shape string
	// Bound is "min" or "max".
	Bound string
	Why   string
}

// ID names a rule in messages: ec2/SecurityGroup description.
func (r Rule) ID() string { return r.Group + "/" + r.Kind + " " + r.Field }

// String is the rule on one line: the field, the member, and what Load read.
func (r Rule) String() string {
	s := r.ID() + " -> " + r.AWSMember()
	if len(r.When) > 0 {
		s += " when " + strings.Join(r.When, " or ")
	}
	if len(r.Unless) > 0 {
		s += " unless " + strings.Join(r.Unless, " or ")
	}
	if len(r.Constraints) > 0 {
		s += ": " + strings.Join(r.Constraints, "; ")
	}
	return s
}

// AWSMember names the member: ec2.CreateSecurityGroup.Description.
func (r Rule) AWSMember() string { return r.Service + "." + r.Operation + "." + r.Member }

// Violation is one value that breaks a rule. Check returns them as errors;
// errors.As reaches the fields.
type Violation struct {
	Group, Kind string
	// Path is where the value is: spec.forProvider.containerDefinitions#[0].
	// healthCheck.interval, or metadata.annotations[crossplane.io/external-name].
	Path  string
	Value any
	// Member is service.Operation.Member, with the API reference's name where
	// the wire name differs (EC2's GroupDescription).
	Member string
	// Problem says what is wrong, Source where the rule is written.
	Problem, Source string
	// Advisory is true where AWS advises against the value rather than
	// refusing it (a secret name ending in a hyphen and six characters).
	Advisory bool
}

func (v *Violation) Error() string {
	kind := "violates"
	if v.Advisory {
		kind = "goes against the advice of"
	}
	return fmt.Sprintf("%s/%s %s = %s %s %s: %s (%s)", v.Group, v.Kind, v.Path, short(v.Value), kind, v.Member, v.Problem, v.Source)
}

func short(v any) string {
	s := fmt.Sprintf("%q", fmt.Sprint(v))
	if len(s) > 120 {
		s = s[:100] + `..."`
	}
	return s
}

// Contract is the loaded rule table. Check is safe for concurrent use.
type Contract struct {
	rules  []Rule
	byKind map[string][]*compiledRule
}

var (
	loadOnce sync.Once
	loaded   *Contract
	loadErr  error
)

// Load reads the models of SDKModule and compiles the rule table. It runs
// once per process; later calls return the same Contract.
func Load() (*Contract, error) {
	loadOnce.Do(func() {
		dir, err := ModelsDir()
		if err != nil {
			loadErr = err
			return
		}
		loaded, loadErr = LoadDir(dir, table())
	})
	return loaded, loadErr
}

// LoadDir compiles rules against the models in apisDir (a models/apis
// directory). Every rule whose member is missing, whose docs sentence is no
// longer in the text, or whose pattern cannot be read is an error, and all of
// them are reported together.
func LoadDir(apisDir string, rules []Rule) (*Contract, error) {
	services := map[string]*service{}
	c := &Contract{byKind: map[string][]*compiledRule{}}
	var errs []error
	for _, r := range rules {
		svc, ok := services[r.Service]
		if !ok {
			var err error
			if svc, err = loadService(apisDir, r.Service); err != nil {
				return nil, err
			}
			services[r.Service] = svc
		}
		cr, err := compile(svc, r)
		if err != nil {
			errs = append(errs, fmt.Errorf("rule %s -> %s: %w", r.ID(), r.AWSMember(), err))
			continue
		}
		key := r.Group + "/" + r.Kind
		c.byKind[key] = append(c.byKind[key], cr)
		c.rules = append(c.rules, cr.rule)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("the AWS API contract in %s no longer reads as the rule table expects: %w", apisDir, errors.Join(errs...))
	}
	return c, nil
}

// Rules returns the rule table with what Load read for each rule, sorted by
// group, kind and field.
func (c *Contract) Rules() []Rule {
	out := make([]Rule, len(c.rules))
	copy(out, c.rules)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Field < out[j].Field
	})
	return out
}

// Check returns every violation of the rules of one MR. group is the short
// API group ("ec2"), externalName the crossplane.io/external-name annotation
// ("" when there is none), forProvider spec.forProvider as decoded JSON.
func (c *Contract) Check(group, kind, externalName string, forProvider map[string]any) []error {
	var errs []error
	fp, err := normalize(forProvider)
	if err != nil {
		return []error{fmt.Errorf("%s/%s: %w", group, kind, err)}
	}
	for _, cr := range c.byKind[group+"/"+kind] {
		if !applies(cr.rule, fp) {
			continue
		}
		var vals []located
		if cr.rule.Field == externalNameField {
			if externalName == "" {
				continue
			}
			vals = []located{{path: "metadata.annotations[crossplane.io/external-name]", value: externalName}}
		} else {
			var err error
			if vals, err = lookup(fp, cr.rule.Field); err != nil {
				errs = append(errs, &Violation{Group: group, Kind: kind, Path: "spec.forProvider." + cr.rule.Field, Member: cr.member, Problem: err.Error(), Source: "the field path"})
				continue
			}
		}
		for _, v := range vals {
			for _, p := range cr.check(v.value, fp) {
				errs = append(errs, &Violation{
					Group: group, Kind: kind, Path: v.path + p.at, Value: p.value,
					Member: cr.member + p.member, Problem: p.problem, Source: p.source, Advisory: p.advisory,
				})
			}
		}
	}
	return errs
}

const externalNameField = "external-name"

// normalize gives forProvider the types decoded JSON has, whatever built it
// (int64 and []string in a Go literal become float64 and []any).
func normalize(fp map[string]any) (map[string]any, error) {
	data, err := json.Marshal(fp)
	if err != nil {
		return nil, fmt.Errorf("cannot encode forProvider: %w", err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("cannot decode forProvider: %w", err)
	}
	return out, nil
}

// applies evaluates a rule's When and Unless against forProvider.
func applies(r Rule, fp map[string]any) bool {
	if len(r.When) > 0 {
		ok := false
		for _, cond := range r.When {
			ok = ok || holds(cond, fp)
		}
		if !ok {
			return false
		}
	}
	for _, cond := range r.Unless {
		if holds(cond, fp) {
			return false
		}
	}
	return true
}

func holds(cond string, fp map[string]any) bool {
	field, want, eq := strings.Cut(cond, "=")
	v, ok := fp[field]
	if !ok || v == nil {
		return false
	}
	if !eq {
		return true
	}
	if list, ok := v.([]any); ok {
		for _, e := range list {
			if fmt.Sprint(e) == want {
				return true
			}
		}
		return false
	}
	return fmt.Sprint(v) == want
}
