#!/usr/bin/env python3
"""Corrupted captures: every capture of a testdata folder, with random bytes changed
(`editcap -E`, a fixed seed per file) and cut off in the middle of a record, read by tshark with
tcpdiag in two passes with the full packet tree, the stream table and expert info. tshark must
neither crash nor hang; with tools/sanitize.sh, the runner also fails on any sanitizer report
from tcpdiag's code. Random packets written by randpkt (testdata/randpkt) are read as they are."""
import argparse
import glob
import os
import subprocess
import sys
import zlib

from tshark_runner import CRASH_CODES, Tshark

TIMEOUT_S = 120
ERROR_PROBABILITY = "0.05"


def corrupted(tshark, capture):
    """Damaged copies of the capture: bytes changed, and the file cut at 60% of its length."""
    base = os.path.join(tshark.workdir, os.path.basename(capture))
    seed = zlib.crc32(os.path.basename(capture).encode())  # the same damage on every run
    changed = base + ".changed.pcapng"
    # editcap cannot rewrite a file it cannot read (testdata/bad): those are only cut.
    edit = subprocess.run(["editcap", "-E", ERROR_PROBABILITY, "--seed", str(seed), capture, changed],
                          capture_output=True)
    variants = [changed] if edit.returncode == 0 else []
    cut = base + ".cut.pcapng"
    with open(capture, "rb") as f:
        data = f.read()
    with open(cut, "wb") as f:
        f.write(data[: len(data) * 3 // 5 + 1])
    variants.append(cut)
    for path in variants:
        os.chmod(path, 0o644)
    return variants


def read(tshark, path):
    """A problem description, or None when tshark coped."""
    args = ["-2", "-V", "-r", path, "-z", "tcpdiag,streams,tsv", "-z", "expert"]
    try:
        proc = tshark.run(args, check=False, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return "hangs (no end after %d s)" % TIMEOUT_S
    if proc.returncode in CRASH_CODES or proc.returncode < 0:
        return "tshark crashed (%d): %s" % (proc.returncode, proc.stderr[-2000:])
    if proc.returncode == 0 and "stream\ttransport" not in proc.stdout:
        return "no tcpdiag table"
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--captures", required=True, help="a folder of captures")
    parser.add_argument("--as-is", action="store_true", help="read the files unchanged (already random)")
    args = parser.parse_args()
    captures = sorted(glob.glob(os.path.join(args.captures, "*.pcap*")))
    problems = []
    if not captures:
        problems.append("no captures in " + args.captures)
    with Tshark(args.plugin) as tshark:
        for capture in captures:
            variants = [tshark.stage(capture)] if args.as_is else corrupted(tshark, capture)
            for path in variants:
                problem = read(tshark, path)
                if problem:
                    problems.append("%s: %s" % (os.path.basename(path), problem))
                os.remove(path)
    for p in problems:
        print("FAIL: " + p)
    print("FAIL" if problems else "OK: %d captures" % len(captures))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
