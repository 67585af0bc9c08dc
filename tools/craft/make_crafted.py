#!/usr/bin/python3
"""Write the crafted captures of testdata/crafted/ and their .expected files.

    /usr/bin/python3 tools/craft/make_crafted.py --out testdata/crafted [name ...]

Each scenario below builds one capture from correct TCP conversations (craftlib.Stream) and
changes what the failure needs: a SYN/ACK that never comes, retransmissions with RTO backoff, a
reset, an ICMP error. The expected verdict lines are written here by hand, next to the packets
that justify them. Output is byte-identical from run to run.
"""

import argparse
import os
import sys

sys.dont_write_bytecode = True   # keep tools/craft free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scapy.all import (  # noqa: E402
    IP, Ether, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, PadN, RouterAlert, fragment,
)

from craftlib import (  # noqa: E402
    CLIENT, SERVER, Capture, Endpoint, Stream, Tunnel, UdpFlow, dns_query, dns_response,
    ethernet, filler, gre, gtp_u, http_request, http_response, ipip, msrcp_request, one_direction,
    smb2_negotiate_request, tls_record, vlan, vxlan, wifi,
)

INITIAL_TTL = {"linux": 64, "windows": 128}

# The captured host's own MAC and the router's MAC on the captured link.
CLIENT_MAC, CLIENT_GW_MAC = "52:54:00:1a:00:02", "52:54:00:1a:00:01"
SERVER_MAC, SERVER_GW_MAC = "52:54:00:2b:00:02", "52:54:00:2b:00:01"


def isn(port, salt=0):
    """A fixed, unremarkable-looking ISN per port (kept below 2^31 so data never wraps)."""
    return ((port * 2654435761) ^ (salt * 40503 + 0x5BD1E995)) & 0x7FFFFFFF


def pair(cport, sport, *, at=CLIENT, hops=3, v6=False, cos="linux", sos="linux", cip=None,
         sip=None, salt=0, cmac=CLIENT_MAC):
    """Client and server endpoints as seen at the capture point `at`.

    The captured host's packets carry its initial TTL; the far host's arrive `hops` lower,
    through the router whose MAC they carry."""
    cip = cip or ("fd01::2" if v6 else "10.1.0.2")
    sip = sip or ("fd02::2" if v6 else "10.2.0.2")
    if at == CLIENT:
        smac = CLIENT_GW_MAC
        cttl, sttl = INITIAL_TTL[cos], INITIAL_TTL[sos] - hops
    else:
        cmac, smac = SERVER_GW_MAC, SERVER_MAC
        cttl, sttl = INITIAL_TTL[cos] - hops, INITIAL_TTL[sos]
    c = Endpoint(cip, cport, cmac, cttl, cos, isn(cport, salt), 0x4000 + (cport & 0x0FFF))
    s = Endpoint(sip, sport, smac, sttl, sos, isn(sport, cport + salt), 0x9000 + (cport & 0x0FFF))
    return c, s


def web(cport, t, request_len=0):
    """A TLS request/response pair for port 443 streams."""
    return tls_record(180 + request_len, cport), tls_record(2900, cport + t)


SCENARIOS = {}


def scenario(fn):
    SCENARIOS[fn.__name__.rstrip("_")] = fn
    return fn


# Each builder adds one stream (or a few) to a capture at time t0 and states its verdict.
# The scenario functions give each its own capture; `mixed` reuses them in one capture.

def build_graceful(cap, t0, cport, sport=443, link=ethernet, **kw):
    st = Stream(cap, *pair(cport, sport, **kw), link=link)
    t = st.handshake(t0)
    req, resp = web(cport, 1)
    t = st.exchange(t + 0.0004, req, resp)
    t = st.exchange(t + 0.8, *web(cport, 2, 40))
    st.close(t + 0.3)
    cap.expect(st, "graceful_close", "none")
    return st


def build_open(cap, t0, cport, sport=443, **kw):
    st = Stream(cap, *pair(cport, sport, **kw))
    t = st.handshake(t0)
    for i in range(3):
        t = st.exchange(t + 1.5, *web(cport, i, 20 * i))
    cap.expect(st, "open", "none")
    return st


def build_refused(cap, t0, cport, sport=443, link=ethernet, **kw):
    # Nothing listens: the server answers the SYN with RST+ACK (seq 0, ack = ISN + 1).
    st = Stream(cap, *pair(cport, sport, **kw), link=link)
    st.syn(t0)
    st.refuse(t0 + st.resp(SERVER))
    cap.expect(st, "refused", "server")
    return st


def build_handshake_loss(cap, t0, cport, sport=443, gaps=(1, 2, 4), **kw):
    st = Stream(cap, *pair(cport, sport, **kw))
    st.retransmit(st.syn(t0, lost=True), list(gaps))
    cap.expect(st, "handshake_loss", "none")
    return st


def build_icmp_prohibited(cap, t0, cport, sport=443, **kw):
    # A firewall two hops away rejects the SYN with ICMP "communication administratively
    # prohibited", quoting the whole IP + TCP header; Linux aborts the connect at once.
    st = Stream(cap, *pair(cport, sport, **kw))
    syn = st.syn(t0, lost=True)
    if st.v6:
        st.icmp_error(t0 + 0.0061, syn, "fd01:0:0:9::1", 63, 1, 1)
    else:
        st.icmp_error(t0 + 0.0061, syn, "10.9.0.1", 254, 3, 13, ip_id=0x5E21)
    cap.expect(st, "icmp_unreachable", "path")
    return st


def build_data_loss_reset(cap, t0, cport, sport=443, link=ethernet, **kw):
    # The application times out first and closes with SO_LINGER 0 (an abortive close), so the
    # client's TCP sends RST+ACK instead of retrying on.
    st = Stream(cap, *pair(cport, sport, **kw), link=link)
    t = st.handshake(t0)
    t = st.exchange(t + 0.0003, *web(cport, 1))
    req = st.send(CLIENT, t + 2.0, tls_record(320, cport + 7), lost=True)[0]
    st.retransmit(req, [0.22, 0.44, 0.88, 1.76])
    st.rst(CLIENT, req.t + 0.22 + 0.44 + 0.88 + 1.76 + 2.5)
    cap.expect(st, "data_loss", "client")
    return st


