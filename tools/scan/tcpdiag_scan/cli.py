"""tcpdiag-scan [options] PATH...: tcpdiag's verdict for every stream of many captures at once.

PATHs are capture files or folders of them. Files of one capture set (dumpcap's ring-buffer or
file-set names, or files whose times follow on and which share connections) are analysed as one
capture; independent sets run in parallel."""
import argparse
import collections
import concurrent.futures
import json
import os
import shlex
import sys

from . import filesets, stitch, tools
from .pieces import Piece, may_join_others
from .verdicts import NOT_FAILURES
COLUMNS = ("capture_set", "first_file", "last_file", "stream", "transport", "client", "server", "verdict",
           "reset_by", "cause", "stage", "loss_point", "start_time", "end_time", "evidence_file", "evidence_frame",
           "syn_retransmissions", "data_retransmissions", "packets", "duration", "history", "captured",
           "capture_flaws", "reason", "next_step")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="tcpdiag-scan", description=__doc__.split("\n\n")[1])
    parser.add_argument("paths", nargs="+", metavar="PATH", help="capture files or folders")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="files and sets analysed at once (default: the cores, %(default)s)")
    parser.add_argument("--tsv", metavar="FILE", help="every stream, one row each, tab-separated")
    parser.add_argument("--json", metavar="FILE", help="every stream, one JSON object per line")
    parser.add_argument("--db", metavar="FILE", help="every stream into the table streams of an SQLite database")
    parser.add_argument("--report", metavar="FILE.html", help="one self-contained HTML page with plots")
    parser.add_argument("--ecs", metavar="FILE",
                        help="every stream as Elasticsearch / OpenSearch bulk requests, Elastic Common Schema names")
    parser.add_argument("--all", action="store_true", help="list every stream on stdout, not only failures")
    return parser.parse_args(argv)


def analyse_file(path):
    """One file on its own: its span and its streams table, or the error that stops it."""
    packets, first, last = tools.capture_span(path)
    rows, frames, warning = tools.streams_and_frames(path)
    # Only the frames of streams that may span files are kept: memory goes with those streams.
    keys = {(r["transport"], int(r["stream"])) for r in rows if may_join_others(r, first, last)}
    kept = {k: v for k, v in frames.items() if k in keys}
    return stitch.FileResult(path, packets, first, last, rows, warning, kept)


def open_pairs(result):
    return {Piece(0, r).pair for r in result.rows if Piece(0, r).may_continue(result.last_time)}


def continuing_pairs(result):
    return {Piece(0, r).pair for r in result.rows if not Piece(0, r).opens_connection() or Piece(0, r).unanswered_handshake()}


def shares_connection(a, b):
    return bool(open_pairs(a) & continuing_pairs(b))


def progress(done, total, stream):
    if stream.isatty():
        stream.write("\r%d of %d files analysed" % (done, total))
        stream.flush()
        if done == total:
            stream.write("\n")


def scan(paths, jobs, err=sys.stderr):
    """(rows of every stream, problems): problems name each file that could not be read."""
    files = filesets.discover(paths)
    problems, results = [], []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(analyse_file, f): f for f in files}
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            try:
                result = future.result()
                results.append(result)
                if result.warning:
                    problems.append("%s: damaged, read up to the damage: %s" % (result.path, result.warning))
            except tools.ToolError as e:
                problems.append(str(e))
            progress(done, len(files), err)
        sets = filesets.group(results, shares_connection)
        rows = []
        for set_rows in pool.map(lambda s: stitch.analyse_set(s[0], s[1]), sets):
            rows.extend(set_rows)
    return rows, sorted(problems)


def write_tsv(path, rows):
    with open(path, "w", encoding="utf-8") as out:
        out.write("\t".join(COLUMNS) + "\n")
        for row in rows:
            out.write("\t".join(str(row.get(c, "")).replace("\t", " ") for c in COLUMNS) + "\n")


def write_json(path, rows):
    numeric = {"stream", "evidence_frame", "syn_retransmissions", "data_retransmissions", "packets"}
    real = {"start_time", "end_time", "duration"}
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            obj = {}
            for c in COLUMNS:
                value = row.get(c, "")
                obj[c] = int(value or 0) if c in numeric else float(value or 0) if c in real else value
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")


def print_summary(rows, problems, show_all, out):
    verdicts = collections.Counter(r["verdict"] for r in rows)
    sets = len({r["capture_set"] for r in rows})
    out.write("%d streams in %d capture sets\n" % (len(rows), sets))
    for verdict, count in sorted(verdicts.items(), key=lambda kv: (-kv[1], kv[0])):
        out.write("  %-20s %d\n" % (verdict, count))
    listed = [r for r in rows if show_all or r["verdict"] not in NOT_FAILURES]
    if listed:
        out.write("\n%s:\n" % ("Streams" if show_all else "Failed streams"))
        for r in listed:
            out.write("  %s -> %s  %s (reset by %s)\n    %s\n" % (r["client"], r["server"], r["verdict"],
                                                              r["reset_by"], r["reason"]))
            if r["evidence_file"]:
                out.write("    wireshark -r %s -g %s\n" % (shlex.quote(r["evidence_file"]), r["evidence_frame"]))
    for problem in problems:
        out.write("problem: %s\n" % problem)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    rows, problems = scan(args.paths, args.jobs)
    if args.tsv:
        write_tsv(args.tsv, rows)
    if args.json:
        write_json(args.json, rows)
    if args.db:
        from . import database
        database.write(args.db, rows, problems)
    if args.report:
        from . import report
        report.write_report(args.report, rows, problems)
    if args.ecs:
        from . import ecs
        ecs.write_bulk(args.ecs, rows)
    print_summary(rows, problems, args.all, sys.stdout)
    return 1 if problems and not rows else 0
