#!/usr/bin/env bash
# Regenerates charts/ces-operator: cdk8s Helm synthesis, then the values post-step (src/helmify.ts).
# Deterministic and offline; test/e2e/manifests-chart.test.ts fails when the result differs from git.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-../charts/ces-operator}"
bash ../scripts/node.sh ../node_modules/cdk8s-cli/bin/cdk8s synth --no-check-upgrade --format helm --chart-api-version v2 --chart-version 0.1.0 --output "$out" >/dev/null
bash ../scripts/node.sh src/helmify.ts "$out"
