#!/bin/sh
# make-rootfs.sh SUITE DIR
# Makes a minimal Debian SUITE root filesystem in DIR with debootstrap, from the mirror the
# machine's apt sources already use. A DIR that is already complete is kept as it is: it is the
# cache. The tree is built beside DIR and renamed into place only when debootstrap succeeded, so an
# interrupted run never leaves a half-made tree that a later run would trust.
# The mirror may be a fixed snapshot: unstable's Release file then carries a Valid-Until date in
# the past and apt inside DIR would refuse it. Only the date check is switched off there;
# signatures are still checked.
set -eu
suite=$1
dir=$2
here=$(cd "$(dirname "$0")" && pwd)

trust_snapshot() {
  echo 'Acquire::Check-Valid-Until "false";' >"$1/etc/apt/apt.conf.d/99tcpdiag-snapshot-mirror"
}

if [ -f "$dir/etc/os-release" ] && [ -x "$dir/usr/bin/apt-get" ]; then
  trust_snapshot "$dir"
  exit 0
fi
command -v debootstrap >/dev/null || {
  echo "make-rootfs: debootstrap is missing (tools/setup-debian.sh installs it)" >&2
  exit 1
}
mirror=$("$here/../apt-mirror.sh")
partial="$dir.partial"
rm -rf "$partial"
mkdir -p "$(dirname "$dir")"
echo "make-rootfs: debootstrap $suite from $mirror into $dir"
debootstrap --variant=minbase --include=ca-certificates \
  --keyring=/usr/share/keyrings/debian-archive-keyring.gpg "$suite" "$partial" "$mirror" >"$partial.log" 2>&1 || {
  tail -n 20 "$partial.log" >&2
  echo "make-rootfs: debootstrap of $suite failed (log: $partial.log)" >&2
  exit 1
}
# The image must not start services while packages are installed into it.
printf '#!/bin/sh\nexit 101\n' >"$partial/usr/sbin/policy-rc.d"
chmod +x "$partial/usr/sbin/policy-rc.d"
trust_snapshot "$partial"
mv "$partial" "$dir"
rm -f "$partial.log"
