#!/usr/bin/env bash
# The whole test suite, from a fresh clone: setup (Debian packages, npm deps, build), lint,
# then every test against the real daemon, real OSTree sysroots and real tools.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== lint" >&2
npm run -s lint
echo "== tests" >&2
# Test files only (dist/test/support holds helpers). One file at a time: several start daemons and
# build sysroots, and the benchmark-like checks want a quiet machine.
node --test --test-concurrency=1 --test-reporter=spec dist/test/*.test.js dist/test/vm/*.test.js
