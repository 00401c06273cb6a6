#!/usr/bin/env bash
# Builds the packages of function-langfuse without Docker, into OUT (default
# _output/):
#   runtime-<arch>.tar             the runtime image (static binary, nonroot),
#                                  built with crane for linux/amd64 and arm64
#   function-langfuse-<arch>.xpkg  the Function package, input CRD and examples
#                                  embedded, on that runtime image
#   configuration-langfuse.xpkg    the Configuration package: XRDs, Compositions,
#                                  the activation policy and the dependencies
#                                  (configuration/)
# Push them with, e.g.:
#   crossplane xpkg push -f OUT/function-langfuse-amd64.xpkg,OUT/function-langfuse-arm64.xpkg ghcr.io/crossplane-contrib/function-langfuse:v0.1.0
#   crossplane xpkg push -f OUT/configuration-langfuse.xpkg ghcr.io/crossplane-contrib/configuration-langfuse:v0.1.0
#
# The Configuration depends on the Function at ghcr.io/crossplane-contrib/
# function-langfuse, and Crossplane names a dependency after its repository
# path, so the Compositions call crossplane-contrib-function-langfuse. To
# publish elsewhere (a fork), set FUNCTION_PACKAGE to the repository the
# Function is pushed to (e.g. ghcr.io/acme/function-langfuse): the dependency
# and both functionRefs are rewritten to match. VERSION (default v0.1.0) is the
# Function version the Configuration depends on.
#
# crane builds images in a registry, so this starts go-containerregistry's
# in-memory registry on a free loopback port for the duration.
# The image is what the Dockerfile builds: CGO off, -trimpath -s -w, uid 65532.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$(mkdir -p "${OUT:-_output}" && cd "${OUT:-_output}" && pwd)
# ARCHES= (set, empty) builds the Configuration package only.
arches=(${ARCHES-amd64 arm64})

crank=$(hack/tools.sh crank-cli)
crane=$(hack/tools.sh crane)
registry_bin=$(hack/tools.sh registry)

work=$(mktemp -d)
reg_pid=
cleanup() {
	if [[ -n $reg_pid ]]; then kill "$reg_pid" 2>/dev/null; wait "$reg_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

"$registry_bin" -port 0 >"$work/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 100); do
	port=$(sed -n 's/.*serving on port \([0-9]*\).*/\1/p' "$work/registry.log")
	[[ -n $port ]] && "$crane" catalog "localhost:$port" >/dev/null 2>&1 && break
	sleep 0.1
done
[[ -n $port ]] || { echo "the registry did not start:" >&2; cat "$work/registry.log" >&2; exit 1; }
reg=localhost:$port

# The base layer: what distroless static gives a static binary, from this
# machine: CA certificates, and the nonroot user.
mkdir -p "$work/base/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$work/base/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$work/base/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$work/base/etc/group"
tarit() { tar -C "$1" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$2" "${@:3}"; }
tarit "$work/base" "$work/base.tar" etc

for arch in "${arches[@]}"; do
	echo "runtime image linux/$arch" >&2
	mkdir -p "$work/$arch"
	CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath -ldflags="-s -w" -o "$work/$arch/function" .
	chmod 0755 "$work/$arch/function"
	tarit "$work/$arch" "$work/fn-$arch.tar" function
	"$crane" append -f "$work/base.tar" -f "$work/fn-$arch.tar" -t "$reg/runtime:$arch" >/dev/null
	"$crane" mutate "$reg/runtime:$arch" --set-platform "linux/$arch" --entrypoint /function \
		--user 65532:65532 --exposed-ports 9443 -o "$out/runtime-$arch.tar" >/dev/null
	"$crank" xpkg build --package-root=package --examples-root=example \
		--embed-runtime-image-tarball="$out/runtime-$arch.tar" --package-file="$out/function-langfuse-$arch.xpkg"
done

echo "configuration package" >&2
default_package=ghcr.io/crossplane-contrib/function-langfuse
function_package=${FUNCTION_PACKAGE:-$default_package}
version=${VERSION:-v0.1.0}
# The name Crossplane gives a dependency: its repository path without the
# registry, slashes and dots as dashes (xpkg.ToDNSLabel).
dependency_name() { local repo=${1#*/}; repo=${repo//[\/.]/-}; echo "${repo,,}"; }
rewrite() {
	sed -e "s|package: $default_package\$|package: $function_package|" \
		-e "s|name: $(dependency_name "$default_package")\$|name: $(dependency_name "$function_package")|" \
		-e "/kind: Function/,/version:/s|version: \"v0.1.0\"|version: \"$version\"|" "$1" >"$2"
}
mkdir -p "$work/configuration/apis/namespaced"
rewrite configuration/crossplane.yaml "$work/configuration/crossplane.yaml"
cp configuration/activation-policy.yaml "$work/configuration/"
cp example/definition.yaml "$work/configuration/apis/"
rewrite example/composition.yaml "$work/configuration/apis/composition.yaml"
cp example/namespaced/definition.yaml "$work/configuration/apis/namespaced/"
rewrite example/namespaced/composition.yaml "$work/configuration/apis/namespaced/composition.yaml"
mkdir -p "$work/configuration-examples"
cp example/claim.yaml "$work/configuration-examples/"
"$crank" xpkg build --package-root="$work/configuration" --examples-root="$work/configuration-examples" \
	--package-file="$out/configuration-langfuse.xpkg"

ls -l "$out" >&2
