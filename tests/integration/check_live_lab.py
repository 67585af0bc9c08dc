#!/usr/bin/env python3
"""Runs the real-stack lab live (network namespaces, needs root) into a fresh folder and checks
tcpdiag's verdicts on both ends' captures, and each end compared with the other's capture, against
the expectations the lab writes, so a change in
the kernel's behaviour shows up here and not in an analyst's hands."""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile

from check_two_point import check_pair
from check_verdicts import compare
from tshark_runner import Tshark, read_expected


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--lab", required=True, help="tools/lab/run_lab.py")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("FAIL: the live lab needs root (network namespaces)")
        return 1
    out = tempfile.mkdtemp(prefix="tcpdiag-live-lab-")
    try:
        subprocess.run(["/usr/bin/python3", args.lab, "--out", out], check=True, timeout=840)
        expectations = sorted(glob.glob(os.path.join(out, "*.expected")))
        if not expectations:
            print("FAIL: the lab wrote no captures")
            return 1
        failed = 0
        with Tshark(args.plugin) as tshark:
            for expected in expectations:
                capture = expected[: -len(".expected")] + ".pcapng"
                rows = tshark.streams(capture, two_pass=True)
                problems = compare(read_expected(expected, tshark.wireshark), rows)
                name = os.path.basename(capture)
                print("%s %s" % ("FAIL" if problems else "ok  ", name))
                for p in problems:
                    print("      " + p)
                failed += bool(problems)
            # Each side compared with the other end's capture (tcpdiag.peer_capture).
            pairs = sorted(glob.glob(os.path.join(out, "*.twopoint")))
            for expected in pairs:
                end = "client" if expected.endswith(".client.twopoint") else "server"
                other = "server" if end == "client" else "client"
                capture = expected[: -len(".twopoint")] + ".pcapng"
                peer = expected[: -len(".%s.twopoint" % end)] + ".%s.pcapng" % other
                problems = check_pair(tshark, capture, peer, expected, end)
                print("%s %s with %s as peer" % ("FAIL" if problems else "ok  ", os.path.basename(capture),
                                                  os.path.basename(peer)))
                for p in problems:
                    print("      " + p)
                failed += bool(problems)
        total = len(expectations) + len(pairs)
        print("%d of %d live captures and capture pairs as expected" % (total - failed, total))
        return 1 if failed else 0
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
