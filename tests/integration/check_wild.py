#!/usr/bin/env python3
"""Scores tcpdiag against the hand labels of the real public captures in testdata/wild/.

Every `X.labels` beside a capture `X.pcap(ng)` gives, for each TCP stream, the verdict and reset_by
an analyst read from its packets before tcpdiag was run (docs: testdata/wild/README.md):

    <tcp.stream>  <client ip:port>  <server ip:port>  <verdict>[|<verdict>]  <reset_by>[|<reset_by>]

Alternatives pair up by position (`app_reset|graceful_close  client|none`); one reset_by goes with
every verdict. A stream is right when tcpdiag's two-pass verdict and reset_by are a labelled pair; a
labelled stream tcpdiag does not report is wrong. Streams are matched by their two endpoints, in
order of appearance (the client / server order is part of what is judged only through reset_by).
Three parts are scored apart. Part g ("blind") was labelled by others and is never looked at while
fixing: only its score is printed, never its misses. Parts c, d, e and f were blind too until their scores
were taken; they are dev since. A quarter of parts a and b, picked by a
hash of the path, is held out: its score is printed, its misses only with --show-held-out. The rest
("dev") prints its misses. The test fails when any part scores below its threshold.
"""
import argparse
import glob
import hashlib
import os
import sys

from tshark_runner import Tshark


BLIND_PARTS = ("g", "h")
# Blind parts whose score was taken and whose misses were then read: they are dev from then on.
SPENT_BLIND_PARTS = ("c", "d", "e", "f")


def part_of(relative_path):
    """"blind": parts g and h, labelled by others and never looked at; "dev": parts c to f, blind until
    their scores were taken, and three quarters of parts a and b; "held-out": the other quarter of a
    and b, by a hash of the path."""
    part = relative_path.split(os.sep, 1)[0]
    if part in BLIND_PARTS:
        return "blind"
    if part in SPENT_BLIND_PARTS:
        return "dev"
    return "held-out" if hashlib.sha256(relative_path.encode()).hexdigest()[0] in "0123" else "dev"


def read_labels(path):
    rows = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            fields = line.split()
            if len(fields) != 5:
                raise ValueError("%s:%d: expected 5 fields, got %r" % (path, number, line))
            stream, client, server, verdicts, resets = fields
            verdicts, resets = verdicts.split("|"), resets.split("|")
            if len(resets) == 1:
                resets = resets * len(verdicts)
            if len(resets) != len(verdicts):
                raise ValueError("%s:%d: %d verdicts but %d reset_by values" % (path, number, len(verdicts),
                                                                               len(resets)))
            rows.append((stream, client, server, list(zip(verdicts, resets))))
    return rows


def capture_of(labels):
    base = labels[: -len(".labels")]
    for ext in (".pcapng", ".pcap", ".cap", ".pcap.gz"):
        if os.path.exists(base + ext):
            return base + ext
    raise FileNotFoundError("no capture beside %s" % labels)


def score(tshark, labels_path):
    """[(label, tcpdiag row or None, right)] for one capture."""
    table = tshark.streams(capture_of(labels_path), two_pass=True, damaged=True) or []  # some are cut short
    rows = [r for r in table if r["transport"] == "tcp"]
    remaining = list(rows)
    results = []
    for label in read_labels(labels_path):
        ends = {label[1], label[2]}
        match = next((r for r in remaining if {r["client"], r["server"]} == ends), None)
        if match is not None:
            remaining.remove(match)
        right = match is not None and (match["verdict"], match["reset_by"]) in label[3]
        results.append((label, match, right))
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--corpus", required=True, help="testdata/wild")
    parser.add_argument("--min-dev", type=float, required=True, help="lowest acceptable share, e.g. 0.9")
    parser.add_argument("--min-held-out", type=float, required=True)
    parser.add_argument("--min-blind", type=float, required=True)
    parser.add_argument("--show-held-out", action="store_true", help="also the misses of the held-out part")
    args = parser.parse_args()
    totals = {"dev": [0, 0], "held-out": [0, 0], "blind": [0, 0]}  # [right, streams]
    captures = {"dev": 0, "held-out": 0, "blind": 0}
    by_blind_part = {}  # each blind part's own score too: they were labelled at different times
    with Tshark(args.plugin) as tshark:
        for labels in sorted(glob.glob(os.path.join(args.corpus, "**", "*.labels"), recursive=True)):
            relative = os.path.relpath(labels, args.corpus)
            part = part_of(relative)
            captures[part] += 1
            for label, match, right in score(tshark, labels):
                totals[part][0] += right
                totals[part][1] += 1
                if part == "blind":
                    own = by_blind_part.setdefault(relative.split(os.sep, 1)[0], [0, 0])
                    own[0] += right
                    own[1] += 1
                if not right and (part == "dev" or (part == "held-out" and args.show_held_out)):
                    got = "no verdict" if match is None else "%s/%s" % (match["verdict"], match["reset_by"])
                    print("MISS %s stream %s %s -> %s: labelled %s, tcpdiag %s" % (
                        relative, label[0], label[1], label[2], " or ".join("%s/%s" % p for p in label[3]), got))
    failed = False
    for name, minimum in (("dev", args.min_dev), ("held-out", args.min_held_out), ("blind", args.min_blind)):
        part = name
        right, streams = totals[part]
        share = right / streams if streams else 0.0
        print("%s: %d of %d streams right (%.1f%%) in %d captures; threshold %.1f%%" % (
            name, right, streams, 100 * share, captures[part], 100 * minimum))
        failed |= streams == 0 or share < minimum
    for name, (right, streams) in sorted(by_blind_part.items()):
        print("  blind part %s: %d of %d streams right (%.1f%%)" % (name, right, streams, 100 * right / streams))
    print("FAIL" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
