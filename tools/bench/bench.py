#!/usr/bin/python3
"""Time tshark with tcpdiag against the same tshark without it, on the same capture, in one run.

    /usr/bin/python3 tools/bench/bench.py --plugin build/plugins/4.0/epan/tcpdiag.so --rounds 3 CAPTURE...

Eight runs per round, their order alternating from round to round so drift hits all alike, in
four pairs, each a run with tcpdiag against the same work without it:
  single / single_plain   tshark -q -z io,stat,0 (one pass: tcpdiag merely installed)
  plugin / plain          tshark -2 -q -z io,stat,0 (two passes, nothing asked of tcpdiag)
  filter / filter_tcp     tshark -2 -Y 'tcpdiag.verdict == "app_reset"' against -Y 'tcp.flags.reset == 1'
                          (the display filter the GUI runs over the whole capture)
  streams / conv          tshark -q -z tcpdiag,streams,tsv against -z conv,tcp (the stream tables)
The baselines run with --disable-protocol tcpdiag. Prints wall time, CPU time (user + sys) and peak
RSS of each (median over the rounds), each pair's ratios beside its target, and what the plugin
adds per stream and per packet. Figures only: nothing passes or fails.
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

OFF = ["--disable-protocol", "tcpdiag"]
IO_STAT = ["-q", "-z", "io,stat,0"]  # tshark -q with nothing to print would skip dissection
RUNS = {
    "single": IO_STAT,
    "single_plain": IO_STAT + OFF,
    "plugin": ["-2"] + IO_STAT,
    "plain": ["-2"] + IO_STAT + OFF,
    "filter": ["-2", "-Y", 'tcpdiag.verdict == "app_reset"'] + IO_STAT,
    "filter_tcp": ["-2", "-Y", "tcp.flags.reset == 1"] + IO_STAT + OFF,
    "streams": ["-q", "-z", "tcpdiag,streams,tsv"],
    "conv": ["-q", "-z", "conv,tcp"] + OFF,
}
# (what is compared, run with tcpdiag, its baseline, target ratio)
PAIRS = [
    ("installed, one pass", "single", "single_plain", 1.03),
    ("two passes", "plugin", "plain", 1.03),
    ("filter on a tcpdiag field", "filter", "filter_tcp", 1.05),
    ("streams table", "streams", "conv", 1.05),
]


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
            print("  round %d %-13s wall %7.2f s  cpu %7.2f s  rss %8.1f MiB" % (r + 1, name, wall, cpu, rss),
                  file=sys.stderr, flush=True)
    if "streams" not in names:  # counted apart, outside the measured runs
        streams = stream_count(tshark.run(["-r", capture, "-q", "-z", "tcpdiag,streams,tsv"], timeout=None).stdout)
    return {name: tuple(statistics.median(v[i] for v in runs) for i in range(3))
            for name, runs in results.items()}, streams


def report(capture, packets, streams, m):
    print("\n%s: %d packets, %d streams (median of the rounds)" % (os.path.basename(capture), packets, streams))
    print("  %-13s %9s %9s %11s" % ("run", "wall s", "cpu s", "peak MiB"))
    for name in m:
        print("  %-13s %9.2f %9.2f %11.1f" % ((name,) + m[name]))
    print("  %-26s %-22s %7s %7s %7s %7s" % ("ratio", "runs", "wall", "cpu", "memory", "target"))
    for label, a, b, target in PAIRS:
        if a not in m or b not in m:
            continue
        print("  %-26s %-22s %7.3f %7.3f %7.3f %7.2f" % (label, a + " / " + b, m[a][0] / m[b][0], m[a][1] / m[b][1],
                                                       m[a][2] / m[b][2], target))
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
