#!/bin/sh
# Fuzzes the core with libFuzzer for a bounded, reproducible run: clang with AddressSanitizer and
# UndefinedBehaviorSanitizer into ./build-fuzz, a fixed seed and a fixed number of inputs (about a
# minute on one core for the classifier, less for the frame decoder). A crash leaves its input in
# build-fuzz/ and fails the run.
# Usage: tools/fuzz.sh [runs]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build-fuzz"
runs=${1:-60000}
CC=clang CXX=clang++ cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTCPDIAG_SANITIZE=ON -DTCPDIAG_FUZZ=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target tcpdiag_fuzz_classifier tcpdiag_fuzz_frame_decoder
cd "$build"
# The frame decoder is far cheaper per input than the classifier: it gets twenty times the inputs.
for target in classifier:$runs frame_decoder:$((runs * 20)); do
  name=${target%%:*} count=${target#*:}
  rm -rf "fuzz-corpus-$name" && mkdir "fuzz-corpus-$name"  # from nothing: the same run everywhere
  echo "== fuzzing $name"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "./tests/fuzz/tcpdiag_fuzz_$name" -seed=1 -runs="$count" -max_len=1024 -len_control=0 -max_total_time=300 \
    -print_final_stats=1 "fuzz-corpus-$name"
done
