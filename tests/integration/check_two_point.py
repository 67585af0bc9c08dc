#!/usr/bin/env python3
"""Two-point diagnosis on a pair of captures of the same traffic, one at each end of the path.

Opens --capture with --peer as tcpdiag.peer_capture and checks, against the .twopoint file written
beside the capture:
- per stream (`-z tcpdiag,streams,tsv`, in one pass and in two): the path verdict and the header
  fields changed on the way;
- the streams only the peer capture has, sent toward this end (`-z tcpdiag,streams` text);
- that `-z tcpdiag,summary` counts the same path verdicts as the streams table;
- per packet, against an independent reckoning from Wireshark's own fields of both captures: a TCP
  packet is in both when one with the same raw sequence and acknowledgement numbers, flags, length,
  TCP timestamp value and IP ID is (without the sequence numbers where the path rewrites them; where
  it rewrites timestamps too, as a SYN proxy does, by flags, length and the sequence and
  acknowledgement numbers mapped with the offset that segments with the same payload show).
  tcpdiag.peer.seen must agree for every TCP packet, and a packet the peer capture lacks must be
  `dropped` if this end sent it, `injected` or `replayed` if it came in, and `unknown` if it was
  sent while the peer capture was not running (before its first frame or after its last).
"""
import argparse
import re
import sys

from tshark_runner import Tshark

# What the sender stamped on one transmission: a retransmission sent in the same millisecond as its
# original has the same timestamp, but not the same IP ID.
STAMP_FIELDS = ["tcp.flags", "tcp.len", "tcp.options.timestamp.tsval", "ip.id"]
KEY_FIELDS = ["tcp.seq_raw", "tcp.ack_raw"] + STAMP_FIELDS
ADDRESS_FIELDS = ["ip.src", "ipv6.src"]
OTHER_FIELDS = ["frame.time_epoch", "tcp.payload"]
EDGE_S = 0.05  # a packet this close outside the peer capture's time may or may not be claimed


def read_two_point(path):
    """('stream'|'only', proto, client, server, path_verdict, changed) per line."""
    rows = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            fields = line.split("#", 1)[0].split()
            if not fields:
                continue
            if len(fields) != 6 or fields[0] not in ("stream", "only"):
                raise ValueError("%s:%d: expected 'stream|only proto client server verdict changed'" % (path, number))
            rows.append(tuple(fields))
    return rows


def host(endpoint):
    return endpoint.rsplit(":", 1)[0].strip("[]")


def packets(tshark, capture, extra_fields=(), options=()):
    """One dict per TCP frame, with the oracle's key."""
    fields = ["frame.number"] + ADDRESS_FIELDS + KEY_FIELDS + OTHER_FIELDS + list(extra_fields)
    args = ["-r", tshark.stage(capture), "-2", "-Y", "tcp && !icmp && !icmpv6", "-T", "fields", "-E", "occurrence=f"]
    for opt in options:
        args += ["-o", opt]
    for f in fields:
        args += ["-e", f]
    out = tshark.run(args).stdout
    result = []
    for line in out.splitlines():
        values = dict(zip(fields, line.split("\t")))
        values["key"] = tuple(values[f] for f in KEY_FIELDS)
        values["stamp"] = tuple(values[f] for f in STAMP_FIELDS)
        values["src"] = values["ip.src"] or values["ipv6.src"]
        result.append(values)
    return result


def check_streams(tshark, args, expected, peer_option):
    problems = []
    for two_pass in (False, True):
        rows = tshark.streams(args.capture, [peer_option], two_pass=two_pass)
        by_pair = {(r["transport"], r["client"], r["server"]): r for r in rows}
        for kind, proto, client, server, verdict, changed in expected:
            if kind != "stream":
                continue
            row = by_pair.get((proto, client, server))
            if row is None:
                problems.append("missing stream %s %s -> %s" % (proto, client, server))
                continue
            got = (row["peer_verdict"], row["peer_changed"] or "-")
            if got != (verdict, changed):
                problems.append("%s %s -> %s (%s): expected %s/%s, got %s/%s" % (
                    proto, client, server, "two-pass" if two_pass else "single-pass", verdict, changed, *got))
    return problems