def build_app_reset_server(cap, t0, cport, sport=443, **kw):
    # The server reads the request, ACKs it, then its application aborts (RST+ACK).
    st = Stream(cap, *pair(cport, sport, **kw))
    t = st.handshake(t0)
    t = st.exchange(t + 0.0003, *web(cport, 1))
    req = st.send(CLIENT, t + 0.5, tls_record(410, cport + 3))
    t = req[-1].t + st.resp(SERVER)
    st.ack(SERVER, t)
    st.rst(SERVER, t + 0.000350)
    cap.expect(st, "app_reset", "server")
    return st


def build_peer_lost_state(cap, t0, cport, sport=443, **kw):
    # The server rebooted during a long idle period. The client's next segment reaches a
    # TCP that has no such connection: RST without ACK, seq = the segment's ACK number.
    st = Stream(cap, *pair(cport, sport, **kw))
    t = st.handshake(t0)
    t = st.exchange(t + 0.0003, *web(cport, 1))
    req = st.send(CLIENT, t + 240.0, tls_record(150, cport + 5), lost=True)[0]
    st.rst(SERVER, req.t + st.resp(SERVER), with_ack=False, seq=st.st[SERVER]["nxt"], ip_id=0)
    # Four minutes of silence before the segment the server no longer knows: a restart, or an
    # idle timer in the path, the capture cannot tell which.
    cap.expect(st, "peer_lost_state", "server", cause="idle_timeout")
    return st


def build_injected_reset(cap, t0, cport, sport=443, late_response=False, **kw):
    # A filtering device one hop from the client (initial TTL 255) sees the request and forges
    # a RST+ACK with the server's address, ports and the right sequence numbers. Its TTL (254)
    # is not the 61 of every real packet from the server.
    st = Stream(cap, *pair(cport, sport, **kw))
    t = st.handshake(t0)
    req = st.send(CLIENT, t + 0.0002, tls_record(517, cport))  # a TLS ClientHello-sized write
    forged = req[-1].t + 0.0009
    st.rst(SERVER, forged, ttl=254, ip_id=0x3039, options=[], advance=False)
    if late_response:
        # The real server had answered; its response reaches a client that has dropped the
        # connection, which answers with a plain RST (no ACK).
        resp = st.send(SERVER, req[-1].t + st.resp(SERVER), tls_record(1200, cport))
        st.rst(CLIENT, resp[-1].t + st.resp(CLIENT), with_ack=False,
               seq=st.st[CLIENT]["nxt"], ip_id=0)
    cap.expect(st, "injected_reset", "path")
    return st


def build_zero_window_stall(cap, t0, cport, sport=80, **kw):
    # A Windows client uploads; the server's application stops reading, its window falls to 0
    # and stays there. Windows probes with one byte on its RTO backoff; every answer is window 0.
    st = Stream(cap, *pair(cport, sport, cos="windows", **kw))
    t = st.handshake(t0)
    head = b"PUT /backup/db.tar HTTP/1.1\r\nHost: files.example\r\nContent-Length: 10485760\r\n\r\n"
    body = head + filler(6 * 1460 - len(head), cport)
    segs = st.send(CLIENT, t + 0.0004, body[:3 * 1460])
    st.ack(SERVER, segs[-1].t + st.resp(SERVER), win=180)
    segs = st.send(CLIENT, segs[-1].t + st.resp(SERVER) + 0.0002, body[3 * 1460:])
    st.ack(SERVER, segs[-1].t + st.resp(SERVER), win=0)
    probe = st.seg(CLIENT, segs[-1].t + st.resp(SERVER) + 0.5, "A", filler(1, 9), lost=True,
                   advance=False)
    st.ack(SERVER, probe.t + st.resp(SERVER), win=0)
    t = probe.t
    for gap in (1.0, 2.0, 4.0, 8.0):
        t += gap
        st.seg(CLIENT, t, "A", probe.data, seq=probe.seq, lost=True, advance=False)
        st.ack(SERVER, t + st.resp(SERVER), win=0)
    cap.expect(st, "zero_window_stall", "none")
    return st


# ---------------------------------------------------------------------------------------------
# One scenario per capture.
# ---------------------------------------------------------------------------------------------

@scenario
def graceful_close():
    """IPv4 Linux client and server: handshake, two TLS exchanges, FIN both ways."""
    cap = Capture()
    build_graceful(cap, 0.0, 40001)
    return cap


@scenario
def graceful_close_ipv6():
    """The same over IPv6 (hop limit 64 at the client, 61 from the server)."""
    cap = Capture()
    build_graceful(cap, 0.0, 40002, v6=True)
    return cap


@scenario
def open_():
    """Established, three exchanges, the capture ends with the connection still up."""
    cap = Capture()
    build_open(cap, 0.0, 40003)
    return cap


@scenario
def half_close():
    """The client sends its request then shuts down its sending side (FIN); the server ACKs
    the FIN and keeps streaming its answer; the capture ends before the server's FIN."""
    cap = Capture()
    st = Stream(cap, *pair(40004, 80))
    t = st.handshake(0.0)
    st.send(CLIENT, t + 0.0002, http_request("10.2.0.2", "/export.csv"))
    st.seg(CLIENT, t + 0.0003, "FA")
    t += 0.0003 + st.resp(SERVER)
    st.ack(SERVER, t)
    data = http_response(40 * 1448, 44)
    for i in range(0, len(data), 4 * 1448):
        segs = st.send(SERVER, t + 0.05, data[i:i + 4 * 1448])
        t = segs[-1].t + st.resp(CLIENT)
        st.ack(CLIENT, t)
    cap.expect(st, "open", "none")
    return cap


@scenario
def refused():
    """Linux client SYN to a closed port, answered by RST+ACK from the server."""
    cap = Capture()
    build_refused(cap, 0.0, 40005)
    return cap


