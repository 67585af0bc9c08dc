"""tcpdump on one interface inside a namespace, converted to pcapng when stopped."""

import os
import re
import signal
import struct
import subprocess
import time

import pcapng
from procio import LineReader

SNAPLEN = 200  # headers and the start of payloads are all the analysis needs


class Capture:
    def __init__(self, lab, role, ifname, out_path, comment):
        self.lab, self.role, self.ifname, self.out_path = lab, role, ifname, out_path
        self.comment = comment
        self.raw_path = out_path + ".tmp.pcap"
        self.proc = None
        self.stderr = None
        self.started_us = None  # when tcpdump was listening
        self.stopped = False

    def start(self, timeout=5.0):
        # --immediate-mode: hand every packet over at once, not in blocks that a stop would lose;
        # -U: write it to the file at once; -Z root: keep the right to write the file.
        argv = ["tcpdump", "-i", self.ifname, "-n", "--immediate-mode", "-U", "-Z", "root",
                "-s", str(SNAPLEN),
                "--time-stamp-precision=micro", "-w", self.raw_path]
        self.proc = self.lab.popen(self.role, argv, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        self.stderr = LineReader(self.proc.stderr)
        # tcpdump says "listening on ..." once the socket is open: from then on nothing is missed.
        self.stderr.wait_for("listening on", time.monotonic() + timeout,
                             f"tcpdump on {self.role}/{self.ifname} to start")
        self.started_us = time.time_ns() // 1000

    def wait_for_marks(self, marks, timeout=5.0):
        """Wait until the file holds `marks` ICMP echo replies (the runner's marks). The kernel hands
        packets over in order, so everything before the last mark is then written. On a loaded
        machine tcpdump can lag behind the traffic; stopping it earlier leaves packets the kernel
        counted but tcpdump never read, which stop() reports as lost."""
        deadline = time.monotonic() + timeout
        while echo_replies(self.raw_path) < marks and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self):
        """SIGINT lets tcpdump flush and close the file; then convert it to pcapng."""
        if self.proc is None or self.proc.poll() is not None:
            raise RuntimeError(f"tcpdump on {self.role}/{self.ifname} died: {self.stderr.text(0)}")
        ended_us = time.time_ns() // 1000  # it captured until told to stop
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=10)
        report = self.stderr.text()
        if self.proc.returncode != 0:
            raise RuntimeError(f"tcpdump on {self.role}/{self.ifname} failed: {report}")
        # Complete only if every packet the kernel handed over was written and none was dropped.
        counts = dict((what, int(n)) for n, what in re.findall(
            r"^(\d+) packets (captured|received by filter|dropped by kernel)", report, re.M))
        if (counts.get("dropped by kernel") != 0
                or counts.get("captured") != counts.get("received by filter")):
            raise RuntimeError(f"tcpdump on {self.role}/{self.ifname} lost packets: {report}")
        pcapng.convert(self.raw_path, self.out_path, self.ifname, f"{self.role} side", self.comment,
                       (self.started_us, ended_us, counts["received by filter"], counts["dropped by kernel"]))
        os.unlink(self.raw_path)
        self.stopped = True

    def discard(self):
        if os.path.exists(self.raw_path):
            os.unlink(self.raw_path)


def echo_replies(pcap_path):
    """ICMPv4 echo replies in a classic Ethernet pcap file that may still be being written."""
    try:
        with open(pcap_path, "rb") as f:
            data = f.read()
    except OSError:
        return 0
    if len(data) < 24:
        return 0
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    count, offset = 0, 24  # the file header
    while offset + 16 <= len(data):
        caplen = struct.unpack_from(endian + "I", data, offset + 8)[0]
        frame = data[offset + 16:offset + 16 + caplen]
        offset += 16 + caplen
        if len(frame) < caplen or len(frame) < 34 or frame[12:14] != b"\x08\x00" or frame[23] != 1:
            continue  # not whole yet, not IPv4, or not ICMP
        icmp = 14 + (frame[14] & 0x0F) * 4
        if len(frame) > icmp and frame[icmp] == 0:
            count += 1
    return count
