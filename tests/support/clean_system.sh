#!/bin/sh
# Runs a command on a view of this machine where tcpdiag was never installed system-wide, and where
# nothing the command installs outlives it: a private mount namespace in which /usr, /var/lib/dpkg
# and /var/log are overlays whose changes go to a tmpfs. Inside, the tcpdiag package (if any) is
# purged and any tcpdiag.so or tcpdiag profile in Wireshark's global folders removed; outside, the
# user's installation is never touched, even when the command fails or is killed.
# Usage: tests/support/clean_system.sh [--root] command...
#   The command runs as root with --root (installing the .deb); otherwise, when this was started
#   through sudo, as the user who started it. Needs root for the namespace (as_root.sh gets it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -ne 0 ]; then
  exec "$here/as_root.sh" sh "$here/clean_system.sh" "$@"
fi
if [ -z "${TCPDIAG_CLEAN_SYSTEM:-}" ]; then
  scratch=$(mktemp -d /tmp/tcpdiag-clean-system.XXXXXX)
  trap 'rmdir "$scratch" 2>/dev/null || true' EXIT INT TERM
  status=0
  TCPDIAG_CLEAN_SYSTEM=$scratch unshare --mount --propagation private sh "$here/clean_system.sh" "$@" || status=$?
  exit "$status"
fi

scratch=$TCPDIAG_CLEAN_SYSTEM
unset TCPDIAG_CLEAN_SYSTEM
mount -t tmpfs -o mode=0700 tcpdiag-clean-system "$scratch"
for dir in /usr /var/lib/dpkg /var/log; do
  layer="$scratch/$(echo "$dir" | tr / _)"
  mkdir -p "$layer/upper" "$layer/work"
  mount -t overlay overlay -o "lowerdir=$dir,upperdir=$layer/upper,workdir=$layer/work" "$dir"
done

if dpkg-query -W -f='${Status}' tcpdiag 2>/dev/null | grep -qw installed; then
  dpkg --purge --force-depends tcpdiag >/dev/null
fi
# tshark names the folders it reads: "Global Plugins:\t/usr/lib/.../plugins/4.0".
tshark -G folders 2>/dev/null | while IFS="	" read -r name path; do
  case "$name" in
    "Global Plugins:"*) rm -f "$path/epan/tcpdiag.so" ;;
    "Global configuration:"*) rm -rf "$path/profiles/tcpdiag" ;;
  esac
done
rm -rf /usr/share/tcpdiag

export TCPDIAG_IN_CLEAN_SYSTEM=1  # tests that put files into the system folders check for it
if [ "${1:-}" = "--root" ]; then
  shift
  exec "$@"
fi
if [ -n "${SUDO_UID:-}" ] && [ "${SUDO_UID}" != 0 ]; then
  home=$(getent passwd "$SUDO_UID" | cut -d: -f6)
  exec setpriv --reuid="$SUDO_UID" --regid="$SUDO_GID" --init-groups env HOME="$home" "$@"
fi
exec "$@"
