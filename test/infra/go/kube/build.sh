#!/usr/bin/env bash
# Builds kube-apiserver and etcd from this wrapper module into "$1/bin" (see docs/testing-kube.md).
# Usage: build.sh <out-dir> <kube-version, e.g. v1.37.2> <stamp>
# Run it under `flock <out-dir>.lock` (test/infra/kube-build.ts does): the marker is checked again
# inside the lock so parallel callers build once. Guarantees: "$1/bin" only ever holds a complete
# build (binaries go to a scratch dir that is renamed into place), and "$1/bin/.complete" holds
# <stamp> only after both binaries linked, so an interrupted build is redone, never reused.
set -euo pipefail
out=$1 version=$2 stamp=$3
here=$(cd "$(dirname "$0")" && pwd)
if [[ -f $out/bin/.complete && $(cat "$out/bin/.complete") == "$stamp" ]]; then
  echo "cached build in $out/bin is complete"; exit 0
fi
minor=${version#v1.}; minor=${minor%%.*}
tmp=$out/bin.partial
rm -rf "$tmp" && mkdir -p "$tmp"
export CGO_ENABLED=0
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1"
ldflags+=" -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
echo "$(date -u +%FT%TZ) building kube-apiserver $version with $(go version)"
start=$SECONDS
go build -C "$here" -p 2 -trimpath -ldflags "$ldflags" -o "$tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
echo "$(date -u +%FT%TZ) kube-apiserver built in $((SECONDS - start)) s; building etcd"
go build -C "$here" -p 2 -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3
echo "$(date -u +%FT%TZ) both built in $((SECONDS - start)) s"
"$tmp/kube-apiserver" --version && "$tmp/etcd" --version | head -1
rm -rf "$out/bin" && mv "$tmp" "$out/bin"
printf '%s' "$stamp" > "$out/bin/.complete"
