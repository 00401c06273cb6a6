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
	w, err := read(in, observed)
	if err != nil {
		return err
	}
	_, err = io.WriteString(out, w.String())
	return err
}

// wave is one render, read.
type wave struct {
	xr                       *object
	composed, appear, events []string
}

// read decodes the render's documents: the XR, the composed resources (and
// which of them are not observed yet) and the results.
func read(in io.Reader, observed map[string]bool) (*wave, error) {
	w := &wave{}
	r := utilyaml.NewYAMLReader(bufio.NewReader(in))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		o := &object{}
		if err := yaml.Unmarshal(doc, o); err != nil {
			return nil, err
		}
		switch name := o.Metadata.Annotations[compositionResourceName]; {
		case o.Kind == "":
		case o.Kind == "Result":
			w.events = append(w.events, fmt.Sprintf("  event     %s: %s", o.Severity, o.Message))
		case name != "":
			w.composed = append(w.composed, name)
			if !observed[name] {
				w.appear = append(w.appear, fmt.Sprintf("  appears   %s (%s %s)", name, o.APIVersion, o.Kind))
			}
		case w.xr == nil:
			w.xr = o
		}
	}
	if w.xr == nil {
		return nil, errors.New("no XR in the render output")
	}
	sort.Strings(w.appear)
	return w, nil
}

// String is the wave's summary: a line for the XR, then what appears, what
// is held, the gates and the events.
func (w *wave) String() string {
	ready := "Unknown"
	var gates []string
	for _, c := range w.xr.Status.Conditions {
		switch c.Type {
		case "Ready":
			ready = c.Status
		case "Synced", "Responsive", "UpToDate":
			// Crossplane's own: reconciling, its watch circuit breaker
			// (core v2.3 and later render it too) and composition updates.
		default:
			line := fmt.Sprintf("  gate      %s=%s (%s)", c.Type, c.Status, c.Reason)
			if c.Status != "True" && c.Message != "" {
				line += ": " + c.Message
			}
			gates = append(gates, line)
		}
	}
	sort.Strings(gates)
	var b strings.Builder
	fmt.Fprintf(&b, "XR %s %s: Ready=%s, %d composed, %d appear, %d held\n", w.xr.Kind, w.xr.Metadata.Name, ready, len(w.composed), len(w.appear), len(w.xr.Status.WaitingFor))
	for _, lines := range [][]string{w.appear, held(w.xr.Status.WaitingFor), gates, w.events} {
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
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
