#!/usr/bin/python3
"""Make real captures of every tcpdiag failure mode with the Linux TCP stack in namespaces.

    sudo /usr/bin/python3 tools/lab/run_lab.py --out testdata/lab             # every scenario
    sudo /usr/bin/python3 tools/lab/run_lab.py --out /tmp/x --scenario refused --scenario nat
    /usr/bin/python3 tools/lab/run_lab.py --list

For each scenario it writes <out>/<scenario>.client.pcapng and .server.pcapng (captured at the
same time at both ends) and the matching .expected files, then checks with tshark that each
capture shows what its .expected file claims. Exit status 0 only if every check passed.
"""

import argparse
import os
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # run as root: leave no root-owned __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import checks  # noqa: E402
import scenarios  # noqa: E402
import topology  # noqa: E402
from expected import write_expected  # noqa: E402
from runner import run_scenario  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="directory for the captures and .expected files")
    parser.add_argument("--scenario", action="append", metavar="NAME",
                        help="run only this scenario (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--no-check", action="store_true", help="skip the tshark checks")
    parser.add_argument("--expectations-only", action="store_true",
                        help="only rewrite the .expected and .twopoint files in --out, from the scenarios "
                             "(no capture, no root)")
    args = parser.parse_args()
    if not args.list and not args.out:
        parser.error("--out is required")
    unknown = set(args.scenario or []) - set(scenarios.NAMES)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))} (see --list)")
    return args


def stop_on_signal(signum, _frame):
    # Turn SIGTERM/SIGHUP into an exception so every `finally` and `with` tears the lab down.
    raise SystemExit(128 + signum)


def main():
    args = parse_args()
    if args.list:
        for sc in scenarios.all_scenarios():
            print(f"{sc.name:<24} {sc.summary}")
        return 0
    if args.expectations_only:
        for name in args.scenario or scenarios.NAMES:
            write_expected(scenarios.load(name), args.out)
        return 0
    if os.geteuid() != 0:
        sys.exit("run_lab.py needs root (network namespaces, iptables, tcpdump): use sudo")
    # Ctrl-C raises KeyboardInterrupt even when started in the background, where SIGINT would be
    # ignored; SIGTERM and SIGHUP end the run the same orderly way.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop_on_signal)
    os.makedirs(args.out, exist_ok=True)
    topology.remove_stale_namespaces()
    names = args.scenario or scenarios.NAMES
    failures = 0
    started = time.monotonic()
    for name in names:
        sc = scenarios.load(name)
        print(f"{name}:", flush=True)
        try:
            seconds = run_scenario(sc, args.out)
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            # The lab is already torn down; go on with the next scenario.
            print(f"  FAILED: {exc}", flush=True)
            failures += 1
            continue
        problems = [] if args.no_check else checks.check_scenario(sc, args.out)
        for problem in problems:
            print(f"  CHECK FAILED: {problem}")
        failures += bool(problems)
        print(f"  {'ok' if not problems else 'FAILED'} ({seconds:.1f} s)", flush=True)
    print(f"{time.monotonic() - started:.0f} s")
    print(f"lab: {len(names) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        # The namespaces and everything in them are already gone (see topology.Lab).
        sys.exit("interrupted: lab torn down")
