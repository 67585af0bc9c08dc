#!/usr/bin/env python3
"""tcpdiag-scan --follow DIR, watching a folder into which ring files appear one after another
while it runs, as dumpcap writes them. The ring holds a capture, then 200 s later another one:
each failed stream of the first is reported (stdout, TSV, SQLite) once the files of the second
begin to close, while the ring goes on; when the ring has moved on
past the capture (two later files of one packet each), the streams reported are exactly those of
a scan of the whole set; SIGINT stops it, exit status 0, with everything reported in the outputs.

    check_scan_follow.py --plugin tcpdiag.so --scan tools/scan/tcpdiag-scan --later LATER CAPTURE...

LATER must share no endpoints with the CAPTUREs: connections quiet for longer than the follower
waits are over for it, while Wireshark (and so a scan of the whole set) may join a reused port's
connection to the old one.
"""
import argparse
import csv
import glob
import os
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import time

from checks import check, finish
from tshark_runner import Tshark

NOT_FAILURES = {"graceful_close", "open", "incomplete"}


def one_packet_file(path, when):
    """A pcap of one UDP datagram between documentation addresses at `when`: a ring file written
    after the capture, in no stream of it."""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 64, 17, 0, bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    frame = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + struct.pack("!HHHH", 9, 9, 8, 0)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        f.write(struct.pack("<IIII", int(when), int(when % 1 * 1e6), len(frame), len(frame)) + frame)
    os.chmod(path, 0o644)


def last_time(path):
    out = subprocess.run(["capinfos", "-T", "-r", "-e", "-S", path], capture_output=True, text=True).stdout
    return float(out.split("\t")[1])


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        text = f.read()
    complete = text[: text.rfind("\n") + 1]  # the follower may be writing a line just now
    rows = csv.DictReader(complete.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    return [r for r in rows if r.get("transport")]


def key(row):
    return (row["transport"], row["client"], row["server"], row["verdict"], row["reset_by"],
            os.path.basename(row["evidence_file"]), row["evidence_frame"])


def wait_for(condition, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def first_time(path):
    out = subprocess.run(["capinfos", "-T", "-r", "-a", "-S", path], capture_output=True, text=True).stdout
    return float(out.split("\t")[1])


def follow_one(tshark, scan, capture, later, work):
    """Follows the ring of `capture` and, 200 s after its end, `later`."""
    name = os.path.basename(capture)
    src, live = os.path.join(work, "src"), os.path.join(work, "live")
    for d in (src, live):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        os.chmod(d, 0o777)
    first_end = last_time(capture)
    shifted, merged = os.path.join(work, "later.pcapng"), os.path.join(work, "both.pcapng")
    subprocess.run(["editcap", "-t", "%.6f" % (first_end + 200 - first_time(later)), later, shifted], check=True)
    subprocess.run(["mergecap", "-w", merged, capture, shifted], check=True)
    subprocess.run(["editcap", "-c", "20", merged, os.path.join(src, "ring.pcapng")], check=True)
    files = sorted(glob.glob(os.path.join(src, "ring_*.pcapng")))
    # The first file of the later capture, and the one after it: once both are in, the first
    # capture's files are closed and its connections quiet for 200 s: all of them are over.
    second = next(i for i, f in enumerate(files) if first_time(f) > first_end + 100)
    end = last_time(merged)
    for n, after in ((len(files), 200), (len(files) + 1, 400)):  # the ring moves on, quietly
        path = os.path.join(src, "ring_%05d_29991231235959.pcapng" % n)
        one_packet_file(path, end + after)
        files.append(path)
    for f in files:
        os.chmod(f, 0o644)
    whole_tsv = os.path.join(work, "whole.tsv")
    _, env = tshark.command([])
    cmd, env = tshark.command_of(["/usr/bin/python3", scan, "--tsv", whole_tsv, src], env)
    subprocess.run(cmd, env=env, cwd=work, check=True, capture_output=True, timeout=600)
    whole = sorted(key(r) for r in read_tsv(whole_tsv))

    tsv, db, out = os.path.join(work, "live.tsv"), os.path.join(work, "live.db"), os.path.join(work, "live.out")
    for f in (tsv, db):
        if os.path.exists(f):
            os.remove(f)
    cmd, env = tshark.command_of(["/usr/bin/python3", scan, "--follow", live, "--tsv", tsv, "--db", db], env)
    with open(out, "w") as stdout:
        proc = subprocess.Popen(cmd, env=env, cwd=work, stdout=stdout, stderr=subprocess.PIPE, text=True)
    try:
        for f in files[: second + 2]:
            shutil.copy(f, live)
            time.sleep(0.3)
        early = {key(r) for r in read_tsv(whole_tsv)
                 if r["verdict"] not in NOT_FAILURES and r["last_file"] in files[:second]}
        check(wait_for(lambda: early <= {key(r) for r in read_tsv(tsv)}, 60),
              "%s: failures of the first capture not reported while the ring goes on" % name)
        check(early, "%s: no failure in the first capture: the early report is not exercised" % name)
        for f in files[second + 2:]:
            shutil.copy(f, live)
            time.sleep(0.3)
        check(wait_for(lambda: sorted(key(r) for r in read_tsv(tsv)) == whole, 90),
              "%s: the streams followed differ from a scan of the whole set:\n%s\n%s"
              % (name, sorted(key(r) for r in read_tsv(tsv)), whole))
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    check(proc.returncode == 0, "%s: exit status %d after SIGINT: %s" % (name, proc.returncode, err))
    rows = read_tsv(tsv)
    with sqlite3.connect(db) as connection:
        stored = connection.execute("SELECT count(*) FROM streams").fetchone()[0]
    check(stored == len(rows), "%s: %d streams in the database, %d in the TSV" % (name, stored, len(rows)))
    printed = open(out).read()
    for r in rows:
        if r["verdict"] not in NOT_FAILURES:
            check("wireshark -r %s -g %s" % (r["evidence_file"], r["evidence_frame"]) in printed,
                  "%s: %s -> %s not printed" % (name, r["client"], r["server"]))
    check("stopped:" in printed, "%s: no summary after the signal" % name)
    print("ok: %s: %d ring files followed, %d streams, %d failures reported early" % (name, len(files), len(rows),
                                                                                   len(early)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--scan", required=True)
    parser.add_argument("--later", required=True)
    parser.add_argument("captures", nargs="+")
    args = parser.parse_args()
    with Tshark(args.plugin) as tshark:
        work = os.path.join(tshark.workdir, "follow")
        os.makedirs(work)
        os.chmod(work, 0o777)
        later = tshark.stage(args.later)
        for capture in args.captures:
            follow_one(tshark, os.path.abspath(args.scan), tshark.stage(capture), later, work)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
