"""Helpers to build correct TCP/UDP conversations packet by packet and write them as pcapng.

A Stream keeps the sequence/ack state of both ends, so a scenario only says what happens
(handshake, data, a loss, a retransmission, a reset) and the numbers stay consistent the way
Wireshark's TCP analysis expects them. Everything is deterministic: fixed timestamps, fixed ISNs,
fixed IP IDs, and a pcapng writer that embeds nothing variable.
"""

import struct
import textwrap

from scapy.all import (
    GRE, ICMP, IP, LLC, SNAP, UDP, VXLAN, Dot1AD, Dot1Q, Dot11, Ether, ICMPv6DestUnreach, IPv6, RadioTap, Raw,
    TCP,
)
from scapy.contrib.gtp import GTP_U_Header

CLIENT, SERVER = "client", "server"

# All captures start at the same wall-clock instant (2024-06-10 06:13:20 UTC); times in the
# scenarios are seconds after it.
EPOCH = 1718000000

# Delay between a packet and the answer of the host sitting at the capture point.
LOCAL_DELAY = 0.000120


def other(side):
    return SERVER if side == CLIENT else CLIENT


class Endpoint:
    """One end of a conversation as seen at the capture point.

    ttl is the TTL / hop limit its packets carry *where the capture is taken*: the initial value
    (64 Linux, 128 Windows) for the host that is captured on, less the hops for a remote host.
    mac is the L2 source address its frames carry on the captured link (a router's for a remote
    host)."""

    def __init__(self, ip, port, mac, ttl, os="linux", isn=0, ip_id=0x1000):
        self.ip, self.port, self.mac, self.ttl, self.os = ip, port, mac, ttl, os
        self.isn, self.ip_id = isn, ip_id

    @property
    def v6(self):
        return ":" in self.ip

    def addr(self):
        return f"[{self.ip}]:{self.port}" if self.v6 else f"{self.ip}:{self.port}"


class Seg:
    """A TCP segment that was put in the capture (kept so it can be retransmitted or quoted)."""

    def __init__(self, side, t, flags, seq, data, l3):
        self.side, self.t, self.flags, self.seq, self.data, self.l3 = side, t, flags, seq, data, l3

    @property
    def seglen(self):
        return len(self.data) + ("S" in self.flags) + ("F" in self.flags)


# ---------------------------------------------------------------------------------------------
# Links: how an IP packet travels on the captured wire (plain Ethernet, VLAN tags, tunnels).
# A link is a callable (src_mac, dst_mac, direction, l3) -> frame; direction is CLIENT for packets
# travelling from the client side towards the server side, SERVER for the reverse.
# ---------------------------------------------------------------------------------------------

def ethernet(src_mac, dst_mac, direction, l3):
    return Ether(src=src_mac, dst=dst_mac) / l3


def vlan(*tags):
    """802.1Q tag, or QinQ (802.1ad S-tag outside, 802.1Q C-tag inside) with two tags."""

    def link(src_mac, dst_mac, direction, l3):
        if len(tags) == 1:
            return Ether(src=src_mac, dst=dst_mac) / Dot1Q(vlan=tags[0]) / l3
        outer, inner = tags
        return Ether(src=src_mac, dst=dst_mac, type=0x88A8) / Dot1AD(vlan=outer) / Dot1Q(vlan=inner) / l3

    return link


def one_direction(link, keep):
    """Only the packets travelling in direction `keep` reach the capture (asymmetric routing, a
    mirror port copying one direction): the others are sent but not captured."""

    def only(src_mac, dst_mac, direction, l3):
        return link(src_mac, dst_mac, direction, l3) if direction == keep else None

    return only


def wifi(bssid):
    """802.11 data frames with a radiotap header (LINKTYPE_IEEE802_11_RADIOTAP, 127), captured in
    monitor mode next to the access point: the client's frames go to the DS, the others come from it."""

    def link(src_mac, dst_mac, direction, l3):
        if direction == CLIENT:
            dot11 = Dot11(type=2, subtype=0, FCfield="to-DS", addr1=bssid, addr2=src_mac, addr3=dst_mac)
        else:
            dot11 = Dot11(type=2, subtype=0, FCfield="from-DS", addr1=dst_mac, addr2=bssid, addr3=src_mac)
        return RadioTap(present="Rate", Rate=108) / dot11 / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(code=0x0800) / l3

    return link


