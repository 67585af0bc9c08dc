#!/bin/sh
# leg.sh SOURCE WORKDIR
# One version leg, run on the machine itself or inside a root filesystem: installs what tcpdiag
# needs (tools/setup-debian.sh), then configures, builds and runs the whole test suite (unit,
# integration with the live lab, GUI, Debian package) of the tree in SOURCE, building in WORKDIR/build.
# Each step's output goes to WORKDIR/<step>.log and "<step> pass|fail|skipped" to WORKDIR/results.
set -u
src=$1
work=$2
build="$work/build"
results="$work/results"
: >"$results"
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

# A failed setup, configure or build skips what follows; the test steps all run regardless.
blocked=""
failed=""
run_step() {
  name=$1
  shift
  if [ -n "$blocked" ]; then
    echo "$name skipped" >>"$results"
    return 1
  fi
  if "$@" >"$work/$name.log" 2>&1; then
    echo "$name pass" >>"$results"
  else
    echo "$name fail" >>"$results"
    failed=$name
    return 1
  fi
}
step() { run_step "$@" || blocked=yes; }
test_step() { run_step "$@" || true; }

step setup "$src/tools/setup-debian.sh"
step configure cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
step build nice cmake --build "$build" -j 2
# The test steps together are the whole of ctest, by label: unit tests are everything labelled
# neither integration nor gui; the package test (cpack, dpkg -i, tshark, dpkg -r) on its own.
tests() { ctest --test-dir "$build" --output-on-failure --no-tests=error "$@"; }
test_step unit_tests tests -j 2 -LE "integration|gui"
test_step integration_tests tests -j 2 -L integration -LE package
test_step gui_test tests -L gui
test_step package tests -V -L package  # -V: the log keeps the Depends line
[ -z "$failed" ]
