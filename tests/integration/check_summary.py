#!/usr/bin/env python3
"""`-z tcpdiag,summary` agrees with `-z tcpdiag,streams` on every given capture.

Both tables come from the same tshark run. The summary counts each stream once, under the verdict
it has at its latest tapped packet; the streams table is computed once the whole file is read.
- In two passes (-2) the tapped verdicts are final: the tables must agree exactly.
- In a single pass a stream whose verdict changes after its last packet (a stall that outlasts the
  threshold only by the capture's end time) could be counted under its earlier verdict; the check
  requires agreement there too and names any stream where that happens.
Per verdict: the number of streams, the three busiest server ports and addresses and every stage the
streams reached (most streams first, ties in text order), computed here independently from the
streams table. Per capture flaw
(table "Streams per capture flaw"): the TCP streams whose `capture_flaws` column names it, or whose
`captured` column is that half, in two passes; per cause and loss point (table "Streams per cause and
loss point"): the TCP streams whose `cause` or `loss_point` column has it, in two passes.
"""
import argparse
import collections
import csv
import io
import sys

from tshark_runner import Tshark

BUSIEST = 3


FLAWS = ("duplicates", "capture_gaps", "truncated", "client_only", "server_only")
CAUSES = ("idle_timeout", "mtu_black_hole", "after_capture", "before_capture")


def parse_summary(out, table="Streams per verdict"):
    """{verdict: (streams, ports text, addresses text, stages text)} from tshark's stat-table output."""
    lines = out.splitlines()
    try:
        start = lines.index(table) + 1
    except ValueError:
        raise RuntimeError("no %r table in tshark's output:\n%s" % (table, out))
    rows = {}
    for line in lines[start:]:
        if line.startswith("====") or "|" not in line:  # the end, or the next table's title
            break
        cells = [c.strip() for c in line.split("|")]
        rows[cells[0]] = (int(cells[1]), cells[2], cells[3], cells[4])
    return rows


def parse_streams(out):
    start = out.find("stream\ttransport\t")
    if start < 0:
        raise RuntimeError("no streams table in tshark's output:\n" + out)
    table = out[start:].split("\n\n", 1)[0]  # other -z outputs may follow
    return list(csv.DictReader(io.StringIO(table), delimiter="\t", quoting=csv.QUOTE_NONE))


def split_endpoint(text):
    """"10.0.0.1:80" or "[fd00::1]:80" -> (address, port)"""
    address, port = text.rsplit(":", 1)
    return address.strip("[]"), port


def busiest(counter, n=BUSIEST):
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return ", ".join("%s (%d)" % kv for kv in ranked)


def expected_summary(streams):
    count = collections.Counter()
    ports = collections.defaultdict(collections.Counter)
    addresses = collections.defaultdict(collections.Counter)
    stages = collections.defaultdict(collections.Counter)
    for row in streams:
        verdict = row["verdict"]
        address, port = split_endpoint(row["server"])
        if row["transport"] == "udp":
            port += "/udp"
        count[verdict] += 1
        ports[verdict][port] += 1
        addresses[verdict][address] += 1
        stages[verdict][row["stage"]] += 1
    return {v: (count[v], busiest(ports[v]), busiest(addresses[v]), busiest(stages[v], None)) for v in count}


def compare(name, summary, streams):
    problems = []
    expected = expected_summary(streams)
    for verdict in sorted(set(summary) | set(expected)):
        got = summary.get(verdict)
        want = expected.get(verdict, (0, "", "", ""))
        if got is None:
            problems.append("%s: verdict %s missing from the summary" % (name, verdict))
        elif got != want:
            problems.append("%s: %s summary %r, streams table gives %r" % (name, verdict, got, want))
    if sum(v[0] for v in summary.values()) != len(streams):
        problems.append("%s: the summary counts %d streams, the streams table lists %d"
                        % (name, sum(v[0] for v in summary.values()), len(streams)))
    return problems


def flaw_counts(streams):
    """{capture flaw: TCP streams with it}, from the streams table's columns."""
    tcp = [row for row in streams if row["transport"] == "tcp"]
    return {flaw: sum(1 for row in tcp if flaw in row["capture_flaws"].split(",") or row["captured"] == flaw)
            for flaw in FLAWS}


def compare_flaws(name, out, streams):
    got = {flaw: row[0] for flaw, row in parse_summary(out, "Streams per capture flaw").items()}
    want = flaw_counts(streams)
    return [] if got == want else ["%s: capture flaws %r, streams table gives %r" % (name, got, want)]


def cause_counts(streams):
    """{cause or loss point: TCP streams with it}, from the streams table's columns."""
    tcp = [row for row in streams if row["transport"] == "tcp"]
    return {mark: sum(1 for row in tcp if mark in (row["cause"], row["loss_point"])) for mark in CAUSES}


def compare_causes(name, out, streams):
    got = {mark: row[0] for mark, row in parse_summary(out, "Streams per cause and loss point").items()}
    want = cause_counts(streams)
    return [] if got == want else ["%s: causes and loss points %r, streams table gives %r" % (name, got, want)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("captures", nargs="+")
    args = parser.parse_args()
    problems, checked = [], 0
    with Tshark(args.plugin) as tshark:
        for capture in args.captures:
            for two_pass in (False, True):
                cmd = ["-r", tshark.stage(capture), "-q", "-z", "tcpdiag,summary", "-z", "tcpdiag,streams,tsv"]
                if two_pass:
                    cmd.insert(0, "-2")
                out = tshark.run(cmd).stdout
                name = "%s (%s)" % (capture.split("testdata/")[-1], "two passes" if two_pass else "one pass")
                problems += compare(name, parse_summary(out), parse_streams(out))
                if two_pass:
                    problems += compare_flaws(name, out, parse_streams(out))
                    problems += compare_causes(name, out, parse_streams(out))
                checked += 1
        # A filter picks the streams with a matching packet, in both tables alike.
        capture = tshark.stage(args.captures[0])
        out = tshark.run(["-2", "-r", capture, "-q", "-z", "tcpdiag,summary,tcpdiag.failure",
                          "-z", "tcpdiag,streams,tsv,tcpdiag.failure"]).stdout
        streams = parse_streams(out)
        problems += compare("filtered on tcpdiag.failure", parse_summary(out), streams)
        if any(row["verdict"] in ("graceful_close", "open", "incomplete") for row in streams):
            problems.append("the tcpdiag.failure filter let a stream that did not fail through")
    for p in problems:
        print("FAIL: " + p)
    print("FAIL" if problems else "OK: summary agrees with the streams table in %d runs" % checked)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
