"""Chosen frames of a capture copied to a new one without dissecting it again: pcapng blocks and
pcap records are copied byte for byte (gzip-compressed files too), with every block that is not a
packet (interfaces, name resolution, interface statistics, decryption secrets), so that the cut
reads as the frames did in their file. Frame N is the file's Nth packet, as Wireshark counts."""
import gzip
import struct

SECTION_HEADER = 0x0A0D0D0A
PACKET_BLOCKS = {2, 3, 6}  # packet (obsolete), simple packet, enhanced packet
# Interface description and statistics, name resolution, decryption secrets, custom blocks.
OTHER_BLOCKS = {1, 4, 5, 0x0A, 0x0BAD, 0x40000BAD}
PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">", b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}
CHUNK = 1 << 20


class NotCuttable(Exception):
    """The file is in a form this module does not copy (another format, a record that Wireshark
    may count as a frame): the caller cuts it with tshark instead."""


def parse_ranges(text):
    """"1-3,7" -> [(1, 3), (7, 7)]."""
    ranges = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        ranges.append((int(first), int(last or first)))
    return ranges


def cut(path, ranges, out_path):
    """Copies the frames in `ranges` (ascending (first, last) pairs) of `path` to `out_path`;
    returns how many frames the file holds. Raises NotCuttable, or OSError."""
    with _open(path) as capture, open(out_path, "wb") as out:
        head = capture.read(4)
        if head in PCAP_MAGICS:
            return _cut_pcap(capture, head, PCAP_MAGICS[head], _Wanted(ranges), out)
        if len(head) == 4 and struct.unpack("<I", head)[0] == SECTION_HEADER:
            return _cut_pcapng(capture, head, _Wanted(ranges), out)
        raise NotCuttable("%s: neither pcap nor pcapng" % path)


def _open(path):
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else open(path, "rb", buffering=CHUNK)


class _Wanted:
    """Is frame n wanted? Asked for n = 1, 2, 3, ... in order."""

    def __init__(self, ranges):
        self.ranges = ranges
        self.next = 0

    def __call__(self, frame):
        while self.next < len(self.ranges) and self.ranges[self.next][1] < frame:
            self.next += 1
        return self.next < len(self.ranges) and self.ranges[self.next][0] <= frame


def _read_exactly(capture, size):
    data = capture.read(size)
    if len(data) != size:
        raise NotCuttable("the file ends inside a record")
    return data


def _cut_pcap(capture, magic, order, wanted, out):
    out.write(magic + _read_exactly(capture, 20))
    record = struct.Struct(order + "IIII")
    frame = 0
    while True:
        header = capture.read(16)
        if not header:
            return frame
        if len(header) != 16:
            raise NotCuttable("the file ends inside a record header")
        length = record.unpack(header)[2]
        data = _read_exactly(capture, length)
        frame += 1
        if wanted(frame):
            out.write(header + data)


def _cut_pcapng(capture, first, wanted, out):
    order, frame, head = "<", 0, first
    while True:
        rest = head + capture.read(8 - len(head))
        if len(rest) == 0:
            return frame
        if len(rest) != 8:
            raise NotCuttable("the file ends inside a block header")
        block_type = struct.unpack("<I", rest[:4])[0]
        if block_type == SECTION_HEADER:
            magic = capture.read(4)
            order = "<" if magic == b"\x4d\x3c\x2b\x1a" else ">"
            length = struct.unpack(order + "I", rest[4:8])[0]
            block = rest + magic + _read_exactly(capture, length - 12)
        else:
            block_type, length = struct.unpack(order + "II", rest)
            block = rest + _read_exactly(capture, length - 8)
        if length < 12 or length % 4:
            raise NotCuttable("a block of length %d" % length)
        if block_type in PACKET_BLOCKS:
            frame += 1
            if wanted(frame):
                out.write(block)
        elif block_type in OTHER_BLOCKS or block_type == SECTION_HEADER:
            out.write(block)
        else:
            raise NotCuttable("a block of type 0x%x, which may count as a frame" % block_type)
        head = b""
