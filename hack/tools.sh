#!/usr/bin/env bash
# Builds the binaries the tests and the render script need, from the Go module
# proxy at pinned versions, into a cache keyed by tool group, version and Go
# version, so a warm machine pays nothing. Prints the path of the binary asked
# for (building its whole group on first use).
#
#   crank-cli               crossplane CLI v2.5.0           (tools/cli), the main path
#   crossplane-v24          Crossplane core v2.4.0          (tools/crossplane-v24), the main core
#   crank                   crossplane CLI v2.2.1           (tools/crossplane)
#   crossplane              Crossplane core v2.2.1          (tools/crossplane)
#   crank-v1, crossplane-v1 crossplane CLI and core v1.16.0 (tools/crossplane-v1)
#   kube-apiserver, kube-controller-manager, kubectl, etcd
#                           Kubernetes v1.35.4, etcd v3.6.5 (tools/kube)
#   crane, registry         go-containerregistry v0.22.1    (tools/oci)
#   golangci-lint           golangci-lint v2.15.0           (tools/lint)
#
# `go install pkg@version` asks the proxy for version lists, which this proxy
# refuses, so each group is a small module under tools/ built with go build.
# Cold builds on 2 cores: cli ~4 min, crossplane-v24 ~3 min, crossplane ~3-4 min, crossplane-v1 ~2 min, kube
# ~4-7 min, oci ~1 min.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
goversion=$(go env GOVERSION)
cache=${FUNCTION_LANGFUSE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/function-langfuse/tools}

CLI_VERSION=v2.5.0
XP_MAIN_VERSION=v2.4.0
XP_VERSION=v2.2.1
XP_V1_VERSION=v1.16.0
KUBE_VERSION=v1.35.4
ETCD_VERSION=v3.6.5
GGCR_VERSION=v0.22.1
LINT_VERSION=v2.15.0

kube_ldflags="-X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1"
kube_ldflags+=" -X k8s.io/component-base/version.gitMinor=35 -X k8s.io/component-base/version.gitTreeState=clean"
kube_ldflags+=" -X go.etcd.io/etcd/api/v3/version.GitSHA=$ETCD_VERSION"

# build_group <group> <version> <ldflags> <packages...>: builds every package of
# a tools module into one cache directory, once.
build_group() {
	local group=$1 version=$2 ldflags=$3
	shift 3
	# The key also covers what is built and how, so a change to the package
	# list, the flags or the module's pins builds anew.
	local key
	key=$( { echo "$ldflags $*"; cat "$root/tools/$group/go.sum"; } | sha256sum | cut -c1-8)
	local dir="$cache/$group-$version-$goversion-$key"
	if [[ ! -f $dir/.complete ]]; then
		echo "building $group $version (first run only)" >&2
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
		(cd "$root/tools/$group" && go mod download && go build -trimpath -ldflags "$ldflags" -o "$dir.tmp/" "$@")
		# etcd's main package is named server.
		[[ -f $dir.tmp/server ]] && mv "$dir.tmp/server" "$dir.tmp/etcd"
		touch "$dir.tmp/.complete"
		rm -rf "$dir" && mv "$dir.tmp" "$dir"
	fi
	echo "$dir"
}

tool=${1:-}
case $tool in
crank-cli)
	dir=$(build_group cli "$CLI_VERSION" \
		"-X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=$CLI_VERSION" \
		github.com/crossplane/cli/v2/cmd/crossplane)
	tool=crossplane ;;
crossplane-v24)
	dir=$(build_group crossplane-v24 "$XP_MAIN_VERSION" \
		"-X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=$XP_MAIN_VERSION" \
		github.com/crossplane/crossplane/v2/cmd/crossplane)
	tool=crossplane ;;
crank | crossplane)
	dir=$(build_group crossplane "$XP_VERSION" \
		"-X github.com/crossplane/crossplane/v2/internal/version.version=$XP_VERSION" \
		github.com/crossplane/crossplane/v2/cmd/crank github.com/crossplane/crossplane/v2/cmd/crossplane) ;;
crank-v1 | crossplane-v1)
	dir=$(build_group crossplane-v1 "$XP_V1_VERSION" \
		"-X github.com/crossplane/crossplane/internal/version.version=$XP_V1_VERSION" \
		github.com/crossplane/crossplane/cmd/crank github.com/crossplane/crossplane/cmd/crossplane)
	tool=${tool%-v1} ;;
kube-apiserver | kube-controller-manager | kubectl | etcd)
	dir=$(build_group kube "$KUBE_VERSION" "$kube_ldflags" k8s.io/kubernetes/cmd/kube-apiserver \
		k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl go.etcd.io/etcd/server/v3) ;;
crane | registry)
	dir=$(build_group oci "$GGCR_VERSION" "" \
		github.com/google/go-containerregistry/cmd/crane github.com/google/go-containerregistry/cmd/registry) ;;
golangci-lint)
	dir=$(build_group lint "$LINT_VERSION" "-X main.version=${LINT_VERSION#v}" \
		github.com/golangci/golangci-lint/v2/cmd/golangci-lint) ;;
*)
	echo "usage: $0 crank-cli|crossplane-v24|crank|crossplane|crank-v1|crossplane-v1|kube-apiserver|kube-controller-manager|kubectl|etcd|crane|registry|golangci-lint" >&2
	exit 2 ;;
esac
echo "$dir/$tool"
