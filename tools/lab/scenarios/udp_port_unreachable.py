"""UDP to a closed port is answered by ICMP port unreachable; UDP to an open port by nothing."""

from .base import UDP_CLOSED_PORT, UDP_ECHO_PORT, UDP_ONE, UNREPORTED, Conn, Scenario, Seen

SCENARIO = Scenario(
    name="udp_port_unreachable",
    summary="One datagram to UDP port 3343, where nothing listens: the server answers ICMP "
            "port unreachable (type 3 code 3). One datagram to UDP port 3344, an echo service: "
            "a normal answer, which gets no verdict.",
    udp_echo=True,
    conns=[
        Conn(40001, UDP_CLOSED_PORT, UDP_ONE, Seen("port_unreachable", "server"),
             Seen("port_unreachable", "server"), "ICMP port unreachable from the server",
             proto="udp"),
        Conn(40002, UDP_ECHO_PORT, UDP_ONE, UNREPORTED, UNREPORTED,
             "datagram echoed back, no ICMP error", proto="udp"),
    ],
)
