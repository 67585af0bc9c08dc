#!/usr/bin/env python3
"""A peer capture that cannot serve (missing, garbage, damaged part-way, unrelated, empty) gives a
clear message on stderr and in the path reason, the run still ends normally with every stream's
verdict, and no packet is called dropped or injected without a capture to prove it."""
import argparse
import os
import sys

from tshark_runner import Tshark


def run(tshark, capture, peer, two_pass):
    rows = tshark.streams(capture, ["tcpdiag.peer_capture:" + peer], two_pass=two_pass)
    return rows, tshark.last_error


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--testdata", required=True)
    args = parser.parse_args()
    t = lambda *p: os.path.join(args.testdata, *p)  # noqa: E731
    capture = t("lab", "data_loss.client.pcapng")
    cases = [
        # (name, peer file, words the message must contain, path verdict every stream must have)
        ("missing file", "/nonexistent/peer.pcapng", "cannot read the peer capture", "not_in_peer_capture"),
        ("not a capture", t("bad", "garbage.pcapng"), "cannot read the peer capture", "not_in_peer_capture"),
        ("no packet", t("bad", "empty.pcapng"), "has no TCP or UDP packet", "not_in_peer_capture"),
        ("unrelated traffic", t("crafted", "mixed.pcapng"), "not a capture of the same traffic",
         "not_in_peer_capture"),
        ("damaged part-way", t("bad", "truncated.pcapng"), "damaged after frame", "not_in_peer_capture"),
    ]
    problems = []
    with Tshark(args.plugin) as tshark:
        plain = tshark.streams(capture, two_pass=True)
        for name, peer, message, verdict in cases:
            staged = tshark.stage(peer) if os.path.exists(peer) else peer
            for two_pass in (False, True):
                rows, stderr = run(tshark, capture, staged, two_pass)
                where = "%s (%s)" % (name, "two-pass" if two_pass else "single-pass")
                if message not in stderr:
                    problems.append("%s: stderr lacks %r: %r" % (where, message, stderr))
                if [(r["client"], r["verdict"]) for r in rows] != [(r["client"], r["verdict"]) for r in plain]:
                    problems.append("%s: the verdicts changed" % where)
                for r in rows:
                    if r["peer_verdict"] != verdict or r["peer_dropped"] != "0" or r["peer_injected"] != "0":
                        problems.append("%s: stream %s: %s, %s dropped, %s injected" % (
                            where, r["stream"], r["peer_verdict"], r["peer_dropped"], r["peer_injected"]))
                    if message not in r["peer_reason"] and name != "damaged part-way":
                        problems.append("%s: stream %s: the reason does not say %r" % (where, r["stream"], message))
    for p in problems:
        print(p)
    print("%d case(s), %d problem(s)" % (len(cases), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
