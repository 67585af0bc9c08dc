#!/usr/bin/env python3
"""Damaged, empty and unusual files: tshark with tcpdiag never crashes or hangs, reports what it
could read, and says clearly what it could not (tshark's own message for an unreadable file)."""
import argparse
import glob
import os
import sys

from tshark_runner import CRASH_CODES, Tshark



def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--testdata", required=True)
    args = parser.parse_args()
    problems = []
    captures = sorted(glob.glob(os.path.join(args.testdata, "bad", "*.pcapng")))
    if not captures:
        problems.append("no bad-input captures in testdata/bad")
    with Tshark(args.plugin) as tshark:
        for capture in captures:
            name = os.path.basename(capture)
            staged = tshark.stage(capture)
            for extra in ([], ["-2"], ["-V"]):
                proc = tshark.run(extra + ["-r", staged, "-z", "tcpdiag,streams,tsv", "-z", "expert"],
                                  check=False, timeout=120)
                if proc.returncode in CRASH_CODES or proc.returncode < 0:
                    problems.append("%s %s: tshark crashed (%d): %s" % (name, extra, proc.returncode, proc.stderr))
                elif proc.returncode != 0 and not proc.stderr.strip():
                    problems.append("%s %s: failed (%d) without a message" % (name, extra, proc.returncode))
                elif "stream\ttransport" not in proc.stdout and proc.returncode == 0:
                    problems.append("%s %s: no tcpdiag table" % (name, extra))
            print("%s: exit %d %s" % (name, proc.returncode, proc.stderr.strip().splitlines()[-1:] or ""))
    for p in problems:
        print("FAIL: " + p)
    print("FAIL" if problems else "OK: %d files" % len(captures))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
