"""Two ordinary connections: request, reply, FIN from both sides."""

from .base import GRACEFUL_CLIENT_FIRST, GRACEFUL_SERVER_FIRST, SERVER_PORT, Conn, Scenario, Seen

GRACEFUL = Seen("graceful_close")

SCENARIO = Scenario(
    name="graceful_close",
    summary="Two connections exchange a request and a reply and close with FIN from both sides: "
            "40001 the server closes first, 40002 the client closes first.",
    conns=[
        Conn(40001, SERVER_PORT, GRACEFUL_SERVER_FIRST, GRACEFUL, GRACEFUL,
             "the server sends its FIN first"),
        Conn(40002, SERVER_PORT, GRACEFUL_CLIENT_FIRST, GRACEFUL, GRACEFUL,
             "the client sends its FIN first"),
    ],
)

# Requests and replies both ways before the FINs.
SCENARIO.stages = {40001: "exchange", 40002: "exchange"}
