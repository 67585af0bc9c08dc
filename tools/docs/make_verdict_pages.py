#!/usr/bin/env python3
"""Writes docs/verdicts/<verdict>.md, one page per verdict, from the rules in docs/verdicts.md, the
next steps in README.md and a real example: tcpdiag (the built plugin, via the real tshark) run on a
committed capture, preferably one from the network-namespace lab.

    tools/build.sh && tools/docs/make_verdict_pages.py       # rewrite the pages
    tools/docs/make_verdict_pages.py --check                 # are they current? (a ctest does this)
"""
import argparse
import glob
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
from tshark_runner import Tshark  # noqa: E402

# What each verdict means for the people at both ends, in a sentence or two.
MEANING = {
    "injected_reset": "Something between the two hosts (a firewall, an IPS, a WAN optimiser, a censor) sent a "
                      "reset in the name of one of them. Neither application ended the connection.",
    "refused": "The server's TCP stack turned the connection down at once: nothing listens on the port, or "
               "the application (or a local firewall with a reject rule) refuses it.",
    "icmp_unreachable": "A router or the destination host said the destination cannot be reached (no route, "
                        "host down, filtered) and the connection never got through.",
    "handshake_loss": "The client's SYNs (or the server's SYN/ACKs) were lost on the way: no answer came back "
                      "to the side where the capture was taken.",
    "no_response": "The SYNs reached the destination host (the capture was taken there) and it never "
                   "answered: a host firewall dropping them, or a stack that ignores the port.",
    "data_loss": "Data was sent again and again without the peer ever acknowledging it, until the sender gave "
                 "up with a reset or the capture ended: the path lost packets.",
    "zero_window_stall": "The receiver advertised a window of zero and never opened it again: its application "
                         "stopped reading, and the sender could not send.",
    "peer_lost_state": "One side answered a segment with a bare reset (no ACK): it no longer knew the "
                       "connection, because it restarted or a NAT, firewall or load balancer in front of it "
                       "forgot the state.",
    "app_reset": "An application closed its connection abortively (a reset with ACK) while the connection "
                 "was healthy: an error path, a timeout or SO_LINGER 0 in that application.",
    "graceful_close": "Both sides closed the connection with FIN, nothing was reset: the stream ended well.",
    "open": "The connection was established and healthy and was still open when the capture stopped.",
    "incomplete": "Too little of the stream is in the capture to judge it, e.g. a lone SYN, or packets in one "
                  "direction only. Not a failure.",
    "port_unreachable": "A UDP datagram was answered with ICMP port unreachable: nothing listens on that UDP "
                        "port.",
    "response_timeout": "The client asked and the server never answered: its TCP took the request, its "
                        "application sent nothing back (or no greeting, on a protocol where the server speaks "
                        "first), until the client's own timeout made it give up.",
}
FAMILY = {
    "handshake_loss": "loss", "no_response": "loss", "data_loss": "loss",
    "injected_reset": "resets", "peer_lost_state": "resets", "app_reset": "resets",
    "refused": "refusals", "icmp_unreachable": "refusals", "port_unreachable": "refusals",
    "zero_window_stall": "stalls", "response_timeout": "stalls",
}
MAX_FRAMES = 24


def table_rows(path):
    """{verdict: [cells]} from the markdown tables of a file whose first cell names a verdict."""
    rows = {}
    for line in open(path):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        for i, cell in enumerate(cells[:2]):
            m = re.fullmatch(r"\[?`(\w+)`(?:\]\([^)]*\))?", cell)  # `refused` or [`refused`](link)
            if m and m.group(1) in MEANING and m.group(1) not in rows:
                rows[m.group(1)] = cells[i + 1:]
                break
    return rows


def expectations(path):
    """(proto, client, server, verdict, reset_by) per line; the name=value columns after them and
    lines for one Wireshark version (ws>=4.4 ...) are left out."""
    rows = []
    for line in open(path):
        fields = [f for f in line.split("#", 1)[0].split() if "=" not in f]
        if len(fields) == 5:
            rows.append(fields)
    return rows


def pick_capture(verdict):
    """The committed capture that shows the verdict most plainly: the lab's own capture of it first."""
    preferred = [os.path.join(TOP, "testdata", p) for p in
                 ("lab/%s.client.expected" % verdict, "lab/%s.server.expected" % verdict,
                  "crafted/%s.expected" % verdict)]
    others = sorted(glob.glob(os.path.join(TOP, "testdata/lab/*.expected")), key=lambda p: len(expectations(p)))
    others += sorted(glob.glob(os.path.join(TOP, "testdata/crafted/*.expected")), key=lambda p: len(expectations(p)))
    for path in preferred + others:
        capture = path[:-len(".expected")] + ".pcapng"
        if os.path.exists(path) and os.path.exists(capture) and any(r[3] == verdict for r in expectations(path)):
            return capture, path
    raise RuntimeError("no committed capture shows %s" % verdict)


def describe(expected_path):
    """The first comment line of the .expected file: how the capture was made."""
    for line in open(expected_path):
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return ""


