#!/bin/sh
# Installs the built plugin where Wireshark and tshark look for it, and the tcpdiag configuration
# profile (columns, coloring rules, filter buttons) into the user's Wireshark profiles.
# As a normal user: the personal plugin folder of the installed Wireshark version
#   (~/.local/lib/wireshark/plugins/<major.minor>/epan/).
# As root: the system plugin folder, because Wireshark running as root ignores personal folders.
# The profile goes to <personal configuration>/profiles/tcpdiag (~/.config/wireshark/profiles/tcpdiag).
# `install.sh --uninstall` removes both again.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
profile_src="$top/packaging/profile/tcpdiag"
so=$(ls "$top"/build/plugins/*/epan/tcpdiag.so 2>/dev/null | head -n 1)
[ -n "$so" ] || { echo "install: build first (tools/build.sh)" >&2; exit 1; }
version=$(basename "$(dirname "$(dirname "$so")")")
folder=Personal
[ "$(id -u)" -eq 0 ] && folder=Global
# tshark names its folders, e.g. "Global Plugins:	.../plugins/4.0", "Personal configuration:	~/.config/wireshark".
folders=$(tshark -G folders 2>/dev/null)
folder_of() { printf '%s\n' "$folders" | awk -F'\t' -v f="$1" 'index($1, f) == 1 { print $2; exit }'; }
base=$(folder_of "$folder Plugins:")
[ -n "$base" ] || { echo "install: tshark does not report its $folder plugin folder" >&2; exit 1; }
[ "$(basename "$base")" = "$version" ] || {
  echo "install: the plugin was built for Wireshark $version, the installed tshark uses $(basename "$base")" >&2
  exit 1
}
config=$(folder_of "Personal configuration:")
[ -n "$config" ] || { echo "install: tshark does not report its personal configuration folder" >&2; exit 1; }
dest="$base/epan"
profile="$config/profiles/tcpdiag"
if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$dest/tcpdiag.so"
  echo "removed $dest/tcpdiag.so"
  rm -rf "$profile"  # with what Wireshark added to it (recent, ...)
  echo "removed the tcpdiag profile $profile"
  exit 0
fi
mkdir -p "$dest"
install -m 0644 "$so" "$dest/tcpdiag.so"
echo "installed $dest/tcpdiag.so (Wireshark $version)"
mkdir -p "$profile"
for f in "$profile_src"/*; do install -m 0644 "$f" "$profile/$(basename "$f")"; done
echo "installed the tcpdiag profile into $profile (wireshark -C tcpdiag, or pick it in the status bar)"
