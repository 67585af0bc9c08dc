"""pcap (as tcpdump writes it) to pcapng, always with an interface block.

editcap drops the interface description block of a capture without packets (the server side of
some scenarios sees nothing at all), which leaves a file whose link type is unknown. This writer
keeps one section header, one interface description (name, snaplen, microsecond timestamps) and
one enhanced packet block per packet, and, given the capture's statistics, an interface
statistics block at the end as dumpcap writes one (when the capture started and ended, packets
received and dropped), so that the comparison of two captures knows when each one ran.
"""

import struct

PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1": ("<", 1_000_000), b"\xa1\xb2\xc3\xd4": (">", 1_000_000),
               b"\x4d\x3c\xb2\xa1": ("<", 1_000_000_000), b"\xa1\xb2\x3c\x4d": (">", 1_000_000_000)}
SHB, IDB, ISB, EPB = 0x0A0D0D0A, 0x00000001, 0x00000005, 0x00000006
OPT_END, OPT_COMMENT, IF_NAME, IF_DESCRIPTION, IF_TSRESOL = 0, 1, 2, 3, 9
ISB_STARTTIME, ISB_ENDTIME, ISB_IFRECV, ISB_IFDROP = 2, 3, 4, 5


def _pad(data):
    return data + b"\0" * (-len(data) % 4)


def _option(code, value):
    return struct.pack("<HH", code, len(value)) + _pad(value)


def _block(block_type, body):
    body = _pad(body)
    length = len(body) + 12
    return struct.pack("<II", block_type, length) + body + struct.pack("<I", length)


def _options(pairs):
    return b"".join(_option(code, value) for code, value in pairs) + _option(OPT_END, b"")


def _timestamp(usec):
    return struct.pack("<II", usec >> 32, usec & 0xFFFFFFFF)


def statistics_block(start_us, end_us, received, dropped, source):
    """An interface statistics block for interface 0, stamped at the capture's end."""
    return _block(ISB, struct.pack("<I", 0) + _timestamp(end_us) +
                  _options([(OPT_COMMENT, f"Counters provided by {source}".encode()),
                            (ISB_STARTTIME, _timestamp(start_us)), (ISB_ENDTIME, _timestamp(end_us)),
                            (ISB_IFRECV, struct.pack("<Q", received)),
                            (ISB_IFDROP, struct.pack("<Q", dropped))]))


def convert(pcap_path, pcapng_path, ifname, description, comment, statistics=None):
    """`statistics`: (start_us, end_us, received, dropped) of the capture, or None."""
    with open(pcap_path, "rb") as f:
        data = f.read()
    endian, ticks = PCAP_MAGICS[data[:4]]
    snaplen, linktype = struct.unpack(endian + "II", data[16:24])
    out = [_block(SHB, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) +
                  _options([(OPT_COMMENT, comment.encode())])),
           _block(IDB, struct.pack("<HHI", linktype & 0xFFFF, 0, snaplen) +
                  _options([(IF_NAME, ifname.encode()), (IF_DESCRIPTION, description.encode()),
                            (IF_TSRESOL, bytes([6]))]))]
    pos = 24
    while pos + 16 <= len(data):
        sec, frac, caplen, origlen = struct.unpack(endian + "IIII", data[pos:pos + 16])
        packet = data[pos + 16:pos + 16 + caplen]
        pos += 16 + caplen
        usec = sec * 1_000_000 + frac * 1_000_000 // ticks
        out.append(_block(EPB, struct.pack("<IIIII", 0, usec >> 32, usec & 0xFFFFFFFF,
                                           caplen, origlen) + packet))
    if statistics:
        out.append(statistics_block(*statistics, source="tcpdump"))
    with open(pcapng_path, "wb") as f:
        f.write(b"".join(out))