def check_peer_only(tshark, args, expected, peer_option):
    out = tshark.run(["-r", tshark.stage(args.capture), "-q", "-o", peer_option, "-z", "tcpdiag,streams"]).stdout
    listed = set(re.findall(r"only in the peer capture: (\w+) (\S+) -> (\S+), .*sent toward this side", out))
    wanted = {(proto, client, server) for kind, proto, client, server, _, _ in expected if kind == "only"}
    problems = ["not listed as only in the peer capture: %s %s -> %s" % w for w in sorted(wanted - listed)]
    problems += ["listed as only in the peer capture, unexpectedly: %s %s -> %s" % x for x in sorted(listed - wanted)]
    return problems


def check_summary(tshark, args, peer_option):
    """-z tcpdiag,summary's path table counts the streams table's peer verdicts (two passes)."""
    rows = tshark.streams(args.capture, [peer_option], two_pass=True)
    wanted = {}
    for r in rows:
        wanted[r["peer_verdict"]] = wanted.get(r["peer_verdict"], 0) + 1
    out = tshark.run(["-r", tshark.stage(args.capture), "-2", "-q", "-o", peer_option, "-z", "tcpdiag,summary"]).stdout
    table = out.split("Streams per path verdict", 1)
    if len(table) < 2:
        return ["-z tcpdiag,summary has no path verdict table"]
    got = {}
    for line in table[1].splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 2 and cells[1].isdigit() and int(cells[1]):
            got[cells[0]] = int(cells[1])
    return [] if got == wanted else ["summary path table %s, streams table %s" % (got, wanted)]


def capture_times(tshark, capture):
    """The first and last frame times of a capture, every frame counted."""
    out = tshark.run(["-r", tshark.stage(capture), "-T", "fields", "-e", "frame.time_epoch"]).stdout
    times = [float(t) for t in out.split()]
    return (min(times), max(times)) if times else (0.0, 0.0)


def translated_keys(here, there, own):
    """For a path that rewrites sequence numbers and timestamps: per packet of each capture, its
    flags, length and sequence and acknowledgement numbers in the peer capture's numbering. The
    offset per direction is the one segments with the same payload show."""
    offsets = {}
    for outbound in (True, False):
        mine = [p for p in here if (p["src"] in own) == outbound and p["tcp.payload"]]
        theirs = [p for p in there if (p["src"] in own) == outbound and p["tcp.payload"]]
        seen = {}
        for p in theirs:
            seen.setdefault(p["tcp.payload"], []).append(p)
        found = [(int(seen[p["tcp.payload"]][0]["tcp.seq_raw"]) - int(p["tcp.seq_raw"])) % 2**32
                 for p in mine if len(seen.get(p["tcp.payload"], [])) == 1]
        offsets[outbound] = max(set(found), key=found.count) if found else 0

    def key(p, shift):
        flags = int(p["tcp.flags"], 16)
        outbound = p["src"] in own
        seq = (int(p["tcp.seq_raw"]) + (offsets[outbound] if shift else 0)) % 2**32
        ack = (int(p["tcp.ack_raw"]) + (offsets[not outbound] if shift else 0)) % 2**32 if flags & 0x10 else 0
        return (flags, p["tcp.len"], seq, ack)

    there_keys = {}
    for p in there:
        there_keys[key(p, False)] = there_keys.get(key(p, False), 0) + 1
    return {p["frame.number"]: key(p, True) for p in here}, there_keys


