#!/bin/sh
# Builds tcpdiag and runs its whole test suite against each Wireshark version analysts run:
#   host    this machine's own Wireshark (4.0 on Debian 12)
#   trixie  Debian 13's Wireshark 4.4, in a debootstrap root filesystem
#   sid     Debian unstable's Wireshark, in a debootstrap root filesystem
# Usage: tools/versions/check-versions.sh [host|trixie|sid ...]   (default: all three)
# Root filesystems come from the mirror the machine's apt sources already use and are kept in
# $TCPDIAG_ROOTFS_CACHE (default /var/cache/tcpdiag/rootfs): a later run reuses the folder while it
# is still there. The tree is copied in fresh each time, so every leg builds from scratch.
# Prints per version: setup, configure, build, unit tests, integration tests, GUI test and Debian
# package (its Depends on that version's libwireshark checked), each pass or fail, plus ctest's
# summaries. Exit status 0 only if every step of every leg passed. Needs root.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${TCPDIAG_ROOTFS_CACHE:-/var/cache/tcpdiag/rootfs}
[ "$(id -u)" -eq 0 ] || { echo "check-versions: needs root (debootstrap, chroot, mounts)" >&2; exit 1; }
[ $# -gt 0 ] || set -- host trixie sid

# The files a clean clone would have (plus uncommitted edits), copied into DEST/src.
copy_tree() {
  rm -rf "$1"
  mkdir -p "$1/src"
  (cd "$top" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - --no-recursion) |
    tar -xf - -C "$1/src"
  chmod -R a+rX "$1"
}

# The Wireshark version a leg built against, from its CMake cache.
wireshark_version() {
  grep -h -o 'building for Wireshark [0-9.]*' "$1/configure.log" 2>/dev/null | awk '{ print $4 }' | head -n 1
}

report() {
  leg=$1
  work=$2
  version=$(wireshark_version "$work")
  echo "== $leg: Wireshark ${version:-unknown} =="
  while read -r name status; do
    printf '  %-18s %s\n' "$(echo "$name" | tr _ ' ')" "$status"
    if [ "$status" = fail ]; then
      echo "  --- last lines of $work/$name.log ---"
      tail -n 30 "$work/$name.log" | sed 's/^/  | /'
    fi
  done <"$work/results"
  for log in unit_tests integration_tests gui_test package; do
    [ -f "$work/$log.log" ] || continue
    summary=$(grep -E 'tests passed|tests failed' "$work/$log.log" | tail -n 1)
    [ -z "$summary" ] || echo "  $log: $summary"
  done
  depends=$(grep -h -o 'Depends: .*' "$work/package.log" 2>/dev/null | head -n 1)
  [ -z "$depends" ] || echo "  package $depends"
  warnings=$(grep -c 'warning:' "$work/build.log" 2>/dev/null || true)
  echo "  compiler warnings: ${warnings:-0}"
}

status=0
for leg in "$@"; do
  started=$(date +%s)
  case $leg in
    host)
      work=/var/tmp/tcpdiag-versions/host
      copy_tree "$work"
      "$here/leg.sh" "$work/src" "$work" || status=1
      ;;
    trixie | sid)
      root="$cache/$leg"
      mkdir -p "$cache"
      # One run at a time per root filesystem; the lock is held until this leg is done.
      exec 9>"$cache/$leg.lock"
      flock 9
      "$here/make-rootfs.sh" "$leg" "$root" || { status=1; exec 9>&-; continue; }
      work="$root/var/tmp/tcpdiag-versions"
      copy_tree "$work"
      # A mount namespace of its own: every mount made for the chroot dies with the leg.
      unshare --mount --propagation private "$here/enter-rootfs.sh" "$root" \
        /bin/sh /var/tmp/tcpdiag-versions/src/tools/versions/leg.sh \
        /var/tmp/tcpdiag-versions/src /var/tmp/tcpdiag-versions || status=1
      exec 9>&-
      ;;
    *)
      echo "check-versions: unknown leg '$leg' (host, trixie or sid)" >&2
      exit 2
      ;;
  esac
  report "$leg" "$work"
  echo "  time: $(($(date +%s) - started)) s"
done
exit $status
