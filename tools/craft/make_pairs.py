#!/usr/bin/env python3
"""Write the crafted capture pairs of testdata/crafted/pairs/: one conversation captured at both
ends of a path with a middlebox a Linux lab cannot be made to play, and the expectations beside
each capture (<name>.<end>.expected for the verdicts, <name>.<end>.twopoint for the comparison).

Each conversation is written once as what the two hosts send (sequence numbers, timestamps, IP
IDs); each capture then shows it as its capture point saw it: the client side before the path,
the server side after it, one router hop further, with the server's clock 2.5 s ahead, and with
whatever the middlebox did in between. Deterministic: fixed times, numbers and IDs.

    /usr/bin/python3 tools/craft/make_pairs.py --out testdata/crafted/pairs
"""
import argparse
import os
import struct
import sys
from dataclasses import dataclass, field, replace

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from craftlib import EPOCH, _block, _option, pcapng  # noqa: E402
from scapy.all import IP, TCP, Ether, Raw  # noqa: E402

CLIENT_IP, SERVER_IP = "10.1.0.2", "10.2.0.2"
CLIENT_PORT, SERVER_PORT = 40001, 8080
CLIENT_MAC, SERVER_MAC, ROUTER_C_MAC, ROUTER_S_MAC = ("02:00:00:00:00:01", "02:00:00:00:00:02",
                                                      "02:00:00:00:01:01", "02:00:00:00:01:02")
ONE_WAY = 0.004             # seconds between the two capture points
SERVER_CLOCK_AHEAD = 2.5    # the server's clock minus the client's
ISN = {"client": 0x1000_0000, "server": 0x5000_0000}
TTL = {"client": 64, "server": 128}


@dataclass
class Packet:
    """A segment as its sender put it on the wire."""
    sender: str
    t: float            # sender's time (client clock)
    flags: str
    seq: int
    ack: int
    data: bytes = b""
    tsval: int = 0
    tsecr: int = 0
    ip_id: int = 0
    # What the middlebox does to it on the way: a function of the packet, or None.
    in_path: object = None
    lost: bool = False


@dataclass
class Conversation:
    packets: list = field(default_factory=list)
    nxt: dict = field(default_factory=lambda: dict(ISN))
    ts_recent: dict = field(default_factory=lambda: {"client": 0, "server": 0})
    ip_id: dict = field(default_factory=lambda: {"client": 0x2000, "server": 0x7000})
    t: float = 0.1

    def send(self, sender, flags, data=b"", gap=0.010, **kw):
        other = "server" if sender == "client" else "client"
        self.t += gap
        self.ip_id[sender] += 1
        tsval = (ISN[sender] >> 12) + int(self.t * 1000)
        p = Packet(sender, self.t, flags, self.nxt[sender], self.nxt[other] if "A" in flags else 0, data,
                   tsval, self.ts_recent[sender], self.ip_id[sender], **kw)
        self.nxt[sender] += len(data) + ("S" in flags) + ("F" in flags)
        self.ts_recent[other] = tsval
        self.packets.append(p)
        return p


def wire(p, *, src_ip, dst_ip, ttl, smac, dmac):
    sport, dport = (CLIENT_PORT, SERVER_PORT) if p.sender == "client" else (SERVER_PORT, CLIENT_PORT)
    options = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (p.tsval, p.tsecr)), ("NOP", None),
               ("WScale", 7)] if "S" in p.flags else [("NOP", None), ("NOP", None),
                                                       ("Timestamp", (p.tsval, p.tsecr))]
    tcp = TCP(sport=sport, dport=dport, seq=p.seq & 0xFFFFFFFF, ack=p.ack & 0xFFFFFFFF, flags=p.flags,
              window=502 if "S" not in p.flags else 64240, options=options)
    l3 = IP(src=src_ip, dst=dst_ip, ttl=ttl, id=p.ip_id, flags="DF") / tcp
    if p.data:
        l3 = l3 / Raw(p.data)
    return bytes(Ether(src=smac, dst=dmac) / IP(bytes(l3)))


