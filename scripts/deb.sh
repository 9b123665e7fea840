#!/usr/bin/env bash
# npm run deb: builds the Debian package with dpkg-buildpackage and prints its path as the last
# line of stdout (everything else goes to stderr): dist/deb/apt-ostreed_<version>_amd64.deb.
# It builds in a staged copy of what the package needs, dist/deb/apt-ostreed-<version>/
# (dpkg-buildpackage writes its results into the parent directory: dist/deb/, never the
# repository's parent). Builds the project first when the bundles are missing or older than the
# sources (scripts/setup.sh).
# APT_OSTREED_DEB_VERSION=V builds the same package as version V (a new top entry in the staged
# debian/changelog), e.g. 0.1.0+test1 to test an upgrade.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/dist/deb

bundles=(dist/apt-ostreed.cjs dist/apt-ostreed-worker.cjs dist/apt-ostreed-live.cjs dist/apt-ostree.cjs)
needs_build() {
  local b
  for b in "${bundles[@]}" dist/apt-ostree.cjs.cache; do [ -f "$b" ] || return 0; done
  # The first bundle is the oldest: any source newer than it means the build is stale.
  [ -n "$(find src bin scripts/bundle*.mjs scripts/cli-code-cache* package-lock.json -newer "${bundles[0]}" -print -quit)" ] && return 0
  local tool
  for tool in dpkg-buildpackage dh dh_installsystemd; do command -v "$tool" >/dev/null || return 0; done
  return 1
}
if needs_build; then
  bash scripts/setup.sh >&2
fi

base=$(node -p "require('./package.json').version")
changelog_version=$(dpkg-parsechangelog -l debian/changelog -S Version)
if [ "$changelog_version" != "$base" ]; then
  echo "deb: debian/changelog's version $changelog_version is not package.json's $base" >&2
  exit 1
fi
version=${APT_OSTREED_DEB_VERSION:-$base}
# A native package's version: no revision (-), no epoch (:).
if ! [[ $version =~ ^[0-9][A-Za-z0-9.+~]*$ ]]; then
  echo "deb: APT_OSTREED_DEB_VERSION=$version is not a native Debian version" >&2
  exit 2
fi
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb=$OUT/apt-ostreed_${version}_${arch}.deb

# The stage: the packaging, the built bundles, what scripts/install.sh installs, and the run-time
# node modules (pruned) — no sources, no development dependencies.
stage=$OUT/apt-ostreed-$version
rm -rf "$stage"
mkdir -p "$stage/dist" "$stage/scripts" "$stage/src/config" "$stage/docs" "$stage/interfaces" "$stage/polkit"
cp -r debian bin systemd "$stage/"
cp "${bundles[@]}" "$stage/dist/"
# The CLI's code cache (scripts/cli-code-cache.mjs), made with the bundles.
cp dist/apt-ostree.cjs.cache "$stage/dist/"
cp scripts/install.sh scripts/runtime-modules.mjs scripts/bundle-externals.mjs "$stage/scripts/"
cp src/config/apt-ostreed.conf "$stage/src/config/"
cp docs/apt-ostree.1 docs/apt-ostreed.8 "$stage/docs/"
cp interfaces/org.projectatomic.aptostree1.conf interfaces/org.projectatomic.aptostree1.service "$stage/interfaces/"
cp polkit/org.projectatomic.aptostree.policy "$stage/polkit/"
node scripts/runtime-modules.mjs "$stage"

if [ "$version" != "$base" ]; then
  maintainer=$(dpkg-parsechangelog -l debian/changelog -S Maintainer)
  {
    printf 'apt-ostreed (%s) unstable; urgency=medium\n\n' "$version"
    printf '  * Version %s built by scripts/deb.sh (APT_OSTREED_DEB_VERSION).\n\n' "$version"
    # The base entry's date, not now: the same sources give the same package (reproducible).
    printf ' -- %s  %s\n\n' "$maintainer" "$(dpkg-parsechangelog -l debian/changelog -S Date)"
    cat debian/changelog
  } > "$stage/debian/changelog"
fi

args=(-b -us -uc)
# dpkg-checkbuilddeps knows only dpkg's packages: when node is installed another way (a tarball,
# nvm), "nodejs (>= 20)" is unmet although node 20 is there. Only then skip the check (-d),
# after checking node's version here.
if ! dpkg-query -W -f='${Status}' nodejs 2>/dev/null | grep -q 'install ok installed'; then
  if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
    echo "deb: node 20 or later is needed" >&2
    exit 1
  fi
  args+=(-d)
fi
rm -f "$deb"
(cd "$stage" && dpkg-buildpackage "${args[@]}") >&2
rm -rf "$stage"
[ -f "$deb" ] || { echo "deb: $deb was not built" >&2; exit 1; }
echo "$deb"
