#!/bin/sh
# Runs a command as root: directly when already root, else through sudo without a password prompt
# (tools/test.sh asks for the password once, before ctest starts).
# Usage: tests/support/as_root.sh command...
set -eu
[ "$(id -u)" -eq 0 ] && exec "$@"
command -v sudo >/dev/null || { echo "as_root: this test needs root, and sudo is not installed" >&2; exit 1; }
sudo -n true 2>/dev/null || { echo "as_root: this test needs root: run it as root, or after sudo -v" >&2; exit 1; }
exec sudo -n "$@"
