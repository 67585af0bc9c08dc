#!/bin/sh
# All tests, from a fresh Debian machine: install what is needed, build, run ctest (unit tests,
# tshark integration tests on every bundled capture, and the live network-namespace lab, which
# needs root); then a bounded libFuzzer run on the core, and the same suite against a build with
# AddressSanitizer and UndefinedBehaviorSanitizer.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/tools/setup-debian.sh"
"$top/tools/build.sh"
cd "$top/build"
ctest --output-on-failure -j 2
"$top/tools/fuzz.sh"
"$top/tools/sanitize.sh"
