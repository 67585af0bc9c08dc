"""The server's own firewall drops the SYNs after they arrived."""

from .base import SERVER_PORT, UNANSWERED, Conn, Path, Scenario, Seen

SCENARIO = Scenario(
    name="no_response",
    summary="The server listens on 8080 but its host firewall (INPUT chain) drops the SYNs. The "
            "server-side capture sees them arrive with TTL 63 (64 minus the router's hop); the "
            "client sees them leave with TTL 64 and no answer.",
    rules=[("server", "iptables -A INPUT -p tcp --syn --dport 8080 -j DROP")],
    conns=[
        Conn(40001, SERVER_PORT, UNANSWERED,
             Seen("handshake_loss", why="3 SYNs with the initial TTL 64, no answer: nothing "
                                        "tells this end that they arrived"),
             Seen("no_response", why="the same 3 SYNs arrived with TTL 63, no answer"),
             "the server's firewall drops the SYNs after the capture point"),
    ],
    paths={40001: Path("no_response_confirmed", why="the SYNs reach the server's capture point; its "
                                                           "firewall drops them")},
)

# The SYNs are never answered.
SCENARIO.stages = {40001: "handshake"}
