#!/bin/sh
# All tests, from a fresh Debian machine: install what is needed, build, run ctest (unit tests,
# tshark integration tests on every bundled capture, the live network-namespace lab, the GUI and
# the Debian package), then a bounded libFuzzer run on the core, and the same suite against a build
# with AddressSanitizer and UndefinedBehaviorSanitizer. Every part runs even when one fails; the
# status is that of all of them.
# The tests load only the build under test: a tcpdiag installed on this machine (by tools/run.sh,
# the .deb or by hand) stays as it is and makes no test fail (tests/support/clean_system.sh).
# As a user, the tests that need root run through sudo: the password is asked once, here.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/tools/setup-debian.sh"
"$top/tools/build.sh"
[ "$(id -u)" -eq 0 ] || sudo -v
status=0
(cd "$top/build" && ctest --output-on-failure -j 2) || status=1
"$top/tools/fuzz.sh" || status=1
"$top/tools/sanitize.sh" || status=1
exit "$status"
