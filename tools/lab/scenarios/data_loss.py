"""The router drops data in one direction after a first good exchange."""

from .base import DATA_LOSS_SILENT, LOSS_MARK, SERVER_PORT, Conn, Path, Scenario, Seen, drop_marked

SCENARIO = Scenario(
    name="data_loss",
    summary="After the handshake and a first request/reply, the router drops every segment "
            f"carrying the string {LOSS_MARK}. The sender retransmits it until tcp_retries2=4 gives "
            "up after about 6 s; Linux then falls silent (no RST), unless the application aborts.",
    rules=[drop_marked()],
    conns=[
        Conn(40001, SERVER_PORT, DATA_LOSS_SILENT,
             Seen("data_loss", why="the request and its 5 retransmissions, never acknowledged, "
                                   "then silence"),
             Seen("open", why="only the handshake and the first exchange arrived; the server "
                              "still holds the connection"),
             "the client's second request is lost; the client gives up without a word"),
        Conn(40002, SERVER_PORT,
             ["send:hello", "recv", f"send:late {LOSS_MARK.lower()} reply", "recv:8", "hold"],
             Seen("open", why="the second request was acknowledged, the reply never came; the "
                              "client still holds the connection"),
             Seen("data_loss", why="the reply and its retransmissions, never acknowledged, then "
                                   "silence"),
             "the server's second reply is lost; the server gives up without a word"),
        Conn(40003, SERVER_PORT,
             ["send:hello", "recv", f"send:{LOSS_MARK} request", "wait:3.5", "abort"],
             Seen("data_loss", "client",
                  why="the request and its retransmissions, then the client's RST+ACK; the "
                      "server's challenge ACK is answered by a bare RST"),
             Seen("data_loss", "client", loss_point="before_capture",
                  why="no retransmission arrived, but the client's RST+ACK carries a sequence "
                      "number 15 bytes beyond what the server received and acknowledged: data "
                      "was sent and lost before the server's capture point. (The server sends a "
                      "challenge ACK, RFC 5961, and the client, whose socket is gone, answers it "
                      "with a RST without ACK)"),
             "the client's second request is lost; after 3.5 s of retransmissions the client "
             "application aborts (SO_LINGER 0)"),
        Conn(40004, SERVER_PORT,
             ["send:hello", "recv", f"send:late-abort {LOSS_MARK.lower()} reply", "recv:8", "close"],
             Seen("data_loss", "server", loss_point="before_capture",
                  why="no retransmission of the reply arrived, but the server's RST+ACK carries a sequence "
                      "number beyond what the client received and acknowledged: data was sent and lost "
                      "before the client's capture point. (The client sends a challenge ACK and the "
                      "server, whose socket is gone, answers it with a RST without ACK)"),
             Seen("data_loss", "server",
                  why="the reply and its retransmissions, never acknowledged, then the server's RST+ACK"),
             "the server's second reply is lost; after 3.5 s of retransmissions the server "
             "application aborts (SO_LINGER 0)"),
    ],
    paths={sport: Path("dropped_in_path", why="the router drops the marked segments: sent at one end, "
                                                "never seen at the other") for sport in (40001, 40002, 40003, 40004)},
)

# A first request/reply before the lost segment.
SCENARIO.stages = {sport: "exchange" for sport in (40001, 40002, 40003, 40004)}