def example(tshark, verdict, capture):
    staged = tshark.stage(capture)
    streams = tshark.streams(capture, two_pass=True)
    stream = next(r for r in streams if r["verdict"] == verdict)
    match = 'tcpdiag.stream == %s && tcpdiag.transport == "%s"' % (stream["stream"], stream["transport"])
    fields = ["frame.number", "frame.time_relative", "_ws.col.Source", "_ws.col.Destination", "_ws.col.Info",
              "tcpdiag.evidence"]
    cmd = ["-2", "-r", staged, "-Y", match, "-T", "fields", "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    lines = tshark.run(cmd).stdout.splitlines()
    listing = []
    for line in lines[:MAX_FRAMES]:
        number, time, src, dst, info, evidence = (line.split("\t") + [""] * 6)[:6]
        mark = "  <== " + evidence if evidence else ""
        listing.append("%5s %9.6f %-22s %-22s %s%s" % (number, float(time or 0), src, dst, info, mark))
    if len(lines) > MAX_FRAMES:
        listing.append("  ... %d more frames" % (len(lines) - MAX_FRAMES))
    return stream, match, listing


def page(verdict, rule_cells, readme_cells, capture, expected_path, stream, match, listing):
    rel = os.path.relpath(capture, TOP)
    family = FAMILY.get(verdict)
    out = ["# `%s`" % verdict, ""]
    out.append("Family in the tcpdiag profile's coloring: **%s**." % family if family else
               "Not a failure: the tcpdiag profile leaves it in Wireshark's usual colors.")
    out += ["", "## What it means", "", MEANING[verdict], "", "## Evidence rule", ""]
    rule = rule_cells[0] if rule_cells else ""
    out.append(rule[:1].upper() + rule[1:] + ("" if rule.endswith(".") else "."))
    if len(rule_cells) > 1:
        out += ["", "`tcpdiag.reset_by`: %s." % rule_cells[1]]
    out += ["", "The rules of all verdicts, in the order they are tried: [verdicts.md](../verdicts.md).", "",
            "## Example", "",
            "`%s` (%s), stream %s, %s → %s:" % (rel, describe(expected_path), stream["stream"], stream["client"],
                                                stream["server"]),
            "", "    tshark -2 -r %s -Y '%s'" % (rel, match), "", "```"]
    out += listing
    out += ["```", "", "`<==` marks the frames that carry `tcpdiag.evidence`. tcpdiag's reason for this stream:", "",
            "> " + stream["reason"], "", "## Next step", ""]
    if readme_cells and len(readme_cells) > 1 and readme_cells[1] not in ("—", "-", ""):
        out += [readme_cells[1][0].upper() + readme_cells[1][1:] + ".", ""]
    out += ["What tcpdiag said for the example (`tcpdiag.next_step`):", "", "> " + stream["next_step"], "",
            "---", "Generated by `tools/docs/make_verdict_pages.py` from the capture above.", ""]
    return "\n".join(out)


def essentials(text):
    """A page without what another Wireshark version words differently (the Info column of the
    listing): the frame numbers, the evidence marks and every line outside the listing stay."""
    out, listing = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            listing = not listing
        elif listing:
            number = line.split()[0] if line.split() else ""
            line = number + (" <== " + line.split("<==", 1)[1].strip() if "<==" in line else "")
        out.append(line)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", default=None, help="tcpdiag.so (default: the one in build/)")
    parser.add_argument("--out", default=os.path.join(TOP, "docs", "verdicts"))
    parser.add_argument("--check", action="store_true",
                        help="write nothing; fail when a committed page differs from what the captures give "
                        "(the Info column, worded by each Wireshark version, aside)")
    args = parser.parse_args()
    plugin = args.plugin or (glob.glob(os.path.join(TOP, "build", "plugins", "*", "epan", "tcpdiag.so")) or [None])[0]
    if not plugin:
        sys.exit("make_verdict_pages: build first (tools/build.sh)")
    rules = table_rows(os.path.join(TOP, "docs", "verdicts.md"))
    readme = table_rows(os.path.join(TOP, "README.md"))
    os.makedirs(args.out, exist_ok=True)
    stale = []
    with Tshark(plugin) as tshark:
        for verdict in MEANING:
            capture, expected_path = pick_capture(verdict)
            stream, match, listing = example(tshark, verdict, capture)
            text = page(verdict, rules.get(verdict, []), readme.get(verdict, []), capture, expected_path, stream,
                        match, listing)
            path = os.path.join(args.out, verdict + ".md")
            if args.check:
                current = open(path).read() if os.path.exists(path) else ""
                if essentials(current) != essentials(text):
                    stale.append(os.path.relpath(path, TOP))
                continue
            with open(path, "w") as f:
                f.write(text)
            print("%s: %s stream %s" % (verdict, os.path.relpath(capture, TOP), stream["stream"]))
    if stale:
        print("FAIL: out of date with the captures: %s; run tools/docs/make_verdict_pages.py" % ", ".join(stale))
        return 1
    if args.check:
        print("OK: %d verdict pages match the captures" % len(MEANING))
    return 0


if __name__ == "__main__":
    sys.exit(main())
