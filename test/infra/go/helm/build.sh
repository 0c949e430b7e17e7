#!/usr/bin/env bash
# Builds helm v3 from Go modules into "$1/bin" (see docs/testing-kube.md). helm's go.mod has no
# replace directives, so a plain `go install helm.sh/helm/v3/cmd/helm@<version>` works.
# Usage: build.sh <out-dir> <helm-version, e.g. v3.22.0> <k8s-minor of its client-go> <stamp>
# Run it under `flock <out-dir>.lock` (test/infra/helm.ts does). Same guarantees as ../kube/build.sh:
# "$1/bin" only ever holds a complete build, marked by "$1/bin/.complete" = <stamp>.
set -euo pipefail
out=$1 version=$2 k8sminor=$3 stamp=$4
if [[ -f $out/bin/.complete && $(cat "$out/bin/.complete") == "$stamp" ]]; then
  echo "cached build in $out/bin is complete"; exit 0
fi
tmp=$out/bin.partial
rm -rf "$tmp" && mkdir -p "$tmp"
# The same stamps helm's Makefile sets: its version, and the Kubernetes version that
# `helm template`/`helm lint` assume (.Capabilities.KubeVersion) instead of the v1.20 default.
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$version -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
for pkg in pkg/lint/rules pkg/chartutil; do
  ldflags+=" -X helm.sh/helm/v3/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/$pkg.k8sVersionMinor=$k8sminor"
done
echo "$(date -u +%FT%TZ) building helm $version with $(go version)"
start=$SECONDS
CGO_ENABLED=0 GOBIN=$tmp go install -p 2 -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$version"
echo "$(date -u +%FT%TZ) helm built in $((SECONDS - start)) s"
"$tmp/helm" version
rm -rf "$out/bin" && mv "$tmp" "$out/bin"
printf '%s' "$stamp" > "$out/bin/.complete"
