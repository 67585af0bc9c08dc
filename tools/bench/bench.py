#!/usr/bin/python3
"""Time tshark with tcpdiag against the same tshark without it, on the same capture, in one run.

    /usr/bin/python3 tools/bench/bench.py --plugin build/plugins/4.0/epan/tcpdiag.so --rounds 3 CAPTURE...

Four runs per round, their order alternating from round to round so drift hits all alike:
  plugin      tshark -2 -q -z io,stat,0                      (tcpdiag analyses every packet)
  plain       the same with --disable-protocol tcpdiag
  streams     tshark -q -z tcpdiag,streams,tsv               (the plugin's stream table)
  conv        tshark -q -z conv,tcp --disable-protocol tcpdiag   (Wireshark's own table)
Prints wall time, CPU time (user + sys) and peak RSS of each (median over the rounds), the
ratios, and what the plugin adds per stream and per packet. Figures only: nothing passes or fails.
tshark runs unprivileged as the integration tests run it (tests/integration/tshark_runner.py):
the capture must be readable by uid 65534.
"""

import argparse
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "integration"))
from tshark_runner import Tshark  # noqa: E402

RUNS = {
    "plugin": ["-2", "-q", "-z", "io,stat,0"],
    "plain": ["-2", "-q", "-z", "io,stat,0", "--disable-protocol", "tcpdiag"],
    "streams": ["-q", "-z", "tcpdiag,streams,tsv"],
    "conv": ["-q", "-z", "conv,tcp", "--disable-protocol", "tcpdiag"],
}


def measure(tshark, capture, args):
    """Wall seconds, CPU seconds, peak RSS in MiB and stdout of one tshark run."""
    out, wall, cpu, rss = tshark.run_measured(["-r", capture] + args)
    return wall, cpu, rss / 1048576.0, out


def stream_count(tsv):
    lines = tsv.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("stream\ttransport\t"))
    return sum(1 for line in lines[start + 1:] if line.strip())


def packet_count(capture):
    out = subprocess.run(["capinfos", "-c", "-M", capture], capture_output=True, text=True, check=True).stdout
    return int(out.strip().splitlines()[-1].split(":")[-1].replace(",", ""))


def bench(tshark, capture, rounds, names):
    results = {name: [] for name in names}
    streams = 0
    order = list(names)
    for r in range(rounds):
        for name in (order if r % 2 == 0 else order[::-1]):
            wall, cpu, rss, out = measure(tshark, capture, RUNS[name])
            results[name].append((wall, cpu, rss))
            if name == "streams":
                streams = stream_count(out)
            print("  round %d %-8s wall %7.2f s  cpu %7.2f s  rss %8.1f MiB" % (r + 1, name, wall, cpu, rss),
                  file=sys.stderr, flush=True)
    if "streams" not in names:  # counted apart, outside the measured runs
        streams = stream_count(tshark.run(["-r", capture, "-q", "-z", "tcpdiag,streams,tsv"], timeout=None).stdout)
    return {name: tuple(statistics.median(v[i] for v in runs) for i in range(3))
            for name, runs in results.items()}, streams


def report(capture, packets, streams, m):
    print("\n%s: %d packets, %d streams (median of the rounds)" % (os.path.basename(capture), packets, streams))
    print("  %-8s %9s %9s %11s" % ("run", "wall s", "cpu s", "peak MiB"))
    for name in m:
        print("  %-8s %9.2f %9.2f %11.1f" % ((name,) + m[name]))
    for a, b in (("plugin", "plain"), ("streams", "conv")):
        if a not in m or b not in m:
            continue
        print("  %s / %s: wall %.3f  cpu %.3f  peak memory %.3f" %
              (a, b, m[a][0] / m[b][0], m[a][1] / m[b][1], m[a][2] / m[b][2]))
    if "plugin" not in m or "plain" not in m:
        return
    added = (m["plugin"][2] - m["plain"][2]) * 1024 * 1024
    print("  memory tcpdiag adds: %.1f MiB, %.0f bytes per stream, %.1f bytes per packet" %
          (added / 1048576, added / max(streams, 1), added / max(packets, 1)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plugin", required=True, help="the built tcpdiag.so")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", default=",".join(RUNS),
                        help="which runs, comma-separated (default: %(default)s); the 10M-packet figures use plugin,plain")
    parser.add_argument("captures", nargs="+")
    args = parser.parse_args()
    names = args.runs.split(",")
    unknown = set(names) - set(RUNS)
    if unknown:
        parser.error("unknown runs: %s" % ", ".join(sorted(unknown)))
    with Tshark(os.path.abspath(args.plugin)) as tshark:
        print("tshark: %s" % subprocess.run(["tshark", "--version"], capture_output=True, text=True)
              .stdout.splitlines()[0])
        for capture in args.captures:
            capture = os.path.abspath(capture)
            print("%s ..." % capture, file=sys.stderr, flush=True)
            medians, streams = bench(tshark, capture, args.rounds, names)
            report(capture, packet_count(capture), streams, medians)


if __name__ == "__main__":
    main()
