#!/usr/bin/env python3
"""A SYN flood: a million SYNs from spoofed sources to one server, among 2000 ordinary flows
(tools/bench/gen_capture.py, fixed seed). Wireshark opens a stream for every spoofed SYN and so
does tcpdiag; what matters is that its memory stays in proportion and its verdicts stay sensible:
  - every spoofed SYN is `incomplete` (nothing conclusive, not a failure);
  - every ordinary stream has the verdict it has in the same capture without the flood;
  - the memory tcpdiag adds per flood stream is at most what Wireshark itself keeps per stream
    (peak RSS of tshark with and without the plugin, with and without the flood).
The memory figures are printed."""
import argparse
import os
import subprocess
import sys

from tshark_runner import SANITIZER_RUNTIME, Tshark

FLOOD_SERVER = "10.251.0.1:9101"
# The flows span about 2 s and the flood (one SYN per microsecond) 1 s of it: the capture ends
# at the same moment with and without the flood.
SEED, FLOWS, FLOW_PACKETS = 7, 2000, 40000


def generate(tshark, generator, name, flood):
    path = os.path.join(tshark.workdir, name)
    subprocess.run(["/usr/bin/python3", generator, "--packets", str(FLOW_PACKETS + flood), "--streams", str(FLOWS),
                    "--seed", str(SEED), "--syn-flood", str(flood), "--flood-interval-us", "1", "-o", path], check=True, capture_output=True)
    os.chmod(path, 0o644)
    return path


def peak_memory(tshark, capture, plugin):
    args = ["-r", capture, "-q", "-z", "io,stat,0"] + ([] if plugin else ["--disable-protocol", "tcpdiag"])
    return tshark.run_measured(args)[3]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--generator", required=True, help="tools/bench/gen_capture.py")
    # Under the sanitizers tshark is several times slower: a fifth of the flood keeps CI reasonable.
    parser.add_argument("--syns", type=int, default=200000 if SANITIZER_RUNTIME else 1000000)
    args = parser.parse_args()
    problems = []
    with Tshark(args.plugin) as tshark:
        quiet = generate(tshark, args.generator, "flows.pcap", 0)
        flooded = generate(tshark, args.generator, "flood.pcap", args.syns)

        ordinary = {(r["client"], r["server"]): (r["verdict"], r["reset_by"]) for r in tshark.streams(quiet)}
        flood_rows, seen = 0, 0
        for r in tshark.streams(flooded):
            key = (r["client"], r["server"])
            if r["server"] == FLOOD_SERVER:
                flood_rows += 1
                if r["verdict"] != "incomplete" and len(problems) < 10:
                    problems.append("spoofed SYN %s: %s, expected incomplete" % (r["client"], r["verdict"]))
            elif key in ordinary:
                seen += 1
                if ordinary[key] != (r["verdict"], r["reset_by"]):
                    problems.append("%s -> %s: %s/%s in the flood, %s/%s without it" %
                                    (key + (r["verdict"], r["reset_by"]) + ordinary[key]))
            else:
                problems.append("unexpected stream %s -> %s in the flood" % key)
        if seen != len(ordinary):
            problems.append("%d ordinary streams in the flood, %d without it" % (seen, len(ordinary)))
        # Random sources may repeat a 4-tuple now and then: Wireshark then sees one stream.
        if flood_rows < args.syns * 0.999:
            problems.append("%d spoofed streams for %d SYNs" % (flood_rows, args.syns))

        memory = {(c, p): peak_memory(tshark, c, p) for c in (quiet, flooded) for p in (True, False)}
        wireshark = (memory[flooded, False] - memory[quiet, False]) / args.syns
        tcpdiag = ((memory[flooded, True] - memory[flooded, False]) - (memory[quiet, True] - memory[quiet, False])) \
            / args.syns
        print("%d spoofed SYNs: tshark keeps %.0f bytes per stream, tcpdiag adds %.0f (peak %.0f MiB with "
              "tcpdiag, %.0f MiB without)" % (args.syns, wireshark, tcpdiag, memory[flooded, True] / 1048576,
                                              memory[flooded, False] / 1048576))
        # Under ASan every allocation carries redzones and a quarantine: the figures are printed,
        # but they measure the sanitizer's allocator, not tcpdiag's memory, so only the plain
        # build holds tcpdiag to tshark's own cost per stream.
        if tcpdiag > wireshark and not SANITIZER_RUNTIME:
            problems.append("tcpdiag adds %.0f bytes per stream, more than tshark's own %.0f" % (tcpdiag, wireshark))
    for p in problems:
        print("FAIL: " + p)
    print("FAIL" if problems else "OK: %d spoofed SYNs, %d ordinary streams unchanged" % (flood_rows, len(ordinary)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
