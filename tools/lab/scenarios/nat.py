"""The router masquerades the client: the server sees the router's address."""

import topology as topo

from .base import (CLOSED_PORT, GRACEFUL_SERVER_FIRST, REFUSED, SERVER_PORT, Conn, Path, Scenario,
                   Seen)

SCENARIO = Scenario(
    name="nat",
    summary="The router masquerades 10.1.0.0/24 behind its own address 10.2.0.1 (source ports are "
            "kept). The client-side capture shows 10.1.0.2, the server-side capture 10.2.0.1, "
            "for the same two connections: one graceful, one refused.",
    rules=[("router", "iptables -t nat -A POSTROUTING -o rs -s 10.1.0.0/24 -j MASQUERADE")],
    client_addr_at_server=topo.ROUTER4_S,
    conns=[
        Conn(40001, SERVER_PORT, GRACEFUL_SERVER_FIRST, Seen("graceful_close"),
             Seen("graceful_close"), "closed normally through the NAT"),
        Conn(40002, CLOSED_PORT, REFUSED, Seen("refused", "server"), Seen("refused", "server"),
             "refused through the NAT"),
    ],
    paths={sport: Path(changed="address", why="the router translates the client's address, nothing else")
           for sport in (40001, 40002)},
)
