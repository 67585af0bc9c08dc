#!/bin/sh
# Installs the built plugin where Wireshark and tshark look for it.
# As a normal user: the personal plugin folder of the installed Wireshark version
#   (~/.local/lib/wireshark/plugins/<major.minor>/epan/).
# As root: the system plugin folder, because Wireshark running as root ignores personal folders.
# `install.sh --uninstall` removes it again.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
so=$(ls "$top"/build/plugins/*/epan/tcpdiag.so 2>/dev/null | head -n 1)
[ -n "$so" ] || { echo "install: build first (tools/build.sh)" >&2; exit 1; }
version=$(basename "$(dirname "$(dirname "$so")")")
folder=Personal
[ "$(id -u)" -eq 0 ] && folder=Global
# tshark names the plugin folders of the installed version, e.g. ".../plugins/4.0".
base=$(tshark -G folders 2>/dev/null | awk -F'\t' -v f="$folder Plugins:" 'index($1, f) == 1 { print $2; exit }')
[ -n "$base" ] || { echo "install: tshark does not report its $folder plugin folder" >&2; exit 1; }
[ "$(basename "$base")" = "$version" ] || {
  echo "install: the plugin was built for Wireshark $version, the installed tshark uses $(basename "$base")" >&2
  exit 1
}
dest="$base/epan"
if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$dest/tcpdiag.so"
  echo "removed $dest/tcpdiag.so"
  exit 0
fi
mkdir -p "$dest"
install -m 0644 "$so" "$dest/tcpdiag.so"
echo "installed $dest/tcpdiag.so (Wireshark $version)"
