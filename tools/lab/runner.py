"""Runs one scenario: fresh namespaces, rules, server, both captures, client, teardown."""

import json
import os
import shlex
import subprocess
import sys
import time

import topology as topo
from capture import Capture
from expected import write_expected
from procio import LineReader
from scenarios.base import UDP_ECHO_PORT

APPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps.py")
PYTHON = sys.executable  # run_lab.py is started with /usr/bin/python3; the apps use the same
SCENARIO_TIMEOUT = 50.0  # no scenario needs more (idle_timeout: 37 s); beyond this something hangs


def start_server(lab, sc):
    argv = [PYTHON, APPS, "server"]
    for port, rcvbuf in sc.listeners:
        suffix = f":{rcvbuf}" if rcvbuf else ""
        argv += ["--listen", f"{topo.SERVER4}:{port}{suffix}",
                 "--listen", f"[{topo.SERVER6}]:{port}{suffix}"]
    if sc.udp_echo:
        argv += ["--udp-echo", f"{topo.SERVER4}:{UDP_ECHO_PORT}",
                 "--udp-echo", f"[{topo.SERVER6}]:{UDP_ECHO_PORT}"]
    proc = lab.popen("server", argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    line = LineReader(proc.stdout).get(time.monotonic() + 5, "the server to listen")
    if line != "ready":
        raise RuntimeError(f"server said {line!r}")


def drive_client(lab, sc, log):
    """Run every connection of the scenario at once and answer their pauses; return when all
    connections have finished their steps."""
    plan = json.dumps([conn.plan() for conn in sc.conns])
    proc = lab.popen("client", [PYTHON, APPS, "client", plan], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, text=True)
    output = LineReader(proc.stdout)
    pending = {conn.sport for conn in sc.conns}
    deadline = time.monotonic() + SCENARIO_TIMEOUT
    while pending:
        words = output.get(deadline, f"connections {sorted(pending)}").split()
        sport = int(words[1])
        if words[0] == "paused":
            sc.on_pause(lab, sc.conn(sport))
            proc.stdin.write(f"resume {sport}\n")
            proc.stdin.flush()
        elif words[0] == "done":
            pending.discard(sport)
            log(f"  {sport}: {' '.join(words[2:])}")


def mark_both_captures(lab):
    """One ping from the client to the server: a packet at both capture points that shows both
    were running then. Two-point comparison only claims a packet was lost (or forged) while the
    other capture was known to be running, so each scenario starts and ends with this mark."""
    lab.run("client", ["ping", "-c1", "-W1", topo.SERVER4], check=False)


def run_scenario(sc, out_dir, log=print):
    """Make <out_dir>/<name>.{client,server}.{pcapng,expected}."""
    started = time.monotonic()
    with topo.Lab(sc.sysctls) as lab:
        for role, command in sc.rules:
            lab.run(role, shlex.split(command))
        start_server(lab, sc)
        captures = [Capture(lab, end, ifname, f"{out_dir}/{sc.name}.{end}.pcapng",
                            f"tcpdiag lab scenario {sc.name}, captured at the {end}")
                    for end, ifname in (("client", topo.CLIENT_IF), ("server", topo.SERVER_IF))]
        # A scenario's on_pause may stop a capture early (lab.captures["server"].stop()).
        lab.captures = dict(zip(("client", "server"), captures))
        try:
            for cap in captures:
                cap.start()
            mark_both_captures(lab)
            drive_client(lab, sc, log)
            # Let the last segments (final ACKs, zero-window probes) reach both captures.
            time.sleep(sc.linger)
            mark_both_captures(lab)
            for cap in captures:
                if not cap.stopped:
                    cap.wait_for_marks(2)
                    cap.stop()
        finally:
            for cap in captures:
                cap.discard()
    write_expected(sc, out_dir)
    return time.monotonic() - started
