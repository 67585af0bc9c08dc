"""A server that speaks first (SMTP, FTP, SSH): its greeting is the only payload of the connection."""

from .base import GREETING_PORT, Conn, Scenario, Seen

SCENARIO = Scenario(
    name="server_speaks_first",
    summary=f"The server on port {GREETING_PORT} sends \"220 ready\" as soon as a connection is accepted. "
            "The client reads the greeting, sends nothing, and closes after 1 s; the server reads the "
            "end of the stream and closes too.",
    listeners=[(GREETING_PORT, None)],
    conns=[
        Conn(40001, GREETING_PORT, ["recv", "wait:1", "close", "wait:0.2"],
             Seen("graceful_close", why="the greeting, then a FIN from each side"),
             Seen("graceful_close", why="the same, seen at the server"),
             "the client reads the greeting and leaves without a word"),
    ],
    stages={40001: "greeting"},
)
