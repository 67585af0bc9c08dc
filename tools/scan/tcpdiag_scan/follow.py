"""--follow DIR: a ring buffer still being written (`dumpcap -b filesize:... -b files:... -w
DIR/name.pcapng`) watched until a signal. A file of a set is closed once the next file of the set
exists (dumpcap opens the next only after closing the last); each closed file is analysed as it
closes, its connections chained to the earlier files' as in a scan of the whole set, and a
connection is reported once it is over: its last packet, at the end of the newest closed file,
more than LATE_SEGMENTS_S old if it ended (RST, or FIN both ways), SYN_RETRIES_S if not. A
connection quiet for longer that speaks again is reported again, as a stream of its own. A signal
stops the watch after the file being analysed; the newest file of each set, still being written,
is left for a later scan. Everything reported is in the outputs already, flushed."""
import collections
import os
import signal
import sys
import threading

from . import filesets, stitch, tools
from .pieces import LATE_SEGMENTS_S, SYN_RETRIES_S, Chainer
from .verdicts import is_failure

POLL_S = 1.0


class SetFollower:
    """One ring set: its closed files in order, the chains not yet over, and what was reported."""

    def __init__(self, name, report, problem):
        self.name = name
        self.report = report  # called with the rows of the chains that are over
        self.problem = problem
        self.chainer = Chainer()
        self.files = []  # every closed file; rows and frames dropped once no pending chain needs them
        self.pending = []
        self.numbered = 0

    def add(self, result):
        index = len(self.files)
        self.files.append(result)
        touched = self.chainer.add_file(result.rows, result.last_time)
        candidates = list({id(c): c for c in self.pending + touched}.values())
        over, self.pending = [], []
        for chain in candidates:
            (over if self._is_over(chain, index) else self.pending).append(chain)
        for chain in over:
            self.chainer.close(chain)
        if over:
            rows = self._rows(over)
            rows.sort(key=lambda r: float(r["start_time"]))
            for row in rows:
                row["stream"] = str(self.numbered)
                self.numbered += 1
            self.report(rows)
        self._forget(index)

    def _rows(self, chains):
        try:
            return stitch.rows_of_chains(self.name, self.files, chains)
        except tools.ToolError as e:
            # An early file is gone (dumpcap -b files:N deletes the oldest): each connection as
            # its own files saw it, said so.
            self.problem(str(e))
            files, rows = self.files, []
            for chain in chains:
                first = chain[0]
                rows.append(stitch.out_row_of_piece(self.name, files, first, chain[-1].file_index))
            return rows

    def _is_over(self, chain, index):
        """Over once its last packet is older, at the end of the newest closed file, than the time
        a late segment (after a close) or a resent SYN or segment (before one) could still come."""
        latest_end = self.files[index].last_time
        if latest_end is None:
            return False
        quiet = latest_end - float(chain[-1].row["end_time"])
        return quiet > (LATE_SEGMENTS_S if chain[-1].ended() else SYN_RETRIES_S)

    def _forget(self, index):
        """Drops the rows and frames of files no pending chain reaches back to (the newest one is
        kept whole: the next file's chains start from it)."""
        needed = {p.file_index for c in self.pending for p in c} | {index}
        for i, f in enumerate(self.files):
            if i not in needed:
                f.rows, f.frames = [], {}


class Watch:
    def __init__(self, folder, outputs, show_all, out, err):
        self.folder, self.outputs, self.show_all, self.out, self.err = folder, outputs, show_all, out, err
        self.sets = {}  # ring key -> SetFollower
        self.done = set()  # files analysed
        self.verdicts = collections.Counter()
        self.problems = []
        self.stop = threading.Event()
        self.others_seen = set()

    def report(self, rows):
        from .cli import print_stream
        self.outputs.add(rows)
        self.verdicts.update(r["verdict"] for r in rows)
        for row in rows:
            if self.show_all or is_failure(row["verdict"]):
                print_stream(row, self.out)
        self.out.flush()

    def poll(self):
        """Analyses every file that closed since the last poll, oldest first."""
        rings = collections.defaultdict(list)
        for path in filesets.discover([self.folder]):
            key = filesets.ring_key(path)
            if key:
                rings[key].append(path)
            elif path not in self.others_seen:
                self.others_seen.add(path)
                self.err.write("tcpdiag-scan: %s is not named as dumpcap names ring files: left alone\n" % path)
        for key, paths in sorted(rings.items()):
            paths.sort(key=filesets.ring_number)
            follower = self.sets.get(key)
            if follower is None:
                follower = self.sets[key] = SetFollower(filesets.set_name(key), self.report, self.problem)
            for path in paths[:-1]:  # the newest is still being written
                if self.stop.is_set():
                    return
                if path not in self.done:
                    self.done.add(path)
                    self.analyse(follower, path)

    def analyse(self, follower, path):
        try:
            result = stitch.analyse_file(path)
        except tools.ToolError as e:
            self.problem(str(e))
            return
        if result.warning:
            self.problem("%s: damaged, read up to the damage: %s" % (path, result.warning))
        try:
            follower.add(result)
        except tools.ToolError as e:
            self.problem(str(e))

    def problem(self, text):
        self.problems.append(text)
        self.outputs.add([], [text])
        self.err.write("problem: %s\n" % text)

    def run(self):
        while not self.stop.is_set():
            self.poll()
            self.stop.wait(POLL_S)
        from .cli import print_summary
        self.outputs.close(self.problems)
        self.out.write("\nstopped: ")
        print_summary(self.verdicts, len(self.sets), [], self.out)
        self.out.flush()
        return 0


def run(folder, outputs, show_all, out=sys.stdout, err=sys.stderr):
    if not os.path.isdir(folder):
        err.write("tcpdiag-scan: --follow %s: not a folder\n" % folder)
        outputs.close()
        return 2
    watch = Watch(folder, outputs, show_all, out, err)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: watch.stop.set())
    # tshark runs in a session of its own: a Ctrl-C for the watch does not cut a file's analysis short.
    tools.DETACHED = True
    err.write("tcpdiag-scan: following %s; Ctrl-C stops\n" % folder)
    return watch.run()
