#!/usr/bin/env python3
"""tshark loads the plugin: the protocol, its fields, preferences and the -z table are registered."""
import argparse
import sys

from tshark_runner import Tshark

FIELDS = ["tcpdiag.verdict", "tcpdiag.stream", "tcpdiag.reset_by", "tcpdiag.reason", "tcpdiag.next_step",
          "tcpdiag.syn_retransmissions", "tcpdiag.data_retransmissions", "tcpdiag.evidence_frame",
          "tcpdiag.evidence", "tcpdiag.provisional", "tcpdiag.history", "tcpdiag.client", "tcpdiag.server"]
PREFS = ["tcpdiag.syn_retransmissions_threshold", "tcpdiag.data_retransmissions_threshold",
         "tcpdiag.zero_window_threshold_ms", "tcpdiag.response_timeout_ms", "tcpdiag.capture_point"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    args = parser.parse_args()
    problems = []
    with Tshark(args.plugin) as tshark:
        plugins = tshark.run(["-G", "plugins"]).stdout
        loaded = [line for line in plugins.splitlines() if "tcpdiag.so" in line]
        if not loaded:
            problems.append("tshark -G plugins does not list tcpdiag.so")
        elif not all(tshark.plugin_dir in line for line in loaded):
            problems.append("tshark loaded a tcpdiag.so other than the one under test: %s" % loaded)
        registered = {line.split("\t")[2] for line in tshark.run(["-G", "fields"]).stdout.splitlines()
                      if line.count("\t") >= 2}
        problems += ["field %s is not registered" % f for f in FIELDS if f not in registered]
        prefs = tshark.run(["-G", "defaultprefs"]).stdout
        problems += ["preference %s is missing" % p for p in PREFS if p not in prefs]
        listing = tshark.run(["-z", "help"], check=False)
        taps = listing.stdout + listing.stderr
        problems += ["-z help does not list " + z for z in ("tcpdiag,streams", "tcpdiag,summary") if z not in taps]
    for p in problems:
        print("FAIL: " + p)
    print("FAIL" if problems else "OK: plugin, %d fields, %d preferences, -z tcpdiag,streams and tcpdiag,summary" % (len(FIELDS), len(PREFS)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
