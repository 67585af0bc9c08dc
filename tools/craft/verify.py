#!/usr/bin/python3
"""Check with plain tshark that Wireshark sees in each capture what its .expected file claims.

    /usr/bin/python3 tools/craft/verify.py testdata/crafted [testdata/bad] [--table]

For every capture:
  - the TCP streams (tcp.stream) are exactly the tcp lines of the .expected file, same
    endpoints, same order; every udp line names a UDP stream that an ICMP error answers;
  - the TCP analysis flags Wireshark raised are only the ones the scenario intends
    (retransmissions where there are retransmissions; no lost or unseen segments unless the
    capture starts midstream or shows a rewrite).
--table prints, per frame, what tshark decoded (TTL, stream, flags, analysis, ICMP).
Exit status 1 if any capture disagrees.
"""

import glob
import os
import subprocess
import sys

ANALYSIS = [
    "retransmission", "fast_retransmission", "spurious_retransmission", "out_of_order",
    "lost_segment", "ack_lost_segment", "duplicate_ack", "keep_alive", "keep_alive_ack",
    "zero_window", "zero_window_probe", "zero_window_probe_ack", "window_full", "window_update",
    "reused_ports",
]

# Flags a scenario is meant to show; every other capture may show retransmissions only.
INTENDED = {
    "zero_window_stall": {"zero_window", "zero_window_probe", "zero_window_probe_ack"},
    "zero_window_recovered": {"zero_window", "zero_window_probe", "zero_window_probe_ack",
                              "window_update"},
    "mixed": {"retransmission", "zero_window", "zero_window_probe", "zero_window_probe_ack"},
    "port_reuse": {"reused_ports"},
    "middlebox_seq_rewrite": {"ack_lost_segment", "lost_segment"},
    "rst_storm": {"retransmission", "duplicate_ack"},  # challenge ACKs repeat the last ACK
    "out_of_order_duplicates": {"retransmission", "out_of_order", "lost_segment"},
}

FIELDS = [
    "frame.number", "frame.time_relative", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "ip.ttl",
    "ipv6.hlim", "tcp.stream", "udp.stream", "tcp.srcport", "tcp.dstport", "udp.srcport",
    "udp.dstport", "tcp.flags.str", "tcp.seq", "tcp.ack", "tcp.len", "icmp.type", "icmp.code",
    "icmpv6.type", "icmpv6.code",
] + ["tcp.analysis." + a for a in ANALYSIS]


def tshark(path):
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    p = subprocess.run(cmd, capture_output=True, text=True)
    rows = []
    for line in p.stdout.splitlines():
        vals = line.split("\t")
        rows.append(dict(zip(FIELDS, vals + [""] * (len(FIELDS) - len(vals)))))
    err = "\n".join(l for l in p.stderr.splitlines() if "Running as user" not in l)
    return rows, p.returncode, err


def last(v):
    return v.split(",")[-1] if v else ""


def endpoint(addr, port):
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def frame_endpoints(r, proto):
    """Innermost addresses and ports of a frame (tunnels put the outer header first)."""
    # IPv6 inside an IPv4 tunnel is the inner header; otherwise the last header is innermost.
    src = last(r["ipv6.src"]) or last(r["ip.src"])
    dst = last(r["ipv6.dst"]) or last(r["ip.dst"])
    sp, dp = last(r[proto + ".srcport"]), last(r[proto + ".dstport"])
    return frozenset([endpoint(src, sp), endpoint(dst, dp)])


def wireshark_version():
    """(major, minor) of the installed tshark."""
    first = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.split("\n", 1)[0]
    major, minor = first.split("(Wireshark) ", 1)[1].split(".")[:2]
    return int(major), int(minor)


