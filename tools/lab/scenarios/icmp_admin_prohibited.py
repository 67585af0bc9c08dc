"""A firewall rejects the SYN with ICMP "administratively prohibited" (type 3 code 13)."""

from .base import SERVER_PORT, Conn, Path, Scenario, Seen

FILTERED_PORT = 8083  # listening, but the server's own firewall rejects it

SCENARIO = Scenario(
    name="icmp_admin_prohibited",
    summary="40001: the router rejects the SYN to 8080 with ICMP admin-prohibited from its own "
            "address 10.1.0.1, so the server never sees it. 40002: the server's host firewall "
            "rejects the SYN to 8083 with the same ICMP, from the server's address. Linux aborts "
            "connect() at once on either ICMP (EHOSTUNREACH), without retrying.",
    rules=[("router", "iptables -A FORWARD -p tcp --syn --dport 8080 "
                      "-j REJECT --reject-with icmp-admin-prohibited"),
           ("server", f"iptables -A INPUT -p tcp --syn --dport {FILTERED_PORT} "
                      "-j REJECT --reject-with icmp-admin-prohibited")],
    listeners=[(SERVER_PORT, None), (FILTERED_PORT, None)],
    conns=[
        Conn(40001, SERVER_PORT, [],
             Seen("icmp_unreachable", "path", why="the SYN, then ICMP 3/13 from 10.1.0.1"), None,
             "the router rejects the SYN"),
        Conn(40002, FILTERED_PORT, [],
             Seen("icmp_unreachable", "server", why="the SYN, then ICMP 3/13 from 10.2.0.2"),
             Seen("icmp_unreachable", "server", why="the SYN arrives, ICMP 3/13 leaves"),
             "the server's own firewall rejects the SYN"),
    ],
    paths={40001: Path("dropped_in_path", why="the router rejects the SYN: it never reaches the server"),
           40002: Path("no_response_confirmed", why="the SYN reaches the server, whose firewall rejects it")},
)