@scenario
def refused_windows():
    """Windows client (TTL 128) to a closed port on a Windows server 5 hops away (TTL 123):
    RST+ACK, and Windows retries the same SYN twice, 0.5 s apart, each answered by RST+ACK."""
    cap = Capture()
    st = Stream(cap, *pair(50211, 1433, cos="windows", sos="windows", hops=5))
    syn = st.syn(0.0)
    st.refuse(st.resp(SERVER))
    for t in (0.5, 1.0):
        st.resend(syn, syn.t + t, lost=False)
        st.refuse(syn.t + t + st.resp(SERVER))
    cap.note("Wireshark 4.0 keeps the three attempts in one tcp.stream; 4.4 and later start a new stream")
    cap.note("at each SYN that follows the RST, so each attempt is a refused stream of its own.")
    cap.expect(st, "refused", "server", wireshark="<4.4")
    for _ in range(3):
        cap.expect(st, "refused", "server", wireshark=">=4.4")
    return cap


@scenario
def handshake_loss_windows():
    """Windows client (TTL 128) to SQL Server: SYN, retransmitted after 3 s and 6 s (InitialRto
    3 s, Max SYN Retransmissions 2), no answer. Captured at the client."""
    cap = Capture()
    build_handshake_loss(cap, 0.0, 50212, 1433, gaps=(3, 6), cos="windows", sos="windows")
    return cap


@scenario
def handshake_loss_linux():
    """Linux client (TTL 64): SYN, retransmitted after 1, 2 and 4 s, no answer; captured at
    the client."""
    cap = Capture()
    build_handshake_loss(cap, 0.0, 40006)
    return cap


@scenario
def no_response():
    """The unanswered SYNs of handshake_loss_linux, captured at the server: they arrive with TTL
    62 (64 - 2 hops), so the capture point is the destination and nothing answers there."""
    cap = Capture()
    st = Stream(cap, *pair(40007, 445, at=SERVER, hops=2), at=SERVER)
    st.retransmit(st.syn(0.0, lost=True), [1, 2, 4])
    cap.expect(st, "no_response", "none")
    return cap


@scenario
def lone_syn():
    """One SYN and nothing else (the capture stopped right after it)."""
    cap = Capture()
    st = Stream(cap, *pair(40008, 443))
    st.syn(0.0)
    cap.expect(st, "incomplete", "none")
    return cap


@scenario
def closed_then_reset():
    """The server answers, closes (FIN) and its application is gone; the client still sends a
    second request, and the server's stack, whose socket is closed, answers it with a RST without
    ACK (seq = the request's ACK number). The server knew the connection: it had just ended it."""
    cap = Capture()
    st = Stream(cap, *pair(40031, 443))
    t = st.handshake(0.0)
    t = st.exchange(t + 0.0003, *web(40031, 1))
    t += 0.001
    st.seg(SERVER, t, "FA")
    req = st.send(CLIENT, t + 0.0004, tls_record(200, 40031 + 2))
    st.rst(SERVER, req[-1].t + st.resp(SERVER), with_ack=False, seq=st.st[SERVER]["nxt"], ip_id=0)
    cap.expect(st, "app_reset", "server")
    return cap


@scenario
def fin_acked_then_reset_windows():
    """A Windows server (TTL 123 here) acknowledges the client's FIN and then resets instead of
    sending its own FIN: the abortive close many Windows services use."""
    cap = Capture()
    st = Stream(cap, *pair(40032, 445, cos="windows", sos="windows"))
    t = st.handshake(0.0)
    t = st.exchange(t + 0.0003, tls_record(300, 40032), tls_record(900, 40033))
    t += 0.050
    st.seg(CLIENT, t, "FA")
    t += st.resp(SERVER)
    st.ack(SERVER, t)
    st.rst(SERVER, t + 0.0001, with_ack=True)
    cap.expect(st, "app_reset", "server")
    return cap


@scenario
def reset_after_close():
    """Both sides close with FIN and each FIN is acknowledged; 200 ms later the server sends a
    RST without ACK anyway. The close had completed: a graceful close, with a reset after it."""
    cap = Capture()
    st = Stream(cap, *pair(40033, 443))
    t = st.handshake(0.0)
    t = st.exchange(t + 0.0003, *web(40033, 1))
    t = st.close(t + 0.010, first=SERVER)
    st.rst(SERVER, t + 0.200, with_ack=False, seq=st.st[SERVER]["nxt"], ip_id=0)
    cap.expect(st, "graceful_close", "none")
    return cap


@scenario
def synack_loss_reset():
    """Captured at the server: the SYN/ACK is resent after 1, 2 and 4 s and never acknowledged;
    then the server gives up and resets the half-open connection."""
    cap = Capture()
    st = Stream(cap, *pair(40034, 443, at=SERVER), at=SERVER)
    st.syn(0.0)
    first = st.synack(st.resp(SERVER), lost=True)
    st.retransmit(first, [1, 2, 4])
    st.rst(SERVER, first.t + 1 + 2 + 4 + 8, with_ack=False)
    cap.expect(st, "handshake_loss", "server")
    return cap


@scenario
def one_direction_server():
    """Asymmetric routing: the capture at the server's uplink sees only the server's packets. Its
    ACKs show the client's request (185 bytes) and then the client's FIN; the server answers and
    closes too: a graceful close read from half the conversation."""
    cap = Capture()
    st = Stream(cap, *pair(40035, 443, at=SERVER), at=SERVER, link=one_direction(ethernet, SERVER))
    t = st.handshake(0.0)
    t = st.exchange(t + 0.0003, *web(40035, 1))
    st.close(t + 0.010, first=CLIENT)
    cap.expect(st, "graceful_close", "none")
    return cap


@scenario
def one_direction_client_reset():
    """A mirror port copying only the client's direction: the client's handshake ACK, two requests
    whose ACK numbers show the server's answers, then the client's application aborts (RST+ACK)."""
    cap = Capture()
    st = Stream(cap, *pair(40036, 443), link=one_direction(ethernet, CLIENT))
    t = st.handshake(0.0)
    t = st.exchange(t + 0.0003, *web(40036, 1))
    t = st.exchange(t + 0.5, *web(40036, 2))
    st.rst(CLIENT, t + 0.2)
    cap.expect(st, "app_reset", "client")
    return cap