def read_expected(path, wireshark):
    """The .expected lines that hold for this Wireshark version ("ws>=4.4" / "ws<4.4" prefixes)."""
    lines = []
    error = False
    for line in open(path):
        if line.startswith("# error"):
            error = True
        line = line.split("#")[0].split()
        if line and line[0].startswith("ws"):
            op = ">=" if line[0].startswith("ws>=") else "<"
            wanted = tuple(int(n) for n in line[0][2 + len(op):].split("."))
            line = line[1:] if (wireshark >= wanted) == (op == ">=") else []
        if line:
            lines.append(line)
    return lines, error


def is_icmp(r):
    return bool(r["icmp.type"] or r["icmpv6.type"])


def check(path, table):
    name = os.path.basename(path)[:-len(".pcapng")]
    exp_path = path[:-len(".pcapng")] + ".expected"
    problems = []
    expected, expect_error = read_expected(exp_path, wireshark_version())
    rows, rc, err = tshark(path)
    if table:
        print(f"== {name} (tshark exit {rc}) {err}")
        cols = ["frame.number", "ip.ttl", "ipv6.hlim", "tcp.stream", "udp.stream",
                "tcp.flags.str", "tcp.seq", "tcp.ack", "tcp.len", "icmp.type", "icmp.code",
                "icmpv6.type", "icmpv6.code"]
        for r in rows:
            flags = [a for a in ANALYSIS if r["tcp.analysis." + a]]
            print("  " + " ".join(f"{r[c]:<6}" if c != "tcp.flags.str" else f"{r[c]:<12}"
                                  for c in cols) + " " + ",".join(flags))
    if expect_error and not err:
        problems.append("expected an error from tshark, got none")
    if err and not expect_error:
        problems.append(f"tshark error: {err}")

    # TCP streams in order of their index, from their first frame that is not an ICMP quote.
    tcp_streams = {}
    for r in rows:
        if r["tcp.stream"] and not is_icmp(r):
            for s in r["tcp.stream"].split(","):
                tcp_streams.setdefault(int(s), frame_endpoints(r, "tcp"))
    seen = [tcp_streams[k] for k in sorted(tcp_streams)]
    want = [frozenset([l[1], l[2]]) for l in expected if l[0] == "tcp"]
    if seen != want:
        problems.append(f"tcp streams {[sorted(s) for s in seen]} != expected {[sorted(s) for s in want]}")
    # UDP lines: a UDP stream with those endpoints that an ICMP error quotes.
    udp_answered = set()
    for r in rows:
        if is_icmp(r) and r["udp.srcport"]:
            udp_answered.add(frame_endpoints(r, "udp"))
    for l in expected:
        if l[0] == "udp" and frozenset([l[1], l[2]]) not in udp_answered:
            problems.append(f"no ICMP error about udp {l[1]} {l[2]}")
    for r in rows:
        if is_icmp(r) and r["udp.srcport"] and frame_endpoints(r, "udp") not in \
                {frozenset([l[1], l[2]]) for l in expected if l[0] == "udp"}:
            problems.append(f"frame {r['frame.number']}: ICMP about an unlisted UDP stream")

    allowed = INTENDED.get(name, {"retransmission"})
    if name.startswith("midstream"):
        allowed = allowed | {"ack_lost_segment", "lost_segment"}
    for r in rows:
        for a in ANALYSIS:
            if r["tcp.analysis." + a] and a not in allowed:
                problems.append(f"frame {r['frame.number']}: unintended tcp.analysis.{a}")
    retrans = sum(1 for r in rows if r["tcp.analysis.retransmission"])
    status = "ok" if not problems else "FAIL"
    print(f"{status:4} {name}: {len(rows)} frames, {len(tcp_streams)} tcp stream(s), "
          f"{retrans} retransmission(s), {len(expected)} expected line(s)"
          + (f", tshark exit {rc}: {err.splitlines()[0]}" if err else ""))
    for p in problems:
        print("       " + p)
    return not problems


def main():
    table = "--table" in sys.argv
    dirs = [a for a in sys.argv[1:] if not a.startswith("--")] or ["testdata/crafted"]
    ok = True
    for d in dirs:
        for path in sorted(glob.glob(os.path.join(d, "*.pcapng"))):
            ok &= check(path, table)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
