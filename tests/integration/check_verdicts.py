#!/usr/bin/env python3
"""Compares tcpdiag's verdicts on a capture with the expectations written beside it, stream by
stream, in a single pass and in two passes (the table must be the same: it is computed at the end)."""
import argparse
import sys

from tshark_runner import Tshark, expects_error, read_expected_details


def compare(expected, rows):
    actual = [(r["transport"], r["client"], r["server"], r["verdict"], r["reset_by"]) for r in rows]
    problems = []
    remaining = list(actual)
    for exp in expected:
        if exp in remaining:
            remaining.remove(exp)
            continue
        same_pair = [a for a in remaining if a[:3] == exp[:3]]
        if same_pair:
            problems.append("%s %s -> %s: expected %s/%s, got %s/%s" % (exp[0], exp[1], exp[2], exp[3], exp[4],
                                                                       same_pair[0][3], same_pair[0][4]))
            remaining.remove(same_pair[0])
        else:
            problems.append("missing stream: %s" % " ".join(exp))
    for extra in remaining:
        problems.append("unexpected stream: %s" % " ".join(extra))
    return problems


def compare_details(details, rows):
    """The columns a line of expectations names (tcpdiag.cause...), for the streams found."""
    problems = []
    for exp, wanted in details:
        found = [r for r in rows if (r["transport"], r["client"], r["server"]) == exp[:3]]
        for column, value in wanted.items():
            if found and found[0].get(column, "") != value:
                problems.append("%s %s -> %s: expected %s %r, got %r" % (exp[0], exp[1], exp[2], column, value,
                                                                       found[0].get(column, "")))
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--capture", required=True)
    parser.add_argument("--expected", required=True)
    parser.add_argument("-o", dest="options", action="append", default=[])
    parser.add_argument("--damaged", action="store_true", help="a damaged file: tshark may exit non-zero")
    args = parser.parse_args()
    failed = False
    with Tshark(args.plugin) as tshark:
        details = read_expected_details(args.expected, tshark.wireshark)
        expected = [row for row, _ in details]
        for two_pass in (False, True):
            rows = tshark.streams(args.capture, args.options, two_pass=two_pass, damaged=args.damaged)
            if args.damaged:
                error_expected = expects_error(args.expected)
                reported = tshark.last_returncode != 0 and bool(tshark.last_error)
                if error_expected != reported:
                    print("%s: expected %s, tshark exited %d: %s" % (
                        "two-pass" if two_pass else "single-pass",
                        "an error message" if error_expected else "a clean read", tshark.last_returncode,
                        tshark.last_error or "(nothing on stderr)"))
                    failed = True
            if rows is None:
                print("unreadable, tshark says: %s" % tshark.last_error)
                failed |= bool(expected)
                continue
            problems = compare(expected, rows) + compare_details(details, rows)
            label = "two-pass" if two_pass else "single-pass"
            for p in problems:
                print("%s: %s" % (label, p))
            failed |= bool(problems)
            if not two_pass:
                for r in rows:
                    print("%s %s %s %s %s | %s" % (r["stream"], r["client"], r["server"], r["verdict"],
                                                  r["reset_by"], r["reason"]))
    print("FAIL" if failed else "OK: %d streams as expected" % len(expected))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
