#!/usr/bin/env python3
"""Checks the per-packet fields the way analysts use them, on one capture:
- in two passes every packet of a stream carries the stream's final verdict (as the table says),
  and `tcpdiag.verdict == "<v>"` selects exactly the packets of the streams with that verdict;
- in a single pass the packets carry a provisional verdict;
- the fields are the same whether or not the tcpdiag item itself is asked for;
- -T json and -T ek carry the fields; -z expert lists the evidence; tcpdiag.evidence marks frames.
Which packet belongs to which stream comes from Wireshark's own tcp.stream / udp.stream."""
import argparse
import collections
import json
import sys

from tshark_runner import Tshark

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL: " + message)


def fields(tshark, capture, names, extra=()):
    args = ["-r", capture] + list(extra) + ["-T", "fields", "-E", "occurrence=a", "-E", "separator=\t"]
    for n in names:
        args += ["-e", n]
    out = tshark.run(args).stdout
    return [dict(zip(names, line.split("\t"))) for line in out.splitlines()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--capture", required=True)
    args = parser.parse_args()
    with Tshark(args.plugin) as tshark:
        capture = tshark.stage(args.capture)
        table = tshark.streams(capture, two_pass=True)
        verdict_of = {(r["transport"], r["stream"]): r["verdict"] for r in table}
        check(table, "the table lists no stream")

        # Wireshark's own view of which frames belong to which stream.
        members = collections.defaultdict(set)
        for row in fields(tshark, capture, ["frame.number", "tcp.stream", "udp.stream"]):
            for transport in ("tcp", "udp"):
                for index in filter(None, row[transport + ".stream"].split(",")):
                    if (transport, index) in verdict_of:
                        members[(transport, index)].add(row["frame.number"])

        # Two passes: final verdict on every packet.
        shown = fields(tshark, capture, ["frame.number", "tcpdiag.transport", "tcpdiag.stream", "tcpdiag.verdict",
                                         "tcpdiag.provisional"], ["-2"])
        by_frame = {r["frame.number"]: r for r in shown}
        for key, frames in members.items():
            for f in frames:
                r = by_frame[f]
                pairs = list(zip(r["tcpdiag.transport"].split(","), r["tcpdiag.stream"].split(","),
                                 r["tcpdiag.verdict"].split(",")))
                check((key[0], key[1], verdict_of[key]) in pairs,
                      "frame %s of %s stream %s shows %s, table says %s" % (f, key[0], key[1], pairs, verdict_of[key]))
                check(set(r["tcpdiag.provisional"].split(",")) <= {"0", "False"},
                      "frame %s is provisional in a two-pass run" % f)

        # In a tree nobody sees (a filter's, a column's) the fields are added without the tcpdiag
        # item, unless "tcpdiag" itself is asked for: the values are the same either way, and a
        # filter on "tcpdiag" finds every frame that shows a verdict.
        names = ["frame.number", "tcpdiag.transport", "tcpdiag.stream", "tcpdiag.verdict", "tcpdiag.reason",
                 "tcpdiag.evidence", "tcpdiag.failure"]
        bare = fields(tshark, capture, names, ["-2"])
        with_item = [{n: r[n] for n in names} for r in fields(tshark, capture, ["tcpdiag"] + names, ["-2"])]
        differing = [a["frame.number"] for a, b in zip(bare, with_item) if a != b]
        check(len(bare) == len(with_item) and not differing,
              "fields differ with and without the tcpdiag item asked for, frames %s" % differing[:10])
        shown_frames = {r["frame.number"] for r in bare if r["tcpdiag.verdict"]}
        found = {r["frame.number"] for r in fields(tshark, capture, ["frame.number"], ["-2", "-Y", "tcpdiag"])}
        check(shown_frames <= found,
              "filter tcpdiag misses frames %s" % sorted(shown_frames - found, key=int)[:10])

        # The display filter selects exactly the packets of the streams with that verdict.
        for verdict in sorted(set(verdict_of.values())):
            selected = {r["frame.number"] for r in fields(
                tshark, capture, ["frame.number"], ["-2", "-Y", 'tcpdiag.verdict == "%s"' % verdict])}
            wanted = set().union(*[members[k] for k, v in verdict_of.items() if v == verdict])
            check(wanted <= selected, "filter %s misses frames %s" % (verdict, sorted(wanted - selected, key=int)[:10]))
            stray = {f for f in selected - wanted
                     if verdict not in by_frame[f]["tcpdiag.verdict"].split(",")}
            check(not stray, "filter %s selects frames of other streams: %s" % (verdict, sorted(stray, key=int)[:10]))
            print("filter tcpdiag.verdict == \"%s\": %d frames" % (verdict, len(selected)))

        # Each text field asked for alone (its strings are built only when referenced) is the
        # table's, and a filter on it selects its stream's packets.
        texts = {"tcpdiag.client": "client", "tcpdiag.server": "server", "tcpdiag.history": "history",
                 "tcpdiag.reason": "reason", "tcpdiag.capture_flaws": "capture_flaws"}
        row_of = {(r["transport"], r["stream"]): r for r in table}
        for field, column in texts.items():
            # "|" between the values of a frame's streams: the texts hold commas themselves.
            alone = fields(tshark, capture, ["frame.number", "tcpdiag.transport", "tcpdiag.stream", field],
                           ["-2", "-E", "aggregator=|"])
            for r in alone:
                if not r["tcpdiag.stream"]:
                    continue
                for transport, stream, value in zip(r["tcpdiag.transport"].split("|"), r["tcpdiag.stream"].split("|"),
                                                    r[field].split("|")):
                    expected = row_of[(transport, stream)][column]
                    check(value == expected or (not value and expected in ("", "-")),
                          "frame %s: %s alone is %r, the table says %r" % (r["frame.number"], field, value[:60],
                                                                          expected[:60]))
        pick = table[len(table) // 2]
        key = (pick["transport"], pick["stream"])
        selected = {r["frame.number"] for r in fields(
            tshark, capture, ["frame.number"], ["-2", "-Y", 'tcpdiag.client == "%s"' % pick["client"]])}
        check(members[key] <= selected, "filter tcpdiag.client == %s misses frames of its stream" % pick["client"])

        # A single pass shows the verdict known so far, flagged provisional.
        single = fields(tshark, capture, ["frame.number", "tcpdiag.verdict", "tcpdiag.provisional"])
        marked = [r for r in single if r["tcpdiag.verdict"]]
        check(marked and all(set(r["tcpdiag.provisional"].split(",")) <= {"1", "True"} for r in marked),
              "single-pass packets are not all flagged provisional")

        # Evidence frames exist for every failure stream, and -z expert reports them.
        evidence = fields(tshark, capture, ["tcpdiag.stream", "tcpdiag.evidence"], ["-2", "-Y", "tcpdiag.evidence"])
        check(evidence, "no frame carries tcpdiag.evidence")
        expert = tshark.run(["-r", capture, "-2", "-q", "-z", "expert"]).stdout
        failures_in_table = [r for r in table if r["verdict"] not in ("graceful_close", "open")]
        check(not failures_in_table or "tcpdiag" in expert.lower() or "TCPDIAG" in expert,
              "-z expert lists nothing from tcpdiag")

        # JSON and EK outputs carry the fields.
        js = json.loads(tshark.run(["-r", capture, "-2", "-T", "json", "-j", "tcpdiag"]).stdout)
        check(any("tcpdiag.verdict" in json.dumps(p) for p in js), "-T json has no tcpdiag.verdict")
        ek = tshark.run(["-r", capture, "-2", "-T", "ek", "-j", "tcpdiag"]).stdout.splitlines()
        check(any("tcpdiag_tcpdiag_verdict" in line or "tcpdiag.verdict" in line for line in ek),
              "-T ek has no tcpdiag verdict")
        # A filter after the format keeps only the streams with a matching packet.
        tcp_rows = [r for r in table if r["transport"] == "tcp"]
        if tcp_rows:
            pick = tcp_rows[len(tcp_rows) // 2]
            out = tshark.run(["-r", capture, "-q", "-z", "tcpdiag,streams,tsv,tcp.stream==%s" % pick["stream"]]).stdout
            listed = [line.split("\t")[0] for line in out.splitlines()[1:] if line.strip()]
            check(listed == [pick["stream"]], "tcpdiag,streams,tsv,tcp.stream==%s lists %s" % (pick["stream"], listed))

        # Disabled, the plugin adds nothing (and asks Wireshark for nothing).
        off = fields(tshark, capture, ["tcpdiag.verdict"], ["-2", "--disable-protocol", "tcpdiag"])
        check(not any(r["tcpdiag.verdict"] for r in off), "--disable-protocol tcpdiag still shows verdicts")
    print("FAIL (%d)" % len(failures) if failures else "OK")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
