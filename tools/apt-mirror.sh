#!/bin/sh
# Prints the Debian mirror URI the machine's apt sources already use: the first one serving the
# plain suite named in $1 (default: this machine's codename), deb822 or one-line format.
# Nothing else in the repository names a host.
set -eu
suite=${1:-}
if [ -z "$suite" ]; then
  . /etc/os-release
  suite=${VERSION_CODENAME:-}
fi
mirror=$(awk -v s="$suite" '
  /^URIs:/ { uri = $2 }
  /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s && uri != "") { print uri; exit } }
' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
[ -n "$mirror" ] || mirror=$(awk -v s="$suite" '$1 == "deb" && $3 == s { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || { echo "apt-mirror: no mirror for suite '$suite' in the apt sources" >&2; exit 1; }
echo "$mirror"
