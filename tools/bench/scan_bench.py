#!/usr/bin/python3
"""tcpdiag-scan over a ring buffer against tshark: wall time and peak memory, in one run.

    /usr/bin/python3 tools/bench/scan_bench.py [--packets 3000000] [--files 10] [--rounds 3] \
        [--workdir /tmp/tcpdiag-bench/scan] [--jobs N] [--plugin tcpdiag.so | --plugin-dir DIR]

A synthetic capture of about --packets packets (tools/bench/gen_capture.py, cached in --workdir
and reused while its parameters are the same) is cut into --files ring files with `editcap -c`
(dumpcap's names, PREFIX_NNNNN_YYYYMMDDhhmmss.pcapng). The capture is two gen_capture.py runs
merged by time: 90% of the packets from many short flows (every ending gen_capture.py knows,
2000 in progress at a time at 3M packets), 10% from a few long-lived ones (100 at a time, two
after another per slot), their timestamps stretched to span the whole capture and their
addresses moved (10.x -> 11.x, fd00:: -> fd01::) so that they do not collide with the short
flows'. Many short flows and every long one are alive across one or more file boundaries.

Three runs per round, their order alternating from round to round (medians are printed):
  whole  tshark -2 -q -z tcpdiag,streams,tsv -r MERGED        (the merged capture, one tshark)
  loop   for f in FILES: tshark -2 -q -z tcpdiag,streams,tsv -r f   (sequential, one sh loop)
  scan   tcpdiag-scan --jobs N --tsv OUT RINGFOLDER
Wall time is the parent's clock around the run; CPU (user + sys of the whole process tree) and
the largest single process's peak RSS come from GNU time (for a tree, ru_maxrss is that of its
largest process, not their sum); the tree's peak of the summed RSS of its processes is sampled
from /proc every 50 ms (shared pages, such as libwireshark's, count once per process). The plugin
is loaded as tshark loads it, from WIRESHARK_PLUGIN_DIR/<major.minor>/epan/tcpdiag.so; as root,
tshark, the loop and the scan run as uid 65534, as the integration tests run them
(tests/integration/tshark_runner.py). The scan's verdicts are checked against tshark -2's on the
merged capture (count per verdict, and per stream). Figures only: nothing passes or fails.
"""

import argparse
import collections
import csv
import glob
import io
import json
import math
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from tshark_runner import NOBODY, Tshark  # noqa: E402

GEN = os.path.join(HERE, "gen_capture.py")
STREAMS = ["-2", "-q", "-z", "tcpdiag,streams,tsv"]
HEADER = "stream\ttransport\t"
RUN_NAMES = ("whole", "loop", "scan")
LABELS = {"whole": "(1) tshark -2, merged capture", "loop": "(2) loop: tshark -2 per file",
          "scan": "(3) tcpdiag-scan --jobs %d"}
SAMPLE_S = 0.05
PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")
MIB = 1048576.0


# --- the capture ------------------------------------------------------------------------------