def views(conv):
    """(client-side frames, server-side frames), each a list of (time, order, bytes)."""
    at_client, at_server = [], []
    for n, p in enumerate(conv.packets):
        src, dst = (CLIENT_IP, SERVER_IP) if p.sender == "client" else (SERVER_IP, CLIENT_IP)
        far = p.in_path(p) if p.in_path else p
        if p.sender == "client":
            at_client.append((p.t, n, wire(p, src_ip=src, dst_ip=dst, ttl=TTL["client"], smac=CLIENT_MAC,
                                           dmac=ROUTER_C_MAC)))
            if not p.lost:
                at_server.append((p.t + ONE_WAY + SERVER_CLOCK_AHEAD, n,
                                  wire(far, src_ip=src, dst_ip=dst, ttl=TTL["client"] - 1, smac=ROUTER_S_MAC,
                                       dmac=SERVER_MAC)))
        else:
            at_server.append((p.t + SERVER_CLOCK_AHEAD, n, wire(p, src_ip=src, dst_ip=dst, ttl=TTL["server"],
                                                                 smac=SERVER_MAC, dmac=ROUTER_S_MAC)))
            if not p.lost:
                at_client.append((p.t + ONE_WAY, n, wire(far, src_ip=src, dst_ip=dst, ttl=TTL["server"] - 1,
                                                         smac=ROUTER_C_MAC, dmac=CLIENT_MAC)))
    return sorted(at_client), sorted(at_server)


def request_reply(conv, request=b"GET /report HTTP/1.1\r\n\r\n", reply=b"HTTP/1.1 200 OK\r\n\r\n" + b"r" * 300,
                  in_path=None):
    conv.send("client", "S", in_path=in_path)
    conv.send("server", "SA", in_path=in_path)
    conv.send("client", "A", in_path=in_path)
    req = conv.send("client", "PA", request, in_path=in_path)
    conv.send("server", "A", in_path=in_path)
    conv.send("server", "PA", reply, in_path=in_path)
    conv.send("client", "A", in_path=in_path)
    return req


def seq_rewrite():
    """A firewall that randomises initial sequence numbers: the client's numbers gain a constant
    on the way to the server, and the server's acknowledgements lose it on the way back."""
    offset = 0x3A5F_0000

    def shift(p):
        return replace(p, seq=p.seq + offset) if p.sender == "client" else replace(p, ack=p.ack - offset)

    conv = Conversation()
    request_reply(conv, in_path=shift)
    conv.send("client", "FA", in_path=shift)
    conv.send("server", "FA", in_path=shift)
    conv.send("client", "A", in_path=shift)
    both = [("stream", "graceful_close", "none", "modified_in_path", "seq,ack")]
    return conv, "a firewall adds 0x3A5F0000 to the client's sequence numbers (and takes it off the " \
                 "server's acknowledgements); the connection works", both, both


def replayed_segment():
    """A WAN accelerator replays the client's request toward the server with other sequence
    numbers; the server rejects it with a reset. The client never sent that copy."""
    conv = Conversation()
    req = request_reply(conv)
    replay = replace(req, t=conv.t + 0.050, seq=req.seq + 70000)
    conv.t += 0.050
    conv.packets.append(replay)
    server_view_only = len(conv.packets) - 1
    conv.send("server", "RA", gap=ONE_WAY + 0.001)  # once the replay has arrived
    at_client = [("stream", "app_reset", "server", "injected_in_path", "-")]
    at_server = [("stream", "app_reset", "server", "injected_in_path", "-")]
    return conv, "a WAN accelerator replays the client's request toward the server with sequence numbers " \
                 "70000 higher; the server resets the connection", at_client, at_server, \
        {"only_server": server_view_only}


def capture_drops():
    """The server's capturing host drops a packet (its interface statistics say so): the server's
    ACK of the request reaches the client but is missing from the server-side capture. Only the
    client side is compared: the server side cannot know its own capture's statistics."""
    conv = Conversation()
    request_reply(conv)
    not_captured = len(conv.packets) - 3  # the server's ACK of the request
    conv.send("client", "FA")
    conv.send("server", "FA")
    conv.send("client", "A")
    at_client = [("stream", "graceful_close", "none", "not_covered", "-")]
    at_server = [("stream", "graceful_close", "none", None, None)]
    return conv, "the server's capturing host dropped one packet (isb_ifdrop 1), the server's ACK of the " \
                 "request; the connection works", at_client, at_server, {"not_at_server": not_captured,
                                                                       "server_drops": 1}


