#!/bin/sh
# enter-rootfs.sh ROOT COMMAND [ARG...]
# Runs COMMAND chrooted into ROOT with /proc, /sys, /dev and a private /run mounted, and unmounts
# them all again on the way out, whether COMMAND succeeded, failed or was interrupted.
# check-versions.sh starts it inside its own mount namespace (unshare --mount), so even a killed
# run cannot leave mounts behind on the machine.
set -eu
root=$1
shift

cleanup() {
  # Lazy unmount as the fallback: a process still holding a file must not keep the mounts alive.
  umount -R "$root" 2>/dev/null || umount -R -l "$root" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# `ip netns exec` remounts / as a slave and fails unless the chroot's root is a mount point.
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /dev "$root/dev"
# A /run of its own: the lab's network namespaces (/run/netns) stay inside this run.
mount -t tmpfs -o mode=0755 tmpfs "$root/run"
rm -f "$root/etc/resolv.conf"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"

chroot "$root" "$@"
