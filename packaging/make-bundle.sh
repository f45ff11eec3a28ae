#!/usr/bin/env bash
# make-bundle.sh: builds the offline bundle for a rig laptop,
# rigstream-<version>-bookworm-amd64.tar.gz: the rigstream package, every
# Debian package it needs that a minimal Debian 12 lacks, and install.sh,
# which installs them all with no network.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: packaging/make-bundle.sh [--build-dir DIR] [--deb FILE] [--base TARBALL] [--out DIR]

  --build-dir DIR   build tree to package (default: build); its package target
                    is built first (cmake --build DIR --target package)
  --deb FILE        bundle this rigstream .deb instead of building one
  --base TARBALL    root file system of a minimal Debian 12 (mmdebstrap
                    --variant=minbase) to resolve dependencies against; default
                    /var/tmp/rigstream-pkg/minbase.tar, made with mmdebstrap
                    when missing
  --out DIR         where the bundle goes (default: the build tree's packages/)

Runs on Debian 12 (amd64) with network: apt resolves the dependencies against
the minimal root's package list and downloads them (this machine's own
packages are left alone). Prints the path of the bundle.
USAGE
}

build_dir=build deb='' base='' out=''
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --deb) deb=$2; shift 2 ;;
    --base) base=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "make-bundle.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
say() { printf 'make-bundle.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

{ command -v apt-get && command -v dpkg-deb; } >/dev/null || die "needs Debian's apt-get and dpkg-deb"
[ "$(dpkg --print-architecture)" = amd64 ] || die "builds amd64 bundles on an amd64 Debian 12 only"
grep -q '^VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null || say "warning: this is not Debian 12 (bookworm)"

if [ -z "$deb" ]; then
  [ -f "$build_dir/CMakeCache.txt" ] || die "$build_dir is not a configured build tree (see --help)"
  say "building the package in $build_dir"
  log=$(cmake --build "$build_dir" --target package 2>&1) || { printf '%s\n' "$log" >&2; die "building the package failed"; }
  deb=$(printf '%s\n' "$log" | sed -n 's/^CPack: - package: \(.*\.deb\) generated\.$/\1/p' | tail -n 1)
  [ -f "$deb" ] || die "cpack did not say which package it made"
fi
[ -f "$deb" ] || die "no such package: $deb"
deb=$(readlink -f "$deb")
version=$(dpkg-deb -f "$deb" Version)
name=rigstream-$version-bookworm-amd64
out=${out:-$(dirname "$deb")}
mkdir -p "$out"
out=$(readlink -f "$out")

# What a minimal Debian 12 has installed: the dpkg status of a minbase root.
if [ -z "$base" ]; then
  base=/var/tmp/rigstream-pkg/minbase.tar
  # Made once and renewed monthly: minbase changes little within a release.
  if [ ! -s "$base" ] || [ -n "$(find "$base" -mtime +30 2>/dev/null)" ]; then
    command -v mmdebstrap >/dev/null || die "needs mmdebstrap (apt-get install mmdebstrap) or --base"
    say "making a minimal Debian 12 root with mmdebstrap (about 30 s)"
    mkdir -p "$(dirname "$base")"
    mmdebstrap --quiet --format=tar --variant=minbase bookworm "$base.new" || die "mmdebstrap failed"
    mv "$base.new" "$base"
  fi
fi
[ -s "$base" ] || die "no such root tarball: $base"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/state" "$work/archives/partial" "$work/$name/debs"
tar -xOf "$base" ./var/lib/dpkg/status >"$work/state/status" 2>/dev/null ||
  tar -xOf "$base" var/lib/dpkg/status >"$work/state/status" || die "$base has no var/lib/dpkg/status"

# apt, told that only the minimal root's packages are installed, downloads
# what the package needs beyond them (Depends and Pre-Depends; no Recommends).
fetch() {
  apt-get -q -y -o Debug::NoLocking=1 -o Dir::State::status="$work/state/status" \
    -o Dir::Cache::archives="$work/archives" -o APT::Install-Recommends=false \
    --download-only install "$deb" >"$work/apt.log" 2>&1
}
if ! fetch; then
  [ "$(id -u)" -eq 0 ] || { cat "$work/apt.log" >&2; die "apt could not fetch the dependencies (run apt-get update as root?)"; }
  say "updating apt's package lists and trying again"
  apt-get -q update >&2
  fetch || { cat "$work/apt.log" >&2; die "apt could not fetch the dependencies"; }
fi
cp "$work"/archives/*.deb "$work/$name/debs/" 2>/dev/null || true
cp "$deb" "$work/$name/debs/"
(cd "$work/$name" && sha256sum -- debs/*.deb >SHA256SUMS)

cat >"$work/$name/install.sh" <<'INSTALL'
#!/bin/sh
# install.sh: installs rigstream and the Debian packages it needs from this
# directory, with no network. Run as root on Debian 12 (amd64):
#   sudo ./install.sh
# A package this machine already has at the same or a newer version is left
# as it is. Settings: /etc/rigstream/rigstream.env; see
# /usr/share/doc/rigstream/INSTALL.md.
set -e
cd "$(dirname "$0")"
if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run it as root: sudo $0" >&2
  exit 1
fi
if ! sha256sum --quiet -c SHA256SUMS; then
  echo "install.sh: the bundle is damaged (checksums differ): copy it again" >&2
  exit 1
fi
set --
for f in debs/*.deb; do
  pkg=$(dpkg-deb -f "$f" Package)
  ver=$(dpkg-deb -f "$f" Version)
  have=$(dpkg-query -W -f='${Status} ${Version}' "$pkg" 2>/dev/null || true)
  case $have in
    "install ok installed "*)
      if [ "$pkg" != rigstream ] && dpkg --compare-versions "${have##* }" ge "$ver"; then
        continue
      fi ;;
  esac
  set -- "$@" "$f"
done
echo "install.sh: installing $# packages"
# One dpkg run: the packages' dependencies on each other resolve within it.
# A settings file changed on this machine is kept (--force-confold).
DEBIAN_FRONTEND=noninteractive dpkg --force-confold -i "$@"
echo "install.sh: done. Check the suite with: rigstream status"
echo "  dashboard: http://127.0.0.1:8080/   settings: /etc/rigstream/rigstream.env"
INSTALL
chmod 0755 "$work/$name/install.sh"

cat >"$work/$name/README.txt" <<README
rigstream $version for Debian 12 (bookworm, amd64): offline bundle.

Install (no network needed), as root:
    tar -xzf $name.tar.gz
    cd $name && sudo ./install.sh

This installs the rigstream package and these Debian packages a minimal
Debian 12 may lack (those already installed at the same or a newer version
are skipped):
$(cd "$work/$name/debs" && printf '    %s\n' *.deb)

Then: rigstream status, rigstream logs, the dashboard on
http://127.0.0.1:8080/ and /usr/share/doc/rigstream/INSTALL.md.
README

tar -C "$work" -czf "$out/$name.tar.gz.new" "$name"
mv "$out/$name.tar.gz.new" "$out/$name.tar.gz"
say "$(find "$work/$name/debs" -name '*.deb' | wc -l) packages in $out/$name.tar.gz"
printf '%s\n' "$out/$name.tar.gz"
