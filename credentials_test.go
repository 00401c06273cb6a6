package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-logr/logr/funcr"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// credentialsOf reads the generated values from a response's credentials
// Secret, or nil when it has none.
func credentialsOf(t *testing.T, rsp *fnv1.RunFunctionResponse) map[string]string {
	t.Helper()
	// Crossplane v1: a claim's XR connection secret holds them.
	raw := rsp.GetDesired().GetComposite().GetConnectionDetails()[credentialsKey]
	if r, ok := rsp.GetDesired().GetResources()[compCredentials]; ok {
		data, _ := r.GetResource().AsMap()["data"].(map[string]any)
		b, err := base64.StdEncoding.DecodeString(data[credentialsKey].(string))
		if err != nil {
			t.Fatal(err)
		}
		raw = b
	}
	if raw == nil {
		return nil
	}
	out := map[string]string{}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// countingGenerator generates a new value on every call, and counts them.
type countingGenerator struct{ calls int }

func (g *countingGenerator) generate(c credential) (string, error) {
	g.calls++
	v, err := generateRandom(c)
	return v, err
}

func runWith(t *testing.T, f *Function, req *fnv1.RunFunctionRequest) *fnv1.RunFunctionResponse {
	t.Helper()
	rsp, err := f.RunFunction(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return rsp
}

// TestCredentialsFormats checks what crypto/rand generates: ENCRYPTION_KEY is
// exactly 64 hex characters, the others alphanumerics of their length.
func TestCredentialsFormats(t *testing.T) {
	rsp := runWith(t, NewFunction(logging.NewNopLogger(), defaultMemoXRs), newFakeProvider().request(loadXR(t, exampleClaimXR), nil))
	values := credentialsOf(t, rsp)
	if len(values) != len(credentials) {
		t.Fatalf("%d credentials generated, want %d", len(values), len(credentials))
	}
	for _, c := range credentials {
		if !c.valid(values[c.key]) {
			t.Errorf("%s = %d characters not all of %q", c.key, len(values[c.key]), c.settings.CharacterSet)
		}
	}
	if k := values["ENCRYPTION_KEY"]; len(k) != 64 || strings.Trim(k, hexDigits) != "" {
		t.Errorf("ENCRYPTION_KEY is not 64 hex characters: %d", len(k))
	}
}

// TestCredentialsNeverRegenerated plays a claim to Ready and calls again
// with the Secret observed, flapping and with status forgotten: the values
// are generated once, on the first call, and never again.
func TestCredentialsNeverRegenerated(t *testing.T) {
	for name, coreV1 := range map[string]bool{"CrossplaneV2": false, "CrossplaneV1": true} {
		t.Run(name, func(t *testing.T) { testCredentialsNeverRegenerated(t, coreV1) })
	}
}

func testCredentialsNeverRegenerated(t *testing.T, coreV1 bool) {
	g := &countingGenerator{}
	f := NewFunction(logging.NewNopLogger(), defaultMemoXRs)
	f.generate = g.generate
	xr := loadXR(t, exampleClaimXR)
	p := newFakeProvider()
	p.coreV1 = coreV1
	first := runWith(t, f, p.request(xr, nil))
	want := credentialsOf(t, first)
	generated := g.calls
	if generated != len(credentials) {
		t.Fatalf("the first call generated %d values, want %d", generated, len(credentials))
	}
	p.observeAll(t, first)
	for call := range 12 {
		switch call % 3 {
		case 1:
			for n := range p.observed {
				p.setReady(t, n, false)
			}
		case 2:
			for n := range p.observed {
				p.forgetStatus(t, n)
			}
		}
		rsp := runWith(t, f, p.request(xr, nil))
		p.observeAll(t, rsp)
		if got := credentialsOf(t, rsp); !equalMaps(got, want) {
			t.Fatalf("call %d: the credentials changed", call)
		}
	}
	if g.calls != generated {
		t.Errorf("%d values were generated after the first call", g.calls-generated)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestCredentialsNotRegeneratedWhileACopyExists deletes the credentials
// Secret once its Secrets Manager copy exists: the function generates
// nothing, composes no new Secret, keeps the copy, and says why.
func TestCredentialsNotRegeneratedWhileACopyExists(t *testing.T) {
	xr := loadXR(t, exampleClaimXR)
	p, _, _ := converge(t, xr)
	v1, _, _ := convergeOn(t, xr, true)
	cases := map[string]struct {
		p      *fakeProvider
		damage func()
	}{
		"SecretGone": {p: p, damage: func() { delete(p.observed, compCredentials) }},
		"KeyGone": {p: p, damage: func() {
			m := p.observed[compCredentials].GetResource().AsMap()
			m["data"] = map[string]any{credentialsKey: base64.StdEncoding.EncodeToString([]byte(`{"SALT":"x"}`))}
			p.observed[compCredentials] = resourceOf(mustStruct(t, m))
		}},
		"ConnectionSecretGoneCrossplaneV1": {p: v1, damage: func() { v1.xrConnection = nil }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := tc.p
			before, beforeConn := p.observed[compCredentials], p.xrConnection
			defer func() {
				if before != nil {
					p.observed[compCredentials] = before
				}
				p.xrConnection = beforeConn
			}()
			tc.damage()
			g := &countingGenerator{}
			f := NewFunction(logging.NewNopLogger(), defaultMemoXRs)
			f.generate = g.generate
			rsp := runWith(t, f, p.request(xr, nil))
			if g.calls != 0 {
				t.Errorf("%d values were generated while their copy exists", g.calls)
			}
			if _, ok := rsp.GetDesired().GetResources()[compCredentialsSecretVersion]; !ok {
				t.Error("the Secrets Manager copy's version was dropped")
			}
			if len(rsp.GetDesired().GetComposite().GetConnectionDetails()) > 0 {
				t.Error("credentials were written to the XR's connection secret")
			}
			if r, ok := rsp.GetDesired().GetResources()[compCredentials]; ok {
				if got, was := r.GetResource().AsMap()["data"], p.observed[compCredentials].GetResource().AsMap()["data"]; got == nil || !jsonEqual(got, was) {
					t.Error("the credentials Secret was composed with other data than it has")
				}
			}
			if name == "KeyGone" {
				var found bool
				for _, c := range rsp.GetConditions() {
					if c.GetType() == conditionCredentials && c.GetStatus() == fnv1.Status_STATUS_CONDITION_FALSE && c.GetReason() == reasonKeptAsIs && strings.Contains(c.GetMessage(), "restore the Secret") {
						found = true
					}
				}
				if !found {
					t.Errorf("no %s=False condition says the Secret is kept as it is and to restore it: %v", conditionCredentials, rsp.GetConditions())
				}
			}
			if name != "KeyGone" {
				var found bool
				for _, c := range rsp.GetConditions() {
					if c.GetType() == conditionCredentials && c.GetStatus() == fnv1.Status_STATUS_CONDITION_FALSE && strings.Contains(c.GetMessage(), "restore the Secret") {
						found = true
					}
				}
				if !found {
					t.Errorf("no %s=False condition says to restore the Secret: %v", conditionCredentials, rsp.GetConditions())
				}
				if xrReady(rsp) {
					t.Error("the XR is Ready without its credentials")
				}
			}
		})
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// TestCredentialsNeverLeak generates real credentials and looks for each
// value in everything the function says besides their holder (the Secret,
// or the XR's connection secret): the XR's status, conditions, results, the
// other resources, and its debug log.
func TestCredentialsNeverLeak(t *testing.T) {
	for name, coreV1 := range map[string]bool{"CrossplaneV2": false, "CrossplaneV1": true} {
		t.Run(name, func(t *testing.T) { testCredentialsNeverLeak(t, coreV1) })
	}
}

func testCredentialsNeverLeak(t *testing.T, coreV1 bool) {
	var log bytes.Buffer
	f := NewFunction(logging.NewLogrLogger(funcr.New(func(prefix, args string) { log.WriteString(prefix + args + "\n") }, funcr.Options{Verbosity: 1})), defaultMemoXRs)
	xr := loadXR(t, exampleClaimXR)
	p := newFakeProvider()
	p.coreV1 = coreV1
	var values map[string]string
	for range 10 {
		rsp := runWith(t, f, p.request(xr, nil))
		if values == nil {
			values = credentialsOf(t, rsp)
		}
		p.observeAll(t, rsp)
		xr = carryXRStatus(t, xr, rsp)
		// The design keeps them in the holder: the Secret, or the XR's
		// connection secret.
		delete(rsp.GetDesired().GetResources(), compCredentials)
		delete(rsp.GetDesired().GetComposite().GetConnectionDetails(), credentialsKey)
		b, err := protojson.Marshal(rsp)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range values {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s appears in the response outside the credentials Secret", k)
			}
			if strings.Contains(log.String(), v) {
				t.Errorf("%s appears in the log", k)
			}
		}
	}
	if !strings.Contains(log.String(), "Composed") {
		t.Error("the debug log is empty: the test looks at nothing")
	}
}

// TestCredentialsNeedTheXRConnectionSecret checks that a claim's XR on
// Crossplane v1 without a connection secret gets no credentials, and is told
// how to give it one.
func TestCredentialsNeedTheXRConnectionSecret(t *testing.T) {
	p := newFakeProvider()
	p.coreV1 = true
	rsp := run(t, p.request(withSpec(t, loadXR(t, exampleClaimXR), map[string]any{"spec.writeConnectionSecretToRef": nil}), nil))
	if credentialsOf(t, rsp) != nil {
		t.Error("credentials were generated with nowhere to keep them")
	}
	var found bool
	for _, c := range rsp.GetConditions() {
		if c.GetType() == conditionCredentials && c.GetStatus() == fnv1.Status_STATUS_CONDITION_FALSE && strings.Contains(c.GetMessage(), "writeConnectionSecretsToNamespace") {
			found = true
		}
	}
	if !found {
		t.Errorf("no %s=False condition names writeConnectionSecretsToNamespace", conditionCredentials)
	}
}
