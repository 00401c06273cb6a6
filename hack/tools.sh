#!/usr/bin/env bash
# Builds the CLIs the tests and the render script need, from the Go module proxy
# at pinned versions, into a cache keyed by tool, version and Go version, so a
# warm machine pays nothing. Prints the path of the binary asked for.
#
#   hack/tools.sh crank      # crossplane CLI v2.2.1
#   hack/tools.sh crossplane # Crossplane core v2.2.1
#   hack/tools.sh crank-v1   # crossplane CLI v1.16.0 (`crossplane beta render`)
#
# `go install pkg@version` asks the proxy for version lists, which this proxy
# refuses, so each tool group is a small module under tools/ built with go build.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
goversion=$(go env GOVERSION)
cache=${FUNCTION_LANGFUSE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/function-langfuse/tools}

XP_VERSION=v2.2.1
XP_V1_VERSION=v1.16.0

build() { # <name> <version> <module dir> <ldflags> <package>
	local name=$1 version=$2 dir=$3 ldflags=$4 pkg=$5
	local out="$cache/$name-$version-$goversion/$name"
	if [[ ! -x $out ]]; then
		echo "building $name $version (first run only; a few minutes on 2 cores)" >&2
		mkdir -p "$(dirname "$out")"
		(cd "$root/tools/$dir" && go mod download && go build -trimpath -ldflags "$ldflags" -o "$out.tmp" "$pkg")
		mv "$out.tmp" "$out"
	fi
	echo "$out"
}

case ${1:-} in
crank)
	build crank "$XP_VERSION" crossplane \
		"-X github.com/crossplane/crossplane/v2/internal/version.version=$XP_VERSION" \
		github.com/crossplane/crossplane/v2/cmd/crank ;;
crossplane)
	build crossplane "$XP_VERSION" crossplane \
		"-X github.com/crossplane/crossplane/v2/internal/version.version=$XP_VERSION" \
		github.com/crossplane/crossplane/v2/cmd/crossplane ;;
crank-v1)
	build crank-v1 "$XP_V1_VERSION" crossplane-v1 \
		"-X github.com/crossplane/crossplane/internal/version.version=$XP_V1_VERSION" \
		github.com/crossplane/crossplane/cmd/crank ;;
*)
	echo "usage: $0 crank|crossplane|crank-v1" >&2
	exit 2 ;;
esac
