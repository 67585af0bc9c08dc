"""tcpdump on one interface inside a namespace, converted to pcapng when stopped."""

import os
import re
import signal
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

    def stop(self):
        """SIGINT lets tcpdump flush and close the file; then convert it to pcapng."""
        if self.proc is None or self.proc.poll() is not None:
            raise RuntimeError(f"tcpdump on {self.role}/{self.ifname} died: {self.stderr.text(0)}")
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
        pcapng.convert(self.raw_path, self.out_path, self.ifname, f"{self.role} side",
                       self.comment)
        os.unlink(self.raw_path)

    def discard(self):
        if os.path.exists(self.raw_path):
            os.unlink(self.raw_path)
