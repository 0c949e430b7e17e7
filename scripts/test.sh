#!/usr/bin/env bash
# The one test command (`npm test`): lint, typecheck, then every unit, integration and e2e test on
# Node 24 with real infrastructure started (and always stopped) by test/run.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent lint
npm run --silent typecheck
exec bash scripts/node.sh test/run.ts "$@"