@scenario
def wifi_radiotap():
    """802.11 with radiotap, captured in monitor mode beside the access point: a graceful close
    and a refused connection, the TCP inside LLC/SNAP."""
    cap = Capture(linktype=127)
    link = wifi("02:aa:bb:cc:dd:01")
    build_graceful(cap, 0.0, 40037, link=link)
    build_refused(cap, 1.0, 40038, 8443, link=link)
    return cap


@scenario
def gtp_u_tunnel():
    """A mobile core link: the phone's TCP inside GTP-U between the base station 172.16.0.1 and the
    gateway 172.16.0.9. The request is resent four times without an ACK and the phone resets: data
    loss seen from inside the tunnel."""
    cap = Capture()
    link = gtp_u(Tunnel("172.16.0.1", "172.16.0.9", 64, 64), {CLIENT: 0x1001, SERVER: 0x2002})
    build_data_loss_reset(cap, 0.0, 40039, link=link)
    return cap


@scenario
def synack_loss():
    """Captured at the server: a SYN arrives (TTL 61), the server answers SYN/ACK and
    retransmits it after 1 s and 2 s; the client never ACKs (it lost its network right after
    sending the SYN)."""
    cap = Capture()
    st = Stream(cap, *pair(40009, 443, at=SERVER), at=SERVER)
    st.syn(0.0)
    st.retransmit(st.synack(st.resp(SERVER), lost=True), [1, 2])
    cap.expect(st, "handshake_loss", "none")
    return cap


@scenario
def icmp_admin_prohibited():
    """SYN answered by ICMP type 3 code 13 from a firewall at 10.9.0.1, quoting the full IP and
    TCP header."""
    cap = Capture()
    build_icmp_prohibited(cap, 0.0, 40010)
    return cap


@scenario
def icmp_host_unreachable_8byte():
    """Windows client SYN answered by ICMP type 3 code 1 (host unreachable) from an old router
    that quotes only the IP header and the first 8 bytes of TCP (RFC 792 minimum: ports and
    sequence number). Windows ignores it and retransmits the SYN once, answered the same way."""
    cap = Capture()
    st = Stream(cap, *pair(50213, 3389, cos="windows", sos="windows"))
    syn = st.syn(0.0, lost=True)
    st.icmp_error(0.0094, syn, "10.9.0.1", 254, 3, 1, quote=28, ip_id=0x0C41)
    again = st.resend(syn, 3.0)
    st.icmp_error(again.t + 0.0091, again, "10.9.0.1", 254, 3, 1, quote=28, ip_id=0x0C42)
    cap.expect(st, "icmp_unreachable", "path")
    return cap


@scenario
def icmp_port_unreachable_tcp():
    """SYN answered by ICMP port unreachable from the server's own address (a host firewall
    rule `REJECT` with its default icmp-port-unreachable): the server's side rejected it."""
    cap = Capture()
    st = Stream(cap, *pair(40011, 5432))
    syn = st.syn(0.0, lost=True)
    st.icmp_error(st.resp(SERVER), syn, st.s.ip, st.s.ttl, 3, 3, ip_id=0x61A0)
    cap.expect(st, "icmp_unreachable", "server")
    return cap


@scenario
def icmp_unreachable_recovered():
    """A transient route failure: the first SYN draws ICMP host unreachable from a router, the
    Windows client retransmits after 3 s, that SYN gets through and the connection completes
    and closes gracefully."""
    cap = Capture()
    st = Stream(cap, *pair(50214, 443, cos="windows", sos="windows", hops=4))
    syn = st.syn(0.0, lost=True)
    st.icmp_error(0.0072, syn, "10.9.0.1", 254, 3, 1, ip_id=0x0C43)
    again = st.resend(syn, 3.0, lost=False)
    t = again.t + st.resp(SERVER)
    st.synack(t)
    t += st.resp(CLIENT)
    st.ack(CLIENT, t)
    t = st.exchange(t + 0.001, *web(50214, 1))
    st.close(t + 0.2)
    cap.expect(st, "graceful_close", "none")
    return cap


@scenario
def icmpv6_unreachable():
    """IPv6 SYN answered by ICMPv6 type 1 code 1 (administratively prohibited) from a router."""
    cap = Capture()
    build_icmp_prohibited(cap, 0.0, 40012, v6=True)
    return cap


def build_udp_unreachable(cap, t0, cport, *, c_ip="10.10.10.1", s_ip="10.10.10.2", sport=3343,
                          c_ttl=128, s_ttl=128, v6=False, payload=None):
    # The method's own example: a datagram to a UDP port nobody listens on (by default a Windows
    # cluster heartbeat to 3343), answered at once by ICMP port unreachable from the destination.
    # Sent twice (the application retries).
    c = Endpoint(c_ip, cport, CLIENT_MAC, c_ttl, "windows", 0, 0x2100)
    s = Endpoint(s_ip, sport, SERVER_MAC if s_ttl == 128 else CLIENT_GW_MAC, s_ttl, "windows", 0,
                 0x6100)
    udp = UdpFlow(cap, c, s, rtt=0.0006 if s_ttl == c_ttl else 0.020)
    for i, t in enumerate((t0, t0 + 1.0)):
        d = udp.send(CLIENT, t, payload or msrcp_request(0x2F41 + i, c_ip, s_ip))
        udp.icmp_error(t + udp.resp(SERVER), d, s_ip, s_ttl, 1 if v6 else 3, 4 if v6 else 3,
                       ip_id=0x6200 + i)
    cap.expect(udp, "port_unreachable", "server")
    return udp


@scenario
def udp_port_unreachable():
    """UDP 10.10.10.1:49875 -> 10.10.10.2:3343 answered by ICMP port unreachable from
    10.10.10.2, plus a DNS query answered normally (no verdict for that one)."""
    cap = Capture()
    build_udp_unreachable(cap, 0.0, 49875)
    c = Endpoint("10.10.10.1", 53122, CLIENT_MAC, 128, "windows", 0, 0x2200)
    s = Endpoint("10.10.10.53", 53, SERVER_MAC, 128, "windows", 0, 0x6300)
    dns = UdpFlow(cap, c, s, rtt=0.0008)
    dns.send(CLIENT, 0.5, dns_query(0x1A2B, "fileserver.corp.example"))
    dns.send(SERVER, 0.5008, dns_response(0x1A2B, "fileserver.corp.example", "10.10.10.2"))
    return cap


