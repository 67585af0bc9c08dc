"""Loss the stack recovers from: the router drops every 10th data segment; retransmissions repair
each loss and the connection closes normally, so no end may call it data loss.

The drops come from iptables' statistic match in nth mode rather than tc/netem: it needs no
extra kernel module, and the same packets are dropped on every run."""

from .base import SERVER_PORT, Conn, Path, Scenario, Seen

BULK = "x" * 60000  # about 42 full segments each way (the server echoes the line back)

SCENARIO = Scenario(
    name="loss_recovered",
    summary="A 60 kB request and its 60 kB echo cross a router that drops every 10th data segment "
            "(iptables statistic nth); the stacks retransmit, every loss is repaired, and the "
            "connection closes with FIN from both sides.",
    rules=[("router", "iptables -A FORWARD -p tcp -m length --length 500:65535 "
                      "-m statistic --mode nth --every 10 --packet 5 -j DROP")],
    conns=[
        Conn(40001, SERVER_PORT, [f"send:{BULK}", "recv", "send:bye", "recv", "recv-eof", "close"],
             Seen("graceful_close", why="retransmissions repaired every loss"),
             Seen("graceful_close", why="the lost segments arrived late, retransmitted"),
             "every 10th data segment is dropped by the router and retransmitted"),
    ],
)


def check(client_pkts, server_pkts):
    """The loss really happened (the client retransmitted) and both captures end with FINs."""
    problems = []
    if not any(p.proto == "tcp" and p.retrans for p in client_pkts):
        problems.append("client capture: no retransmission, so no loss was repaired")
    for end, pkts in (("client", client_pkts), ("server", server_pkts)):
        fins = {p.sport for p in pkts if p.proto == "tcp" and p.fin}
        if fins != {40001, SERVER_PORT}:
            problems.append(f"{end} capture: FIN from ports {sorted(fins)}, expected both")
    return problems


SCENARIO.check = check
SCENARIO.paths = {40001: Path("dropped_in_path", why="every 10th data segment is dropped by the router; the "
                                               "retransmissions get through")}
