#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser test (test/e2e/demo-browser.test.ts):
# playwright-core drives it; no browser is downloaded by Playwright. Idempotent and serialized
# (parallel test processes may call it at once). Needs root or passwordless sudo on Debian/Ubuntu.
set -euo pipefail
bin=/usr/bin/chromium
[ -x "$bin" ] && { echo "$bin"; exit 0; }
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
lock="${XDG_CACHE_HOME:-$HOME/.cache}/ces/apt-chromium.lock"
mkdir -p "$(dirname "$lock")"
(
  flock 9
  if [ ! -x "$bin" ]; then
    echo "scripts/ensure-chromium.sh: installing chromium with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y -q --no-install-recommends chromium >&2 || { $sudo apt-get update -q >&2 && $sudo apt-get install -y -q --no-install-recommends chromium >&2; }
  fi
) 9>"$lock"
[ -x "$bin" ] || { echo "scripts/ensure-chromium.sh: $bin still missing after apt-get" >&2; exit 1; }
echo "$bin"