@scenario
def icmp_frag_needed():
    """Captured at the server: its 1500-byte segments hit a 1400-byte link, a router answers
    ICMP type 3 code 4 (fragmentation needed, MTU 1400), the server resends the data in smaller
    segments and the stream closes gracefully. Path-MTU discovery, not an error."""
    cap = Capture()
    st = Stream(cap, *pair(40013, 443, at=SERVER), at=SERVER)
    t = st.handshake(0.0)
    req = st.send(CLIENT, t + 0.0002, tls_record(210, 13))
    t = req[-1].t + st.resp(SERVER)
    data = tls_record(3 * st.mss() - 5, 14)
    big = st.send(SERVER, t + 0.0015, data, lost=True)
    # Routers build ICMP on their slow path: this one's answer arrives 26 ms later, after the
    # round-trip time, which also makes Wireshark call the resends retransmissions.
    st.icmp_error(big[0].t + 0.026, big[0], "10.9.0.5", 252, 3, 4, mtu=1400, ip_id=0x7A11)
    small_mss = 1400 - 20 - 20 - 12
    t = big[0].t + 0.0262
    segs = []
    for i in range(0, len(data), small_mss):
        segs.append(st.seg(SERVER, t, "A", data[i:i + small_mss], seq=big[0].seq + i,
                           advance=False))
        t += 0.000012
    t = segs[-1].t + st.resp(CLIENT)
    st.ack(CLIENT, t)
    st.close(t + 0.4)
    cap.expect(st, "graceful_close", "none")
    return cap


@scenario
def data_loss_windows():
    """The method's example: 192.168.1.62 -> 192.168.1.2 TCP 445 on one LAN (TTL 128 both
    ways), captured at the client. The SMB2 NEGOTIATE request is retransmitted 5 times (RTO
    0.3 s doubling), then the client aborts with RST+ACK."""
    cap = Capture()
    c = Endpoint("192.168.1.62", 49781, CLIENT_MAC, 128, "windows", 0x2C4A91D7, 0x3B10)
    s = Endpoint("192.168.1.2", 445, SERVER_MAC, 128, "windows", 0x61F0332A, 0x0E42)
    st = Stream(cap, c, s, rtt=0.0006)
    t = st.handshake(0.0)
    req = st.send(CLIENT, t + 0.0011, smb2_negotiate_request(), lost=True)[0]
    gaps = [0.3, 0.6, 1.2, 2.4, 4.8]
    st.retransmit(req, gaps)
    st.rst(CLIENT, req.t + sum(gaps) + 9.6)
    cap.expect(st, "data_loss", "client")
    return cap


@scenario
def data_loss_silent():
    """Linux client, captured at the client: after one good exchange a request is
    retransmitted 4 times (RTO 220 ms doubling) with no ACK; the capture ends."""
    cap = Capture()
    st = Stream(cap, *pair(40014, 443))
    t = st.handshake(0.0)
    t = st.exchange(t + 0.0003, *web(40014, 1))
    req = st.send(CLIENT, t + 1.0, tls_record(260, 140), lost=True)[0]
    st.retransmit(req, [0.22, 0.44, 0.88, 1.76])
    cap.expect(st, "data_loss", "none")
    return cap


@scenario
def data_loss_recovered():
    """A request is lost and retransmitted twice; the second retransmission gets through, the
    server ACKs and answers, and the stream closes gracefully."""
    cap = Capture()
    st = Stream(cap, *pair(40015, 443))
    t = st.handshake(0.0)
    t = st.exchange(t + 0.0003, *web(40015, 1))
    req = st.send(CLIENT, t + 1.0, tls_record(260, 150), lost=True)[0]
    last = st.retransmit(req, [0.22, 0.44], last_lost=False)[-1]
    t = last.t + st.resp(SERVER)
    resp = st.send(SERVER, t + 0.002, tls_record(900, 151))
    t = resp[-1].t + st.resp(CLIENT)
    st.ack(CLIENT, t)
    st.close(t + 0.1)
    cap.expect(st, "graceful_close", "none")
    return cap


@scenario
def app_reset_server():
    """The server ACKs all of the client's request, then sends RST+ACK."""
    cap = Capture()
    build_app_reset_server(cap, 0.0, 40016)
    return cap


@scenario
def app_reset_client():
    """The client receives the server's answer, ACKs it, then aborts with RST+ACK (closing a
    socket with SO_LINGER 0)."""
    cap = Capture()
    st = Stream(cap, *pair(40017, 443))
    t = st.handshake(0.0)
    t = st.exchange(t + 0.0003, *web(40017, 1))
    t = st.exchange(t + 0.3, *web(40017, 2))
    st.rst(CLIENT, t + 0.0004)
    cap.expect(st, "app_reset", "client")
    return cap


@scenario
def peer_lost_state():
    """Established, data exchanged; 4 minutes later the client's next segment is answered by
    RST without ACK (seq = the client's ACK number): the server has forgotten the connection."""
    cap = Capture()
    build_peer_lost_state(cap, 0.0, 40018)
    return cap


@scenario
def injected_reset():
    """Server packets arrive with TTL 61 (64 - 3); right after the client's request a RST+ACK
    with the server's address and ports arrives with TTL 254: forged by a device one hop away."""
    cap = Capture()
    build_injected_reset(cap, 0.0, 40019)
    return cap


@scenario
def injected_reset_ipv6():
    """The same over IPv6 (hop limit 254 against 61). The real server's response arrives after
    the forged reset and the client, which has dropped the connection, answers it with RST."""
    cap = Capture()
    build_injected_reset(cap, 0.0, 40020, v6=True, late_response=True)
    return cap


