"""The router clamps the MSS of SYNs to 1200; the connection is otherwise ordinary."""

from .base import SERVER_PORT, Conn, Path, Scenario, Seen

BIG = "x" * 5000  # several segments each way, so the clamped MSS shows in the segment sizes

SCENARIO = Scenario(
    name="mss_clamp",
    summary="The router rewrites the MSS option of SYN and SYN/ACK to 1200 (TCPMSS --set-mss). "
            "Each end sees its own SYN with MSS 1460 and the peer's with 1200; 5000-byte request "
            "and reply go in segments of at most 1200 bytes, then a graceful close.",
    rules=[("router", "iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN "
                      "-j TCPMSS --set-mss 1200")],
    conns=[
        Conn(40001, SERVER_PORT, [f"send:{BIG}", "recv", "send:bye", "recv", "recv-eof", "close"],
             Seen("graceful_close"), Seen("graceful_close"), "MSS clamped, closed normally"),
    ],
)


def check(client_pkts, server_pkts):
    """Each end sees its own SYN's MSS unchanged and the peer's clamped; no segment exceeds 1200."""
    problems = []
    for end, pkts, own, peer in (("client", client_pkts, 40001, 8080),
                                 ("server", server_pkts, 8080, 40001)):
        syns = {p.sport: p.mss for p in pkts if p.proto == "tcp" and p.syn}
        if syns.get(own) != 1460 or syns.get(peer) != 1200:
            problems.append(f"{end} capture: SYN MSS values {syns}, expected own 1460, peer 1200")
        biggest = max(p.length for p in pkts if p.proto == "tcp")
        if not 1000 < biggest <= 1200:
            problems.append(f"{end} capture: largest segment {biggest} bytes")
    return problems


SCENARIO.check = check
SCENARIO.paths = {40001: Path("modified_in_path", "mss", why="the router rewrites the MSS option of SYN and SYN/ACK")}
