#!/bin/sh
# Installs the built plugin where Wireshark and tshark look for it, and the tcpdiag configuration
# profile (columns, coloring rules, filter buttons) into the user's Wireshark profiles.
# As a normal user: the personal plugin folder of the installed Wireshark version
#   (~/.local/lib/wireshark/plugins/<major.minor>/epan/).
# As root: the system plugin folder, because Wireshark running as root ignores personal folders.
# The profile goes to <personal configuration>/profiles/tcpdiag (~/.config/wireshark/profiles/tcpdiag).
# The command tcpdiag-scan goes to ~/.local/bin (its Python package to ~/.local/lib/tcpdiag/scan);
# as root to /usr/local/bin and /usr/local/lib/tcpdiag/scan.
# `install.sh --uninstall` removes them again.
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
# Wireshark loads neither copy of a plugin found in two of its folders, and a file dpkg installed
# belongs to the package: a copy already in the system folder is kept, never doubled or replaced.
owner=$(dpkg-query -S "$dest/tcpdiag.so" 2>/dev/null | cut -d: -f1 || true)
other=""
if [ "$folder" = Personal ]; then
  global=$(folder_of "Global Plugins:")
  [ -f "$global/epan/tcpdiag.so" ] && other="$global/epan/tcpdiag.so"
fi
scan_prefix="$HOME/.local"
[ "$folder" = Global ] && scan_prefix=/usr/local
scan_lib="$scan_prefix/lib/tcpdiag/scan"
scan_bin="$scan_prefix/bin/tcpdiag-scan"
if [ "${1:-}" = "--uninstall" ]; then
  if [ -L "$scan_bin" ] && [ "$(readlink "$scan_bin")" = "$scan_lib/tcpdiag-scan" ]; then rm -f "$scan_bin"; fi
  rm -rf "$scan_lib"
  rmdir "$scan_prefix/lib/tcpdiag" 2>/dev/null || true
  echo "removed $scan_bin and $scan_lib"
  if [ -n "$owner" ]; then
    echo "left $dest/tcpdiag.so: it belongs to the $owner package (dpkg -r $owner removes it)"
  else
    rm -f "$dest/tcpdiag.so"
    echo "removed $dest/tcpdiag.so"
  fi
  rm -rf "$profile"  # with what Wireshark added to it (recent, ...)
  echo "removed the tcpdiag profile $profile"
  exit 0
fi
installed_elsewhere=${other:-${owner:+$dest/tcpdiag.so}}
if [ -n "$installed_elsewhere" ]; then
  if cmp -s "$so" "$installed_elsewhere"; then
    echo "kept $installed_elsewhere: it is this build already"
  else
    # Replacing it would change what the user installed; a second copy would load nowhere.
    package=$(dpkg-query -S "$installed_elsewhere" 2>/dev/null | cut -d: -f1 || true)
    echo "install: kept $installed_elsewhere, from another build (${package:+the $package package, }system-wide):" \
      "Wireshark will load that one, not this build. To use this build, remove it first" \
      "(dpkg -r tcpdiag, or sudo packaging/install.sh --uninstall)." >&2
  fi
else
  mkdir -p "$dest"
  install -m 0644 "$so" "$dest/tcpdiag.so"
  echo "installed $dest/tcpdiag.so (Wireshark $version)"
fi
mkdir -p "$profile"
for f in "$profile_src"/*; do install -m 0644 "$f" "$profile/$(basename "$f")"; done
echo "installed the tcpdiag profile into $profile (wireshark -C tcpdiag, or pick it in the status bar)"
# tcpdiag-scan: the program and its package (Python sources and the report's template), linked
# into bin so that it finds its package through the link.
rm -rf "$scan_lib"
mkdir -p "$scan_lib/tcpdiag_scan/templates" "$(dirname "$scan_bin")"
install -m 0755 "$top/tools/scan/tcpdiag-scan" "$scan_lib/tcpdiag-scan"
install -m 0644 "$top"/tools/scan/tcpdiag_scan/*.py "$scan_lib/tcpdiag_scan/"
install -m 0644 "$top"/tools/scan/tcpdiag_scan/templates/* "$scan_lib/tcpdiag_scan/templates/"
ln -sfn "$scan_lib/tcpdiag-scan" "$scan_bin"
echo "installed $scan_bin"
case ":$PATH:" in *":$(dirname "$scan_bin"):"*) ;; *) echo "note: $(dirname "$scan_bin") is not on your PATH" ;; esac