def gtp_u(tunnel, teids):
    """GTP-U (UDP 2152) between a base station and the mobile core, carrying the user's IP packets;
    teids maps direction to the tunnel endpoint ID of that direction."""

    def link(src_mac, dst_mac, direction, l3):
        return (Ether(src=src_mac, dst=dst_mac) / tunnel.outer(direction, 17) / UDP(sport=2152, dport=2152)
                / GTP_U_Header(teid=teids[direction], gtp_type=255) / l3)

    return link


class Tunnel:
    """Outer IPv4 header between two tunnel routers. The capture is taken on the transit link, so
    each router's outer packets carry their own TTL (routers originate with 255)."""

    def __init__(self, client_end, server_end, client_end_ttl=255, server_end_ttl=254):
        self.ends = {CLIENT: client_end, SERVER: server_end}
        self.ttls = {CLIENT: client_end_ttl, SERVER: server_end_ttl}
        self.ids = {CLIENT: 0x2200, SERVER: 0x7700}

    def outer(self, direction, proto):
        self.ids[direction] += 1
        return IP(src=self.ends[direction], dst=self.ends[other(direction)],
                  ttl=self.ttls[direction], id=self.ids[direction], proto=proto)


def gre(tunnel):
    def link(src_mac, dst_mac, direction, l3):
        proto = 0x86DD if isinstance(l3, IPv6) else 0x0800
        return Ether(src=src_mac, dst=dst_mac) / tunnel.outer(direction, 47) / GRE(proto=proto) / l3

    return link


def ipip(tunnel):
    def link(src_mac, dst_mac, direction, l3):
        proto = 41 if isinstance(l3, IPv6) else 4
        return Ether(src=src_mac, dst=dst_mac) / tunnel.outer(direction, proto) / l3

    return link


def vxlan(tunnel, vni, inner_macs):
    """VXLAN (UDP 4789) carrying the inner Ethernet frame; inner_macs maps direction to the
    inner (src, dst) MAC pair. The outer UDP source port is a fixed per-flow hash, as VTEPs do."""

    def link(src_mac, dst_mac, direction, l3):
        isrc, idst = inner_macs[direction]
        sport = 49731 if direction == CLIENT else 61203
        outer = tunnel.outer(direction, 17)
        return (Ether(src=src_mac, dst=dst_mac) / outer / UDP(sport=sport, dport=4789, chksum=0)
                / VXLAN(vni=vni, flags=0x08) / Ether(src=isrc, dst=idst) / l3)

    return link


# ---------------------------------------------------------------------------------------------
# Capture: frames with timestamps, expected verdict lines, deterministic pcapng writer.
# ---------------------------------------------------------------------------------------------

class Capture:
    def __init__(self, name="", description="", linktype=1):
        self.name, self.description, self.linktype = name, description, linktype
        self.frames = []      # (t, insertion order, bytes)
        self.expected = []    # (first time seen, insertion order, line)
        self.notes = []

    def add(self, t, frame):
        self.frames.append((round(t, 6), len(self.frames), bytes(frame)))

    def expect(self, flow, verdict, reset_by, wireshark="", cause="", loss_point=None):
        """wireshark: a version condition such as ">=4.4" when Wireshark's own streams differ;
        cause: the tcpdiag.cause the stream must have (none when empty); loss_point: its
        tcpdiag.loss_point, by default after_capture for a loss (these captures hold the lost
        segments and their resends) and none otherwise."""
        proto = "udp" if isinstance(flow, UdpFlow) else "tcp"
        line = f"{proto:<5} {flow.c.addr():<24} {flow.s.addr():<24} {verdict:<18} {reset_by}"
        if loss_point is None:
            loss_point = "after_capture" if verdict in ("data_loss", "handshake_loss") else ""
        if cause:
            line += f" cause={cause}"
        if loss_point:
            line += f" loss_point={loss_point}"
        if wireshark:
            line = f"ws{wireshark} {line}"
        self.expected.append((flow.first_t, len(self.expected), line))

    def note(self, text):
        self.notes.append(text)

    def sorted_frames(self):
        return sorted(self.frames, key=lambda f: (f[0], f[1]))

    def expected_text(self):
        out = [f"# {line}" for line in textwrap.wrap(f"{self.name}: {self.description}", 94)]
        out += [f"# {n}" for n in self.notes]
        out.append("# proto client                   server                   verdict            reset_by")
        out += [line for _, _, line in sorted(self.expected)]
        return "\n".join(out) + "\n"

    def write(self, path, snaplen=262144, cut=None):
        data = pcapng(self.sorted_frames(), snaplen=snaplen, linktype=self.linktype)
        if cut is not None:
            data = data[:cut]
        with open(path, "wb") as f:
            f.write(data)


