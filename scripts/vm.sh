#!/usr/bin/env bash
# npm run -s vm -- VERB: the test machine (docs/vm.md). `build` sets up the checkout first
# (Debian packages, npm deps, the TypeScript build); the other verbs only when it was never built.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = build ] || [ ! -f dist/src/vm/main.js ]; then
  bash scripts/setup.sh >&2
fi
exec node dist/src/vm/main.js "$@"
