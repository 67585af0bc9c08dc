"""The server stops reading; the client fills the window until it is zero and stays zero."""

from .base import SERVER_PORT, STALL, Conn, Scenario, Seen

SCENARIO = Scenario(
    name="zero_window_stall",
    summary="The server (SO_RCVBUF 4096) reads the first line and then stops reading; the client "
            "writes for 1 s until the server advertises a zero window, then keeps the connection. "
            "The window stays zero until the captures stop, with the client's zero-window probes "
            "(backing off 0.2, 0.4, 0.8, 1.6, 3.2 s) answered by zero-window ACKs: the last probe "
            "comes more than 6 s after the window closed.",
    listeners=[(SERVER_PORT, 4096)],
    # Long enough to capture the probe about 6.4 s after the window closed: the stall then
    # lasts over 4 s from the first zero window to the last packet of the stream.
    linger=6.5,
    conns=[
        Conn(40001, SERVER_PORT, STALL, Seen("zero_window_stall"), Seen("zero_window_stall"),
             "the server's window stays zero until the capture ends"),
    ],
)

# The client writes; the server never answers.
SCENARIO.stages = {40001: "request"}
