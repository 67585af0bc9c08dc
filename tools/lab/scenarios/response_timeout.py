"""The server's application never answers; the client gives up after its own 4-second timeout."""

from .base import SERVER_PORT, SMTP_PORT, Conn, Scenario, Seen

WAIT = "recv:4"  # the client's application timeout: recv gives up after 4 s (over the 3 s default)

SCENARIO = Scenario(
    name="response_timeout",
    summary="The server's application reads each request and never answers (its TCP acknowledges "
            "them). One client aborts after waiting 4 s (SO_LINGER 0: RST), one closes with FIN after "
            "4 s, and one waits 4 s on port 25 (SMTP, a server that should speak first) for a "
            "greeting the server never sends, then closes.",
    conns=[
        Conn(40001, SERVER_PORT, ["send:ignore slow query", WAIT, "abort"],
             Seen("response_timeout", "client", why="the request is acknowledged, no answer for 4 s, then "
                                                   "the client's RST"),
             Seen("response_timeout", "client", why="the same, seen at the server"),
             "a request the server never answers; the client aborts"),
        Conn(40002, SERVER_PORT, ["send:ignore slow query", WAIT, "close", "wait:0.2"],
             Seen("response_timeout", why="no answer for 4 s, then the client's FIN"),
             Seen("response_timeout", why="the same, seen at the server"),
             "a request the server never answers; the client closes"),
        Conn(40003, SMTP_PORT, [WAIT, "close", "wait:0.2"],
             Seen("response_timeout", why="no greeting for 4 s after the handshake, then the client's FIN"),
             Seen("response_timeout", why="the same, seen at the server"),
             "the client waits for a greeting the server never sends"),
        Conn(40004, SERVER_PORT, [WAIT, "close", "wait:0.2"],
             Seen("graceful_close", why="the same wait on port 8080, whose server does not speak first: a "
                                       "spare connection opened and closed unused (a browser's preconnect)"),
             Seen("graceful_close", why="the same, seen at the server"),
             "the client opens a connection to an HTTP port and closes it unused"),
    ],
    listeners=[(SERVER_PORT, None), (SMTP_PORT, None)],
    linger=0.5,
)

# 40001 and 40002 sent a request and got nothing back; 40003 and 40004 sent nothing after the handshake.
SCENARIO.stages = {40001: "request", 40002: "request", 40003: "established", 40004: "established"}
