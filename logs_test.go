package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/go-logr/zapr"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// TestDebugLogsHoldNoSecret runs the full stack with the logger --debug
// gives (zap's development logger, at debug level) through the calls that
// log most: creation wave by wave, dependencies flapping, status forgotten,
// the credentials' holder gone while its copy exists. The log must hold no
// credential, no connection detail and no whole resource.
func TestDebugLogsHoldNoSecret(t *testing.T) {
	var buf bytes.Buffer
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(zap.NewDevelopmentEncoderConfig()), zapcore.AddSync(&buf), zapcore.DebugLevel)
	f := NewFunction(logging.NewLogrLogger(zapr.NewLogger(zap.New(core))), defaultMemoXRs)
	f.generate = fakeGenerate
	call := func(req *fnv1.RunFunctionRequest) *fnv1.RunFunctionResponse {
		t.Helper()
		rsp, err := f.RunFunction(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		return rsp
	}

	// Values the provider writes into connection details, as Crossplane
	// sends them with the observed resources.
	connection := map[string][]byte{
		clientSecretKey:             []byte("client-secret-4d8f2a9c1e7b"),
		"attribute.master_password": []byte("db-password-9a7c5e3b1d"),
		"attribute.auth_token":      []byte("cache-token-3e5g7i9k1m"),
	}
	xr := loadXR(t, exampleClaimXR)
	p := newFakeProvider()
	for range 12 {
		req := p.request(xr, nil)
		for _, r := range req.GetObserved().GetResources() {
			r.ConnectionDetails = connection
		}
		rsp := call(req)
		p.observeAll(t, rsp)
		xr = carryXRStatus(t, xr, rsp)
	}
	for _, name := range []string{compDNSRecordHost, compClickHouseService, compDatabase, compCredentialsSecretVersion} {
		p.setReady(t, name, false)
	}
	p.forgetStatus(t, compCache)
	call(p.request(xr, nil))
	delete(p.observed, compCredentials)
	call(p.request(xr, nil))

	log := buf.String()
	if !strings.Contains(log, "DEBUG") {
		t.Fatal("nothing was logged at debug level: the test would prove nothing")
	}
	var secrets []string
	for _, c := range credentials {
		v, _ := fakeGenerate(c)
		secrets = append(secrets, v)
	}
	for _, v := range connection {
		secrets = append(secrets, string(v))
	}
	for _, s := range secrets {
		if strings.Contains(log, s) {
			t.Errorf("the debug log holds a secret value (%d characters)", len(s))
		}
	}
	// A status path such as status.atProvider.arn is fine; an object is not.
	for _, whole := range []string{"apiVersion", `"metadata"`, `"forProvider"`, credentialsKey} {
		if strings.Contains(log, whole) {
			t.Errorf("the debug log holds %q: a whole resource or document was logged", whole)
		}
	}
}
