package awscontract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// SDKModule is the module whose models/apis directory holds the AWS API
// models: the service teams' own api-2.json (shapes and their constraints)
// and docs-2.json (the API reference text). v1.55.8 is aws-sdk-go's last
// release; its models were last updated on 2024-07-30 (v1.55.5), so a limit
// AWS changed after that is stale here, which the rule table says where it is
// known.
const SDKModule = "github.com/aws/aws-sdk-go@v1.55.8"

var (
	modelsOnce sync.Once
	modelsDir  string
	modelsErr  error
)

// ModelsDir returns the models/apis directory of SDKModule, downloading the
// module (or finding it in the module cache) once per process.
func ModelsDir() (string, error) {
	modelsOnce.Do(func() {
		dir, err := download(SDKModule)
		if err != nil {
			modelsErr = err
			return
		}
		modelsDir = filepath.Join(dir, "models", "apis")
		if _, err := os.Stat(modelsDir); err != nil {
			modelsErr = fmt.Errorf("%s has no models/apis directory: %w", SDKModule, err)
		}
	})
	return modelsDir, modelsErr
}

// download runs go mod download -json for one module@version. It runs in the
// temporary directory with go.work off, outside any module, so that it never
// touches the go.mod or go.sum of the repository the tests run in.
func download(moduleAt string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", moduleAt)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	// On failure go mod download -json still prints the module with an Error
	// field, which says more than the exit status.
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out, &m); err != nil && runErr == nil {
		return "", fmt.Errorf("cannot decode go mod download -json %s: %w", moduleAt, err)
	}
	switch {
	case m.Error != "":
		return "", fmt.Errorf("go mod download %s: %s (is the Go module proxy reachable?)", moduleAt, m.Error)
	case runErr != nil:
		return "", fmt.Errorf("go mod download %s: %w: %s", moduleAt, runErr, strings.TrimSpace(stderr.String()))
	case m.Dir == "":
		return "", errors.New("go mod download " + moduleAt + " reported no directory")
	}
	return m.Dir, nil
}

// service is one service's api-2.json and docs-2.json.
type service struct {
	name     string // the models directory name, e.g. "elasticloadbalancingv2"
	protocol string
	ops      map[string]struct {
		Input *shapeRef `json:"input"`
	}
	shapes map[string]*shape
	docs   map[string]struct {
		Base *string            `json:"base"`
		Refs map[string]*string `json:"refs"`
	}

	// mu guards patterns, compiled on first use; Check may run in parallel.
	mu       sync.Mutex
	patterns map[string]*javaRegex
}

type shapeRef struct {
	Shape        string `json:"shape"`
	LocationName string `json:"locationName"`
	QueryName    string `json:"queryName"`
}

type shape struct {
	Type    string              `json:"type"`
	Members map[string]shapeRef `json:"members"`
	Member  *shapeRef           `json:"member"`
	Key     *shapeRef           `json:"key"`
	Value   *shapeRef           `json:"value"`
	Min     *float64            `json:"min"`
	Max     *float64            `json:"max"`
	Pattern string              `json:"pattern"`
	Enum    []string            `json:"enum"`
}

// loadService reads models/apis/<name>/<version>/. A service has one version
// directory in the SDK; more than one would make the choice ambiguous.
func loadService(apisDir, name string) (*service, error) {
	versions, err := filepath.Glob(filepath.Join(apisDir, name, "*", "api-2.json"))
	if err != nil || len(versions) == 0 {
		return nil, fmt.Errorf("no models/apis/%s/*/api-2.json in %s", name, apisDir)
	}
	if len(versions) > 1 {
		return nil, fmt.Errorf("models/apis/%s has %d versions; the rule table must name one", name, len(versions))
	}
	dir := filepath.Dir(versions[0])
	var api struct {
		Metadata struct {
			Protocol string `json:"protocol"`
		} `json:"metadata"`
		Operations map[string]struct {
			Input *shapeRef `json:"input"`
		} `json:"operations"`
		Shapes map[string]*shape `json:"shapes"`
	}
	if err := readJSON(filepath.Join(dir, "api-2.json"), &api); err != nil {
		return nil, err
	}
	s := &service{name: name, protocol: api.Metadata.Protocol, ops: api.Operations, shapes: api.Shapes}
	var docs struct {
		Shapes map[string]struct {
			Base *string            `json:"base"`
			Refs map[string]*string `json:"refs"`
		} `json:"shapes"`
	}
	if err := readJSON(filepath.Join(dir, "docs-2.json"), &docs); err != nil {
		return nil, err
	}
	s.docs = docs.Shapes
	return s, nil
}

func readJSON(path string, into any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("cannot read AWS model: %w", err)
	}
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("cannot decode %s: %w", path, err)
	}
	return nil
}