def parts(packets):
    """gen_capture.py arguments of the short and the long-lived flows for a capture of `packets`.
    Every count scales with the packets, so a small run has the shape of the full one."""
    long_packets = packets // 10
    short = {"packets": packets - long_packets, "streams": max(10, packets // 30),
             "concurrency": max(5, packets // 1500)}
    long_ = {"packets": long_packets, "streams": max(4, packets // 15000), "concurrency": max(2, packets // 30000)}
    return short, long_


def gen(params, seed, out):
    argv = [sys.executable, GEN, "--packets", str(params["packets"]), "--streams", str(params["streams"]),
            "--concurrency", str(params["concurrency"]), "--seed", str(seed), "-o", out]
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True)
    return proc.stderr.strip()


def span(path):
    """(packets, first time, last time) by capinfos."""
    out = subprocess.run(["capinfos", "-T", "-r", "-c", "-a", "-e", "-S", path], capture_output=True, text=True,
                         check=True).stdout
    fields = out.strip().split("\t")
    return int(fields[1]), float(fields[2]), float(fields[3])


def _move(frame, offset):
    """The first octet of an IPv4 address 10.x, or the second byte of an IPv6 address fd00::, at
    `offset` of the frame, moved to 11.x or fd01::."""
    if frame[offset] == 10:
        frame[offset] = 11
    elif frame[offset] == 0xFD and frame[offset + 1] == 0:
        frame[offset + 1] = 1


def relocate(src, dst, first, factor):
    """Copies the classic pcap `src` (as gen_capture.py writes it: Ethernet, microseconds) to `dst`
    with timestamps stretched by `factor` from `first` and every address moved (the IP header's and
    that of the packet an ICMP error quotes). Checksums are zero in these captures: nothing to fix."""
    first_us = int(round(first * 1e6))
    with open(src, "rb") as inp, open(dst, "wb", buffering=1 << 22) as out:
        out.write(inp.read(24))
        while True:
            head = inp.read(16)
            if len(head) < 16:
                break
            sec, usec, caplen, length = struct.unpack("<IIII", head)
            frame = bytearray(inp.read(caplen))
            t = first_us + int(round((sec * 1000000 + usec - first_us) * factor))
            ethertype = frame[12:14]
            if ethertype == b"\x08\x00":
                _move(frame, 26)
                _move(frame, 30)
                if frame[23] == 1 and len(frame) >= 62:  # ICMP: the quoted IPv4 header at 14 + 20 + 8
                    _move(frame, 54)
                    _move(frame, 58)
            elif ethertype == b"\x86\xdd":
                _move(frame, 22)
                _move(frame, 38)
                if frame[20] == 58 and len(frame) >= 102:  # ICMPv6: the quoted IPv6 header at 14 + 40 + 8
                    _move(frame, 70)
                    _move(frame, 86)
            out.write(struct.pack("<IIII", t // 1000000, t % 1000000, caplen, length))
            out.write(frame)


def prepare(workdir, packets, files, seed):
    """The merged capture and its ring files, made once per parameter set; returns
    (merged path, [ring files in order], description)."""
    short, long_ = parts(packets)
    key = {"packets": packets, "files": files, "seed": seed, "short": short, "long": long_, "version": 1}
    folder = os.path.join(workdir, "%dp-%df-seed%d" % (packets, files, seed))
    ready = os.path.join(folder, "ready.json")
    merged = os.path.join(folder, "merged.pcapng")
    ring = os.path.join(folder, "ring")
    if os.path.exists(ready):
        with open(ready) as f:
            info = json.load(f)
        if info.get("key") == key:
            print("reusing %s" % folder, file=sys.stderr, flush=True)
            return merged, sorted(glob.glob(os.path.join(ring, "ring_*.pcapng"))), info
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(ring)
    print("generating %d packets into %s ..." % (packets, folder), file=sys.stderr, flush=True)
    short_pcap, long_raw, long_pcap = (os.path.join(folder, n) for n in ("short.pcap", "long.raw.pcap", "long.pcap"))
    info = {"key": key, "short_mix": gen(short, seed, short_pcap), "long_mix": gen(long_, seed + 1000, long_raw)}
    _, s_first, s_last = span(short_pcap)
    _, l_first, l_last = span(long_raw)
    # Stretched from the first long-lived packet to the short flows' last: long-lived flows cover the capture.
    factor = max(1.0, (s_last - l_first) / max(l_last - l_first, 1e-6))
    relocate(long_raw, long_pcap, l_first, factor)
    info["long_stretch"] = factor
    subprocess.run(["mergecap", "-F", "pcapng", "-w", merged, short_pcap, long_pcap], check=True)
    for p in (short_pcap, long_raw, long_pcap):
        os.remove(p)
    total, first, last = span(merged)
    per_file = int(math.ceil(total / float(files)))
    subprocess.run(["editcap", "-F", "pcapng", "-c", str(per_file), merged, os.path.join(ring, "ring.pcapng")],
                   check=True, stdout=subprocess.DEVNULL)
    rings = sorted(glob.glob(os.path.join(ring, "ring_*.pcapng")))
    for d in (workdir, folder, ring):
        os.chmod(d, 0o755)
    for p in [merged] + rings:
        os.chmod(p, 0o644)
    info.update({"packets": total, "duration": last - first, "per_file": per_file,
                 "files": [(os.path.basename(p),) + span(p) for p in rings]})
    with open(ready, "w") as f:
        json.dump(info, f, indent=1)
    return merged, rings, info


# --- measuring --------------------------------------------------------------------------------

def _stat(pid):
    """(ppid, utime + stime in ticks, rss in pages) of a process, or None once it is gone."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(b")") + 2:].split()
    return int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[21])


def _hwm_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


class Sampler:
    """The process tree under one pid, sampled: the peak of its summed RSS, and of each process
    its command line, when it was first and last seen, its peak RSS (VmHWM) and CPU time."""

    def __init__(self, root):
        self.root, self.start = root, time.monotonic()
        self.peak_sum = 0
        self.procs = {}  # pid -> dict(cmd, first, last, hwm_kib, cpu_ticks)

    def sample(self):
        now = time.monotonic() - self.start
        stats = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                s = _stat(int(name))
                if s:
                    stats[int(name)] = s
        children = collections.defaultdict(list)
        for pid, (ppid, _, _) in stats.items():
            children[ppid].append(pid)
        tree, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            if pid in stats:
                tree.append(pid)
                todo.extend(children.get(pid, ()))
        total = 0
        for pid in tree:
            _, cpu, rss = stats[pid]
            total += rss * PAGE
            p = self.procs.get(pid)
            if p is None:
                p = self.procs[pid] = {"cmd": _cmdline(pid), "first": now, "hwm_kib": 0, "cpu_ticks": 0}
            else:
                p["cmd"] = _cmdline(pid) or p["cmd"]  # again: a forked child shows its parent's until it execs
            p["last"] = now
            p["hwm_kib"] = max(p["hwm_kib"], _hwm_kib(pid))
            p["cpu_ticks"] = max(p["cpu_ticks"], cpu)
        self.peak_sum = max(self.peak_sum, total)


def measure(cmd, env, cwd, out_path):
    """Runs `cmd` under GNU time with its stdout into out_path; returns a dict: wall s, cpu s,
    largest process's peak MiB (GNU time), sampled peak MiB of the tree's summed RSS, processes."""
    usage = out_path + ".usage"
    with open(out_path, "wb") as out, open(out_path + ".err", "wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen(["/usr/bin/time", "-o", usage, "-f", "%e %U %S %M"] + cmd, env=env, cwd=cwd,
                                stdout=out, stderr=err)
        sampler = Sampler(proc.pid)
        while proc.poll() is None:
            sampler.sample()
            time.sleep(SAMPLE_S)
        wall = time.monotonic() - start
    with open(usage) as f:
        fields = f.read().split()
    if proc.returncode != 0:
        with open(out_path + ".err", errors="replace") as f:
            raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), proc.returncode, f.read()[-2000:]))
    _, user, system, kib = fields[-4:]
    return {"wall": wall, "cpu": float(user) + float(system), "single": int(kib) / 1024.0,
            "sum": sampler.peak_sum / MIB, "procs": sampler.procs}


def tables(path):
    """Every `tcpdiag,streams,tsv` table in a tshark output: a list of lists of rows (dicts)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    out, start = [], text.find(HEADER)
    while start >= 0:
        end = text.find(HEADER, start + 1)
        chunk = text[start:end if end >= 0 else len(text)]
        rows = csv.DictReader(io.StringIO(chunk), delimiter="\t", quoting=csv.QUOTE_NONE)
        out.append([r for r in rows if r.get("transport") in ("tcp", "udp")])
        start = end
    return out


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def stream_key(r):
    return (r["transport"], r["client"], r["server"], r["verdict"], r["reset_by"])


def phase_of(cmd):
    """What a process of the scan's tree is doing, from its command line."""
    if not cmd:
        return "other"
    prog = os.path.basename(cmd[0])
    if prog in ("time", "setpriv"):  # GNU time, and setpriv before its exec
        return None
    if prog == "tshark":
        if "--disable-protocol" in cmd:
            return "stitch: tshark -Y, cutting streams out of each file"
        if any(a.endswith("stitched.pcapng") for a in cmd):
            return "stitch: tshark -2 on the stitched capture"
        return "per file: tshark -2"
    if prog in ("capinfos", "editcap", "mergecap"):
        return {"capinfos": "per file: capinfos", "editcap": "stitch: editcap (last frame)",
                "mergecap": "stitch: mergecap"}[prog]
    if prog.startswith("python") or any(a.endswith("tcpdiag-scan") for a in cmd):
        return "tcpdiag-scan (Python itself)"
    return "other (%s)" % prog


def phases(procs):
    """Per phase: processes, first start, last end, the sum of their lifetimes, their CPU and the
    largest peak RSS, in the order the phases began."""
    out = {}
    for p in procs.values():
        name = phase_of(p["cmd"])
        if name is None:
            continue
        ph = out.setdefault(name, {"n": 0, "first": p["first"], "last": p["last"], "busy": 0.0, "cpu": 0.0,
                                   "hwm": 0.0})
        ph["n"] += 1
        ph["first"] = min(ph["first"], p["first"])
        ph["last"] = max(ph["last"], p["last"])
        ph["busy"] += p["last"] - p["first"] + SAMPLE_S
        ph["cpu"] += p["cpu_ticks"] / float(TICK)
        ph["hwm"] = max(ph["hwm"], p["hwm_kib"] / 1024.0)
    return sorted(out.items(), key=lambda kv: kv[1]["first"])


# --- main -------------------------------------------------------------------------------------

def readable_by_nobody(paths):
    if os.geteuid() != 0:
        return True
    return subprocess.run(["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups",
                           "test", "-r", paths[0], "-a", "-r", paths[-1]]).returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packets", type=int, default=3000000)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", default="/tmp/tcpdiag-bench/scan",
                        help="where the capture and its ring files are kept and reused (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="tcpdiag-scan --jobs (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plugin", default=os.path.join(ROOT, "build", "plugins", "4.0", "epan", "tcpdiag.so"),
                        help="the built tcpdiag.so, copied into a private plugin folder (default: %(default)s)")
    parser.add_argument("--plugin-dir", help="a folder with <major.minor>/epan/tcpdiag.so to use as "
                        "WIRESHARK_PLUGIN_DIR as it is (instead of --plugin)")
    parser.add_argument("--scan", default=os.path.join(ROOT, "tools", "scan", "tcpdiag-scan"))
    args = parser.parse_args()

    plugin = args.plugin
    if args.plugin_dir:
        found = sorted(glob.glob(os.path.join(os.path.abspath(args.plugin_dir), "*", "epan", "tcpdiag.so")))
        if not found:
            parser.error("no <major.minor>/epan/tcpdiag.so in %s" % args.plugin_dir)
        plugin = found[-1]
    os.makedirs(args.workdir, exist_ok=True)
    merged, rings, info = prepare(os.path.abspath(args.workdir), args.packets, args.files, args.seed)
    if not readable_by_nobody([merged] + rings):
        sys.exit("uid %d cannot read %s: use a --workdir it can reach (e.g. under /tmp)" % (NOBODY, merged))
    ring_dir = os.path.dirname(rings[0])
    scan = os.path.abspath(args.scan)
    print("tshark: %s" % subprocess.run(["tshark", "--version"], capture_output=True, text=True)
          .stdout.splitlines()[0])
    print("load average at start: %s" % open("/proc/loadavg").read().split(" ", 3)[:3])

    with Tshark(os.path.abspath(plugin)) as tshark:
        if args.plugin_dir:
            tshark.plugin_dir = os.path.abspath(args.plugin_dir)
        print("plugin: WIRESHARK_PLUGIN_DIR=%s%s" % (tshark.plugin_dir,
                                                     " (tshark as uid %d)" % NOBODY if os.geteuid() == 0 else ""))
        work = os.path.join(tshark.workdir, "scan")  # the scan, run unprivileged, writes its TSV here
        os.makedirs(work)
        os.chmod(work, 0o777)
        own = tempfile.mkdtemp(prefix="scan-bench-")  # outputs of the runs, written through inherited fds
        _, env = tshark.command([])
        loop_script = 'for f in "$@"; do tshark -2 -q -z tcpdiag,streams,tsv -r "$f" || exit 1; done'
        scan_tsv = os.path.join(work, "scan.tsv")
        commands = {
            "whole": tshark.command(["-r", merged] + STREAMS)[0],
            "loop": tshark.command_of(["sh", "-c", loop_script, "sh"] + rings, env)[0],
            "scan": tshark.command_of(["/usr/bin/python3", scan, "--jobs", str(args.jobs), "--tsv", scan_tsv,
                                       ring_dir], env)[0],
        }
        results = {name: [] for name in RUN_NAMES}
        outputs = {}
        try:
            for r in range(args.rounds):
                for name in (RUN_NAMES if r % 2 == 0 else RUN_NAMES[::-1]):
                    out = os.path.join(own, "%s.%d.out" % (name, r))
                    m = measure(commands[name], env, work, out)
                    results[name].append(m)
                    outputs[name] = out
                    if name == "scan":
                        shutil.copy(scan_tsv, out + ".tsv")
                    print("  round %d %-5s wall %8.2f s  cpu %8.2f s  largest process %8.1f MiB  tree sum %8.1f MiB"
                          % (r + 1, name, m["wall"], m["cpu"], m["single"], m["sum"]), file=sys.stderr, flush=True)
            report(args, info, rings, results, outputs)
        finally:
            shutil.rmtree(own, ignore_errors=True)


def report(args, info, rings, results, outputs):
    whole_rows = tables(outputs["whole"])[0]
    loop_tables = tables(outputs["loop"])
    scan_rows = read_tsv(outputs["scan"] + ".tsv")
    index = {p: i for i, p in enumerate(rings)}

    print("\ncapture: %d packets over %.1f s (90%% short flows, 10%% long-lived ones stretched x%.2f), "
          "%d ring files of %d packets (editcap -c), %d streams (tshark -2 on the merged capture)"
          % (info["packets"], info["duration"], info["long_stretch"], len(rings), info["per_file"], len(whole_rows)))
    print("  short flows: %s" % info["short_mix"].split(": ", 1)[-1])
    print("  long-lived:  %s" % info["long_mix"].split(": ", 1)[-1])
    spans = collections.Counter(index[r["last_file"]] - index[r["first_file"]] + 1 for r in scan_rows
                                if r["first_file"] in index and r["last_file"] in index)
    across = sum(n for k, n in spans.items() if k > 1)
    across_packets = sum(int(r["packets"] or 0) for r in scan_rows if r["first_file"] != r["last_file"])
    print("  streams alive across a file boundary: %d of %d (%.1f%%), %d of them over 3 files or more, the longest "
          "over %d; their packets %d (%.1f%% of the capture)"
          % (across, len(scan_rows), 100.0 * across / max(1, len(scan_rows)),
             sum(n for k, n in spans.items() if k >= 3), max(spans) if spans else 0, across_packets,
             100.0 * across_packets / max(1, info["packets"])))

    med = {name: {k: statistics.median(m[k] for m in runs) for k in ("wall", "cpu", "single", "sum")}
           for name, runs in results.items()}
    base = med["whole"]
    print("\nmedian of %d round(s), alternating order; %d cores, tcpdiag-scan --jobs %d" %
          (args.rounds, os.cpu_count() or 1, args.jobs))
    print("  %-32s %9s %6s %9s %6s %14s %6s %14s %6s" % ("run", "wall s", "ratio", "cpu s", "ratio",
                                                        "largest MiB", "ratio", "tree sum MiB", "ratio"))
    for name in RUN_NAMES:
        m = med[name]
        label = LABELS[name] % args.jobs if "%d" in LABELS[name] else LABELS[name]
        print("  %-32s %9.2f %6.3f %9.2f %6.3f %14.1f %6.3f %14.1f %6.3f" % (
            label, m["wall"], m["wall"] / base["wall"], m["cpu"], m["cpu"] / base["cpu"], m["single"],
            m["single"] / base["single"], m["sum"], m["sum"] / base["sum"]))
    print("  largest MiB: peak RSS of the largest single process (GNU time); tree sum MiB: peak of the summed")
    print("  RSS of all processes of the run, sampled every %.0f ms from /proc (shared pages counted per process)"
          % (SAMPLE_S * 1000))
    faster = med["scan"]["wall"] < base["wall"]
    print("  scan against one tshark -2 on the merged capture: %s (%.3f)" % ("faster" if faster else "NOT faster",
                                                                            med["scan"]["wall"] / base["wall"]))

    whole_v = collections.Counter(r["verdict"] for r in whole_rows)
    scan_v = collections.Counter(r["verdict"] for r in scan_rows)
    loop_v = collections.Counter(r["verdict"] for t in loop_tables for r in t)
    print("\nverdicts (streams per verdict): (1) on the merged capture, (3) the scan, (2) the plain loop's files "
          "added up")
    print("  %-20s %10s %10s %10s" % ("verdict", "(1) whole", "(3) scan", "(2) loop"))
    for v in sorted(set(whole_v) | set(scan_v) | set(loop_v), key=lambda v: (-whole_v[v], v)):
        print("  %-20s %10d %10d %10d%s" % (v, whole_v[v], scan_v[v], loop_v[v], "" if whole_v[v] == scan_v[v]
                                             else "   <- differs"))
    print("  %-20s %10d %10d %10d" % ("all", len(whole_rows), len(scan_rows), sum(len(t) for t in loop_tables)))
    a = collections.Counter(stream_key(r) for r in whole_rows)
    b = collections.Counter(stream_key(r) for r in scan_rows)
    differ = sum(((a - b) + (b - a)).values())
    print("  scan equals tshark -2 on the merged capture: per verdict %s; per stream (transport, client, server, "
          "verdict, reset_by) %s" % ("yes" if whole_v == scan_v else "NO",
                                     "yes" if differ == 0 else "NO, %d rows differ" % differ))

    last = results["scan"][-1]
    print("\nwhere the scan's time goes (its last round: wall %.2f s), from the sampled process tree:" % last["wall"])
    print("  %-52s %6s %9s %9s %9s %9s %11s" % ("phase", "procs", "from s", "to s", "busy s", "cpu s", "peak MiB"))
    for name, ph in phases(last["procs"]):
        print("  %-52s %6d %9.2f %9.2f %9.2f %9.2f %11.1f" % (name, ph["n"], ph["first"], ph["last"] + SAMPLE_S,
                                                              ph["busy"], ph["cpu"], ph["hwm"]))
    print("  (busy s: the processes' lifetimes added up; cpu s: their CPU time as last sampled; a process that")
    print("  lives less than %.0f ms may be missed, so the short capinfos, editcap and mergecap runs are undercounted)"
          % (SAMPLE_S * 1000))


if __name__ == "__main__":
    main()