PAIRS = {"seq_rewrite": seq_rewrite, "replayed_segment": replayed_segment, "capture_drops": capture_drops}


def pcapng_as_dumpcap(frames, dropped):
    """A capture as dumpcap writes it: nanosecond timestamps, and at the end an interface
    statistics block whose start and end times dumpcap gives in microseconds all the same."""
    shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + _option(4, b"Dumpcap (Wireshark) 4.0.17") + _option(0, b"")
    idb = struct.pack("<HHI", 1, 0, 262144) + _option(9, bytes([9])) + _option(0, b"")
    out = [_block(0x0A0D0D0A, shb), _block(0x00000001, idb)]
    for t, _, data in frames:
        ns = int(round((EPOCH + t) * 1_000_000_000))
        out.append(_block(0x00000006, struct.pack("<IIIII", 0, ns >> 32, ns & 0xFFFFFFFF, len(data), len(data)) + data))
    start_us = int(round((EPOCH + frames[0][0] - 1.0) * 1_000_000))
    end_us = int(round((EPOCH + frames[-1][0] + 1.0) * 1_000_000))

    def stamp(us):
        return struct.pack("<II", us >> 32, us & 0xFFFFFFFF)

    isb = (struct.pack("<I", 0) + stamp(end_us) + _option(1, b"Counters provided by dumpcap") +
           _option(2, stamp(start_us)) + _option(3, stamp(end_us)) +
           _option(4, struct.pack("<Q", len(frames) + dropped)) + _option(5, struct.pack("<Q", dropped)) +
           _option(0, b""))
    out.append(_block(0x00000005, isb))
    return b"".join(out)


def expected_files(name, summary, end, rows):
    endpoints = (f"{CLIENT_IP}:{CLIENT_PORT}", f"{SERVER_IP}:{SERVER_PORT}")
    other = "server" if end == "client" else "client"
    head = [f"# {name}, captured at the {end}: {summary}.", "# Made by tools/craft/make_pairs.py."]
    verdicts = head + ["# proto client                   server                   verdict            reset_by"]
    verdicts += [f"tcp   {endpoints[0]:<24} {endpoints[1]:<24} {v:<18} {r}" for _, v, r, _, _ in rows]
    two_point = head + [f"# Compared with {name}.{other}.pcapng as tcpdiag.peer_capture.",
                        "# kind   proto client               server               path_verdict           changed"]
    if any(p is None for _, _, _, p, _ in rows):
        return "\n".join(verdicts) + "\n", None  # this side is not compared
    two_point += [f"{k:<7} tcp   {endpoints[0]:<20} {endpoints[1]:<20} {p:<22} {c}" for k, _, _, p, c in rows]
    return "\n".join(verdicts) + "\n", "\n".join(two_point) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, make in PAIRS.items():
        made = make()
        conv, summary, at_client, at_server = made[:4]
        special = made[4] if len(made) > 4 else {}
        client_frames, server_frames = views(conv)
        # A packet only the server side has (forged on the way), or one its capture missed.
        client_frames = [f for f in client_frames if f[1] != special.get("only_server")]
        server_frames = [f for f in server_frames if f[1] != special.get("not_at_server")]
        for end, frames, rows in (("client", client_frames, at_client), ("server", server_frames, at_server)):
            drops = special.get("server_drops") if end == "server" else None
            with open(os.path.join(args.out, f"{name}.{end}.pcapng"), "wb") as f:
                f.write(pcapng_as_dumpcap(frames, drops) if drops else pcapng(frames))
            verdicts, two_point = expected_files(name, summary, end, rows)
            with open(os.path.join(args.out, f"{name}.{end}.expected"), "w") as f:
                f.write(verdicts)
            if two_point:
                with open(os.path.join(args.out, f"{name}.{end}.twopoint"), "w") as f:
                    f.write(two_point)
        print(f"{name}: {len(client_frames)} frames at the client, {len(server_frames)} at the server")


if __name__ == "__main__":
    main()
