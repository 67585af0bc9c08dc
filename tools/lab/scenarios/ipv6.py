"""A graceful connection and a refused one over IPv6."""

from .base import CLOSED_PORT, GRACEFUL_SERVER_FIRST, REFUSED, SERVER_PORT, Conn, Scenario, Seen

SCENARIO = Scenario(
    name="ipv6",
    summary="Over IPv6 (fd01::2 to fd02::2, server hop limit 128): 40001 exchanges a request and a "
            "reply and closes with FIN from both sides; 40002 connects to port 8081, where nothing "
            "listens, and is refused with RST+ACK.",
    conns=[
        Conn(40001, SERVER_PORT, GRACEFUL_SERVER_FIRST, Seen("graceful_close"),
             Seen("graceful_close"), "closed normally", ipv6=True),
        Conn(40002, CLOSED_PORT, REFUSED, Seen("refused", "server"), Seen("refused", "server"),
             "SYN answered by the server's RST", ipv6=True),
    ],
)
