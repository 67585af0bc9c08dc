"""Checks with plain tshark that each capture shows what its .expected file claims.

For every connection and each end, the packets of that stream must carry the evidence of the
verdict the scenario expects there (docs/verdicts.md): e.g. a refused stream has the client's SYN
and the server's RST and no SYN/ACK; a peer_lost_state stream ends with a RST without ACK. A
stream that should be absent must be absent, and every stream in the capture must be listed.
The checks read only what tshark shows; they never run tcpdiag.
"""

import subprocess
from dataclasses import dataclass

from expected import client_addr_at
from scenarios.base import UNREPORTED

INITIAL_TTLS = (64, 128, 255)
SYN_RETRANSMISSIONS = 1   # docs/verdicts.md: syn_retransmissions_threshold
DATA_RETRANSMISSIONS = 3  # docs/verdicts.md: data_retransmissions_threshold
STALL_SECONDS = 4.0       # the lab keeps every stall longer than this (threshold: 2 s)

FIELDS = ["frame.number", "frame.time_relative", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst",
          "ip.ttl", "ipv6.hlim", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
          "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.reset", "tcp.flags.fin", "tcp.seq",
          "tcp.ack", "tcp.len", "tcp.window_size", "tcp.analysis.retransmission",
          "tcp.options.mss_val", "icmp.type", "icmp.code", "icmpv6.type", "icmpv6.code"]


@dataclass
class Pkt:
    no: int
    t: float
    src: str
    dst: str
    ttl: int
    proto: str        # tcp, udp, or icmp (an ICMP/ICMPv6 error; ports are the quoted ones)
    sport: int
    dport: int
    syn: bool = False
    ack: bool = False
    rst: bool = False
    fin: bool = False
    seq: int = 0
    ackno: int = 0
    length: int = 0
    win: int = 0
    retrans: bool = False
    mss: int = 0
    icmp: tuple = ()  # (type, code) of an ICMP error, ICMPv6 types as (6, type, code)


def _int(text):
    return int(text) if text else 0


def _set(text):
    # tshark -T fields prints a set flag as "1" in Wireshark 4.0 and as "True" in 4.4 and later.
    return text in ("1", "True")


