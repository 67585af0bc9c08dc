#!/usr/bin/env python3
"""Decoding the headers gives what reading Wireshark's protocol tree gives.

By default tcpdiag decodes each frame's headers itself and asks Wireshark's TCP and UDP
conversations for stream numbers and retransmission flags, so the first pass needs no tree; with
`tcpdiag.read_protocol_tree` it reads the same values from the tree instead. For every capture:
- by default tcpdiag leaves out (expert info `tcpdiag.unread`) no frame Wireshark dissects as
  TCP but the malformed ones (a header cut short): segments reassembled from IP fragments and
  encapsulations the decoder does not know are read through what Wireshark's dissection found;
  with the tree none are left out;
- the `-z tcpdiag,streams,tsv` tables of both modes are identical, in two passes and in one;
  where frames were left out, every column but the packet count still is.
"""
import argparse
import sys

from tshark_runner import Tshark

MALFORMED_TCP = "tcp && _ws.malformed"


def frames(tshark, capture, display_filter, options=()):
    args = ["-r", tshark.stage(capture), "-2", "-Y", display_filter, "-T", "fields", "-e", "frame.number"]
    for opt in options:
        args += ["-o", opt]
    out = tshark.run(args, check=False).stdout
    return [int(n) for n in out.split()]


def check(tshark, capture, damaged):
    problems = []
    decoded_unread = frames(tshark, capture, "tcpdiag.unread")
    tree_unread = frames(tshark, capture, "tcpdiag.unread", ["tcpdiag.read_protocol_tree:TRUE"])
    malformed = frames(tshark, capture, MALFORMED_TCP)
    if set(decoded_unread) - set(malformed):
        problems.append("frames left out %s, of which only %s are malformed" % (decoded_unread, malformed))
    if tree_unread:
        problems.append("frames left out while reading the tree: %s" % tree_unread)
    for two_pass in (True, False):
        decoded = tshark.streams(capture, two_pass=two_pass, damaged=damaged)
        tree = tshark.streams(capture, ["tcpdiag.read_protocol_tree:TRUE"], two_pass=two_pass, damaged=damaged)
        if decoded_unread and decoded and tree:
            decoded = [{k: v for k, v in row.items() if k != "packets"} for row in decoded]
            tree = [{k: v for k, v in row.items() if k != "packets"} for row in tree]
        if decoded != tree:
            passes = "two passes" if two_pass else "one pass"
            problems.append("%s: the tables differ\n  decoded: %s\n  tree:    %s" % (passes, decoded, tree))
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--damaged", action="store_true", help="the captures may be damaged: tshark may exit non-zero")
    ap.add_argument("captures", nargs="+")
    args = ap.parse_args()
    failed = 0
    with Tshark(args.plugin) as tshark:
        for capture in args.captures:
            problems = check(tshark, capture, args.damaged)
            print("%s %s" % ("FAIL" if problems else "ok  ", capture))
            for p in problems:
                print("    " + p)
            failed += bool(problems)
    print("%d of %d captures read the same both ways" % (len(args.captures) - failed, len(args.captures)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
