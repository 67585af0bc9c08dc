"""The router rejects the SYN with ICMP "host unreachable" (type 3 code 1)."""

from .base import SERVER_PORT, Conn, Path, Scenario, Seen

SCENARIO = Scenario(
    name="icmp_host_unreachable",
    summary="The router rejects the SYN to 8080 with ICMP host-unreachable from its own address "
            "10.1.0.1; the server never sees it. connect() fails at once with EHOSTUNREACH.",
    rules=[("router", "iptables -A FORWARD -p tcp --syn --dport 8080 "
                      "-j REJECT --reject-with icmp-host-unreachable")],
    conns=[
        Conn(40001, SERVER_PORT, [],
             Seen("icmp_unreachable", "path", why="the SYN, then ICMP 3/1 from 10.1.0.1"), None,
             "the router rejects the SYN"),
    ],
    paths={40001: Path("dropped_in_path", why="the router cannot deliver the SYN")},
)
