#!/usr/bin/python3
"""Write the damaged and odd inputs of testdata/bad/ and their .expected files.

    /usr/bin/python3 tools/craft/make_bad.py --out testdata/bad

A line `# error` in an .expected file means tshark itself reports the file as damaged or
unreadable (see testdata/bad/README.md for its messages); tcpdiag must say so too, and still
report the streams listed, which are the ones readable before the damage.
"""

import argparse
import os
import sys

sys.dont_write_bytecode = True   # keep tools/craft free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scapy.all import ARP, Ether  # noqa: E402

from craftlib import (  # noqa: E402
    CLIENT, SERVER, Capture, Endpoint, Stream, UdpFlow, dns_query, dns_response, filler,
    pcapng_header, smb2_negotiate_request, tls_record,
)
from make_crafted import CLIENT_GW_MAC, CLIENT_MAC, pair, web  # noqa: E402


def no_tcp():
    """ARP and DNS over UDP only: no TCP stream, and the UDP exchange is answered normally."""
    cap = Capture()
    cap.add(0.0, Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff")
            / ARP(op=1, hwsrc=CLIENT_MAC, psrc="10.1.0.2", pdst="10.1.0.1"))
    cap.add(0.0003, Ether(src=CLIENT_GW_MAC, dst=CLIENT_MAC)
            / ARP(op=2, hwsrc=CLIENT_GW_MAC, psrc="10.1.0.1", hwdst=CLIENT_MAC, pdst="10.1.0.2"))
    c = Endpoint("10.1.0.2", 45031, CLIENT_MAC, 64, "linux", 0, 0x2000)
    s = Endpoint("10.1.0.1", 53, CLIENT_GW_MAC, 64, "linux", 0, 0x5000)
    dns = UdpFlow(cap, c, s, rtt=0.0011)
    for i, name in enumerate(("www.example.org", "mail.example.org")):
        dns.send(CLIENT, 0.001 + i * 0.2, dns_query(0x4D00 + i, name))
        dns.send(SERVER, 0.0021 + i * 0.2, dns_response(0x4D00 + i, name, f"192.0.2.{10 + i}"))
    return cap, {}


def truncated():
    """A capture whose last packet is cut in the middle (a copy stopped early): the first
    connection closed gracefully, the second was transferring data when the file ends."""
    cap = Capture()
    st = Stream(cap, *pair(42001, 443))
    t = st.handshake(0.0)
    t = st.exchange(t + 0.0003, *web(42001, 1))
    st.close(t + 0.1)
    cap.expect(st, "graceful_close", "none")
    st = Stream(cap, *pair(42002, 443))
    t = st.handshake(1.0)
    t = st.exchange(t + 0.0003, *web(42002, 1))
    st.send(SERVER, t + 0.5, tls_record(6000, 42002))
    cap.expect(st, "open", "none")
    cap.note("error: the last packet is cut short (tshark: \"appears to have been cut short in "
             "the middle of a packet\")")
    return cap, {"cut": -700}   # into the middle of the second-to-last packet


def one_packet():
    """A single SYN/ACK: its sender is the server, nothing else is known."""
    cap = Capture()
    st = Stream(cap, *pair(42003, 443))
    st.seg(SERVER, 0.0, "SA", seq=st.s.isn, ack=st.c.isn + 1)
    cap.expect(st, "incomplete", "none")
    return cap, {}


def snaplen_truncated():
    """Captured with snaplen 54 (tcpdump -s 54): Ethernet + IPv4 + the first 20 bytes of TCP.
    The Linux streams lose their TCP options (timestamps on every segment) and payloads, the
    Windows one (no options after the SYN) only its payloads. Ports, sequence numbers, flags and
    the IP length survive: a refused connection, a graceful close, and a Windows data loss
    (5 retransmissions, then the client's RST+ACK)."""
    cap = Capture()
    st = Stream(cap, *pair(42004, 443))
    st.syn(0.0)
    st.refuse(st.resp(SERVER))
    cap.expect(st, "refused", "server")
    st = Stream(cap, *pair(42005, 443))
    t = st.handshake(0.5)
    t = st.exchange(t + 0.0003, *web(42005, 1))
    st.close(t + 0.1)
    cap.expect(st, "graceful_close", "none")
    st = Stream(cap, *pair(42006, 445, cos="windows", sos="windows"))
    t = st.handshake(1.0)
    t = st.exchange(t + 0.0003, smb2_negotiate_request(), filler(300, 42006))
    req = st.send(CLIENT, t + 1.0, filler(420, 42007), lost=True)[0]
    gaps = [0.3, 0.6, 1.2, 2.4, 4.8]
    st.retransmit(req, gaps)
    st.rst(CLIENT, req.t + sum(gaps) + 9.6)
    cap.expect(st, "data_loss", "client")
    return cap, {"snaplen": 54}


def empty():
    """A valid pcapng section and interface, and no packet."""
    return Capture(), {}


def write_raw(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="testdata/bad")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for fn in (no_tcp, truncated, one_packet, snaplen_truncated, empty):
        cap, opts = fn()
        cap.name, cap.description = fn.__name__, " ".join(fn.__doc__.split())
        cap.write(os.path.join(args.out, cap.name + ".pcapng"), **opts)
        with open(os.path.join(args.out, cap.name + ".expected"), "w") as f:
            f.write(cap.expected_text())

    # Not a capture at all: fixed pseudo-random bytes.
    write_raw(os.path.join(args.out, "garbage.pcapng"), filler(4096, 0xBAD))
    with open(os.path.join(args.out, "garbage.expected"), "w") as f:
        f.write("# garbage: 4096 pseudo-random bytes, not a capture file in any format.\n"
                "# error: tshark does not recognise the file format\n")
    # A valid section header followed by a block whose length field is nonsense.
    write_raw(os.path.join(args.out, "corrupt_block.pcapng"),
              pcapng_header() + b"\x06\x00\x00\x00\xff\xff\xff\x7f" + filler(200, 0xB10C))
    with open(os.path.join(args.out, "corrupt_block.expected"), "w") as f:
        f.write("# corrupt_block: a valid pcapng section header and interface, then a packet\n"
                "# block claiming a length of 2 GB followed by 200 random bytes.\n"
                "# error: tshark reports a damaged pcapng block\n")
    # Zero bytes.
    write_raw(os.path.join(args.out, "zero_bytes.pcapng"), b"")
    with open(os.path.join(args.out, "zero_bytes.expected"), "w") as f:
        f.write("# zero_bytes: an empty file (0 bytes), no pcapng header at all. tshark 4.0 reads\n"
                "# it as a capture with no packets, without any message (exit status 0).\n")
    print("written to", args.out)


if __name__ == "__main__":
    main()
