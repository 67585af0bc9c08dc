#!/usr/bin/python3
"""Write a large, realistic capture for benchmarks: many interleaved TCP streams (mostly graceful,
every failure mode tcpdiag knows present), IPv4 and IPv6, some UDP, in classic pcap.

    /usr/bin/python3 tools/bench/gen_capture.py --packets 1000000 --streams 10000 --seed 1 -o /tmp/1m.pcap

The same arguments give the same file, byte for byte. Streams are simulated side by side as
timed events, so retransmission back-off and zero-window stalls keep their real gaps while
thousands of other connections proceed. Payloads are opaque filler on unassigned ports, so no
application dissector is involved: the cost measured is TCP's and tcpdiag's. Checksums are left
zero (Wireshark does not check them by default). The per-stream verdict mix is printed at the end.
"""

import argparse
import heapq
import random
import struct
import sys

# Failure modes with their share of TCP streams; the rest close gracefully. Streams still
# running when the packet budget is reached end up open or incomplete, as in a real capture.
MIX = [
    ("refused", 0.03),
    ("handshake_loss", 0.02),
    ("icmp_unreachable", 0.01),
    ("data_loss", 0.02),
    ("zero_window_stall", 0.01),
    ("peer_lost_state", 0.02),
    ("app_reset", 0.04),
    ("injected_reset", 0.01),
]
UDP_SHARE = 0.05            # of all flows; a tenth of them is answered by ICMP port unreachable
IPV6_SHARE = 0.2
SERVER_PORTS = (9101, 9102, 9103, 9104, 9105)  # nothing registered: payloads stay opaque
CLIENT_TTL, SERVER_TTL_SEEN = 64, 61           # captured at the client, the server 3 hops away
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
MSS = 1448
FILLER = bytes(range(256)) * 6


