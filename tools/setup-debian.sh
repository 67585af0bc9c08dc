#!/bin/sh
# Installs everything tcpdiag needs to build, test and run on Debian 12 (and later): compiler,
# CMake, Wireshark's development files and tshark, Catch2 v3, scapy, clang with libFuzzer and the
# sanitizer runtimes, the lab's tools, and what tcpdiag-scan needs (matplotlib and Jinja2 for its
# report, headless Chromium to test it, SQLite's shell and GNU parallel for its documented uses).
# Catch2 v3 is in bookworm-backports on Debian 12 (in main from Debian 13 on): it is enabled from
# the mirror the machine's apt sources already use, so no host name is written anywhere.
# The GUI comes from the `wireshark` package: Debian unstable no longer has wireshark-qt.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

. /etc/os-release
backports=""
if [ "${VERSION_CODENAME:-}" = bookworm ]; then
  backports="bookworm-backports"
  if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null; then
    mirror=$("$here/apt-mirror.sh" bookworm)
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$mirror" | $SUDO tee /etc/apt/sources.list.d/tcpdiag-backports.sources >/dev/null
  fi
fi

$SUDO apt-get update -q
# Several builds share the machine: wait for another one's dpkg run instead of failing at once.
wait_lock="-o DPkg::Lock::Timeout=600"
# shellcheck disable=SC2046
$SUDO apt-get $wait_lock install -y -q --no-install-recommends \
  build-essential cmake pkgconf libglib2.0-dev wireshark-dev libwireshark-dev tshark \
  python3 python3-scapy util-linux debootstrap \
  wireshark xvfb imagemagick x11-utils xdotool xclip file \
  clang libclang-rt-dev llvm time \
  python3-matplotlib python3-jinja2 sqlite3 chromium parallel \
  $(grep -v '^#' "$here/lab/apt-packages.txt" 2>/dev/null || true)
if [ -n "$backports" ]; then
  $SUDO apt-get $wait_lock install -y -q -t "$backports" catch2
else
  $SUDO apt-get $wait_lock install -y -q catch2
fi
