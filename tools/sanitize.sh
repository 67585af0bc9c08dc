#!/bin/sh
# The whole ctest suite against a build instrumented with AddressSanitizer and
# UndefinedBehaviorSanitizer (./build-sanitize). tshark itself is not instrumented: it loads the
# ASan runtime through LD_PRELOAD, and tests/integration/tshark_runner.py fails a test on any
# sanitizer report that involves tcpdiag's code (leaks Wireshark itself keeps at exit are not ours).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build-sanitize"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DTCPDIAG_SANITIZE=ON >/dev/null
cmake --build "$build" -j "$(nproc)"
TCPDIAG_SANITIZER_RUNTIME=$(gcc -print-file-name=libasan.so)
export TCPDIAG_SANITIZER_RUNTIME
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$build"
# The tests that start Wireshark without that runner (the GUI under Xvfb, the .deb installed
# system-wide, the user install with its profile) cannot preload the runtime: they run in the
# plain build only. So does the live lab: its tshark checks are those of the committed lab
# captures, which run here. So do tcpdiag-scan's tests: the runtime, preloaded into capinfos
# (not built with it), deadlocks it in setlocale; the frames table they read from the plugin is
# checked here too, by "frames: -z tcpdiag,frames lists each stream's frames".
ctest --output-on-failure -j 2 -LE "gui|package|live" -E "^profile:|^scan:" "$@"