@scenario
def syn_proxy_reset():
    """A SYN proxy one hop from the client answers the handshake itself (SYN/ACK with TTL 63);
    the server's own data arrives with TTL 61. Later the proxy resets the connection on its own
    with its TTL 63: in the handshake's family, outside the data's. Forged in the path."""
    cap = Capture()
    st = Stream(cap, *pair(40061, 443))
    st.syn(0.0)
    st.seg(SERVER, 0.0004, "SA", ttl=63)
    st.ack(CLIENT, 0.0008)
    t = st.exchange(0.002, *web(40061, 1))
    req = st.send(CLIENT, t + 5.0, tls_record(300, 40061))
    st.rst(SERVER, req[-1].t + 0.0005, with_ack=False, ttl=63, ip_id=0, advance=False)
    cap.expect(st, "injected_reset", "path")
    return cap


@scenario
def middlebox_seq_rewrite():
    """Captured at the server. A firewall randomises the server's ISN on the way out but, after
    losing its state, no longer translates the client's ACKs back: the client's handshake ACK
    and request acknowledge a sequence number the server never sent (Wireshark: "ACKed unseen
    segment"), and the server's TCP, which knows no such connection, answers each with RST
    without ACK (seq = the segment's ACK number)."""
    cap = Capture()
    st = Stream(cap, *pair(40021, 443, at=SERVER), at=SERVER)
    st.syn(0.0)
    st.synack(st.resp(SERVER))
    shifted = (st.st[CLIENT]["rcv"] + 0x1F3A0000) & 0xFFFFFFFF
    t = st.resp(SERVER) + st.resp(CLIENT)
    st.ack(CLIENT, t, ack=shifted)
    st.rst(SERVER, t + st.resp(SERVER), with_ack=False, seq=shifted, ip_id=0, advance=False)
    req = st.seg(CLIENT, t + 0.0003, "PA", tls_record(517, 21), ack=shifted)
    st.rst(SERVER, req.t + st.resp(SERVER), with_ack=False, seq=shifted, ip_id=0, advance=False)
    cap.expect(st, "peer_lost_state", "server")
    return cap


@scenario
def zero_window_stall():
    """Window 0 from the server, the Windows client probes with one byte at 0.5 s then on its
    backoff (1, 2, 4, 8 s), every answer keeps the window at 0 for 15 s; the capture ends."""
    cap = Capture()
    build_zero_window_stall(cap, 0.0, 50215)
    return cap


