#!/usr/bin/env python3
"""Every verdict the plugin can give is expected on at least one committed capture, so each one
is exercised by a tshark integration test. The verdict list comes from the plugin's source of
truth (plugin/core/verdict.cpp), not from this file."""
import argparse
import glob
import os
import re
import sys

from tshark_runner import read_expected


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True, help="plugin/core/verdict.cpp")
    parser.add_argument("--testdata", required=True)
    args = parser.parse_args()
    with open(args.source) as f:
        names = set(re.findall(r'\{"([a-z_]+)", "', f.read())) - {"undecided"}
    seen = {}
    for expected in glob.glob(os.path.join(args.testdata, "**", "*.expected"), recursive=True):
        for row in read_expected(expected):
            seen.setdefault(row[3], []).append(os.path.relpath(expected, args.testdata))
    missing = sorted(names - set(seen))
    unknown = sorted(set(seen) - names)
    for name in sorted(names & set(seen)):
        print("%-18s %3d streams, e.g. %s" % (name, len(seen[name]), seen[name][0]))
    for name in missing:
        print("FAIL: no capture expects %s" % name)
    for name in unknown:
        print("FAIL: expectations name an unknown verdict %s (%s)" % (name, seen[name][0]))
    return 1 if missing or unknown or len(names) < 13 else 0


if __name__ == "__main__":
    sys.exit(main())
