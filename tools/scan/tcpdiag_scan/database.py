"""--db FILE: the scan's streams in an SQLite database, for questions asked later ("every
app_reset to port 1433 last night"). Table `streams` holds the streams table's columns plus
capture_set, first_file, last_file, evidence_file, and the client's and server's address and port
apart; times are seconds since the epoch (UTC), as in the streams table. A stream scanned again
(the same set, endpoints and start) replaces its row, so a folder can be scanned again into the
same database. Table `problems` names the files that could not be read."""
import sqlite3

TEXT, INTEGER, REAL = "TEXT", "INTEGER", "REAL"
COLUMNS = (
    ("capture_set", TEXT), ("first_file", TEXT), ("last_file", TEXT), ("stream", INTEGER), ("transport", TEXT),
    ("client", TEXT), ("server", TEXT), ("client_ip", TEXT), ("client_port", INTEGER), ("server_ip", TEXT),
    ("server_port", INTEGER), ("verdict", TEXT), ("reset_by", TEXT), ("cause", TEXT), ("stage", TEXT),
    ("loss_point", TEXT), ("start_time", REAL), ("end_time", REAL), ("evidence_file", TEXT),
    ("evidence_frame", INTEGER), ("syn_retransmissions", INTEGER), ("data_retransmissions", INTEGER),
    ("packets", INTEGER), ("duration", REAL), ("history", TEXT), ("captured", TEXT), ("capture_flaws", TEXT),
    ("reason", TEXT), ("next_step", TEXT),
)
# The obvious questions: by verdict over time, by server port or address, by capture set.
INDEXES = {
    "streams_verdict_time": "verdict, start_time",
    "streams_port_verdict": "server_port, verdict",
    "streams_server": "server_ip, server_port",
    "streams_time": "start_time",
    "streams_set": "capture_set, first_file",
}
SCHEMA = """
CREATE TABLE IF NOT EXISTS streams (
  %s,
  UNIQUE (capture_set, transport, client, server, start_time) ON CONFLICT REPLACE
);
CREATE TABLE IF NOT EXISTS problems (path TEXT, problem TEXT, UNIQUE (path, problem) ON CONFLICT IGNORE);
""" % ",\n  ".join("%s %s" % c for c in COLUMNS)


def split_endpoint(text):
    """"10.0.0.1:443" or "[fd00::1]:443" -> ("10.0.0.1", 443); (text, None) when it has no port."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        return text, None
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host, int(port)


class Database:
    """An open database the scan adds rows to; each add() is committed at once, so that what was
    written survives the scan being stopped."""

    def __init__(self, path):
        self.connection = sqlite3.connect(path)
        self.connection.executescript(SCHEMA)
        for name, columns in INDEXES.items():
            self.connection.execute("CREATE INDEX IF NOT EXISTS %s ON streams (%s)" % (name, columns))
        self.connection.commit()

    def add(self, rows, problems=()):
        names = [c for c, _ in COLUMNS]
        insert = "INSERT INTO streams (%s) VALUES (%s)" % (", ".join(names), ", ".join("?" * len(names)))
        with self.connection:
            self.connection.executemany(insert, (_values(r) for r in rows))
            self.connection.executemany("INSERT INTO problems VALUES (?, ?)", (_problem(p) for p in problems))

    def close(self):
        self.connection.close()


def _values(row):
    values = dict(row)
    values["client_ip"], values["client_port"] = split_endpoint(row.get("client", ""))
    values["server_ip"], values["server_port"] = split_endpoint(row.get("server", ""))
    out = []
    for name, kind in COLUMNS:
        value = values.get(name, "")
        if kind != TEXT:
            value = None if value in ("", None) else (int(value) if kind == INTEGER else float(value))
        out.append(value)
    return out


def _problem(text):
    path, _, problem = text.partition(": ")
    return path, problem


def write(path, rows, problems=()):
    database = Database(path)
    try:
        database.add(rows, problems)
    finally:
        database.close()
