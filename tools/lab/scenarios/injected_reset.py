"""The router forges a reset in the server's name."""

from .base import SERVER_PORT, Conn, Path, Scenario, Seen

SCENARIO = Scenario(
    name="injected_reset",
    summary="After a first request/reply, the client sends a request containing BLOCKME; a "
            "router rule drops it and answers the client with a forged RST from the server's "
            "address (REJECT --reject-with tcp-reset). The forged RST leaves the router with TTL "
            "64, the server's own packets reach the client with TTL 127 (128 minus one hop). The "
            "server never hears of it.",
    rules=[("router", "iptables -A FORWARD -p tcp -m string --string BLOCKME --algo bm "
                      "-j REJECT --reject-with tcp-reset")],
    conns=[
        Conn(40001, SERVER_PORT, ["send:hello", "recv", "send:BLOCKME", "recv", "close"],
             Seen("injected_reset", "path",
                  why="a RST without ACK from 10.2.0.2 with TTL 64; every earlier packet from "
                      "10.2.0.2 had TTL 127"),
             Seen("open", why="only the handshake and the first exchange arrived; the server "
                              "still holds the connection"),
             "the router drops the BLOCKME request and forges a RST to the client"),
    ],
    paths={40001: Path("injected_in_path", why="the RST the client receives never left the server, and the "
                                                      "BLOCKME request never reached it")},
)

# A first request/reply before the blocked request.
SCENARIO.stages = {40001: "exchange"}
