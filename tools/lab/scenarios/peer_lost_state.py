"""The server's socket vanishes without a word; the client's next segment meets a bare RST."""

from .base import SERVER_PORT, Conn, Scenario, Seen

# `ss -K` destroys the socket and sends RST+ACK itself: drop outgoing RSTs while it runs, so the
# client hears nothing, as after a reboot or a crashed middlebox that held the connection.
DROP_RST = ["OUTPUT", "-p", "tcp", "--tcp-flags", "RST", "RST", "-j", "DROP"]


def destroy_server_socket(lab, conn):
    lab.run("server", ["iptables", "-I"] + DROP_RST)
    try:
        killed = lab.run("server", ["ss", "-K", "-t", "-n", "state", "established",
                                    "(", "sport", "=", f":{conn.dport}", "and",
                                    "dport", "=", f":{conn.sport}", ")"])
    finally:
        lab.run("server", ["iptables", "-D"] + DROP_RST)
    if f":{conn.sport}" not in killed.stdout:
        raise RuntimeError(f"ss -K found no connection from port {conn.sport}: {killed.stdout}")


SCENARIO = Scenario(
    name="peer_lost_state",
    summary="After a first request/reply the server's socket is destroyed with ss -K (its own "
            "RST+ACK dropped by a temporary OUTPUT rule). The client's next request reaches a "
            "server that no longer knows the connection: its kernel answers with a RST without "
            "ACK (sequence number taken from the segment's ACK field).",
    conns=[
        Conn(40001, SERVER_PORT, ["send:hello", "recv", "pause", "send:hello", "recv", "close"],
             Seen("peer_lost_state", "server"), Seen("peer_lost_state", "server"),
             "the request after the socket was destroyed is answered by a RST without ACK, with "
             "the server's usual TTL"),
    ],
    on_pause=destroy_server_socket,
)

# A first request/reply before the socket was destroyed.
SCENARIO.stages = {40001: "exchange"}
