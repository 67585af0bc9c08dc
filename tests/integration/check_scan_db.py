#!/usr/bin/env python3
"""tcpdiag-scan --db: the table `streams` has the columns and indexes docs/scan.md promises, holds
the same streams as the TSV of the same scan, is not doubled by a second scan; a damaged file is
in `problems`; and every query docs/scan.md shows, run by SQLite's shell, answers its question as
the TSV answers it (a capture shifted so that one app_reset falls at 19:00 UTC, "last night").

    check_scan_db.py --plugin tcpdiag.so --scan tools/scan/tcpdiag-scan --docs docs/scan.md CAPTURE...
"""
import argparse
import collections
import csv
import datetime
import json
import os
import re
import subprocess
import sys

from checks import check, finish
from tshark_runner import Tshark

NOT_FAILURES = {"graceful_close", "open", "incomplete"}
REQUIRED = ("capture_set", "first_file", "last_file", "stream", "transport", "client", "server", "verdict",
            "reset_by", "cause", "stage", "start_time", "end_time", "evidence_file", "evidence_frame", "reason",
            "next_step")


def sql(db, query):
    out = subprocess.run(["sqlite3", "-json", db, query], capture_output=True, text=True, check=True).stdout
    return json.loads(out) if out.strip() else []


def documented_queries(docs):
    text = open(docs, encoding="utf-8").read()
    section = text.split("## SQLite database", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


def run_scan(tshark, scan, paths, workdir):
    db, tsv = os.path.join(workdir, "streams.db"), os.path.join(workdir, "out.tsv")
    _, env = tshark.command([])
    cmd, env = tshark.command_of(["/usr/bin/python3", scan, "--db", db, "--tsv", tsv] + paths, env)
    proc = subprocess.run(cmd, env=env, cwd=workdir, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError("tcpdiag-scan failed: %s%s" % (proc.stdout, proc.stderr))
    with open(tsv) as f:
        return db, list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def port_of(endpoint):
    return int(endpoint.rpartition(":")[2])


def shift_to_night(tshark, capture, workdir):
    """A copy of the capture shifted so that its first app_reset starts at 19:00 UTC (early in the
    night: a narrower night misses it); returns the copy and that app_reset's server port."""
    rows = [r for r in tshark.streams(capture, two_pass=True) if r["verdict"] == "app_reset"]
    start = float(rows[0]["start_time"])
    day = datetime.datetime.fromtimestamp(start, datetime.timezone.utc).replace(hour=0, minute=0, second=0,
                                                                                microsecond=0)
    delta = day.timestamp() + 19 * 3600 - start
    shifted = os.path.join(workdir, "night.pcapng")
    subprocess.run(["editcap", "-t", "%.6f" % delta, capture, shifted], check=True)
    os.chmod(shifted, 0o644)
    return shifted, port_of(rows[0]["server"])


def expected_answers(rows, port, now):
    """Each documented question answered from the TSV rows, in the order docs/scan.md asks them."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    failed = [r for r in rows if r["verdict"] not in NOT_FAILURES]
    night = sorted((r for r in rows if r["verdict"] == "app_reset" and port_of(r["server"]) == port
                    and midnight - 6 * 3600 <= float(r["start_time"]) < midnight + 6 * 3600),
                   key=lambda r: float(r["start_time"]))
    per_port = collections.Counter((port_of(r["server"]), r["transport"], r["verdict"]) for r in failed)
    evidence = [r for r in sorted(rows, key=lambda r: float(r["start_time"]))
                if r["verdict"] in ("injected_reset", "peer_lost_state") and int(r["evidence_frame"]) > 0]
    per_hour = collections.Counter(
        (datetime.datetime.fromtimestamp(float(r["start_time"]), datetime.timezone.utc).strftime("%Y-%m-%d %H:00"),
         r["verdict"]) for r in failed)
    return [
        [(r["client"], r["server"], r["evidence_file"], int(r["evidence_frame"])) for r in night],
        sorted(((p, t, v, n) for (p, t, v), n in per_port.items()), key=lambda e: (-e[3], e[0], e[2])),
        ["wireshark -r %s -g %s" % (r["evidence_file"], r["evidence_frame"]) for r in evidence],
        sorted((h, v, n) for (h, v), n in per_hour.items()),
    ]


def answers_of(db, queries):
    q1, q2, q3, q4 = (sql(db, q) for q in queries)
    return [
        [(r["client"], r["server"], r["evidence_file"], r["evidence_frame"]) for r in q1],
        [(r["server_port"], r["transport"], r["verdict"], r["streams"]) for r in q2],
        [r["command"] for r in q3],
        [(r["hour"], r["verdict"], r["streams"]) for r in q4],
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--scan", required=True)
    parser.add_argument("--docs", required=True)
    parser.add_argument("captures", nargs="+")
    args = parser.parse_args()
    queries = documented_queries(args.docs)
    check(len(queries) == 4, "docs/scan.md shows %d queries, this test knows 4" % len(queries))
    with Tshark(args.plugin) as tshark:
        work = os.path.join(tshark.workdir, "db")
        os.makedirs(work)
        os.chmod(work, 0o777)
        night, port = shift_to_night(tshark, tshark.stage(args.captures[0]), work)
        captures = [night] + [tshark.stage(c) for c in args.captures[1:]]
        db, rows = run_scan(tshark, os.path.abspath(args.scan), captures, work)

        columns = [c["name"] for c in sql(db, "SELECT name FROM pragma_table_info('streams')")]
        check(all(c in columns for c in REQUIRED), "streams lacks %s" % [c for c in REQUIRED if c not in columns])
        indexes = {i["name"] for i in sql(db, "SELECT name FROM sqlite_master WHERE type = 'index'")}
        check({"streams_verdict_time", "streams_port_verdict", "streams_server"} <= indexes, "indexes: %s" % indexes)
        stored = sql(db, "SELECT client, server, verdict, evidence_file, evidence_frame, start_time FROM streams")
        as_tsv = sorted((r["client"], r["server"], r["verdict"], r["evidence_file"], int(r["evidence_frame"]))
                        for r in rows)
        check(sorted((r["client"], r["server"], r["verdict"], r["evidence_file"], r["evidence_frame"])
                     for r in stored) == as_tsv, "the database's streams differ from the TSV's")
        plan = subprocess.run(["sqlite3", db, "EXPLAIN QUERY PLAN " + queries[0]], capture_output=True,
                              text=True, check=True).stdout
        check("INDEX" in plan, "the night's query uses no index: %s" % plan)

        now = datetime.datetime.fromtimestamp(float(min(r["start_time"] for r in rows if r["first_file"] == night)),
                                              datetime.timezone.utc) + datetime.timedelta(days=1)
        now = now.replace(hour=8, minute=0)
        stamp = "'%s'" % now.strftime("%Y-%m-%d %H:%M:%S")
        live = [q.replace("'now'", stamp).replace("= 1433", "= %d" % port) for q in queries]
        expected, got = expected_answers(rows, port, now), answers_of(db, live)
        check(expected[0], "no app_reset fell in the night: the first query is not exercised")
        for n, (e, g) in enumerate(zip(expected, got), 1):
            check(e == g, "documented query %d: %s, the TSV says %s" % (n, g, e))

        run_scan(tshark, os.path.abspath(args.scan), captures, work)
        count = sql(db, "SELECT count(*) AS n FROM streams")[0]["n"]
        check(count == len(rows), "a second scan into the database gives %d rows, not %d" % (count, len(rows)))

        damaged = os.path.join(work, "damaged.pcapng")
        with open(captures[-1], "rb") as f:
            data = f.read()
        with open(damaged, "wb") as f:
            f.write(data[: len(data) // 2 + 3])
        os.chmod(damaged, 0o644)
        run_scan(tshark, os.path.abspath(args.scan), [damaged], work)
        problems = sql(db, "SELECT path, problem FROM problems")
        check(any(p["path"] == damaged for p in problems), "the damaged file is not in problems: %s" % problems)
        print("ok: %d streams, %d documented queries, %d problems" % (len(rows), len(queries), len(problems)))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
