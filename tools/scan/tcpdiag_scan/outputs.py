"""Where the scan's streams go: the files named by --tsv, --json, --ecs and --db, written as the
streams come (so that a scan stopped in --follow mode keeps every stream it had reported), and
the --report page, written at the end."""
import json

from .verdicts import is_failure

COLUMNS = ("capture_set", "first_file", "last_file", "stream", "transport", "client", "server", "verdict",
           "reset_by", "cause", "stage", "loss_point", "start_time", "end_time", "evidence_file", "evidence_frame",
           "syn_retransmissions", "data_retransmissions", "packets", "duration", "history", "captured",
           "capture_flaws", "reason", "next_step")
NUMERIC = {"stream", "evidence_frame", "syn_retransmissions", "data_retransmissions", "packets"}
REAL = {"start_time", "end_time", "duration"}
# What the report needs of a stream that did not fail: it is counted, not listed.
SUMMARY_COLUMNS = ("capture_set", "verdict", "start_time", "end_time")


def tsv_line(row):
    return "\t".join(str(row.get(c, "")).replace("\t", " ").replace("\n", " ") for c in COLUMNS) + "\n"


def json_line(row):
    obj = {}
    for c in COLUMNS:
        value = row.get(c, "")
        obj[c] = int(value or 0) if c in NUMERIC else float(value or 0) if c in REAL else value
    return json.dumps(obj, ensure_ascii=False) + "\n"


class Outputs:
    def __init__(self, tsv=None, json_path=None, ecs_path=None, db=None, report=None):
        self.files = []  # (open file, line function)
        if tsv:
            out = open(tsv, "w", encoding="utf-8")
            out.write("\t".join(COLUMNS) + "\n")
            out.flush()
            self.files.append((out, tsv_line))
        if json_path:
            self.files.append((open(json_path, "w", encoding="utf-8"), json_line))
        if ecs_path:
            from . import ecs
            self.files.append((open(ecs_path, "w", encoding="utf-8"), ecs.bulk_lines))
        self.database = None
        if db:
            from . import database
            self.database = database.Database(db)
        self.report = report
        self.kept = []  # for the report: failed streams whole, the others in brief

    def add(self, rows, problems=()):
        for out, line in self.files:
            out.writelines(line(r) for r in rows)
            out.flush()
        if self.database:
            self.database.add(rows, problems)
        if self.report:
            self.kept.extend(r if is_failure(r["verdict"]) else {c: r.get(c, "") for c in SUMMARY_COLUMNS}
                             for r in rows)

    def close(self, problems=()):
        for out, _ in self.files:
            out.close()
        if self.database:
            self.database.add([], problems)
            self.database.close()
        if self.report:
            from . import report
            report.write_report(self.report, self.kept, list(problems))
