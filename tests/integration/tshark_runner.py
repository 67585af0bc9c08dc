"""Runs the real tshark with the freshly built tcpdiag plugin.

tshark running as root ignores WIRESHARK_PLUGIN_DIR and personal plugin folders, so as root the
runner drops to an unprivileged user; the plugin and the capture are copied into a private,
world-readable folder laid out as Wireshark expects (<dir>/<major.minor>/epan/tcpdiag.so).
"""
import csv
import io
import os
import re
import shutil
import subprocess
import tempfile
from xml.etree import ElementTree

NOBODY = 65534
CRASH_CODES = {-6, -11, 134, 139}  # SIGABRT / SIGSEGV, as a signal or as a shell exit status
# Set by tools/sanitize.sh: the ASan runtime tshark must preload to load the instrumented plugin.
SANITIZER_RUNTIME = os.environ.get("TCPDIAG_SANITIZER_RUNTIME")
# A stack frame in tcpdiag's code (symbolized or not) makes a sanitizer report tcpdiag's.
PLUGIN_FRAME = re.compile(r"tcpdiag\.so|tcpdiag::|/plugin/(core|epan)/")


class Tshark:
    def __init__(self, plugin_so):
        self.workdir = tempfile.mkdtemp(prefix="tcpdiag-test-")
        os.chmod(self.workdir, 0o755)
        version = os.path.basename(os.path.dirname(os.path.dirname(plugin_so)))  # e.g. "4.0"
        self.wireshark = tuple(int(n) for n in version.split("."))
        epan = os.path.join(self.workdir, "plugins", version, "epan")
        os.makedirs(epan)
        shutil.copy(plugin_so, os.path.join(epan, "tcpdiag.so"))
        for root, dirs, files in os.walk(self.workdir):
            for name in dirs + files:
                os.chmod(os.path.join(root, name), 0o755)
        self.plugin_dir = os.path.join(self.workdir, "plugins")
        self.sanitizer_dir = os.path.join(self.workdir, "sanitizer")
        os.makedirs(self.sanitizer_dir)
        os.chmod(self.sanitizer_dir, 0o777)  # the unprivileged tshark writes its reports here

    def close(self):
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def stage(self, capture):
        """A readable copy of the capture for the unprivileged tshark."""
        target = os.path.join(self.workdir, os.path.basename(capture))
        if not os.path.exists(target):
            shutil.copy(capture, target)
            os.chmod(target, 0o644)
        return target

    def command(self, args):
        """The command line and environment of an unprivileged tshark that loads the plugin."""
        env = {"PATH": "/usr/bin:/bin", "HOME": self.workdir, "WIRESHARK_PLUGIN_DIR": self.plugin_dir,
               "LC_ALL": "C.UTF-8"}
        if SANITIZER_RUNTIME:
            env["LD_PRELOAD"] = os.path.realpath(SANITIZER_RUNTIME)
            # No extcap helpers: they would inherit the preload, and one (androiddump) deadlocks
            # at exit under it. They have nothing to do with reading files.
            env["WIRESHARK_EXTCAP_DIR"] = self.sanitizer_dir
            # Leaks found at exit are only reported (exitcode=0): Wireshark keeps some of its own,
            # and the reports are judged below. A memory error still aborts tshark.
            own = {"ASAN_OPTIONS": ["abort_on_error=1", "exitcode=0"], "UBSAN_OPTIONS": []}
            for name, prefix in (("ASAN_OPTIONS", "asan"), ("UBSAN_OPTIONS", "ubsan")):
                log = "log_path=" + os.path.join(self.sanitizer_dir, prefix)
                options = [os.environ.get(name, "")] + own[name] + [log]
                env[name] = ":".join(o for o in options if o)
        return self.command_of(["tshark"] + list(args), env)

    def command_of(self, cmd, env):
        """`cmd` run as the unprivileged user when this runs as root."""
        if os.geteuid() == 0:
            cmd = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"] + cmd
        return cmd, env

    def check_sanitizer_reports(self, args):
        """Raises on a sanitizer report from tcpdiag's code; reports about Wireshark's own memory
        (what it still holds at exit) are printed and otherwise ignored."""
        ours = []
        for name in sorted(os.listdir(self.sanitizer_dir)):
            path = os.path.join(self.sanitizer_dir, name)
            with open(path, errors="replace") as f:
                text = f.read()
            os.remove(path)
            blocks = text.split("\n\n") if "LeakSanitizer" in text else [text]
            mine = [b for b in blocks if PLUGIN_FRAME.search(b) or "runtime error" in b]
            ours += mine
            if len(mine) < len(blocks):
                print("tshark %s: %d sanitizer report(s) without a tcpdiag frame (Wireshark's own)" %
                      (" ".join(args), len(blocks) - len(mine)))
        if ours:
            raise RuntimeError("sanitizer report from tcpdiag's code (tshark %s):\n%s" % (" ".join(args),
                                                                                         "\n\n".join(ours)))

    def run(self, args, check=True, timeout=300):
        cmd, env = self.command(args)
        proc = subprocess.run(cmd, env=env, cwd=self.workdir, capture_output=True, text=True, timeout=timeout)
        self.check_sanitizer_reports(args)
        if check and proc.returncode != 0:
            raise RuntimeError("tshark %s failed (%d): %s" % (" ".join(args), proc.returncode, proc.stderr))
        return proc

    def run_measured(self, args):
        """Runs tshark to its end; returns its stdout, wall seconds, CPU seconds (user + sys) and
        peak resident memory in bytes. GNU time measures it: a child forked from this (possibly
        large) Python process would inherit its memory high-water mark."""
        cmd, env = self.command(args)
        usage = os.path.join(self.workdir, "usage")
        proc = subprocess.run(["/usr/bin/time", "-o", usage, "-f", "%e %U %S %M"] + cmd, env=env, cwd=self.workdir,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.check_sanitizer_reports(args)
        if proc.returncode != 0:
            raise RuntimeError("tshark %s failed with status %d" % (" ".join(args), proc.returncode))
        with open(usage) as f:
            wall, user, system, kib = f.read().split()[-4:]
        return proc.stdout.decode(errors="replace"), float(wall), float(user) + float(system), int(kib) * 1024

    def streams(self, capture, options=(), two_pass=False, damaged=False):
        """The `-z tcpdiag,streams,tsv` table as a list of dicts. A damaged file makes tshark exit
        non-zero after the packets it could read: with `damaged`, that is accepted, and a file with
        nothing readable gives None (tshark's error message is in self.last_error)."""
        args = ["-r", self.stage(capture), "-q", "-z", "tcpdiag,streams,tsv"]
        if two_pass:
            args.insert(0, "-2")
        for opt in options:
            args += ["-o", opt]
        proc = self.run(args, check=not damaged)
        out, self.last_error, self.last_returncode = proc.stdout, proc.stderr.strip(), proc.returncode
        start = out.find("stream\ttransport\t")
        if start < 0 and damaged and proc.returncode != 0 and self.last_error:
            return None
        if start < 0:
            raise RuntimeError("no tcpdiag table in tshark's output:\n" + out)
        return list(csv.DictReader(io.StringIO(out[start:]), delimiter="\t", quoting=csv.QUOTE_NONE))


def expects_error(path):
    """A `# error` line: tshark must report the file as damaged or unreadable."""
    with open(path) as f:
        return any(line.startswith("# error") for line in f)


def read_expected(path, wireshark=None):
    """The hand-written expectations: (proto, client, server, verdict, reset_by) per line."""
    return [row for row, _ in read_expected_details(path, wireshark)]


# Columns of the streams table a line of expectations may name after its five fields, as
# name=value; a stream without one must have it empty, except for those CHECKED_WHEN_NAMED.
DETAIL_COLUMNS = ("cause", "loss_point", "stage")
CHECKED_WHEN_NAMED = ("stage",)


def read_expected_details(path, wireshark=None):
    """(proto, client, server, verdict, reset_by) and {column: value} for DETAIL_COLUMNS per line.

    A line may start with a Wireshark version condition, "ws>=4.4" or "ws<4.4", where Wireshark's
    own stream numbering differs between versions; it counts only when `wireshark` (major, minor)
    meets it. With `wireshark` None every line counts."""
    rows = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            fields = line.split()
            if fields[0].startswith("ws"):
                condition = fields.pop(0)
                if wireshark is not None and not version_meets(wireshark, condition[2:]):
                    continue
            details = {name: "" for name in DETAIL_COLUMNS if name not in CHECKED_WHEN_NAMED}
            while len(fields) > 5 and "=" in fields[-1]:
                name, value = fields.pop().split("=", 1)
                if name not in DETAIL_COLUMNS:
                    raise ValueError("%s:%d: unknown column %r" % (path, number, name))
                details[name] = value
            if len(fields) != 5:
                raise ValueError("%s:%d: expected 5 fields, got %r" % (path, number, line))
            rows.append((tuple(fields), details))
    return rows


def version_meets(version, condition):
    """version (4, 4) against ">=4.4" or "<4.4"."""
    op = ">=" if condition.startswith(">=") else "<"
    wanted = tuple(int(n) for n in condition[len(op):].split("."))
    return version >= wanted if op == ">=" else version < wanted


def profile_column_titles(preferences):
    """The column titles of a profile's preferences file (gui.column.format), in order."""
    titles, in_format = [], False
    with open(preferences) as f:
        for line in f:
            if line.startswith("gui.column.format:"):
                in_format = True
            elif in_format and line[:1] in (" ", "\t"):
                titles.append(line.split('"')[1])
            elif in_format:
                break
    return titles


def read_columns(psml_output):
    """`tshark -T psml` as (column titles, rows of {column title: shown value}). Wireshark 4.0 also
    takes `-e "_ws.col.<title>"` for a custom column, 4.4 and later do not; PSML works in every
    version and, unlike `-T tabs`, keeps an empty column in its place."""
    root = ElementTree.fromstring(psml_output)
    titles = [section.text or "" for section in root.find("structure")]
    rows = [dict(zip(titles, [(section.text or "").strip() for section in packet]))
            for packet in root.iter("packet")]
    return titles, rows
