"""The server application aborts the connection after reading a request."""

from .base import APP_RESET, SERVER_PORT, Conn, Scenario, Seen

SCENARIO = Scenario(
    name="app_reset",
    summary="The server reads the request and closes the socket with SO_LINGER 0: its kernel "
            "sends RST+ACK. Nothing is lost or changed on the way, so both ends see the same.",
    conns=[
        Conn(40001, SERVER_PORT, APP_RESET, Seen("app_reset", "server"),
             Seen("app_reset", "server"), "the server aborts: RST+ACK after the request"),
    ],
)

# The server answered the first request (hello) before the request it resets on.
SCENARIO.stages = {40001: "exchange"}
