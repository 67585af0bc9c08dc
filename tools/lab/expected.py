"""Writes <scenario>.<end>.expected from the scenario's own knowledge of each connection."""

import textwrap

import topology as topo
from scenarios.base import SAME_PATH, UNREPORTED

CAPTURE_POINT = {"client": (topo.CLIENT_IF, "the client's veth"),
                 "server": (topo.SERVER_IF, "the server's veth")}


def endpoint(addr, port):
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def client_addr_at(sc, conn, end):
    if end == "server" and sc.client_addr_at_server and not conn.ipv6:
        return sc.client_addr_at_server
    return conn.client_addr


def stream_row(proto, client, server, verdict, reset_by, cause="", loss_point="", stage=""):
    row = f"{proto:<7} {client:<20} {server:<20} {verdict:<18} {reset_by}"
    for name, value in (("cause", cause), ("loss_point", loss_point), ("stage", stage)):
        row += f" {name}={value}" if value else ""
    return row


def comment(text):
    return ["# " + line for line in textwrap.wrap(text, 94)]


def expected_text(sc, end):
    ifname, where = CAPTURE_POINT[end]
    out = [f"# tcpdiag lab scenario {sc.name}: capture taken at the {end} ({ifname}, {where}).",
           *comment(sc.summary),
           "# Made by tools/lab/run_lab.py; each verdict follows from what the scenario did to",
           "# the connection (tools/lab/scenarios/), by the rules in docs/verdicts.md.",
           "#",
           stream_row("# proto", "client", "server", "verdict", "reset_by")]
    last_note = None
    for conn in sc.conns:
        seen = getattr(conn, end)
        client = endpoint(client_addr_at(sc, conn, end), conn.sport)
        server = endpoint(conn.server_addr, conn.dport)
        # A run of connections with the same story (busy_mixed) gets it once, above the run.
        if conn.note != last_note:
            out += ["#"] + comment(conn.note)
            last_note = conn.note
        if seen is None:
            out += comment(f"absent here: {conn.proto} {client} -> {server}")
        elif seen is UNREPORTED:
            out += comment(f"no verdict: {conn.proto} {client} -> {server}")
        else:
            out += comment(f"here: {seen.why}") if seen.why else []
            out.append(stream_row(conn.proto, client, server, seen.verdict, seen.reset_by, seen.cause,
                                  seen.expected_loss_point, sc.stages.get(conn.sport, "")))
    return "\n".join(out) + "\n"


OTHER_END = {"client": "server", "server": "client"}


def two_point_row(kind, proto, client, server, verdict, changed):
    return f"{kind:<7} {proto:<5} {client:<20} {server:<20} {verdict:<22} {changed}"


def two_point_text(sc, end):
    """What tcpdiag must say with this end's capture open and the other end's as peer capture."""
    other = OTHER_END[end]
    out = [f"# tcpdiag lab scenario {sc.name}: the {end}-side capture compared with the {other}-side capture",
           f"# (tshark -r {sc.name}.{end}.pcapng -2 -o tcpdiag.peer_capture:{sc.name}.{other}.pcapng).",
           "# 'stream' rows: tcpdiag.peer.verdict and the fields changed on the way (tcpdiag.peer.changed,",
           "# over the whole stream). 'only' rows: a stream only the peer capture has, sent toward this end.",
           "# Made by tools/lab/run_lab.py from what the scenario did (tools/lab/scenarios/).",
           "#",
           "# " + two_point_row("kind", "proto", "client", "server", "path_verdict", "changed")]
    for conn in sc.conns:
        here, there = getattr(conn, end), getattr(conn, other)
        server = endpoint(conn.server_addr, conn.dport)
        path = sc.path(conn)
        if here is UNREPORTED:
            continue  # no verdict, so no row in tcpdiag's table
        if here is not None:
            client = endpoint(client_addr_at(sc, conn, end), conn.sport)
            out += comment(path.why) if path is not SAME_PATH else []
            out.append(two_point_row("stream", conn.proto, client, server, path.verdict, path.changed))
        elif here is None and there is not None:
            client = endpoint(client_addr_at(sc, conn, other), conn.sport)
            out += comment(f"never reached the {end}: {path.why}")
            out.append(two_point_row("only", conn.proto, client, server, "-", "-"))
    return "\n".join(out) + "\n"


def write_expected(sc, out_dir):
    for end in ("client", "server"):
        with open(f"{out_dir}/{sc.name}.{end}.expected", "w") as f:
            f.write(expected_text(sc, end))
        with open(f"{out_dir}/{sc.name}.{end}.twopoint", "w") as f:
            f.write(two_point_text(sc, end))
