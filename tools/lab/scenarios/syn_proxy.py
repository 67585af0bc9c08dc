"""A SYN proxy on the router answers the handshake for the server, and later resets the
connection itself: two devices speak for the server's address."""

from .base import SERVER_PORT, Conn, Path, Scenario, Seen

PROXY = ("-i rc -p tcp --dport %d" % SERVER_PORT)

SCENARIO = Scenario(
    name="syn_proxy",
    summary="The router runs Linux SYNPROXY for port 8080: it answers the client's SYN itself "
            "(SYN/ACK with TTL 64, the router's own), then opens the connection to the server "
            "and splices the two, translating sequence numbers. The server's own packets reach the "
            "client with TTL 127. After a first exchange the client sends BLOCKME; a router rule "
            "drops it and answers with a RST in the server's name, TTL 64: the handshake's family, "
            "not the data's. The server never hears of it.",
    rules=[("router", f"iptables -t raw -A PREROUTING {PROXY} --syn -j CT --notrack"),
           ("router", f"iptables -A FORWARD {PROXY} -m state --state INVALID,UNTRACKED "
                      "-j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460"),
           ("router", "iptables -A FORWARD -m state --state INVALID -j DROP"),
           ("router", "iptables -A FORWARD -p tcp -m string --string BLOCKME --algo bm "
                      "-j REJECT --reject-with tcp-reset"),
           # Only a handshake SYNPROXY completed may create conntrack state: no mid-stream pickup.
           ("router", "sysctl -q -w net.netfilter.nf_conntrack_tcp_loose=0")],
    conns=[
        # The pause lets the proxy finish its handshake with the server before the first request:
        # on a loaded machine a request that overtakes it is dropped as INVALID and resent.
        Conn(40001, SERVER_PORT, ["wait:0.5", "send:hello", "recv", "send:BLOCKME", "recv", "close"],
             Seen("injected_reset", "path",
                  why="a RST from 10.2.0.2 with TTL 64, the TTL of the SYN/ACK the proxy sent; the "
                      "server's data reached the client with TTL 127"),
             Seen("open", why="the server saw the proxy's handshake and the first exchange; the "
                              "connection is still open there"),
             "the router's SYN proxy answers the handshake; later the router forges a RST"),
    ],
    # The window update and the RST reach the client but never left the server. The SYN and the
    # third ACK the server gets are the proxy's copies of the client's (same sequence number and
    # TSval): window, timestamp echo and IP ID rewritten, TTL not decremented. The proxy's SYN/ACK
    # carries the server's ISN as the proxy translates it, so it lines up with the server's own
    # SYN/ACK but for its window scale (7, the server's 10) and stamps. Every later segment crosses
    # with the server's sequence numbers and TSvals translated (seq and timestamps one way, ack
    # and the echo the other).
    paths={40001: Path("injected_in_path", "seq,ack,window_scale,timestamps,window,ttl,ip_id",
                       why="a window update and the RST the client receives come from the router's SYN "
                           "proxy, which answered the handshake; what crosses is translated")},
)