def check_packets(tshark, args, expected, peer_option):
    end_column = 2 if args.end == "client" else 3
    own = {host(row[end_column]) for row in expected if row[0] == "stream"}
    here = packets(tshark, args.capture, ["tcpdiag.peer.status", "tcpdiag.peer.seen"], [peer_option])
    peer_packets = packets(tshark, args.peer)
    there = {p["key"] for p in peer_packets}
    # Where the path rewrites sequence numbers, the sender's stamps alone say it is the same packet.
    rewrites_seq = any(row[0] == "stream" and "seq" in row[5].split(",") for row in expected)
    there_stamps = {p["stamp"] for p in peer_packets} if rewrites_seq else set()
    rewrites_stamps = any(row[0] == "stream" and {"seq", "timestamps"} <= set(row[5].split(","))
                          for row in expected)
    mapped, there_mapped = translated_keys(here, peer_packets, own) if rewrites_stamps else ({}, {})
    # Packets alike but for their TTL (a proxy's and the host's ACK): the peer capture's copies
    # account for as many of them as it holds, and nothing says which.
    alike = {}
    for p in here:
        if mapped.get(p["frame.number"]) in there_mapped:
            alike.setdefault(mapped[p["frame.number"]], []).append(p)
    problems = []
    for key, group in alike.items():
        if len(group) > there_mapped[key]:
            seen = sum(p["tcpdiag.peer.status"] == "seen" for p in group)
            if seen != there_mapped[key]:
                problems.append("frames %s: %d alike, %d in the peer capture, tcpdiag sees %d" % (
                    ",".join(p["frame.number"] for p in group), len(group), there_mapped[key], seen))
            for p in group:
                mapped.pop(p["frame.number"])
                p["checked"] = True
    # The peer's clock may differ: the median shift of the packets both hold.
    peer_time = {p["key"]: float(p["frame.time_epoch"]) for p in peer_packets}
    shifts = sorted(peer_time[p["key"]] - float(p["frame.time_epoch"]) for p in here if p["key"] in peer_time)
    shift = shifts[len(shifts) // 2] if shifts else 0.0
    peer_first, peer_last = (t - shift for t in capture_times(tshark, args.peer))
    for p in here:
        if p.get("checked"):
            continue
        in_peer = p["key"] in there or p["stamp"] in there_stamps or mapped.get(p["frame.number"]) in there_mapped
        status = p["tcpdiag.peer.status"]
        t = float(p["frame.time_epoch"])
        outside = t < peer_first - EDGE_S or t > peer_last + EDGE_S
        if not in_peer and not outside and (t < peer_first or t > peer_last):
            continue  # at the edge of the peer capture's time: either reading holds
        if in_peer:
            wanted = {"seen"}
        elif outside:
            wanted = {"unknown"}
        elif p["src"] in own:
            wanted = {"dropped"}
        else:
            wanted = {"injected", "replayed"}
        if status not in wanted or (p["tcpdiag.peer.seen"] in ("1", "True")) != in_peer:
            problems.append("frame %s (%s): %s in the peer capture, tcpdiag says %s" % (
                p["frame.number"], "sent here" if p["src"] in own else "arrived here",
                "present" if in_peer else "absent", status or "nothing"))
    if not here and any(row[0] == "stream" and row[1] == "tcp" for row in expected):
        problems.append("no TCP packet in %s" % args.capture)
    return problems


class Pair:
    """One side of a capture pair: the capture opened, its peer, and where it was taken."""

    def __init__(self, capture, peer, end):
        self.capture, self.peer, self.end = capture, peer, end


def check_pair(tshark, capture, peer, expected_path, end):
    """Every problem with tcpdiag's two-point results on this capture, against expected_path."""
    args = Pair(capture, peer, end)
    expected = read_two_point(expected_path)
    peer_option = "tcpdiag.peer_capture:" + tshark.stage(peer)
    return (check_streams(tshark, args, expected, peer_option) +
            check_peer_only(tshark, args, expected, peer_option) + check_summary(tshark, args, peer_option) +
            check_packets(tshark, args, expected, peer_option))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--capture", required=True)
    parser.add_argument("--peer", required=True)
    parser.add_argument("--expected", required=True, help="the .twopoint file")
    parser.add_argument("--end", choices=("client", "server"), required=True, help="where --capture was taken")
    args = parser.parse_args()
    with Tshark(args.plugin) as tshark:
        problems = check_pair(tshark, args.capture, args.peer, args.expected, args.end)
    for p in problems:
        print(p)
    print("%s: %d problem(s)" % (args.capture, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