def _block(btype, body):
    body += b"\0" * (-len(body) % 4)
    length = 12 + len(body)
    return struct.pack("<II", btype, length) + body + struct.pack("<I", length)


def _option(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def pcapng_header(snaplen=262144, linktype=1):
    """Section header + one Ethernet interface (microsecond timestamps, the pcapng default)."""
    shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
    shb += _option(4, b"tcpdiag tools/craft") + _option(0, b"")
    idb = struct.pack("<HHI", linktype, 0, snaplen)
    return _block(0x0A0D0D0A, shb) + _block(0x00000001, idb)


def epb(t, data, snaplen=262144):
    ts = int(round((EPOCH + t) * 1_000_000))
    cap = data[:snaplen]
    body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(cap), len(data)) + cap
    return _block(0x00000006, body)


def pcapng(frames, snaplen=262144, linktype=1):
    return pcapng_header(snaplen, linktype) + b"".join(epb(t, data, snaplen) for t, _, data in frames)


# ---------------------------------------------------------------------------------------------
# TCP stream
# ---------------------------------------------------------------------------------------------

class Stream:
    """A TCP connection between c and s, captured at `at` (CLIENT or SERVER side).

    Every segment is built from the running state: seq is the sender's next sequence number, ack
    what it has received in order. A segment sent with lost=True is in the capture but never
    reaches the peer (the capture is on the sender's side of the loss), so the peer's ack does not
    move. rtt is the round trip between the capture point and the far end."""

    def __init__(self, cap, c, s, *, at=CLIENT, rtt=0.020, link=ethernet, timestamps=None):
        self.cap, self.c, self.s, self.at, self.rtt, self.link = cap, c, s, at, rtt, link
        self.v6 = c.v6
        if timestamps is None:
            timestamps = c.os == "linux" and s.os == "linux"
        self.ts = timestamps
        self.st = {}
        for side, ep in ((CLIENT, c), (SERVER, s)):
            self.st[side] = {
                "nxt": ep.isn, "rcv": None, "ip_id": ep.ip_id, "ts_recent": 0,
                "ts_base": (ep.isn >> 8) & 0x7FFFFFFF,
                "win": 502 if ep.os == "linux" else 1026,
            }
        self.first_t = None
        self.segs = []

    def ep(self, side):
        return self.c if side == CLIENT else self.s

    def resp(self, side):
        """Time between a packet seen at the capture point and `side`'s answer to it."""
        return LOCAL_DELAY if side == self.at else self.rtt

    # -- building blocks ------------------------------------------------------------------

    def _options(self, side, flags, t):
        me = self.st[side]
        tsval = (me["ts_base"] + int(round(t * 1000))) & 0xFFFFFFFF
        if "S" in flags:
            if self.ep(side).os == "windows":
                return [("MSS", 1460), ("NOP", None), ("WScale", 8), ("NOP", None), ("NOP", None),
                        ("SAckOK", b"")]
            if self.ts:
                tsecr = 0 if "A" not in flags else me["ts_recent"]
                return [("MSS", 1460 if not self.v6 else 1440), ("SAckOK", b""),
                        ("Timestamp", (tsval, tsecr)), ("NOP", None), ("WScale", 7)]
            return [("MSS", 1460 if not self.v6 else 1440), ("NOP", None), ("NOP", None),
                    ("SAckOK", b""), ("NOP", None), ("WScale", 7)]
        # A reset for a connection the stack does not know carries no options; an abort of a
        # live connection keeps the timestamps.
        if self.ts and flags != "R":
            return [("NOP", None), ("NOP", None), ("Timestamp", (tsval, me["ts_recent"]))]
        return []

    def _ip(self, side, ttl, ip_id):
        src, dst = self.ep(side), self.ep(other(side))
        if self.v6:
            # Linux keeps one flow label per socket and direction.
            return IPv6(src=src.ip, dst=dst.ip, hlim=ttl, fl=0x3A5C1 if side == CLIENT else 0xB27E4)
        return IP(src=src.ip, dst=dst.ip, ttl=ttl, id=ip_id, flags="DF")

    def emit(self, side, t, l3):
        src, dst = self.ep(side), self.ep(other(side))
        frame = self.link(src.mac, dst.mac, side, l3)
        if frame is not None:  # None: a direction the capture does not see
            self.cap.add(t, frame)
        if self.first_t is None or t < self.first_t:
            self.first_t = t

    def seg(self, side, t, flags, data=b"", *, seq=None, ack=None, win=None, ttl=None,
            ip_id=None, lost=False, options=None, advance=True):
        me, peer = self.st[side], self.st[other(side)]
        seq = me["nxt"] if seq is None else seq
        if "A" in flags and ack is None:
            ack = me["rcv"]
        ack = ack if "A" in flags else 0
        if win is None:
            if "R" in flags:
                win = 0
            elif "S" in flags:
                win = 64240 if "A" not in flags else (65160 if self.ep(side).os == "linux" else 65535)
            else:
                win = me["win"]
        if options is None:
            options = self._options(side, flags, t)
        if ip_id is None:
            me["ip_id"] = (me["ip_id"] + 1) & 0xFFFF
            ip_id = me["ip_id"]
        ip = self._ip(side, self.ep(side).ttl if ttl is None else ttl, ip_id)
        tcp = TCP(sport=self.ep(side).port, dport=self.ep(other(side)).port, seq=seq & 0xFFFFFFFF,
                  ack=ack & 0xFFFFFFFF, flags=flags, window=win, options=options)
        l3 = ip / tcp / Raw(data) if data else ip / tcp
        l3 = l3.__class__(bytes(l3))   # freeze checksums and lengths
        s = Seg(side, t, flags, seq, data, l3)
        if advance:
            me["nxt"] = max(me["nxt"], seq + s.seglen)
        if not lost and s.seglen and (peer["rcv"] is None or seq <= peer["rcv"]):
            peer["rcv"] = max(peer["rcv"] or 0, seq + s.seglen)
        if not lost and self.ts:
            for kind, val in options:
                if kind == "Timestamp":
                    peer["ts_recent"] = val[0]
        self.emit(side, t, l3)
        self.segs.append(s)
        return s

    def resend(self, s, t, *, lost=True):
        """Retransmit segment s unchanged (same seq, same length) at time t."""
        return self.seg(s.side, t, s.flags, s.data, seq=s.seq, lost=lost, advance=False)

    def retransmit(self, s, gaps, *, lost=True, last_lost=None):
        """Retransmit s after each gap in gaps (RTO backoff: e.g. [1, 2, 4]); returns them."""
        out, t = [], s.t
        for i, gap in enumerate(gaps):
            t += gap
            is_last = i == len(gaps) - 1
            out.append(self.resend(s, t, lost=lost if not is_last or last_lost is None else last_lost))
        return out

    # -- phases ---------------------------------------------------------------------------

    def midstream(self, client_seq, server_seq):
        """The capture starts on an established connection: both ends at these numbers."""
        self.st[CLIENT].update(nxt=client_seq, rcv=server_seq)
        self.st[SERVER].update(nxt=server_seq, rcv=client_seq)

    def syn(self, t, lost=False):
        return self.seg(CLIENT, t, "S", lost=lost)

    def synack(self, t, lost=False):
        return self.seg(SERVER, t, "SA", lost=lost)

    def ack(self, side, t, **kw):
        return self.seg(side, t, "A", **kw)

    def handshake(self, t):
        """SYN, SYN/ACK, ACK; returns the time of the ACK."""
        self.syn(t)
        t += self.resp(SERVER)
        self.synack(t)
        t += self.resp(CLIENT)
        self.ack(CLIENT, t)
        return t

    def mss(self):
        return (1460 if not self.v6 else 1440) - (12 if self.ts else 0)

    def send(self, side, t, data, *, lost=False, gap=0.000012):
        """Data from side, cut at the MSS, back to back; returns the segments."""
        out = []
        for i in range(0, len(data), self.mss()):
            out.append(self.seg(side, t, "PA" if i + self.mss() >= len(data) else "A",
                                data[i:i + self.mss()], lost=lost))
            t += gap
        return out

    def exchange(self, t, request, response, *, server_think=0.002):
        """Client request, server ACK + response, client ACK; returns the last time."""
        req = self.send(CLIENT, t, request)
        t = req[-1].t + self.resp(SERVER)
        if server_think > 0.040:            # delayed answer: the server ACKs first
            self.ack(SERVER, t)
        t += server_think
        resp = self.send(SERVER, t, response)
        t = resp[-1].t + self.resp(CLIENT)
        self.ack(CLIENT, t)
        return t

    def close(self, t, first=CLIENT):
        """FIN from first, FIN from the other (combined with its ACK), last ACK."""
        self.seg(first, t, "FA")
        t += self.resp(other(first))
        self.seg(other(first), t, "FA")
        t += self.resp(first)
        self.ack(first, t)
        return t

    def rst(self, side, t, *, with_ack=True, **kw):
        return self.seg(side, t, "RA" if with_ack else "R", **kw)

    def refuse(self, t):
        """The server's TCP answers the SYN for a port nobody listens on: RST+ACK, seq 0,
        ack = ISN + 1, no options (no socket, so no timestamps); Linux sends it with IP ID 0."""
        return self.seg(SERVER, t, "RA", seq=0, options=[],
                        ip_id=0 if self.s.os == "linux" else None)

    # -- ICMP errors about this stream -----------------------------------------------------

    def icmp_error(self, t, about, src_ip, ttl, icmp_type, code, *, quote=None, mtu=0, ip_id=0):
        """An ICMP (v4 or v6) error sent by src_ip back to the sender of segment `about`,
        quoting `quote` bytes of the offending packet (all of it, within the ICMP limits, if None)."""
        to = about.side
        raw = bytes(about.l3)
        if self.v6:
            quoted = raw[:1232] if quote is None else raw[:quote]
            l3 = (IPv6(src=src_ip, dst=self.ep(to).ip, hlim=ttl)
                  / ICMPv6DestUnreach(code=code) / Raw(quoted))
        else:
            quoted = raw[:548] if quote is None else raw[:quote]
            l3 = (IP(src=src_ip, dst=self.ep(to).ip, ttl=ttl, id=ip_id)
                  / ICMP(type=icmp_type, code=code, nexthopmtu=mtu) / Raw(quoted))
        l3 = l3.__class__(bytes(l3))
        # The ICMP reaches the capture point on the same link as the peer's packets.
        self.emit(other(to), t, l3)
        return l3


