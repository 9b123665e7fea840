#!/usr/bin/env bash
# Starts apt-ostreed on the demo sysroot under .demo/ (built on first run, no network), shows
# a few queries, then keeps the daemon in the foreground until Ctrl-C.
# DEMO_DIR overrides .demo; DEMO_NO_WAIT=1 stops the daemon after the queries.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO_DIR=$(realpath -m "${DEMO_DIR:-.demo}")
SOCK=$DEMO_DIR/apt-ostreed.sock

SYSROOT=$(node dist/src/demo/demo-sysroot.js "$DEMO_DIR")
mkdir -p "$DEMO_DIR/state" "$DEMO_DIR/cache"
bin/apt-ostreed --sysroot "$SYSROOT" --socket "$SOCK" --state-dir "$DEMO_DIR/state" \
  --cache-dir "$DEMO_DIR/cache" --config "$DEMO_DIR/apt-ostreed.conf" &
DAEMON=$!
trap 'kill "$DAEMON" 2>/dev/null; wait "$DAEMON" 2>/dev/null' EXIT
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done

show() { printf '\n$ %s\n' "$*"; eval "$@"; }
echo "apt-ostreed (pid $DAEMON) serves $SYSROOT on $SOCK"
show "bin/apt-ostree --socket $SOCK status"
show "printf '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Sysroot.GetDeployments\"}\n' | socat -t5 - UNIX-CONNECT:$SOCK | jq -c '.result.deployments[] | {id, version, pinned, layeredPackages}'"
show "printf '{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"OS.GetProperties\"}\n' | socat -t5 - UNIX-CONNECT:$SOCK | jq '.result | {name, default: .defaultDeployment.id, rollback: .rollbackDeployment.id}'"
show "printf '{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"Sysroot.GetOS\",\"params\":{\"name\":42}}\n' | socat -t5 - UNIX-CONNECT:$SOCK | jq -c .error"

if [ "${DEMO_NO_WAIT:-}" = 1 ]; then exit 0; fi
cat <<TXT

The daemon keeps running; try, from another terminal:
  bin/apt-ostree --socket $SOCK status --json
  ostree admin status --sysroot=$SYSROOT
Ctrl-C stops it.
TXT
wait "$DAEMON"
