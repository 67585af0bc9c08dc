"""A stateful firewall forgets connections idle for 20 s; the next request after 32 s of silence
meets a firewall that drops it, or one that answers it with a RST in the server's name."""

from .base import SERVER_PORT, Conn, Path, Scenario, Seen

IDLE_S = 32
IDLE = f"wait:{IDLE_S}"  # over the router's 20 s timeout and the 30 s default of idle_timeout_s
RESET_PORT = 40002  # the client port whose stateless segments the router answers with a RST

SCENARIO = Scenario(
    name="idle_timeout",
    summary="The router is a stateful firewall: conntrack forgets an established connection after "
            "20 s without packets (nf_conntrack_tcp_timeout_established), takes up no connection "
            "midstream (nf_conntrack_tcp_loose 0), and drops segments of connections it does not "
            f"know; for client port {RESET_PORT} it answers them with a RST in the server's name "
            "(REJECT --reject-with tcp-reset). Clients 40001 and 40002 make a first request/reply, "
            "wait 32 s, and send a second request; for 40003 the server takes 32 s to answer the second "
            "request, its answer meets the firewall, and the client aborts after 36 s.",
    rules=[("router", "iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT"),
           ("router", "iptables -A FORWARD -p tcp --syn -m conntrack --ctstate NEW -j ACCEPT"),
           ("router", f"iptables -A FORWARD -p tcp --sport {RESET_PORT} -m conntrack --ctstate INVALID "
                      "-j REJECT --reject-with tcp-reset"),
           ("router", "iptables -A FORWARD -p tcp -m conntrack --ctstate INVALID -j DROP"),
           ("router", "sysctl -q -w net.netfilter.nf_conntrack_tcp_loose=0"),
           ("router", "sysctl -q -w net.netfilter.nf_conntrack_tcp_timeout_established=20")],
    conns=[
        Conn(40001, SERVER_PORT, ["send:hello", "recv", IDLE, "send:hello", "recv", "close"],
             Seen("data_loss", why="the request after 32 s of silence and its retransmissions, never "
                                   "acknowledged (the firewall drops them), then silence", cause="idle_timeout"),
             Seen("open", why="the first exchange, then nothing: the second request never got past the "
                              "firewall"),
             "idle 32 s; the firewall has forgotten the connection and drops the next request"),
        Conn(RESET_PORT, SERVER_PORT, ["send:hello", "recv", IDLE, "send:hello", "recv", "close"],
             Seen("injected_reset", "path", why="the RST answering the request after 32 s of silence "
                                                "comes with the router's TTL 64, the server's packets "
                                                "with 127", cause="idle_timeout"),
             Seen("open", why="the first exchange, then nothing: the second request never got past the "
                              "firewall"),
             "idle 32 s; the firewall has forgotten the connection and resets the next request"),
        Conn(40003, SERVER_PORT,
             ["send:hello", "recv", f"send:delayed {IDLE_S} slow answer", "recv:36", "abort"],
             Seen("response_timeout", "client",
                  why="the second request is acknowledged and no answer comes in 36 s; then the client's RST "
                      "(a FIN would be lost in the firewall and resent: data_loss)"),
             Seen("data_loss", cause="idle_timeout",
                  why="the answer, sent after 32 s of silence, and its retransmissions are never acknowledged "
                      "(the firewall drops them), then silence"),
             "the server answers after 32 s; the firewall has forgotten the connection and drops the answer"),
    ],
    paths={40001: Path("dropped_in_path", why="the firewall drops the request after the idle gap: sent by "
                                              "the client, never seen at the server"),
           RESET_PORT: Path("injected_in_path", why="the firewall drops the request and forges the RST: the "
                                                    "RST was never sent by the server"),
           40003: Path("dropped_in_path", why="the firewall drops the late answer: sent by the server, never "
                                              "seen at the client")},
)

# A first request/reply before the silence.
SCENARIO.stages = {40001: "exchange", RESET_PORT: "exchange", 40003: "exchange"}
