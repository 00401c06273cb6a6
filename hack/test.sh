#!/usr/bin/env bash
# Runs every test of function-langfuse, the way CI does (.ci/run calls this).
#
#   1. go vet (with and without the e2e build tag), golangci-lint, and a check
#      that the generated input CRD and deepcopy code are current
#   2. unit, schema (against the provider-aws v2.4.0 CRDs), convergence and
#      example tests: go test ./...
#   3. a short fuzz run of FuzzRunFunction
#   4. the benchmarks: one call beside the protobuf floor, in process and
#      over gRPC, and how the cost scales with XRs and resources
#   5. end to end: crossplane composition render (CLI v2.5.0, with core
#      v2.4.0's render) and crossplane render (CLI v2.2.1) over every observed
#      stage, for a claim's XR and a namespaced XR, each checked offline with
#      that CLI's validate; crossplane beta render of CLI v1.16 (Crossplane
#      v1); the control plane: packages built without Docker and pushed to a
#      loopback registry with stand-ins of the provider packages, the
#      Configuration installed as the README says (dependency resolution on)
#      by Crossplane core v2.4.0 and v2.2.1 on loopback kube-apiservers with
#      core's Usage webhook, claims and a namespaced XR applied with kubectl and
#      deleted in the Usages' order; the claim path on core v1.16; and the
#      load test of the real binary
#
# Everything it needs is built from the Go module proxy on the first run
# (about 20 min on 2 cores, see hack/tools.sh) and cached after.
# FUZZTIME=0 skips the fuzz run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "go vet"
go vet ./...
go vet -tags e2e ./...

step "golangci-lint (.golangci.yml)"
"$(hack/tools.sh golangci-lint)" run ./...

step "generated files are current (input CRD and deepcopy)"
go generate ./input/...
if git rev-parse --git-dir >/dev/null 2>&1 && ! git diff --exit-code -- input package/input; then
	echo "the input's generated files were stale; commit the regenerated ones" >&2
	exit 1
fi

step "unit, schema, convergence and example tests"
go test -count=1 -cover ./...

if [[ ${FUZZTIME:-15s} != 0 ]]; then
	step "fuzz FuzzRunFunction for ${FUZZTIME:-15s}"
	go test -run '^$' -fuzz '^FuzzRunFunction$' -fuzztime "${FUZZTIME:-15s}" -fuzzminimizetime 100x .
fi

step "benchmarks: one call beside the protobuf floor (in process and over gRPC), and how the cost scales"
go test -run '^$' -bench '^Benchmark(RunFunction|ProtobufFloor|RunFunctionGRPC)$' -benchmem -benchtime 200x .
go test -run '^$' -bench '^BenchmarkScale$' -benchmem -benchtime 3x .

step "build the tools (cached after the first run)"
for t in crank-cli crossplane-v24 crank crank-v1 kube-apiserver crane; do hack/tools.sh "$t" >/dev/null; done

step "end to end: render and validate (CLI v2.5, v2.2.1, v1.16), packages, control planes (core v2.4, v2.2.1, v1.16), load"
go test -tags e2e -count=1 -timeout 60m ./test/...

echo
echo "all tests passed"
