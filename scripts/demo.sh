#!/usr/bin/env bash
# `npm run demo`: installs what is needed, then runs the daemon on the built-in demo sysroot.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec bash scripts/demo-run.sh