// member is an input member reached from an operation by a member path.
type member struct {
	parent string // the structure shape that holds it ("" for a map's key or value)
	name   string
	ref    shapeRef
	shape  *shape
}

// resolve walks a dotted member path from an operation's input. Lists are
// walked through implicitly (IpPermissions.IpRanges.Description); $key and
// $value step into a map's keys or values.
func (s *service) resolve(operation, path string) (member, error) {
	op, ok := s.ops[operation]
	if !ok || op.Input == nil {
		return member{}, fmt.Errorf("%s has no operation %s with an input", s.name, operation)
	}
	cur := member{name: operation, ref: *op.Input}
	if cur.shape = s.shapes[op.Input.Shape]; cur.shape == nil {
		return member{}, fmt.Errorf("%s.%s: no shape %s", s.name, operation, op.Input.Shape)
	}
	for _, seg := range strings.Split(path, ".") {
		sh := s.elem(cur.shape)
		var next member
		switch {
		case sh.Type == "map" && seg == "$key":
			next = member{name: seg, ref: *sh.Key}
		case sh.Type == "map" && seg == "$value":
			next = member{name: seg, ref: *sh.Value}
		case sh.Type == "structure":
			ref, ok := sh.Members[seg]
			if !ok {
				return member{}, fmt.Errorf("%s.%s.%s: %s has no member %s (members: %s)", s.name, operation, path, cur.ref.Shape, seg, strings.Join(sortedKeys(sh.Members), ", "))
			}
			next = member{parent: s.elemName(cur.ref.Shape), name: seg, ref: ref}
		default:
			return member{}, fmt.Errorf("%s.%s.%s: %s is a %s, not a structure", s.name, operation, path, cur.ref.Shape, sh.Type)
		}
		if next.shape = s.shapes[next.ref.Shape]; next.shape == nil {
			return member{}, fmt.Errorf("%s.%s.%s: no shape %s", s.name, operation, path, next.ref.Shape)
		}
		cur = next
	}
	return cur, nil
}

// elem looks through lists to their member shape.
func (s *service) elem(sh *shape) *shape {
	for sh.Type == "list" && sh.Member != nil {
		sh = s.shapes[sh.Member.Shape]
	}
	return sh
}

func (s *service) elemName(name string) string {
	for {
		sh := s.shapes[name]
		if sh == nil || sh.Type != "list" || sh.Member == nil {
			return name
		}
		name = sh.Member.Shape
	}
}

// wireName is the name the API reference shows for an EC2 query member:
// queryName, else locationName capitalised. Other protocols use the member
// name.
func (s *service) wireName(m member) string {
	if s.protocol != "ec2" {
		return m.name
	}
	switch {
	case m.ref.QueryName != "":
		return m.ref.QueryName
	case m.ref.LocationName != "":
		return strings.ToUpper(m.ref.LocationName[:1]) + m.ref.LocationName[1:]
	}
	return m.name
}

// docText returns the API reference text for where, as plain text:
// "Shape$Member" is a member's own documentation, "Shape" a shape's.
func (s *service) docText(where string) (string, bool) {
	if parent, name, ok := strings.Cut(where, "$"); ok {
		sh := s.shapes[parent]
		if sh == nil {
			return "", false
		}
		ref, ok := sh.Members[name]
		if !ok {
			return "", false
		}
		d := s.docs[ref.Shape].Refs[where]
		if d == nil {
			return "", false
		}
		return plainText(*d), true
	}
	d := s.docs[where].Base
	if d == nil {
		return "", false
	}
	return plainText(*d), true
}

// memberDocs is the text a member is documented with: its own reference
// text, then its shape's (the Days shape holds the log retention values).
func (s *service) memberDocs(m member) string {
	var parts []string
	if m.parent != "" {
		if t, ok := s.docText(m.parent + "$" + m.name); ok {
			parts = append(parts, t)
		}
	}
	if t, ok := s.docText(m.ref.Shape); ok {
		parts = append(parts, t)
	}
	return strings.Join(parts, " ")
}

var (
	reBlockTag = regexp.MustCompile(`</?(?:p|li|ul|ol|note|important|br|div|dl|dt|dd|h\d)\b[^>]*>`)
	reTag      = regexp.MustCompile(`<[^>]*>`)
	reSpace    = regexp.MustCompile(`\s+`)
)

// plainText turns docs-2.json HTML into one line of text: block tags become
// spaces, inline ones (<code>sg-</code>.) go, and entities are decoded (&amp;
// is the & EC2 allows in descriptions).
func plainText(h string) string {
	t := reTag.ReplaceAllString(reBlockTag.ReplaceAllString(h, " "), "")
	t = html.UnescapeString(t)
	return strings.TrimSpace(reSpace.ReplaceAllString(t, " "))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
