#!/usr/bin/env bash
# Installs what apt-ostreed needs on a Debian 12 machine with Node 20, idempotently:
# Debian packages (only the missing ones), npm dependencies (only when package-lock.json
# changed), then builds the TypeScript. Used by `npm test` and `npm run demo`.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(ostree libostree-1-1 bubblewrap dpkg-dev apt-utils socat jq dbus polkitd debootstrap e2fsprogs systemd python3-gi libglib2.0-bin gcc libc6-dev
  # npm run deb (with dpkg-dev) and its test
  debhelper fakeroot lintian
  # npm run vm (the booted-machine tests)
  qemu-system-x86 qemu-utils)

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
    apt-get update -q >/dev/null
    apt-get install -y -q "${missing[@]}" >/dev/null
  }
fi

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.apt-ostreed-lock-hash ] || [ "$(cat node_modules/.apt-ostreed-lock-hash)" != "$lock_hash" ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.apt-ostreed-lock-hash
fi

npm run -s build
