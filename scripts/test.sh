#!/usr/bin/env bash
# The whole test suite, from a fresh clone: setup (Debian packages, npm deps, build), lint,
# then every test against the real daemon, real OSTree sysroots and real tools.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== lint" >&2
npm run -s lint
status=0
echo "== tests" >&2
# Test files only (dist/test/support holds helpers). One file at a time: several start daemons and
# build sysroots, and the benchmark-like checks want a quiet machine.
node --test --test-concurrency=1 --test-reporter=spec dist/test/*.test.js || status=$?
echo "== booted-machine tests" >&2
# The image is built (or found in the cache) once; then the machine suites run one after the
# other. Side by side they saved ~10 minutes but slowed each emulated machine enough that a
# bus-activated daemon missed the system bus's activation limit.
if built=$(node dist/src/vm/main.js build); then
  echo "$built" >&2
  image=$(printf '%s\n' "$built" | sed -n 's/^image: //p')
  # The suites use this image as it is (nothing is rebuilt per suite).
  APT_OSTREE_VM_IMAGE="$(dirname "$image")/image.json" \
    node --test --test-concurrency=1 --test-reporter=spec dist/test/vm/*.test.js || status=$?
else
  echo "the test image could not be built" >&2
  status=1
fi
exit "$status"
