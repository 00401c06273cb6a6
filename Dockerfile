# syntax=docker/dockerfile:1

# The runtime image of function-langfuse: a static binary on distroless,
# running as nonroot. hack/package.sh builds the same image without Docker
# (same Go version, same flags); keep the two in step.

# Match the Go of the Docker-free build (hack/package.sh uses the host's Go).
ARG GO_VERSION=1.26.8

# Build on the build platform and cross-compile for the target, so multi-arch
# builds (docker buildx --platform linux/amd64,linux/arm64) need no emulation.
FROM --platform=${BUILDPLATFORM} golang:${GO_VERSION} AS build

WORKDIR /fn

# Most functions don't have external C dependencies: a static binary.
ENV CGO_ENABLED=0

# Download modules first, so a code change doesn't download them again.
RUN --mount=target=. \
    --mount=type=cache,target=/go/pkg/mod \
    go mod download

ARG TARGETOS
ARG TARGETARCH

RUN --mount=target=. \
    --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath -ldflags="-s -w" -o /function .

# distroless static: no shell, no libc, CA certificates and a nonroot user.
FROM gcr.io/distroless/static-debian12:nonroot AS image
WORKDIR /
COPY --from=build /function /function
EXPOSE 9443
USER nonroot:nonroot
ENTRYPOINT ["/function"]