def load(path):
    """The capture's TCP, UDP and ICMP-error packets (outer IP header, quoted ports for ICMP)."""
    argv = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "occurrence=f"]
    for name in FIELDS:
        argv += ["-e", name]
    out = subprocess.run(argv, check=True, text=True, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout
    pkts = []
    for line in out.splitlines():
        f = dict(zip(FIELDS, line.split("\t")))
        if f["icmp.type"] in ("3", "11") or f["icmpv6.type"] in ("1", "2", "3", "4"):
            proto = "icmp"
            icmp = ((_int(f["icmp.type"]), _int(f["icmp.code"])) if f["icmp.type"]
                    else (6, _int(f["icmpv6.type"]), _int(f["icmpv6.code"])))
        elif f["tcp.srcport"]:
            proto, icmp = "tcp", ()
        elif f["udp.srcport"]:
            proto, icmp = "udp", ()
        else:
            continue  # ARP, neighbour discovery, MLD: no stream
        tcp_ports = f["tcp.srcport"] != ""
        pkts.append(Pkt(
            no=_int(f["frame.number"]), t=float(f["frame.time_relative"]),
            src=f["ip.src"] or f["ipv6.src"], dst=f["ip.dst"] or f["ipv6.dst"],
            ttl=_int(f["ip.ttl"] or f["ipv6.hlim"]), proto=proto,
            sport=_int(f["tcp.srcport"] if tcp_ports else f["udp.srcport"]),
            dport=_int(f["tcp.dstport"] if tcp_ports else f["udp.dstport"]),
            syn=_set(f["tcp.flags.syn"]), ack=_set(f["tcp.flags.ack"]),
            rst=_set(f["tcp.flags.reset"]), fin=_set(f["tcp.flags.fin"]),
            seq=_int(f["tcp.seq"]), ackno=_int(f["tcp.ack"]), length=_int(f["tcp.len"]),
            win=_int(f["tcp.window_size"]), retrans=f["tcp.analysis.retransmission"] != "",
            mss=_int(f["tcp.options.mss_val"]), icmp=icmp))
    return pkts


class Stream:
    """One connection's packets at one end, each marked as sent by the client or the server."""

    def __init__(self, pkts, client, server):
        self.client, self.server = client, server
        self.pkts = pkts
        self.tcp = [p for p in pkts if p.proto == "tcp"]
        self.icmp = [p for p in pkts if p.proto == "icmp"]

    def by(self, side):
        addr = self.client if side == "client" else self.server
        return [p for p in self.tcp if p.src == addr]

    def side_of(self, pkt):
        return "client" if pkt.src == self.client else "server"


def stream_of(pkts, proto, client, server):
    """Packets between client=(addr, port) and server=(addr, port), and ICMP errors quoting them."""
    ends = {client, server}
    out = []
    for p in pkts:
        if p.proto == proto and {(p.src, p.sport), (p.dst, p.dport)} == ends:
            out.append(p)
        elif p.proto == "icmp" and (p.sport, p.dport) == (client[1], server[1]):
            out.append(p)
    return Stream(out, client[0], server[0])


# ---- evidence for each verdict ---------------------------------------------------------------------

def established(s):
    return any(p.syn and p.ack for p in s.by("server"))


def handshake_unanswered(s):
    syns = [p for p in s.by("client") if p.syn and not p.ack]
    if len(syns) < 1 + SYN_RETRANSMISSIONS:
        return None, f"{len(syns)} SYN(s), expected at least {1 + SYN_RETRANSMISSIONS}"
    if s.by("server") or s.icmp:
        return None, "the SYNs were answered"
    return syns, None


def ev_handshake_loss(s, seen):
    syns, problem = handshake_unanswered(s)
    if problem:
        return problem
    if syns[0].ttl not in INITIAL_TTLS:
        return f"SYN TTL {syns[0].ttl} is not an initial TTL: this is not the client's side"
    return None


def ev_no_response(s, seen):
    syns, problem = handshake_unanswered(s)
    if problem:
        return problem
    if syns[0].ttl in INITIAL_TTLS:
        return f"SYN TTL {syns[0].ttl} is an initial TTL: the capture does not show them arrive"
    return None


def ev_refused(s, seen):
    if established(s):
        return "a SYN/ACK was seen"
    rsts = [p for p in s.by("server") if p.rst]
    if not rsts or not any(p.syn for p in s.by("client")):
        return "no SYN answered by the server's RST"
    return None


def ev_icmp(s, seen, codes):
    errors = [p for p in s.icmp if p.icmp in codes]
    if not errors:
        return f"no ICMP error {codes} quoting the stream"
    from_server = errors[0].src == s.server
    if from_server != (seen.reset_by == "server"):
        return f"ICMP came from {errors[0].src}, reset_by is {seen.reset_by}"
    if established(s) or any(p.fin for p in s.tcp):
        return "the stream recovered or closed after the ICMP"
    return None


def ev_icmp_unreachable(s, seen):
    return ev_icmp(s, seen, [(3, code) for code in range(16) if code != 4] +
                   [(6, 1, code) for code in range(8)])


def ev_port_unreachable(s, seen):
    if not any(p.proto == "udp" and p.src == s.client for p in s.pkts):
        return "no datagram from the client"
    return ev_icmp(s, seen, [(3, 3), (6, 1, 4)])


def ev_graceful_close(s, seen):
    if not any(p.fin for p in s.by("client")) or not any(p.fin for p in s.by("server")):
        return "not a FIN from both sides"
    if any(p.rst for p in s.tcp):
        return "a RST was seen"
    return None


def ev_open(s, seen):
    if not established(s):
        return "no handshake"
    if any(p.rst for p in s.tcp):
        return "a RST was seen"
    if any(p.fin for p in s.by("client")) and any(p.fin for p in s.by("server")):
        return "closed by both sides"
    if any(len(unanswered_resends(s, side)) >= DATA_RETRANSMISSIONS for side in ("client", "server")):
        return "data resent without an answer as often as data_loss needs"
    return None


def unanswered_resends(s, side):
    """The side's resends of data that the peer never acknowledged afterwards (resends that were
    answered in the end, a busy machine's late timers, are no loss)."""
    peer = "server" if side == "client" else "client"
    acks = [(p.t, p.ackno) for p in s.by(peer) if p.ack and not p.rst]
    return [p for p in s.by(side) if p.retrans and p.length > 0
            and not any(t >= p.t and ackno >= p.seq + p.length for t, ackno in acks)]


def lost_before_capture(s, seen):
    """The resetting side's RST lies beyond all the data of it this end received, and this end
    acknowledged none of the missing bytes: they were lost before reaching it."""
    side = seen.reset_by
    peer = "server" if side == "client" else "client"
    sent = [p for p in s.by(side) if not p.rst]
    resets = [p for p in s.by(side) if p.rst]
    if not sent or not resets:
        return f"no RST from the {side} after data of its own"
    arrived_end = max(p.seq + p.length + (1 if p.fin or p.syn else 0) for p in sent)
    if resets[0].seq <= arrived_end:
        return f"the {side}'s RST (seq {resets[0].seq}) lies within the data that arrived (up to {arrived_end})"
    if any(p.ack and p.ackno > arrived_end for p in s.by(peer) if not p.rst):
        return f"the {peer} acknowledged bytes beyond those captured: a capture gap, not a loss"
    return None


def ev_data_loss(s, seen):
    if seen.expected_loss_point == "before_capture":
        return lost_before_capture(s, seen)
    for side in ("client", "server"):
        retrans = [p for p in s.by(side) if p.retrans and p.length > 0]
        if len(retrans) < DATA_RETRANSMISSIONS:
            continue
        lost_end = retrans[0].seq + retrans[0].length
        peer = "server" if side == "client" else "client"
        if any(p.ack and p.ackno >= lost_end for p in s.by(peer) if not p.rst):
            return f"the {peer} acknowledged the retransmitted data"
        resets = [p for p in s.tcp if p.rst and p.t > retrans[0].t]
        if seen.reset_by == "none":
            return "a RST was seen" if resets else None
        if not resets or s.side_of(resets[0]) != seen.reset_by:
            return f"no RST from the {seen.reset_by} after the retransmissions"
        return None
    return f"no side retransmitted data {DATA_RETRANSMISSIONS} times"


def ev_zero_window_stall(s, seen):
    for side in ("client", "server"):
        sent = [p for p in s.by(side) if not p.rst and not p.syn]
        zeros = [p for p in sent if p.win == 0]
        if not zeros:
            continue
        if any(p.win > 0 for p in sent if p.t > zeros[0].t):
            return f"the {side}'s window opened again"
        stall = s.tcp[-1].t - zeros[0].t
        if stall < STALL_SECONDS:
            return f"the window stayed zero for only {stall:.1f} s"
        return None
    return "no zero window"


def ev_reset(s, seen, with_ack):
    if not established(s):
        return "no handshake"
    last = s.tcp[-1]
    if not last.rst or s.side_of(last) != seen.reset_by:
        return f"the stream does not end with a RST from the {seen.reset_by}"
    if last.ack != with_ack:
        return f"the final RST {'lacks' if with_ack else 'carries'} ACK"
    sent_before = [p for p in s.tcp if p.src == last.src and p.no < last.no]
    if last.ttl not in {p.ttl for p in sent_before}:
        return f"the RST's TTL {last.ttl} differs from its sender's earlier packets"
    return None


def ev_peer_lost_state(s, seen):
    problem = ev_reset(s, seen, with_ack=False)
    if problem:
        return problem
    if len(s.tcp) < 2 or s.tcp[-2].src == s.tcp[-1].src:
        return "the bare RST does not answer a segment of the peer"
    return None


def ev_app_reset(s, seen):
    return ev_reset(s, seen, with_ack=True)


def ev_injected_reset(s, seen):
    """A RST whose TTL is not that of its address's data (of its earlier packets, if it sent no
    data): a SYN proxy's handshake shares the forged RST's TTL, the host's data does not."""
    for rst in (p for p in s.tcp if p.rst):
        earlier = [p for p in s.tcp if p.src == rst.src and p.no < rst.no]
        family = {p.ttl for p in earlier if p.length > 0} or {p.ttl for p in earlier}
        if family and rst.ttl not in family:
            return None
    return "no RST whose TTL differs from its address's data-bearing (or earlier) packets"


def ev_response_timeout(s, seen):
    """The client's RST (reset_by client) or FIN (none) comes 3 s or more after its last data, or after
    the handshake when it sent none, with no data from the server since, nor a FIN or RST before it."""
    if not established(s):
        return "no handshake"
    gave_up = next((p for p in s.tcp if s.side_of(p) == "client" and (p.rst or p.fin)), None)
    if gave_up is None:
        return "the client neither reset nor closed"
    if (seen.reset_by == "client") != gave_up.rst:
        return f"the client {'closed' if seen.reset_by == 'client' else 'reset'} instead"
    before = [p for p in s.tcp if p.no < gave_up.no]
    asked = [p for p in before if s.side_of(p) == "client" and p.length] or [
        next(p for p in before if s.side_of(p) == "client" and p.ack and not p.syn)]
    since = asked[-1]
    answered = [p for p in before if s.side_of(p) == "server" and p.no > since.no and (p.length or p.fin or p.rst)]
    if answered:
        return f"the server sent data or closed (frame {answered[0].no}) before the client gave up"
    if gave_up.t - since.t < 3.0:
        return f"the client gave up {gave_up.t - since.t:.1f} s after frame {since.no}: under 3 s"
    return None


EVIDENCE = {
    "response_timeout": ev_response_timeout,
    "injected_reset": ev_injected_reset,
    "refused": ev_refused,
    "icmp_unreachable": ev_icmp_unreachable,
    "handshake_loss": ev_handshake_loss,
    "no_response": ev_no_response,
    "data_loss": ev_data_loss,
    "zero_window_stall": ev_zero_window_stall,
    "peer_lost_state": ev_peer_lost_state,
    "app_reset": ev_app_reset,
    "graceful_close": ev_graceful_close,
    "open": ev_open,
    "port_unreachable": ev_port_unreachable,
}


# ---- per capture ---------------------------------------------------------------------------------

def check_end(sc, end, pkts):
    problems = []
    listed = set()
    for conn in sc.conns:
        client = (client_addr_at(sc, conn, end), conn.sport)
        server = (conn.server_addr, conn.dport)
        s = stream_of(pkts, conn.proto, client, server)
        listed.update(id(p) for p in s.pkts)
        seen = getattr(conn, end)
        where = f"{end} capture, {conn.proto} {conn.sport}->{conn.dport}"
        if seen is None:
            problem = f"{len(s.pkts)} packets, expected none" if s.pkts else None
        elif not s.pkts:
            problem = "stream missing"
        elif seen is UNREPORTED:
            problem = "an ICMP error answers it" if s.icmp else None
        else:
            problem = EVIDENCE[seen.verdict](s, seen)
        if problem:
            problems.append(f"{where}: {seen.verdict if seen else 'absent'}: {problem}")
    stray = [p.no for p in pkts if id(p) not in listed]
    if stray:
        problems.append(f"{end} capture: frames {stray[:10]} belong to no listed connection")
    return problems


def check_scenario(sc, out_dir):
    pkts = {end: load(f"{out_dir}/{sc.name}.{end}.pcapng") for end in ("client", "server")}
    problems = check_end(sc, "client", pkts["client"]) + check_end(sc, "server", pkts["server"])
    if sc.check:
        problems += sc.check(pkts["client"], pkts["server"])
    return problems