class UdpFlow:
    """A UDP exchange; `client` is the sender of the first datagram."""

    def __init__(self, cap, c, s, *, at=CLIENT, rtt=0.020, link=ethernet):
        self.cap, self.c, self.s, self.at, self.rtt, self.link = cap, c, s, at, rtt, link
        self.v6 = c.v6
        self.ids = {CLIENT: c.ip_id, SERVER: s.ip_id}
        self.first_t = None
        self.sent = []

    def ep(self, side):
        return self.c if side == CLIENT else self.s

    def resp(self, side):
        return LOCAL_DELAY if side == self.at else self.rtt

    def send(self, side, t, data):
        src, dst = self.ep(side), self.ep(other(side))
        if self.v6:
            ip = IPv6(src=src.ip, dst=dst.ip, hlim=src.ttl)
        else:
            self.ids[side] = (self.ids[side] + 1) & 0xFFFF
            ip = IP(src=src.ip, dst=dst.ip, ttl=src.ttl, id=self.ids[side])
        l3 = ip / UDP(sport=src.port, dport=dst.port) / Raw(data)
        l3 = l3.__class__(bytes(l3))
        self.cap.add(t, self.link(src.mac, dst.mac, side, l3))
        if self.first_t is None:
            self.first_t = t
        self.sent.append(l3)
        return l3

    def icmp_error(self, t, about, src_ip, ttl, icmp_type, code, *, ip_id=0):
        """ICMP error from src_ip to the client about datagram `about` (quoting all of it)."""
        raw = bytes(about)
        if self.v6:
            l3 = (IPv6(src=src_ip, dst=self.c.ip, hlim=ttl)
                  / ICMPv6DestUnreach(code=code) / Raw(raw[:1232]))
        else:
            l3 = (IP(src=src_ip, dst=self.c.ip, ttl=ttl, id=ip_id)
                  / ICMP(type=icmp_type, code=code) / Raw(raw[:548]))
        l3 = l3.__class__(bytes(l3))
        self.cap.add(t, self.link(self.s.mac, self.c.mac, SERVER, l3))
        return l3


