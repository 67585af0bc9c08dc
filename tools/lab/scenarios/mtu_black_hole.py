"""A hop with a smaller MTU that drops large packets without an ICMP answer (an MTU black hole)."""

from .base import SERVER_PORT, Conn, Path, Scenario, Seen

# A request the server echoes in four full-size segments (MSS 1460 less 12 bytes of timestamps).
BIG = "x" * (4 * 1448 - 1)
MAX_IP_LENGTH = 1000  # the router drops the server's packets longer than this, and says nothing
CLIENT_SENDS = 40002  # ... and this client's: the black hole seen from the sending client

SCENARIO = Scenario(
    name="mtu_black_hole",
    summary=f"The router drops every packet from the server longer than {MAX_IP_LENGTH} bytes and sends no "
            "ICMP \"fragmentation needed\" (iptables -m length ... -j DROP), as a tunnel with a small MTU "
            "behind a filter of ICMP does. After a first small request/reply the client sends a "
            "5791-byte line that the server echoes in full-size segments: they and their resends are "
            "dropped, the server gives up after tcp_retries2, the client closes after waiting 8 s and the "
            "server's TCP, which no longer has the connection, resets the client's FIN. For client port "
            f"{CLIENT_SENDS} the router also drops the client's large packets: its large line is lost.",
    rules=[("router", f"iptables -A FORWARD -s 10.2.0.2 -p tcp -m length --length {MAX_IP_LENGTH + 1}:65535 "
                      "-j DROP"),
           ("router", f"iptables -A FORWARD -s 10.1.0.2 -p tcp --sport {CLIENT_SENDS} -m length --length "
                      f"{MAX_IP_LENGTH + 1}:65535 -j DROP")],
    conns=[
        Conn(40001, SERVER_PORT, ["send:hello", "recv", f"send:{BIG}", "recv:8", "close", "wait:0.5"],
             Seen("response_timeout", why="the large request is acknowledged and no byte of the echo arrives "
                                          "in 8 s; then the client's FIN (an answer lost on the way looks the "
                                          "same from the client)"),
             Seen("data_loss", "server", cause="mtu_black_hole",
                  why="the 1448-byte segments of the echo and their resends are never acknowledged, while the "
                      "6-byte hello got through; no ICMP; the server's RST answers the client's FIN after it "
                      "gave up"),
             "the echo of the large request is lost in the black hole"),
        Conn(CLIENT_SENDS, SERVER_PORT, ["send:hello", "recv", f"send:{BIG}", "recv:8", "close"],
             Seen("data_loss", cause="mtu_black_hole",
                  why="the large request's 1448-byte segments and their resends are never acknowledged, while "
                      "the 6-byte hello got through; no ICMP; the client gives up after tcp_retries2"),
             Seen("open", why="only the first exchange arrived"),
             "the client's large request is lost in the black hole"),
    ],
    paths={40001: Path("dropped_in_path", why="the router drops the server's large segments: sent at the "
                                              "server, never seen at the client"),
           CLIENT_SENDS: Path("dropped_in_path", why="the router drops the client's large segments")},
    stages={40001: "exchange", CLIENT_SENDS: "exchange"},
)


def check(client_pkts, server_pkts):
    """The resent segments (the server's, and client CLIENT_SENDS's) are all larger than the router
    lets through, and no ICMP error reaches either end."""
    problems = []
    for end, pkts, sender in (("server", server_pkts, SERVER_PORT), ("client", client_pkts, CLIENT_SENDS)):
        resent = [p for p in pkts if p.proto == "tcp" and p.sport == sender and p.retrans and p.length]
        if not resent or min(p.length for p in resent) + 52 <= MAX_IP_LENGTH:
            problems.append(f"{end} capture: resends from port {sender} {[p.length for p in resent]}, expected "
                            f"all too large for {MAX_IP_LENGTH}-byte packets")
    for end, pkts in (("client", client_pkts), ("server", server_pkts)):
        if any(p.proto == "icmp" for p in pkts):
            problems.append(f"{end} capture: an ICMP error was captured")
    return problems


SCENARIO.check = check
