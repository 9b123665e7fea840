#!/usr/bin/env bash
# Installs apt-ostreed into DESTDIR (default: the system) at Debian's standard paths:
#   /usr/bin/apt-ostreed, /usr/bin/apt-ostree       the programs (node, exec'd directly)
#   /usr/lib/apt-ostreed/                           the bundles and their run-time node modules
#   /usr/lib/systemd/system/ (or $UNIT_DIR)         the units
#   /usr/lib/tmpfiles.d/                            tmpfiles
#   /usr/share/polkit-1/actions/                    the polkit policy
#   /usr/share/dbus-1/system.d/, system-services/   the bus policy and the activation file
#   /etc/apt-ostreed/apt-ostreed.conf               the default configuration (kept if present)
#   /usr/share/man/man1/, man8/                     apt-ostree(1), apt-ostreed(8)
# Usage: npm run build && bash scripts/install.sh [DESTDIR]   (or DESTDIR=... npm run install-system)
# UNIT_DIR: where the units go; debian/rules sets /lib/systemd/system (Debian 12's place for them,
# the only one its debhelper looks at).
set -euo pipefail
cd "$(dirname "$0")/.."
DESTDIR=${1:-${DESTDIR:-}}
[ -f dist/apt-ostreed.cjs ] || { echo "install: build first (npm run build)" >&2; exit 1; }
LIB=$DESTDIR/usr/lib/apt-ostreed
UNITS=$DESTDIR${UNIT_DIR:-/usr/lib/systemd/system}

install -d "$LIB" "$DESTDIR/usr/bin" "$UNITS" "$DESTDIR/usr/lib/tmpfiles.d" \
  "$DESTDIR/usr/share/polkit-1/actions" "$DESTDIR/usr/share/dbus-1/system.d" "$DESTDIR/usr/share/dbus-1/system-services" \
  "$DESTDIR/etc/apt-ostreed" "$DESTDIR/usr/share/man/man1" "$DESTDIR/usr/share/man/man8"

install -m 0644 dist/apt-ostreed.cjs dist/apt-ostreed-worker.cjs dist/apt-ostreed-live.cjs dist/apt-ostree.cjs "$LIB/"
# The CLI bundle's V8 code cache (scripts/cli-code-cache.mjs): optional, the CLI starts without it.
[ ! -f dist/apt-ostree.cjs.cache ] || install -m 0644 dist/apt-ostree.cjs.cache "$LIB/"
# The bundles keep native and lazily loaded modules external: those and their dependencies only.
node scripts/runtime-modules.mjs "$LIB"
# The programs: bin/'s scripts, loading the bundles from ../lib/apt-ostreed.
for prog in apt-ostreed apt-ostree; do
  sed "s|require('../dist/\([^']*\)')|require(require('node:path').join(__dirname, '../lib/apt-ostreed/\1'))|; s|join(__dirname, '../dist/|join(__dirname, '../lib/apt-ostreed/|" \
    "bin/$prog" > "$DESTDIR/usr/bin/$prog.tmp"
  chmod 0755 "$DESTDIR/usr/bin/$prog.tmp"
  mv "$DESTDIR/usr/bin/$prog.tmp" "$DESTDIR/usr/bin/$prog"
done

install -m 0644 systemd/*.service systemd/*.socket systemd/*.timer "$UNITS/"
install -m 0644 systemd/apt-ostree.tmpfiles.conf "$DESTDIR/usr/lib/tmpfiles.d/apt-ostree.conf"
install -m 0644 polkit/org.projectatomic.aptostree.policy "$DESTDIR/usr/share/polkit-1/actions/"
install -m 0644 interfaces/org.projectatomic.aptostree1.conf "$DESTDIR/usr/share/dbus-1/system.d/"
install -m 0644 interfaces/org.projectatomic.aptostree1.service "$DESTDIR/usr/share/dbus-1/system-services/"
[ -e "$DESTDIR/etc/apt-ostreed/apt-ostreed.conf" ] || install -m 0644 src/config/apt-ostreed.conf "$DESTDIR/etc/apt-ostreed/apt-ostreed.conf"
install -m 0644 docs/apt-ostree.1 "$DESTDIR/usr/share/man/man1/"
install -m 0644 docs/apt-ostreed.8 "$DESTDIR/usr/share/man/man8/"
echo "installed into ${DESTDIR:-/}" >&2