# ---------------------------------------------------------------------------------------------
# Payloads that Wireshark decodes cleanly (so the capture shows nothing unintended).
# ---------------------------------------------------------------------------------------------

def filler(n, seed):
    """n pseudo-random but fixed bytes."""
    out, x = bytearray(), seed & 0xFFFFFFFF or 1
    while len(out) < n:
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        out.append((x >> 16) & 0xFF)
    return bytes(out)


def tls_record(n, seed=1):
    """A TLS 1.2/1.3 application-data record carrying n bytes."""
    return bytes([0x17, 0x03, 0x03]) + struct.pack(">H", n) + filler(n, seed)


def http_request(host, path="/", extra=""):
    return (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: curl/7.88.1\r\n"
            f"Accept: */*\r\n{extra}\r\n").encode()


def http_response(body_len, seed=2):
    body = filler(body_len, seed)
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Length: {body_len}\r\n\r\n").encode()
    return head + body


def smb2_negotiate_request():
    """NetBIOS session header + SMB2 NEGOTIATE request offering dialects 2.0.2 and 2.1."""
    hdr = (b"\xfeSMB" + struct.pack("<HHI", 64, 0, 0) + struct.pack("<HHII", 0, 1, 0, 0)
           + struct.pack("<Q", 0) + struct.pack("<II", 0xFEFF, 0) + struct.pack("<Q", 0) + b"\0" * 16)
    body = struct.pack("<HHHHI", 36, 2, 1, 0, 0x7F) + filler(16, 445) + struct.pack("<Q", 0)
    body += struct.pack("<HH", 0x0202, 0x0210)
    smb = hdr + body
    return struct.pack(">I", len(smb)) + smb


def dns_query(txid, name):
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack(">HHHHHH", txid, 0x0100, 1, 0, 0, 0) + q + struct.pack(">HH", 1, 1)


def dns_response(txid, name, addr):
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    ans = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 300, 4) + bytes(int(x) for x in addr.split("."))
    return struct.pack(">HHHHHH", txid, 0x8180, 1, 1, 0, 0) + q + struct.pack(">HH", 1, 1) + ans


def msrcp_request(seq, src, dst):
    """A Windows failover-cluster heartbeat (MSRCP request, UDP 3343) between two IPv4 addresses."""
    ext = struct.pack("<HHI", 0, 40, 0) + bytes(int(x) for x in src.split(".")) + b"\0" * 12
    ext += bytes(int(x) for x in dst.split(".")) + b"\0" * 12
    return struct.pack("<IBBHHHI", 0x55555555, 1, 0, 0, 1, 16 + len(ext), seq) + ext
