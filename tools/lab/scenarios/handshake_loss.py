"""The router drops the client's SYNs: the server never sees the connection."""

from .base import DROPPED_SYNS, SERVER_PORT, UNANSWERED, Conn, Scenario, Seen

SCENARIO = Scenario(
    name="handshake_loss",
    summary="The router drops every SYN to port 8080. The client sends its SYN and 2 "
            "retransmissions (tcp_syn_retries=2, 1 s then 2 s apart) and gives up after about 7 s; "
            "the server, which listens, never sees them.",
    rules=[("router", "iptables -A FORWARD -p tcp --syn --dport 8080 -j DROP")],
    conns=[
        Conn(40001, SERVER_PORT, UNANSWERED,
             Seen("handshake_loss", why="3 SYNs with TTL 64, no answer"), None,
             "the router drops the SYN and its retransmissions"),
    ],
    paths={40001: DROPPED_SYNS},
)

# The SYNs are never answered.
SCENARIO.stages = {40001: "handshake"}
