"""Thirty connections of every kind at once, as in a busy capture."""

from .base import (APP_RESET, APP_RESET_UNREAD, CLOSED_PORT, DATA_LOSS_SILENT, DROPPED_SYNS,
                   GRACEFUL_CLIENT_FIRST, GRACEFUL_SERVER_FIRST, REFUSED, SERVER_PORT, STALL,
                   UDP_CLOSED_PORT, UDP_ONE, UNANSWERED, Conn, Path, Scenario, Seen, drop_marked)

STALL_PORT = 8082      # a listener with a small receive buffer
REJECTED_PORT = 8090   # the router rejects SYNs with ICMP admin-prohibited
BLACKHOLE_PORT = 8091  # the router drops SYNs

GRACEFUL = Seen("graceful_close")
REFUSED_SEEN = Seen("refused", "server")
SERVER_RESET = Seen("app_reset", "server")


def conns():
    out = []
    for i in range(10):
        steps = GRACEFUL_SERVER_FIRST if i % 2 == 0 else GRACEFUL_CLIENT_FIRST
        out.append(Conn(40001 + i, SERVER_PORT, steps, GRACEFUL, GRACEFUL, "graceful"))
    for i in range(5):
        out.append(Conn(40011 + i, CLOSED_PORT, REFUSED, REFUSED_SEEN, REFUSED_SEEN, "refused"))
    for i in range(3):
        out.append(Conn(40016 + i, SERVER_PORT, APP_RESET, SERVER_RESET, SERVER_RESET,
                        "the server aborts after the request"))
    for i in range(3):
        out.append(Conn(40019 + i, SERVER_PORT, APP_RESET_UNREAD, SERVER_RESET, SERVER_RESET,
                        "the server closes with unread data"))
    for i in range(3):
        out.append(Conn(40022 + i, SERVER_PORT, DATA_LOSS_SILENT, Seen("data_loss"), Seen("open"),
                        "second request dropped by the router, client gives up in silence"))
    for i in range(2):
        out.append(Conn(40025 + i, BLACKHOLE_PORT, UNANSWERED, Seen("handshake_loss"), None,
                        "SYNs dropped by the router"))
    for i in range(2):
        out.append(Conn(40027 + i, REJECTED_PORT, [], Seen("icmp_unreachable", "path"), None,
                        "SYN rejected by the router with ICMP admin-prohibited"))
    out.append(Conn(40029, STALL_PORT, STALL, Seen("zero_window_stall"),
                    Seen("zero_window_stall"), "the server stops reading: zero window"))
    out.append(Conn(40030, UDP_CLOSED_PORT, UDP_ONE, Seen("port_unreachable", "server"),
                    Seen("port_unreachable", "server"), "UDP to a closed port", proto="udp"))
    return out


SCENARIO = Scenario(
    name="busy_mixed",
    summary="30 connections started at the same moment: 10 graceful, 5 refused, 3 aborted by the "
            "server, 3 closed by the server with unread data, 3 whose second request the router "
            "drops, 2 whose SYNs the router drops, 2 rejected by the router with ICMP, 1 "
            "zero-window stall, 1 UDP datagram to a closed port.",
    rules=[drop_marked(),
           ("router", f"iptables -A FORWARD -p tcp --syn --dport {BLACKHOLE_PORT} -j DROP"),
           ("router", f"iptables -A FORWARD -p tcp --syn --dport {REJECTED_PORT} "
                      "-j REJECT --reject-with icmp-admin-prohibited")],
    listeners=[(SERVER_PORT, None), (STALL_PORT, 4096)],
    # The handshake losses end the scenario after about 7 s; a little more lets the stall's
    # zero-window probe at about 6.4 s into both captures.
    linger=1.0,
    conns=conns(),
    paths={**{40022 + i: Path("dropped_in_path", why="marked segments dropped by the router") for i in range(3)},
           **{40025 + i: DROPPED_SYNS for i in range(2)},
           **{40027 + i: Path("dropped_in_path", why="the router rejects the SYN") for i in range(2)}},
)
