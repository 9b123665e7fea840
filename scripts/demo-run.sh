#!/usr/bin/env bash
# Starts apt-ostreed on the demo under .demo/ (built on first run, no network: see
# src/demo/demo-sysroot.ts): serves the demo's OSTree repository on 127.0.0.1 (it has an update),
# layers hello and jq on first run, shows a few queries and the commands to try, then keeps the
# daemon in the foreground until Ctrl-C.
# DEMO_DIR overrides .demo; DEMO_NO_WAIT=1 stops after the queries.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO_DIR=$(realpath -m "${DEMO_DIR:-.demo}")
SOCK=$DEMO_DIR/apt-ostreed.sock
CLI=(bin/apt-ostree --socket "$SOCK")

SYSROOT=$(node dist/src/demo/demo-sysroot.js "$DEMO_DIR")
mkdir -p "$DEMO_DIR/state" "$DEMO_DIR/cache"

SERVER='' DAEMON=''
stop() {
  if [ -n "$DAEMON" ]; then kill "$DAEMON" 2>/dev/null || true; wait "$DAEMON" 2>/dev/null || true; fi
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
}
trap stop EXIT
trap 'exit 130' INT TERM

rm -f "$DEMO_DIR/remote-url"
node dist/src/demo/demo-serve.js "$DEMO_DIR" &
SERVER=$!
for _ in $(seq 200); do [ -s "$DEMO_DIR/remote-url" ] && break; kill -0 "$SERVER" 2>/dev/null || break; sleep 0.05; done
[ -s "$DEMO_DIR/remote-url" ] || { echo "demo: the OSTree remote did not start (see above)" >&2; exit 1; }
REMOTE_URL=$(cat "$DEMO_DIR/remote-url")

bin/apt-ostreed --sysroot "$SYSROOT" --socket "$SOCK" --state-dir "$DEMO_DIR/state" \
  --cache-dir "$DEMO_DIR/cache" --config "$DEMO_DIR/apt-ostreed.conf" &
DAEMON=$!
for _ in $(seq 200); do [ -S "$SOCK" ] && break; kill -0 "$DAEMON" 2>/dev/null || break; sleep 0.05; done
[ -S "$SOCK" ] || { echo "demo: apt-ostreed did not start (see above)" >&2; exit 1; }

show() { printf '\n$ %s\n' "$*"; eval "$@"; }
echo "apt-ostreed (pid $DAEMON) serves $SYSROOT on $SOCK"
echo "The OSTree remote 'origin' is $REMOTE_URL (pid $SERVER); the APT source is $DEMO_DIR/apt"
if [ ! -f "$DEMO_DIR/.complete" ]; then
  echo "First run: layering hello and jq with the daemon, from the demo's APT repository"
  show "${CLI[*]} install hello jq"
  date -u +%FT%TZ >"$DEMO_DIR/.complete"
fi
show "${CLI[*]} status"
show "printf '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Sysroot.GetDeployments\"}\n' | socat -t5 - UNIX-CONNECT:$SOCK | jq -c '.result.deployments[] | {id, version, pinned, layeredPackages}'"
show "printf '{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"OS.GetProperties\"}\n' | socat -t5 - UNIX-CONNECT:$SOCK | jq '.result | {name, default: .defaultDeployment.id, rollback: .rollbackDeployment.id}'"
show "printf '{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"Sysroot.GetOS\",\"params\":{\"name\":42}}\n' | socat -t5 - UNIX-CONNECT:$SOCK | jq -c .error"

if [ "${DEMO_NO_WAIT:-}" = 1 ]; then exit 0; fi
override='a base package nothing depends on'
bin/apt-ostree --help 2>/dev/null | grep -qw override || override="$override (once apt-ostree has the override verb)"
cat <<TXT

The daemon keeps running; Ctrl-C stops it (and the remote). Try, from another terminal, in $PWD:
  export APT_OSTREE_SOCKET=$SOCK
  bin/apt-ostree upgrade --check        # the remote has 12.3
  bin/apt-ostree upgrade                # downloads it (progress bar), layers hello and jq onto it again
  bin/apt-ostree install cowsay         # from the demo's APT repository (also: htop sl tree)
  bin/apt-ostree db diff                # the package changes of the new default deployment
  bin/apt-ostree uninstall cowsay
  bin/apt-ostree override remove nano   # $override
  bin/apt-ostree rollback               # the previous deployment is the default again
  bin/apt-ostree history
  bin/apt-ostree status --json
  ostree admin status --sysroot=$SYSROOT
TXT
wait "$DAEMON"