@scenario
def zero_window_recovered():
    """The server's window is 0 for 3 s (the client probes), then a window update opens it; the
    upload finishes and the stream closes gracefully."""
    cap = Capture()
    st = Stream(cap, *pair(50216, 80, cos="windows"))
    t = st.handshake(0.0)
    head = b"PUT /upload/report.pdf HTTP/1.1\r\nHost: files.example\r\nContent-Length: 11000\r\n\r\n"
    body = head + filler(11000, 50216)
    segs = st.send(CLIENT, t + 0.0004, body[:4 * 1460])
    st.ack(SERVER, segs[-1].t + st.resp(SERVER), win=0)
    t = segs[-1].t + st.resp(SERVER)
    probe = st.seg(CLIENT, t + 0.5, "A", body[4 * 1460:4 * 1460 + 1], lost=True, advance=False)
    st.ack(SERVER, probe.t + st.resp(SERVER), win=0)
    st.seg(CLIENT, probe.t + 1.0, "A", probe.data, seq=probe.seq, lost=True, advance=False)
    st.ack(SERVER, probe.t + 1.0 + st.resp(SERVER), win=0)
    t = probe.t + 2.5
    st.ack(SERVER, t, win=502)          # the application read: window update
    segs = st.send(CLIENT, t + st.resp(CLIENT), body[4 * 1460:])
    t = segs[-1].t + st.resp(SERVER)
    st.ack(SERVER, t)
    resp = st.send(SERVER, t + 0.003, b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
    t = resp[-1].t + st.resp(CLIENT)
    st.close(t, first=CLIENT)
    cap.expect(st, "graceful_close", "none")
    return cap


@scenario
def midstream_reset():
    """The capture starts on an established connection (no handshake): TLS records both ways,
    then RST+ACK from the side using port 443, taken as the server (the lower port)."""
    cap = Capture()
    st = Stream(cap, *pair(51234, 443))
    st.midstream(isn(51234), isn(443, 51234))
    t = 0.0
    for i in range(2):
        t = st.exchange(t + 0.7, *web(51234, i, 10))
    st.rst(SERVER, t + 1.2)
    cap.expect(st, "app_reset", "server")
    return cap


@scenario
def midstream_open():
    """The capture starts on an established connection and ends with it still up: traffic both
    ways, nothing wrong."""
    cap = Capture()
    st = Stream(cap, *pair(51235, 443))
    st.midstream(isn(51235), isn(443, 51235))
    t = 0.0
    for i in range(3):
        t = st.exchange(t + 0.6, *web(51235, i, 30))
    cap.expect(st, "open", "none")
    return cap


@scenario
def midstream_fragment():
    """A single data segment from port 443 to 51240, out of a connection whose start was not
    captured."""
    cap = Capture()
    st = Stream(cap, *pair(51240, 443))
    st.midstream(isn(51240), isn(443, 51240))
    st.send(SERVER, 0.0, tls_record(640, 51240))
    cap.expect(st, "incomplete", "none")
    return cap


@scenario
def ip_fragmented_segment():
    """A graceful close whose server response crosses a link with a 1000-byte MTU that fragments
    it: the segment arrives as two IPv4 fragments, and Wireshark reassembles them and dissects the
    segment on the second fragment's frame. tcpdiag reads that frame only from the protocol tree
    (tcpdiag.read_protocol_tree); otherwise it marks it tcpdiag.unread."""
    cap = Capture()
    st = build_graceful(cap, 0.0, 40030)
    # The server's first response segment: the first frame from 443 with a payload.
    index = next(i for i, (_, _, raw) in enumerate(cap.frames)
                 if Ether(raw)[IP].sport == 443 and len(Ether(raw)[IP].payload.payload) > 0)
    t, order, raw = cap.frames[index]
    frame = Ether(raw)
    link = frame.copy()
    link.remove_payload()
    pieces = [link / piece for piece in fragment(frame[IP], fragsize=976)]
    cap.frames[index] = (t, order, bytes(pieces[0]))
    for i, piece in enumerate(pieces[1:], 1):
        cap.frames.append((round(t + i * 0.000006, 6), len(cap.frames), bytes(piece)))
    cap.note("the frames are read from the protocol tree, or one is left out as tcpdiag.unread")
    return cap


@scenario
def port_reuse():
    """The same 4-tuple twice: a SYN refused with RST+ACK, and 30 s later a new SYN (new ISN)
    on the same ports that completes and closes gracefully. Wireshark starts a new tcp.stream
    for the second SYN."""
    cap = Capture()
    first = Stream(cap, *pair(40022, 8443))
    first.syn(0.0)
    first.refuse(first.resp(SERVER))
    cap.expect(first, "refused", "server")
    second = Stream(cap, *pair(40022, 8443, salt=1))
    t = second.handshake(30.0)
    t = second.exchange(t + 0.0003, *web(40022, 1))
    second.close(t + 0.2)
    cap.expect(second, "graceful_close", "none")
    return cap


@scenario
def vlan_qinq():
    """Two graceful closes: one in 802.1Q VLAN 100, one in QinQ (802.1ad S-tag 200, C-tag 100)."""
    cap = Capture()
    for cport, tags, t0 in ((40023, (100,), 0.0), (40024, (200, 100), 0.5)):
        st = Stream(cap, *pair(cport, 443), link=vlan(*tags))
        t = st.handshake(t0)
        t = st.exchange(t + 0.0003, *web(cport, 1))
        st.close(t + 0.3)
        cap.expect(st, "graceful_close", "none")
    return cap


def tunnelled_app_reset(link_for):
    # Captured on the transit link between the two tunnel routers: the client's inner packets
    # have crossed one router (TTL 63), the server's three (61). The outer headers are the
    # routers' own (TTL 255 / 254) and must not be mistaken for the stream's.
    cap = Capture()
    c, s = pair(40025, 443)
    c.ttl, s.ttl = 63, 61
    c.mac, s.mac = "52:54:00:3c:00:01", "52:54:00:3c:00:02"
    st = Stream(cap, c, s, link=link_for(Tunnel("172.16.0.1", "172.16.0.2")))
    t = st.handshake(0.0)
    t = st.exchange(t + 0.0003, *web(40025, 1))
    req = st.send(CLIENT, t + 0.4, tls_record(330, 77))
    t = req[-1].t + st.resp(SERVER)
    st.ack(SERVER, t)
    st.rst(SERVER, t + 0.0002)
    cap.expect(st, "app_reset", "server")
    return cap


@scenario
def tunnel_gre():
    """An app_reset by the server inside a GRE tunnel (inner TTLs 63 / 61, outer 255 / 254)."""
    return tunnelled_app_reset(gre)


@scenario
def tunnel_ipip():
    """The same app_reset inside an IP-in-IP tunnel (IP protocol 4)."""
    return tunnelled_app_reset(ipip)


@scenario
def tunnel_vxlan():
    """A refused connection inside VXLAN (UDP 4789, VNI 5001). The outer UDP flow gets no line."""
    cap = Capture()
    c, s = pair(40026, 443)
    c.ttl, s.ttl = 64, 62
    c.mac, s.mac = "52:54:00:3c:00:01", "52:54:00:3c:00:02"
    inner = {CLIENT: ("52:54:00:5a:00:02", "52:54:00:5a:00:01"),
             SERVER: ("52:54:00:5a:00:01", "52:54:00:5a:00:02")}
    st = Stream(cap, c, s, link=vxlan(Tunnel("172.16.1.1", "172.16.1.2"), 5001, inner))
    st.syn(0.0)
    st.refuse(st.resp(SERVER))
    cap.expect(st, "refused", "server")
    return cap


@scenario
def simultaneous_open():
    """Both ends send a SYN at the same moment (RFC 793 simultaneous open): the SYNs cross, each
    answers with a SYN/ACK, then an exchange and a graceful close. The first SYN makes the client."""
    cap = Capture()
    st = Stream(cap, *pair(40030, 40031))
    st.syn(0.0)
    st.seg(SERVER, 0.00001, "S")
    st.seg(CLIENT, st.resp(CLIENT), "SA", seq=st.c.isn, advance=False)
    st.seg(SERVER, st.resp(SERVER), "SA", seq=st.s.isn, advance=False)
    t = st.exchange(0.05, tls_record(200, 30), tls_record(900, 31))
    st.close(t + 0.2)
    cap.expect(st, "graceful_close", "none")
    return cap


@scenario
def syn_with_data():
    """TCP Fast Open: the client's SYN carries its 180-byte request, the server's SYN/ACK
    acknowledges SYN and data, answers, and both close gracefully."""
    cap = Capture()
    st = Stream(cap, *pair(40032, 443))
    st.seg(CLIENT, 0.0, "S", tls_record(180, 32))
    st.synack(st.resp(SERVER))
    t = st.resp(SERVER) + st.resp(CLIENT)
    st.ack(CLIENT, t)
    st.send(SERVER, t + 0.002, tls_record(2900, 33))
    st.ack(CLIENT, t + 0.002 + st.resp(CLIENT))
    st.close(t + 0.3)
    cap.expect(st, "graceful_close", "none")
    return cap


@scenario
def rst_storm():
    """Two RST storms. First, blind reset attempts: 40 RSTs claiming the server (its address,
    port and TTL) with guessed sequence numbers outside the window; the client answers some with
    challenge ACKs (RFC 5961), the connection goes on and closes gracefully. Second, a server
    that aborts with RST+ACK and repeats it 30 times while the client's data keeps arriving."""
    cap = Capture()
    st = Stream(cap, *pair(40033, 443))
    t = st.handshake(0.0)
    t = st.exchange(t + 0.001, *web(40033, 1))
    for i in range(40):
        t += 0.0005
        st.rst(SERVER, t, with_ack=False, seq=(st.st[SERVER]["nxt"] + 70000 + i * 65536) & 0xFFFFFFFF,
               options=[], advance=False)
        if i % 10 == 9:
            st.ack(CLIENT, t + 0.0001)
    t = st.exchange(t + 0.1, *web(40033, 2))
    st.close(t + 0.2)
    cap.expect(st, "graceful_close", "none")
    aborted = Stream(cap, *pair(40034, 443))
    t = aborted.handshake(1.0)
    t = aborted.exchange(t + 0.001, *web(40034, 3))
    aborted.send(CLIENT, t + 0.3, tls_record(400, 34))
    t += 0.3 + aborted.resp(SERVER)
    for i in range(30):
        aborted.rst(SERVER, t + i * 0.0002)
    cap.expect(aborted, "app_reset", "server")
    return cap


def ipv6_extension_headers_link(src_mac, dst_mac, direction, l3):
    """IPv6 packets carrying hop-by-hop and destination options and an atomic fragment header
    (RFC 6946) before the transport header."""
    inner = l3.payload
    l3 = (IPv6(src=l3.src, dst=l3.dst, hlim=l3.hlim, fl=l3.fl) / IPv6ExtHdrHopByHop(options=[RouterAlert()])
          / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0\0\0\0")]) / IPv6ExtHdrFragment(id=0x1234) / inner)
    return Ether(src=src_mac, dst=dst_mac) / l3


@scenario
def ipv6_extension_headers():
    """Two IPv6 streams whose packets all carry hop-by-hop options, destination options and an
    atomic fragment header: one closes gracefully, the other ends in a server application reset."""
    cap = Capture()
    st = Stream(cap, *pair(40035, 443, v6=True), link=ipv6_extension_headers_link)
    t = st.handshake(0.0)
    t = st.exchange(t + 0.001, *web(40035, 1))
    st.close(t + 0.2)
    cap.expect(st, "graceful_close", "none")
    reset = Stream(cap, *pair(40036, 443, v6=True), link=ipv6_extension_headers_link)
    t = reset.handshake(1.0)
    t = reset.exchange(t + 0.001, *web(40036, 2))
    reset.rst(SERVER, t + 0.05)
    cap.expect(reset, "app_reset", "server")
    return cap


@scenario
def out_of_order_duplicates():
    """A SPAN port that reorders and duplicates: the server's three-segment response is
    captured last segment first, and the SYN, a request and the client's FIN are each
    captured twice, 5 microseconds apart. Nothing was lost: graceful close."""
    cap = Capture()
    st = Stream(cap, *pair(40037, 443))

    def twice(seg):
        st.emit(seg.side, seg.t + 0.000005, seg.l3)

    twice(st.syn(0.0))
    st.synack(st.resp(SERVER))
    t = st.resp(SERVER) + st.resp(CLIENT)
    st.ack(CLIENT, t)
    for seg in st.send(CLIENT, t + 0.001, tls_record(300, 37)):
        twice(seg)
    t += 0.001 + st.resp(SERVER)
    response = tls_record(3 * st.mss() - 100, 38)
    for i, part in enumerate((response[:st.mss()], response[st.mss():2 * st.mss()], response[2 * st.mss():])):
        st.seg(SERVER, t + 0.0002 * (2 - i), "PA" if i == 2 else "A", part)  # captured in reverse order
    st.ack(CLIENT, t + 0.001 + st.resp(CLIENT))
    t += 0.3
    twice(st.seg(CLIENT, t, "FA"))
    st.seg(SERVER, t + st.resp(SERVER), "FA")
    st.ack(CLIENT, t + st.resp(SERVER) + st.resp(CLIENT))
    cap.expect(st, "graceful_close", "none")
    return cap


@scenario
def mixed():
    """Captured on a client LAN (Linux 10.1.0.2 / fd01::2, and a Windows host 10.1.0.3) while 13
    conversations of different fates run interleaved: IPv4 and IPv6, several servers."""
    cap = Capture()
    build_graceful(cap, 0.00, 41001, sip="10.2.0.10")
    build_data_loss_reset(cap, 0.35, 41002, sip="10.2.0.11")
    build_refused(cap, 0.52, 41003, 8080, sip="10.2.0.12")
    build_handshake_loss(cap, 0.61, 41004, 22, sip="10.2.0.13")
    build_open(cap, 0.90, 41005, v6=True, sip="fd02::10")
    build_icmp_prohibited(cap, 1.10, 41006, 3306, sip="10.2.0.14")
    build_app_reset_server(cap, 1.25, 41007, v6=True, sip="fd02::11")
    build_peer_lost_state(cap, 1.40, 41008, sip="10.2.0.15")
    build_injected_reset(cap, 1.77, 41009, v6=True, sip="fd02::12")
    build_zero_window_stall(cap, 2.05, 41010, sip="10.2.0.16", cip="10.1.0.3",
                            cmac="52:54:00:1a:00:03")
    build_refused(cap, 2.30, 41011, 443, v6=True, sip="fd02::13")
    lone = Stream(cap, *pair(41012, 443, sip="10.2.0.17"))
    lone.syn(9.00)
    cap.expect(lone, "incomplete", "none")
    # Syslog to a collector whose daemon is not running.
    build_udp_unreachable(cap, 3.10, 41013, c_ip="10.1.0.2", s_ip="10.2.0.18", sport=514,
                          c_ttl=64, s_ttl=61,
                          payload=b"<86>Jun 10 06:13:23 web1 sshd[2211]: session closed for user deploy")
    return cap


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="testdata/crafted", help="output directory")
    ap.add_argument("names", nargs="*", help="only these scenarios (default: all)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name in args.names or SCENARIOS:
        fn = SCENARIOS[name]
        cap = fn()
        cap.name, cap.description = name, " ".join(fn.__doc__.split())
        cap.write(os.path.join(args.out, name + ".pcapng"))
        with open(os.path.join(args.out, name + ".expected"), "w") as f:
            f.write(cap.expected_text())
        print(f"{name}: {len(cap.frames)} frames, {len(cap.expected)} expected line(s)")


if __name__ == "__main__":
    main()