class Writer:
    """Classic pcap, Ethernet, microsecond timestamps."""

    def __init__(self, out):
        self.out = out
        self.count = 0
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))

    def packet(self, t_us, frame):
        self.out.write(struct.pack("<IIII", t_us // 1000000, t_us % 1000000, len(frame), len(frame)))
        self.out.write(frame)
        self.count += 1


ETH4 = bytes.fromhex("525400aa0001525400bb0001") + b"\x08\x00"
ETH4_BACK = bytes.fromhex("525400bb0001525400aa0001") + b"\x08\x00"
ETH6 = bytes.fromhex("525400aa0001525400bb0001") + b"\x86\xdd"
ETH6_BACK = bytes.fromhex("525400bb0001525400aa0001") + b"\x86\xdd"


def ip_header(v6, src, dst, proto, ttl, length, ident):
    if v6:
        return struct.pack("!IHBB", 0x60000000, length, proto, ttl) + src + dst
    return struct.pack("!BBHHHBBH", 0x45, 0, 20 + length, ident & 0xFFFF, 0x4000, ttl, proto, 0) + src + dst


class Flow:
    """Addresses and ports of one connection, and the framing of its packets."""

    def __init__(self, rng, index, v6):
        self.v6 = v6
        if v6:
            self.client = bytes.fromhex("fd000000000000010000") + index.to_bytes(6, "big")
            self.server = bytes.fromhex("fd000000000000020000000000") + (index % 4096).to_bytes(3, "big")
        else:
            self.client = bytes([10, 1 + (index >> 16) % 200, (index >> 8) & 255, index & 255])
            self.server = bytes([10, 250, (index >> 8) % 16, 1 + index % 250])
        self.cport = 1024 + (index * 7919) % 60000
        self.sport = SERVER_PORTS[index % len(SERVER_PORTS)]
        self.ident = rng.randrange(65536)

    def frame(self, from_client, proto_header, payload_len, ttl=None):
        src, dst = (self.client, self.server) if from_client else (self.server, self.client)
        if ttl is None:
            ttl = CLIENT_TTL if from_client else SERVER_TTL_SEEN
        self.ident += 1
        eth = (ETH6 if from_client else ETH6_BACK) if self.v6 else (ETH4 if from_client else ETH4_BACK)
        proto = 6 if self.tcp else 17
        return (eth + ip_header(self.v6, src, dst, proto, ttl, len(proto_header) + payload_len, self.ident) +
                proto_header + FILLER[:payload_len])


class TcpFlow(Flow):
    tcp = True

    def __init__(self, rng, index, v6):
        super().__init__(rng, index, v6)
        self.seq = [rng.getrandbits(32), rng.getrandbits(32)]  # next seq, client and server
        self.ack = [0, 0]

    def segment(self, from_client, flags, length=0, window=64240, ttl=None, seq=None):
        me = 0 if from_client else 1
        s = self.seq[me] if seq is None else seq
        header = struct.pack("!HHIIBBHHH", self.cport if from_client else self.sport,
                             self.sport if from_client else self.cport, s, self.ack[me] if flags & ACK else 0,
                             0x50, flags, window, 0, 0)
        if seq is None:
            self.seq[me] = (s + length + (1 if flags & (SYN | FIN) else 0)) & 0xFFFFFFFF
            self.ack[1 - me] = self.seq[me]
        return self.frame(from_client, header, length, ttl)

    def icmp_unreachable(self, reporter):
        """A router's Destination Unreachable quoting the client's SYN (IP header + 20 TCP bytes)."""
        quote_tcp = struct.pack("!HHIIBBHHH", self.cport, self.sport, (self.seq[0] - 1) & 0xFFFFFFFF, 0, 0x50, SYN,
                                64240, 0, 0)
        quote = ip_header(self.v6, self.client, self.server, 6, CLIENT_TTL - 2, 20, self.ident) + quote_tcp
        if self.v6:
            body = struct.pack("!BBHI", 1, 1, 0, 0) + quote
            ip = struct.pack("!IHBB", 0x60000000, len(body), 58, 62) + reporter + self.client
            return ETH6_BACK + ip + body
        body = struct.pack("!BBHI", 3, 13, 0, 0) + quote
        return ETH4_BACK + ip_header(False, reporter, self.client, 1, 62, len(body), 1) + body


class UdpFlow(Flow):
    tcp = False

    def datagram(self, from_client, length):
        header = struct.pack("!HHHH", self.cport if from_client else self.sport,
                             self.sport if from_client else self.cport, 8 + length, 0)
        return self.frame(from_client, header, length)

    def port_unreachable(self, length):
        quote = ip_header(self.v6, self.client, self.server, 17, CLIENT_TTL - 3, 8 + length, self.ident) + \
            struct.pack("!HHHH", self.cport, self.sport, 8 + length, 0) + FILLER[:min(length, 32)]
        if self.v6:
            body = struct.pack("!BBHI", 1, 4, 0, 0) + quote
            return ETH6_BACK + struct.pack("!IHBB", 0x60000000, len(body), 58, 61) + self.server + self.client + body
        body = struct.pack("!BBHI", 3, 3, 0, 0) + quote
        return ETH4_BACK + ip_header(False, self.server, self.client, 1, 61, len(body), 1) + body


# Each scenario yields (delay in microseconds before the packet, frame bytes).
def handshake(f, rtt):
    yield 0, f.segment(True, SYN)
    yield rtt, f.segment(False, SYN | ACK)
    yield rtt, f.segment(True, ACK)


def exchanges(f, rng, count, rtt):
    for _ in range(count):
        req = rng.choice((80, 200, 512))
        yield rng.randrange(200, 20000), f.segment(True, PSH | ACK, req)
        resp = rng.choice((300, 1000, MSS))
        yield rtt, f.segment(False, PSH | ACK, resp)
        yield rtt // 4, f.segment(True, ACK)


def graceful(f, rng, n, rtt):
    yield from handshake(f, rtt)
    yield from exchanges(f, rng, n, rtt)
    yield 1000, f.segment(True, FIN | ACK)
    yield rtt, f.segment(False, FIN | ACK)
    yield rtt // 4, f.segment(True, ACK)


def refused(f, rng, n, rtt):
    yield 0, f.segment(True, SYN)
    yield rtt, f.segment(False, RST | ACK, seq=0)


def handshake_loss(f, rng, n, rtt):
    for gap in (0, 1000000, 2000000, 4000000):
        yield gap, f.segment(True, SYN, seq=f.seq[0])
    f.seq[0] += 1


def icmp_unreachable(f, rng, n, rtt):
    yield 0, f.segment(True, SYN)
    reporter = bytes.fromhex("fd0000000000000900000000000000ff") if f.v6 else bytes([10, 9, 0, 1])
    yield rtt // 2, f.icmp_unreachable(reporter)


def data_loss(f, rng, n, rtt):
    yield from handshake(f, rtt)
    yield from exchanges(f, rng, n // 2, rtt)
    start = f.seq[0]
    yield 5000, f.segment(True, PSH | ACK, 512)
    for gap in (200000, 400000, 800000, 1600000):
        yield gap, f.segment(True, PSH | ACK, 512, seq=start)
    yield 3200000, f.segment(True, RST | ACK)


def zero_window_stall(f, rng, n, rtt):
    yield from handshake(f, rtt)
    yield from exchanges(f, rng, n // 2, rtt)
    yield 5000, f.segment(True, PSH | ACK, MSS)
    yield rtt, f.segment(False, ACK, window=0)
    for gap in (500000, 1000000, 2000000):
        yield gap, f.segment(True, ACK, 1, seq=f.seq[0])
        yield rtt, f.segment(False, ACK, window=0)


def peer_lost_state(f, rng, n, rtt):
    yield from handshake(f, rtt)
    yield from exchanges(f, rng, n, rtt)
    yield 240000000, f.segment(True, PSH | ACK, 200)
    yield rtt, f.segment(False, RST, seq=f.ack[0])


def app_reset(f, rng, n, rtt):
    yield from handshake(f, rtt)
    yield from exchanges(f, rng, n, rtt)
    yield 1000, f.segment(False, RST | ACK)


def injected_reset(f, rng, n, rtt):
    yield from handshake(f, rtt)
    yield from exchanges(f, rng, n // 2, rtt)
    yield 5000, f.segment(True, PSH | ACK, 200)
    yield rtt // 3, f.segment(False, RST | ACK, ttl=250)


def udp_exchange(f, rng, n, rtt):
    unreachable = rng.random() < 0.1
    for _ in range(max(1, n)):
        length = rng.choice((40, 120, 400))
        yield rng.randrange(1000, 50000), f.datagram(True, length)
        yield rtt, f.port_unreachable(length) if unreachable else f.datagram(False, length * 2)


SCENARIOS = {"graceful_close": graceful, "refused": refused, "handshake_loss": handshake_loss,
             "icmp_unreachable": icmp_unreachable, "data_loss": data_loss, "zero_window_stall": zero_window_stall,
             "peer_lost_state": peer_lost_state, "app_reset": app_reset, "injected_reset": injected_reset}
# Packets a scenario writes besides its exchanges (3 packets each), to size exchanges to the budget.
FIXED_PACKETS = {"graceful_close": 6, "refused": 2, "handshake_loss": 4, "icmp_unreachable": 2, "data_loss": 9,
                 "zero_window_stall": 12, "peer_lost_state": 5, "app_reset": 4, "injected_reset": 5}


def syn_flood(seed, count, interval_us):
    """SYNs from spoofed sources (random addresses and ports) to one server that never answers:
    each is a new connection attempt, a new stream. Its own random generator, so adding a flood
    leaves the other flows unchanged."""
    rng = random.Random(seed ^ 0x5F10D)
    server = bytes([10, 251, 0, 1])
    for i in range(count):
        header = struct.pack("!HHIIBBHHH", rng.randrange(1024, 65536), 9101, rng.getrandbits(32), 0, 0x50, SYN,
                             64240, 0, 0)
        source = bytes([rng.randrange(1, 224), rng.randrange(256), rng.randrange(256), rng.randrange(1, 255)])
        yield (interval_us if i else 0), ETH4 + ip_header(False, source, server, 6, rng.randrange(30, 250), 20,
                                                          i) + header


def pick_scenario(rng):
    r = rng.random()
    for name, share in MIX:
        if r < share:
            return name
        r -= share
    return "graceful_close"


def generate(args, out):
    rng = random.Random(args.seed)
    writer = Writer(out)
    # Refusals, unanswered SYNs and ICMP errors are short whatever the budget, UDP flows half as
    # long: the other flows make up for them so that --streams flows write about --packets packets.
    short = sum(share for name, share in MIX if name in ("refused", "handshake_loss", "icmp_unreachable"))
    spending = (1 - UDP_SHARE) * (1 - short) + UDP_SHARE / 2
    per_stream = max(2.0, (args.packets - args.syn_flood) / args.streams / spending)
    concurrency = max(1, min(args.concurrency, args.streams))
    started, mix = 0, {}
    events = []  # (time of the flow's next packet, flow number, that packet, the flow's packet iterator)
    now = 1700000000 * 1000000

    def push(t, index, packets):
        step = next(packets, None)
        if step is not None:
            heapq.heappush(events, (t + step[0], index, step[1], packets))

    def start(t):
        nonlocal started
        index = started
        started += 1
        v6 = rng.random() < IPV6_SHARE
        rtt = rng.randrange(500, 60000)
        if rng.random() < UDP_SHARE:
            name, flow = "udp", UdpFlow(rng, index, v6)
            packets = udp_exchange(flow, rng, max(1, int(per_stream / 2 * rng.uniform(0.5, 1.5))), rtt)
        else:
            name = pick_scenario(rng)
            flow = TcpFlow(rng, index, v6)
            budget = per_stream * rng.uniform(0.5, 1.5) - FIXED_PACKETS[name]
            # Rounded up or down at random so the average length meets the budget.
            exchanges = max(0.0, budget / 3)
            count = int(exchanges) + (rng.random() < exchanges - int(exchanges))
            packets = SCENARIOS[name](flow, rng, count, rtt)
        mix[name] = mix.get(name, 0) + 1
        push(t, index, packets)

    for _ in range(concurrency):
        start(now + rng.randrange(0, 1000000))
    if args.syn_flood:
        push(now, -1, syn_flood(args.seed, args.syn_flood, args.flood_interval_us))
        mix["syn_flood"] = args.syn_flood
    # The flood's SYNs come on top of the flows' packets, so a flood leaves the flows as they are.
    flow_budget, flow_packets = args.packets - args.syn_flood, 0
    while events:
        t, index, frame, packets = events[0]
        if index >= 0:
            if flow_packets >= flow_budget:  # the capture ends for the flows; the flood may go on
                heapq.heappop(events)
                continue
            flow_packets += 1
        writer.packet(t, frame)
        step = next(packets, None)
        if step is not None:
            heapq.heapreplace(events, (t + step[0], index, step[1], packets))
            continue
        heapq.heappop(events)
        if index >= 0 and started < args.streams:  # a flow ended (not the flood): the next one starts
            start(t + rng.randrange(0, 20000))
    return writer.count, started, mix


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packets", type=int, required=True, help="packets to write (at most), the flood's included")
    parser.add_argument("--streams", type=int, required=True, help="TCP and UDP flows to start (at most)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=2000, help="flows in progress at the same time")
    parser.add_argument("--syn-flood", type=int, default=0, metavar="N",
                        help="add N SYNs from spoofed sources to one server, among the other flows")
    parser.add_argument("--flood-interval-us", type=int, default=10, help="time between two flood SYNs")
    parser.add_argument("-o", "--out", required=True)
    args = parser.parse_args()
    with open(args.out, "wb", buffering=1 << 22) as out:
        packets, flows, mix = generate(args, out)
    print("%s: %d packets, %d flows (%s)" % (args.out, packets, flows,
                                             ", ".join("%s %d" % kv for kv in sorted(mix.items()))), file=sys.stderr)


if __name__ == "__main__":
    main()
