"""A SYN to a port where nothing listens: the server's kernel answers RST+ACK."""

from .base import CLOSED_PORT, REFUSED, Conn, Scenario, Seen

SCENARIO = Scenario(
    name="refused",
    summary="The client connects to port 8081 of the server, where nothing listens; the server's "
            "kernel answers the SYN with RST+ACK and connect() fails with ECONNREFUSED.",
    conns=[
        Conn(40001, CLOSED_PORT, REFUSED, Seen("refused", "server"), Seen("refused", "server"),
             "SYN answered by the server's RST, no SYN/ACK"),
    ],
)

# The SYN is answered by a RST.
SCENARIO.stages = {40001: "handshake"}
