#!/usr/bin/env python3
"""tcpdiag-scan against `tshark -2` on the whole capture: real captures cut into ring-buffer files
(`editcap -c` and `-i`, named as dumpcap names a file set) must give exactly the whole capture's
streams, verdicts, reset_by and evidence frames (named by file and frame), in TSV and in JSON; a
folder of two independent sets gives two sets, each its own capture's; a set of files named
otherwise is found from its times and shared connections; a damaged file inside a set is reported
and the other files' streams are still given.

    check_scan.py --plugin build/plugins/4.0/epan/tcpdiag.so --scan tools/scan/tcpdiag-scan CAPTURE...
"""
import argparse
import csv
import glob
import json
import math
import os
import shutil
import subprocess
import sys

from checks import check, finish
from tshark_runner import Tshark



def split(capture, folder, prefix, how):
    """Cuts `capture` into ring files `folder/prefix_NNNNN_stamp.pcapng`; returns them in order."""
    os.makedirs(folder, exist_ok=True)
    subprocess.run(["editcap"] + how + [capture, os.path.join(folder, prefix + ".pcapng")], check=True)
    files = sorted(glob.glob(os.path.join(folder, prefix + "_*.pcapng")))
    for f in files:
        os.chmod(f, 0o644)
    return files


def seconds_per_file(capture, most_files=40):
    """An `editcap -i` interval giving at most about `most_files` files (1 s for short captures)."""
    out = subprocess.run(["capinfos", "-T", "-r", "-u", "-S", capture], capture_output=True, text=True).stdout
    span = float(out.split("\t")[1] or 0)
    return max(1, math.ceil(span / most_files))


def packets(path):
    out = subprocess.run(["capinfos", "-T", "-r", "-c", path], capture_output=True, text=True).stdout
    return int(out.split("\t")[1])


def whole_streams(tshark, capture):
    """(transport, client, server, verdict, reset_by, evidence frame) of every stream, by tshark -2."""
    return sorted((r["transport"], r["client"], r["server"], r["verdict"], r["reset_by"], int(r["evidence_frame"]))
                  for r in tshark.streams(capture, two_pass=True))


def as_whole(rows, files):
    """The scan's rows with each evidence (file, frame) turned back into the whole capture's frame."""
    offset, start = {}, 0
    for f in files:
        offset[f] = start
        start += packets(f)
    out = []
    for r in rows:
        frame = int(r["evidence_frame"])
        whole = offset[r["evidence_file"]] + frame if r["evidence_file"] else 0
        out.append((r["transport"], r["client"], r["server"], r["verdict"], r["reset_by"], whole))
    return sorted(out)


def run_scan(tshark, scan, paths, workdir, extra=()):
    """Runs tcpdiag-scan as the tests run tshark; returns (stdout, TSV rows, JSON rows)."""
    tsv, js = os.path.join(workdir, "out.tsv"), os.path.join(workdir, "out.json")
    for f in (tsv, js):
        if os.path.exists(f):
            os.remove(f)
    _, env = tshark.command([])
    cmd, env = tshark.command_of(["/usr/bin/python3", scan, "--tsv", tsv, "--json", js] + list(extra) + paths, env)
    proc = subprocess.run(cmd, env=env, cwd=workdir, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError("tcpdiag-scan failed (%d): %s%s" % (proc.returncode, proc.stdout, proc.stderr))
    with open(tsv) as f:
        tsv_rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    with open(js) as f:
        json_rows = [{k: str(v) for k, v in json.loads(line).items()} for line in f]
    return proc.stdout, tsv_rows, json_rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--scan", required=True)
    parser.add_argument("captures", nargs="+")
    args = parser.parse_args()
    scan = os.path.abspath(args.scan)
    with Tshark(args.plugin) as tshark:
        work = os.path.join(tshark.workdir, "scan")
        os.makedirs(work)
        os.chmod(work, 0o777)
        wholes = {c: whole_streams(tshark, c) for c in args.captures}
        for capture in args.captures:
            name = os.path.basename(capture)
            for how in (["-c", "25"], ["-c", "7"], ["-i", str(seconds_per_file(capture))]):
                folder = os.path.join(work, "ring")
                shutil.rmtree(folder, ignore_errors=True)
                files = split(capture, folder, "ring", how)
                os.chmod(folder, 0o755)
                _, tsv_rows, json_rows = run_scan(tshark, scan, [folder], work)
                label = "%s cut by editcap %s into %d files" % (name, " ".join(how), len(files))
                check(as_whole(tsv_rows, files) == wholes[capture], label + ": TSV differs from tshark -2 on the whole")
                check(as_whole(json_rows, files) == wholes[capture], label + ": JSON differs from tshark -2 on the whole")
                sets = len({r["capture_set"] for r in tsv_rows})
                check(sets == (1 if wholes[capture] else 0), label + ": %d capture sets" % sets)
                print("ok: %s: %d streams" % (label, len(tsv_rows)))

        # Two independent sets in one folder, and the same files renamed (no dumpcap names).
        a, b = args.captures[0], args.captures[1]
        both = os.path.join(work, "both")
        files_a = split(a, both, "alpha", ["-c", "20"])
        files_b = split(b, both, "beta", ["-c", "20"])
        os.chmod(both, 0o755)
        _, rows, _ = run_scan(tshark, scan, [both], work)
        sets = {}
        for r in rows:
            sets.setdefault(r["capture_set"], []).append(r)
        check(len(sets) == 2, "two ring sets in one folder: %d capture sets" % len(sets))
        for files, capture in ((files_a, a), (files_b, b)):
            mine = [r for r in rows if r["first_file"] in files]
            check(as_whole(mine, files) == wholes[capture], "set of %s among two sets differs" % capture)
        loose = os.path.join(work, "loose")
        os.makedirs(loose)
        renamed = []
        for n, f in enumerate(files_a):
            target = os.path.join(loose, "part-%c.pcapng" % chr(ord("a") + n))
            shutil.copy(f, target)
            os.chmod(target, 0o644)
            renamed.append(target)
        os.chmod(loose, 0o755)
        _, rows, _ = run_scan(tshark, scan, [loose], work)
        check(as_whole(rows, renamed) == wholes[a], "files without dumpcap names, found by their times, differ")
        print("ok: two sets, and a set without dumpcap names")

        # A damaged file inside a set: reported; the streams of the other files still given.
        damaged = os.path.join(work, "damaged")
        files = split(a, damaged, "ring", ["-c", "20"])
        victim = files[len(files) // 2]
        size = os.path.getsize(victim)
        with open(victim, "r+b") as f:
            f.truncate(size // 2 + 3)
        os.chmod(damaged, 0o755)
        out, rows, _ = run_scan(tshark, scan, [damaged], work)
        check(os.path.basename(victim) in out and "problem:" in out, "the damaged file is not reported:\n" + out)
        untouched = [w for w in wholes[a] if w[5] and w[5] <= sum(packets(f) for f in files[: len(files) // 2])]
        got = set(as_whole(rows, files))
        present = sum(w in got for w in untouched)
        check(untouched and present * 2 >= len(untouched),
              "streams before the damaged file are missing: %d of %d given" % (present, len(untouched)))
        print("ok: damaged file reported, %d streams given" % len(rows))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
