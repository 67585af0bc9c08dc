"""The server application closes while the client's data sits unread."""

from .base import APP_RESET_UNREAD, SERVER_PORT, Conn, Scenario, Seen

SCENARIO = Scenario(
    name="app_reset_unread",
    summary="The server replies to the first request, then closes the socket without reading the "
            "client's next request. Closing with unread data makes Linux send RST+ACK instead of "
            "FIN (RFC 2525).",
    conns=[
        Conn(40001, SERVER_PORT, APP_RESET_UNREAD, Seen("app_reset", "server"),
             Seen("app_reset", "server"), "close() with unread data: RST+ACK from the server"),
    ],
)

# The server replied to the first request.
SCENARIO.stages = {40001: "exchange"}
