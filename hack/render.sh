#!/usr/bin/env bash
# Renders the example claim wave by wave with `crossplane composition render`
# of the crossplane CLI v2.5.0: builds the function, the CLI and the Crossplane
# core v2.4.0 binary the CLI renders with instead of core's Docker image (both
# cached after the first run), starts the function on localhost, and prints
# what it composes at each observed stage of example/observed/.
#
#   hack/render.sh              # the claim's XR (cluster-scoped MRs)
#   hack/render.sh namespaced   # a namespaced v2 XR (.m. MRs)
#   hack/render.sh own-vpc      # a claim's XR with a VPC of its own, behind CloudFront
#   hack/render.sh nat-instance # a claim's XR with a VPC of its own and a NAT instance
#   hack/render.sh vpc-endpoints # a claim's XR with a VPC of its own and no route out
#
# Each stage prints what appears in it, what is held back and what it waits
# for, the gate conditions and the events (hack/summary). Set
# STAGE=3-host-record-ready to render one stage only, FULL=1 to print the
# whole output (XR, composed resources and results) instead.
set -euo pipefail
cd "$(dirname "$0")/.."

style=${1:-claim}
defs=
case $style in
claim) dir=example ;;
namespaced) dir=example/namespaced ;;
own-vpc) dir=example/own-vpc defs=example ;; # a claim's XR: the claim's XRD and Composition
nat-instance) dir=example/nat-instance defs=example ;;
vpc-endpoints) dir=example/vpc-endpoints defs=example ;;

*) echo "usage: $0 [claim|namespaced|own-vpc|nat-instance|vpc-endpoints]" >&2; exit 2 ;;
esac

crank=$(hack/tools.sh crank-cli)
core=$(hack/tools.sh crossplane-v24)
work=$(mktemp -d)
fn_pid=
cleanup() {
	if [[ -n $fn_pid ]]; then kill "$fn_pid" 2>/dev/null; wait "$fn_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

echo "building the function" >&2
go build -o "$work/function" .
go build -o "$work/summary" ./hack/summary
port=${PORT:-9443}
"$work/function" --insecure --address="127.0.0.1:$port" --metrics-address= >"$work/function.log" 2>&1 &
fn_pid=$!

render() { # <observed dir or empty>
	local args=("$dir/xr.yaml" "${defs:-$dir}/composition.yaml" example/functions.yaml
		--xrd="${defs:-$dir}/definition.yaml" --include-function-results --include-full-xr --timeout=30s
		-a "render.crossplane.io/runtime-development-target=127.0.0.1:$port")
	[[ -n $1 ]] && args+=(--observed-resources="$1")
	"$crank" composition render --crossplane-binary="$core" "${args[@]}"
}

stages=("" $(cd "$dir/observed" && ls -d */ | tr -d /))
[[ -n ${STAGE:-} ]] && stages=("$STAGE")
for stage in "${stages[@]}"; do
	obs=
	[[ -n $stage ]] && obs=$dir/observed/$stage
	echo "=== ${stage:-0-nothing-observed} ==="
	render "$obs" >"$work/out.yaml"
	if [[ -n ${FULL:-} ]]; then
		cat "$work/out.yaml"
	else
		"$work/summary" "$obs" <"$work/out.yaml"
	fi
done
