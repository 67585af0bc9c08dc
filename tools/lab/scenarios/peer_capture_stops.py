"""The server-side capture stops in the middle of a connection that goes on to close normally."""

import time

from .base import SERVER_PORT, Conn, Path, Scenario, Seen


def stop_server_capture(lab, conn):
    time.sleep(0.3)  # the reply's ACK reaches the server's capture first
    lab.captures["server"].stop()


SCENARIO = Scenario(
    name="peer_capture_stops",
    summary="After a first request and reply, the capture at the server is stopped (its interface "
            "statistics block records when); the connection then goes on: a second request, the "
            "server's reply and FIN, the client's FIN. The client-side capture has it all, the "
            "server-side capture only the handshake and the first exchange.",
    conns=[
        Conn(40001, SERVER_PORT, ["send:hello", "recv", "pause", "send:bye", "recv", "recv-eof", "close"],
             Seen("graceful_close", why="both FINs sent and acknowledged"),
             Seen("open", why="the capture ended after the first exchange, with the connection open"),
             "the server's capture stops after the first exchange; the connection closes normally later"),
    ],
    on_pause=stop_server_capture,
    paths={40001: Path("not_covered", why="every packet sent while both captures ran was seen at both "
                                          "ends; the second request, the reply and the close were sent "
                                          "after the server's capture had stopped")},
)
