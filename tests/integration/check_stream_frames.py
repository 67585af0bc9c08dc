#!/usr/bin/env python3
"""-z tcpdiag,frames: every stream's frames, as ranges, are the frames Wireshark numbers into that
stream (tcp.stream, udp.stream), ICMP errors quoting it included; tcpdiag also finds the stream
of an ICMP error whose quote is too short for Wireshark (8 bytes of TCP header), which is the
one difference allowed: frames of ICMP errors that Wireshark gives no stream.

    check_stream_frames.py --plugin tcpdiag.so CAPTURE...
"""
import argparse
import collections
import sys

from checks import check, finish
from tshark_runner import Tshark


def listed_frames(tshark, capture):
    out = tshark.run(["-2", "-r", tshark.stage(capture), "-q", "-z", "tcpdiag,frames"]).stdout
    lines = out.splitlines()
    check(lines and lines[0] == "transport\tstream\tframes", "%s: no frames table:\n%s" % (capture, out))
    listed = {}
    for line in lines[1:]:
        transport, stream, ranges = line.split("\t")
        frames = set()
        for part in ranges.split(","):
            first, _, last = part.partition("-")
            frames.update(range(int(first), int(last or first) + 1))
        check((transport, int(stream)) not in listed, "%s: %s stream %s listed twice" % (capture, transport, stream))
        listed[(transport, int(stream))] = frames
    return listed


def wireshark_frames(tshark, capture):
    """(transport, stream) -> frames, and the frames that are ICMP errors."""
    out = tshark.run(["--disable-protocol", "tcpdiag", "-r", tshark.stage(capture), "-T", "fields", "-e",
                      "frame.number", "-e", "tcp.stream", "-e", "udp.stream", "-e", "icmp.type",
                      "-e", "icmpv6.type"]).stdout
    streams, icmp = collections.defaultdict(set), set()
    for line in out.splitlines():
        frame, tcp, udp, icmp4, icmp6 = (line.split("\t") + [""] * 5)[:5]
        for transport, numbers in (("tcp", tcp), ("udp", udp)):
            for n in filter(None, numbers.split(",")):
                streams[(transport, int(n))].add(int(frame))
        if icmp4 or icmp6:
            icmp.add(int(frame))
    return streams, icmp


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("captures", nargs="+")
    args = parser.parse_args()
    compared = 0
    with Tshark(args.plugin) as tshark:
        for capture in args.captures:
            listed = listed_frames(tshark, capture)
            streams, icmp = wireshark_frames(tshark, capture)
            for key, frames in listed.items():
                want = streams.get(key, set())
                extra, missing = frames - want, want - frames
                check(extra <= icmp, "%s: %s stream %d lists frames outside it: %s" % (capture, key[0], key[1],
                                                                                      sorted(extra)[:10]))
                if key[0] == "tcp":  # UDP streams are tracked from the ICMP error that answers them on
                    check(not missing, "%s: tcp stream %d lacks frames %s" % (capture, key[1], sorted(missing)[:10]))
                compared += 1
            unlisted = [k for k in streams if k[0] == "tcp" and k not in listed]
            check(not unlisted, "%s: tcp streams not listed: %s" % (capture, unlisted[:10]))
    check(compared, "no stream compared")
    print("compared %d streams of %d captures" % (compared, len(args.captures)))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
