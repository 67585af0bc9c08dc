"""tcpdiag-scan [options] PATH...: tcpdiag's verdict for every stream of many captures at once.

PATHs are capture files or folders of them. Files of one capture set (dumpcap's ring-buffer or
file-set names, or files whose times follow on and which share connections) are analysed as one
capture; independent sets run in parallel. With --follow DIR, a ring buffer still being written
is watched and each failed stream reported once its file has closed and it is over."""
import argparse
import collections
import concurrent.futures
import os
import shlex
import sqlite3
import sys

from . import filesets, stitch, tools
from .outputs import Outputs
from .pieces import Piece
from .verdicts import NOT_FAILURES


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="tcpdiag-scan", description=__doc__.split("\n\n")[1])
    parser.add_argument("paths", nargs="*", metavar="PATH", help="capture files or folders")
    parser.add_argument("--follow", metavar="DIR", help="watch a ring buffer being written, until a signal")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="files and sets analysed at once (default: the cores, %(default)s)")
    parser.add_argument("--tsv", metavar="FILE", help="every stream, one row each, tab-separated")
    parser.add_argument("--json", metavar="FILE", help="every stream, one JSON object per line")
    parser.add_argument("--db", metavar="FILE", help="every stream into the table streams of an SQLite database")
    parser.add_argument("--report", metavar="FILE.html", help="one self-contained HTML page with plots")
    parser.add_argument("--ecs", metavar="FILE",
                        help="every stream as Elasticsearch / OpenSearch bulk requests, Elastic Common Schema names")
    parser.add_argument("--all", action="store_true", help="list every stream on stdout, not only failures")
    args = parser.parse_args(argv)
    if bool(args.paths) == bool(args.follow):
        parser.error("give either PATHs or --follow DIR")
    return args


def open_pairs(result):
    return {Piece(0, r).pair for r in result.rows if Piece(0, r).may_continue(result.last_time)}


def continuing_pairs(result):
    return {Piece(0, r).pair for r in result.rows
            if not Piece(0, r).opens_connection() or Piece(0, r).unanswered_handshake()}


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
    for path in paths:
        if os.path.isdir(path) and not filesets.discover([path]):
            problems.append("%s: no capture files (%s) in it" % (path, ", ".join(filesets.CAPTURE_SUFFIXES)))
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(stitch.analyse_file, f): f for f in files}
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            try:
                result = future.result()
                results.append(result)
                if result.warning:
                    problems.append(damaged(result))
            except tools.ToolError as e:
                problems.append(str(e))
            progress(done, len(files), err)
        sets = filesets.group(results, shares_connection)
        rows = []
        for set_rows in pool.map(lambda s: stitch.analyse_set(s[0], s[1]), sets):
            rows.extend(set_rows)
    return rows, sorted(problems)


def damaged(result):
    return "%s: damaged, read up to the damage: %s" % (result.path, result.warning)


def print_stream(r, out):
    out.write("  %s -> %s  %s (reset by %s)\n    %s\n" % (r["client"], r["server"], r["verdict"], r["reset_by"],
                                                          r["reason"]))
    if r["evidence_file"]:
        out.write("    wireshark -r %s -g %s\n" % (shlex.quote(r["evidence_file"]), r["evidence_frame"]))


def print_summary(verdicts, sets, problems, out):
    out.write("%d streams in %d capture sets\n" % (sum(verdicts.values()), sets))
    for verdict, count in sorted(verdicts.items(), key=lambda kv: (-kv[1], kv[0])):
        out.write("  %-20s %d\n" % (verdict, count))
    for problem in problems:
        out.write("problem: %s\n" % problem)


def print_batch(rows, problems, show_all, out):
    verdicts = collections.Counter(r["verdict"] for r in rows)
    print_summary(verdicts, len({r["capture_set"] for r in rows}), [], out)
    listed = [r for r in rows if show_all or r["verdict"] not in NOT_FAILURES]
    if listed:
        out.write("\n%s:\n" % ("Streams" if show_all else "Failed streams"))
        for r in listed:
            print_stream(r, out)
    for problem in problems:
        out.write("problem: %s\n" % problem)


def open_outputs(args):
    return Outputs(tsv=args.tsv, json_path=args.json, ecs_path=args.ecs, db=args.db, report=args.report)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        outputs = open_outputs(args)  # before the scan: an output that cannot be written stops it at once
    except (OSError, ImportError, sqlite3.Error) as e:
        sys.stderr.write("tcpdiag-scan: cannot write the outputs: %s\n" % e)
        return 2
    if args.follow:
        from . import follow
        return follow.run(args.follow, outputs, args.all, sys.stdout, sys.stderr)
    rows, problems = scan(args.paths, args.jobs)
    outputs.add(rows)
    outputs.close(problems)
    print_batch(rows, problems, args.all, sys.stdout)
    return 1 if problems and not rows else 0
