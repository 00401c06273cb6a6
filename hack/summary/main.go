// Command summary reads the output of crossplane render and prints, for one
// wave, what a person wants to see: the XR's readiness, the composed
// resources that appear in this wave (those not observed yet), what is held
// back and what it waits for, the gate conditions and the events.
//
//	crossplane render … | go run ./hack/summary [observed-dir]
//
// It needs nothing but Go (hack/render.sh used to need yq).
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

const compositionResourceName = "crossplane.io/composition-resource-name"

// object is the part of a rendered object the summary reads.
type object struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name        string            `json:"name"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
	Status struct {
		WaitingFor []string `json:"waitingFor"`
		Conditions []struct {
			Type    string `json:"type"`
			Status  string `json:"status"`
			Reason  string `json:"reason"`
			Message string `json:"message"`
		} `json:"conditions"`
	} `json:"status"`
	// A Result's fields.
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

func main() {
	observedDir := ""
	if len(os.Args) > 1 {
		observedDir = os.Args[1]
	}
	if err := summarize(os.Stdin, os.Stdout, observedDir); err != nil {
		fmt.Fprintln(os.Stderr, "summary:", err)
		os.Exit(1)
	}
}

func summarize(in io.Reader, out io.Writer, observedDir string) error {
	observed, err := observedNames(observedDir)
	if err != nil {
		return err
	}
	var xr *object
	var composed, appear, events []string
	r := utilyaml.NewYAMLReader(bufio.NewReader(in))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		o := &object{}
		if err := yaml.Unmarshal(doc, o); err != nil {
			return err
		}
		switch name := o.Metadata.Annotations[compositionResourceName]; {
		case o.Kind == "":
		case o.Kind == "Result":
			events = append(events, fmt.Sprintf("  event     %s: %s", o.Severity, o.Message))
		case name != "":
			composed = append(composed, name)
			if !observed[name] {
				appear = append(appear, fmt.Sprintf("  appears   %s (%s %s)", name, o.APIVersion, o.Kind))
			}
		case xr == nil:
			xr = o
		}
	}
	if xr == nil {
		return errors.New("no XR in the render output")
	}
	sort.Strings(appear)
	ready := "Unknown"
	var gates []string
	for _, c := range xr.Status.Conditions {
		if c.Type == "Ready" {
			ready = c.Status
		}
		if c.Type == "Ready" || c.Type == "Synced" {
			continue
		}
		line := fmt.Sprintf("  gate      %s=%s (%s)", c.Type, c.Status, c.Reason)
		if c.Status != "True" && c.Message != "" {
			line += ": " + c.Message
		}
		gates = append(gates, line)
	}
	sort.Strings(gates)
	fmt.Fprintf(out, "XR %s %s: Ready=%s, %d composed, %d appear, %d held\n", xr.Kind, xr.Metadata.Name, ready, len(composed), len(appear), len(xr.Status.WaitingFor))
	for _, lines := range [][]string{appear, held(xr.Status.WaitingFor), gates, events} {
		for _, l := range lines {
			fmt.Fprintln(out, l)
		}
	}
	return nil
}

func held(waitingFor []string) []string {
	out := make([]string, 0, len(waitingFor))
	for _, w := range waitingFor {
		out = append(out, "  held      "+w)
	}
	return out
}

// observedNames are the composition-resource names of an observed stage, one
// file per resource named after it.
func observedNames(dir string) (map[string]bool, error) {
	names := map[string]bool{}
	if dir == "" {
		return names, nil
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		names[strings.TrimSuffix(filepath.Base(f), ".yaml")] = true
	}
	return names, nil
}
