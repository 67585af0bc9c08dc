#!/bin/sh
# The main job, from a fresh Debian machine: install what is needed, build, install the plugin,
# and print tcpdiag's verdict for every stream of a bundled capture (or of the capture given).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
capture=${1:-"$top/testdata/crafted/mixed.pcapng"}
"$top/tools/setup-debian.sh"
"$top/tools/build.sh"
"$top/packaging/install.sh"
tshark -r "$capture" -q -z tcpdiag,streams -z tcpdiag,summary
