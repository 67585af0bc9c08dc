"""What a scenario is: connections with their client steps and the verdict each end must show."""

from dataclasses import dataclass, field
from typing import Callable, Optional

import topology as topo

SERVER_PORT = 8080      # listening
CLOSED_PORT = 8081      # nothing listens: the kernel refuses
UDP_CLOSED_PORT = 3343  # nothing listens: ICMP port unreachable
UDP_ECHO_PORT = 3344    # answers, so no verdict
GREETING_PORT = 8085    # the server speaks first (apps.py GREETING_PORT)
SMTP_PORT = 25          # a service whose server should speak first (tcpdiag.greeting_ports); no greeting here


@dataclass(frozen=True)
class Seen:
    """The verdict one capture must give a stream, and why from that end's point of view."""
    verdict: str
    reset_by: str = "none"
    why: str = ""
    cause: str = ""  # the tcpdiag.cause it must have; none when empty
    # Its tcpdiag.loss_point. By default after_capture for a loss (the lab's losses are the router's
    # drops, between the two capture points: each end that shows the loss holds the lost segments),
    # none otherwise.
    loss_point: Optional[str] = None

    @property
    def expected_loss_point(self):
        if self.loss_point is not None:
            return self.loss_point
        return "after_capture" if self.verdict in ("data_loss", "handshake_loss") else ""


@dataclass(frozen=True)
class Path:
    """What comparing the two captures must say about a connection (tcpdiag.peer.verdict and the
    header fields changed on the way, as named by tcpdiag.peer.changed)."""
    verdict: str = "same_at_both_ends"
    changed: str = "-"
    why: str = ""


SAME_PATH = Path(why="nothing between the two capture points touches it")
DROPPED_SYNS = Path("dropped_in_path", why="the router drops the SYNs: the client sent them, the server "
                                           "never saw them")


# The stream shows in that capture but must get no verdict (a UDP exchange without ICMP error).
UNREPORTED = Seen("-", "-")


@dataclass
class Conn:
    sport: int                 # the client's source port: names the stream in .expected
    dport: int
    steps: list
    client: Optional[Seen]     # at the client-side capture; None: the stream is absent there
    server: Optional[Seen]     # at the server-side capture; None: the stream is absent there
    note: str = ""             # what happens to it: a comment above the stream in .expected
    proto: str = "tcp"
    ipv6: bool = False

    @property
    def client_addr(self):
        return topo.CLIENT6 if self.ipv6 else topo.CLIENT4

    @property
    def server_addr(self):
        return topo.SERVER6 if self.ipv6 else topo.SERVER4

    def plan(self):
        """The connection as apps.py client takes it."""
        return {"proto": self.proto, "src": self.client_addr, "sport": self.sport,
                "dst": self.server_addr, "dport": self.dport, "steps": list(self.steps)}


@dataclass
class Scenario:
    name: str
    summary: str
    conns: list
    # Shell-style commands run inside a namespace before the captures start: (role, command).
    rules: list = field(default_factory=list)
    # Extra server listeners: (port, SO_RCVBUF or None).
    listeners: list = field(default_factory=lambda: [(SERVER_PORT, None)])
    udp_echo: bool = False
    # Per-namespace sysctls on top of topology.ROLE_SYSCTLS: {role: {name: value}}.
    sysctls: dict = field(default_factory=dict)
    # Seconds to keep capturing after every connection has finished its steps.
    linger: float = 0.5
    # The client's address as the server sees it (None: unchanged; NAT changes it).
    client_addr_at_server: Optional[str] = None
    # Called when a connection reaches a "pause" step: on_pause(lab, conn).
    on_pause: Optional[Callable] = None
    # Scenario-specific capture checks: check(client_pkts, server_pkts) -> list of problems.
    check: Optional[Callable] = None
    # What the two-point comparison must say, by the client's source port (others: SAME_PATH).
    paths: dict = field(default_factory=dict)
    # How far each conversation got (tcpdiag.stage), by the client's source port, at both ends:
    # what the steps did, for the connections whose stage is checked (others: not checked).
    stages: dict = field(default_factory=dict)

    def conn(self, sport):
        return next(c for c in self.conns if c.sport == sport)

    def path(self, conn):
        return self.paths.get(conn.sport, SAME_PATH)


# ---- step recipes (see apps.py for the step language) ----------------------------------------------

# The server closes first; the client answers with its own FIN.
GRACEFUL_SERVER_FIRST = ["send:hello", "recv", "send:bye", "recv", "recv-eof", "close"]
# The client closes first; the server answers with its own FIN.
GRACEFUL_CLIENT_FIRST = ["send:hello", "recv", "send:wait-bye", "recv", "close", "wait:0.2"]
# Connect to a closed port: connect() fails with ECONNREFUSED, no step runs.
REFUSED = []
# The server reads the request and aborts (SO_LINGER 0).
APP_RESET = ["send:hello", "recv", "send:abort", "recv", "close"]
# The server replies, then closes while the client's next request sits unread.
APP_RESET_UNREAD = ["send:unread", "recv", "send:more data the server never reads",
                    "recv", "close"]
# After a first exchange the client sends a request the router drops (string LOSEME); the client
# retransmits until tcp_retries2 gives up (recv fails with ETIMEDOUT), then closes silently.
DATA_LOSS_SILENT = ["send:hello", "recv", "send:LOSEME request", "recv", "close"]
# Unanswered SYNs: connect() fails with ETIMEDOUT after tcp_syn_retries.
UNANSWERED = []
# Server stops reading; the client writes until the window is zero and keeps the socket open.
STALL = ["send:stall", "flood:1", "hold"]
# One UDP datagram and a short wait for an answer.
UDP_ONE = ["send:ping", "recv:1"]

LOSS_MARK = "LOSEME"  # the router drops every segment carrying this string


def drop_marked(role="router", chain="FORWARD"):
    """A firewall rule that drops every packet carrying LOSS_MARK (data and its retransmissions)."""
    return (role, f"iptables -A {chain} -p tcp -m string --string {LOSS_MARK} --algo bm -j DROP")
