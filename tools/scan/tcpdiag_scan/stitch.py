"""One capture set analysed as one capture: each file is judged on its own (in parallel, by the
caller), then the connections that span files, or were still open at a file's end, are judged
again on a capture of their packets alone, cut from every file they touch and ended by the set's
last frame, so that their verdict is the one `tshark -2` gives on the merged set. Memory is that
of one file, or of the connections alive across a boundary."""
import bisect
import os
import re
import tempfile

from . import cut, tools
from .pieces import chain_pieces, may_join_others, needs_stitching


class FileResult:
    """One file of a set after its own run. `frames`: the frames of its streams that may span
    files, {(transport, stream): "1-3,7"} as `-z tcpdiag,frames` gives them."""

    def __init__(self, path, packets, first_time, last_time, rows, warning="", frames=None):
        self.path = path
        self.packets = packets
        self.first_time = first_time
        self.last_time = last_time
        self.rows = rows
        self.warning = warning
        self.frames = frames or {}


def analyse_file(path):
    """One file on its own: its span, its streams table and the frames of its streams that may
    span files (memory goes with those streams only); raises tools.ToolError."""
    packets, first, last = tools.capture_span(path)
    rows, frames, warning = tools.streams_and_frames(path)
    keys = {(r["transport"], int(r["stream"])) for r in rows if may_join_others(r, first, last)}
    kept = {k: v for k, v in frames.items() if k in keys}
    return FileResult(path, packets, first, last, rows, warning, kept)


class Origins:
    """Where each frame of a stitched capture comes from, kept as runs: frame n (from 1) is
    frame `own` of file `index`."""

    def __init__(self):
        self.starts, self.runs, self.count = [], [], 0

    def add(self, index, ranges):
        for first, last in ranges:
            self.starts.append(self.count + 1)
            self.runs.append((index, first))
            self.count += last - first + 1

    def __len__(self):
        return self.count

    def __getitem__(self, frame):
        run = bisect.bisect_right(self.starts, frame) - 1
        index, first = self.runs[run]
        return index, first + frame - self.starts[run]

    def last(self):
        return self[self.count] if self.count else None


def _out_row(row, set_name, files, first_index, last_index, evidence):
    out = dict(row)
    out["capture_set"] = set_name
    out["first_file"] = files[first_index].path
    out["last_file"] = files[last_index].path
    out["evidence_file"], out["evidence_frame"] = evidence
    return out


FRAME_NUMBER = re.compile(r"\b(frames? |to )(\d+)\b")


def _name_frames(text, files, origins):
    """The reason's frame numbers, which count the stitched capture's frames, as frames of the
    set's files ("frame 12 of ring_00003_...pcapng")."""

    def named(match):
        frame = int(match.group(2))
        if not 0 < frame <= len(origins):
            return match.group(0)
        index, own = origins[frame]
        return "%s%d of %s" % (match.group(1), own, os.path.basename(files[index].path))

    return FRAME_NUMBER.sub(named, text)


def _file_frame(files, index, frame):
    return (files[index].path, frame) if frame else ("", 0)


def analyse_set(set_name, files, workdir=None):
    """The streams of a set (a list of FileResult in time order): the table's rows with
    capture_set, first_file, last_file, evidence_file and evidence_frame added, in order of each
    stream's first packet."""
    chains = chain_pieces([(f.rows, f.last_time) for f in files])
    rows = rows_of_chains(set_name, files, chains, workdir)
    rows.sort(key=lambda r: (float(r["start_time"]), r["first_file"], int(r["stream"])))
    for number, row in enumerate(rows):
        row["stream"] = str(number)
    return rows


def out_row_of_piece(set_name, files, piece, last_index):
    """The row of a connection as the file of `piece` judged it."""
    frame = int(piece.row["evidence_frame"] or 0)
    return _out_row(piece.row, set_name, files, piece.file_index, last_index,
                    _file_frame(files, piece.file_index, frame))


def rows_of_chains(set_name, files, chains, workdir=None):
    """One row per chain, judged as `tshark -2` judges it on the set's files so far (`files`, up
    to the last one read)."""
    last_index = len(files) - 1
    rows, stitched = [], []
    for chain in chains:
        if needs_stitching(chain, last_index):
            stitched.append(chain)
            continue
        rows.append(out_row_of_piece(set_name, files, chain[0], chain[0].file_index))
    if stitched:
        with tempfile.TemporaryDirectory(prefix="tcpdiag-scan-", dir=workdir) as tmp:
            rows.extend(_stitch(set_name, files, stitched, tmp))
    return rows


def _stitch(set_name, files, chains, tmp):
    """Judges `chains` on one capture of their own packets; returns their rows."""
    wanted = {}  # file index -> its (transport, stream number) to cut out
    for chain in chains:
        for piece in chain:
            wanted.setdefault(piece.file_index, set()).add((piece.row["transport"], piece.stream))
    last_index, last = len(files) - 1, files[-1]
    if last.packets:
        wanted.setdefault(last_index, set())  # the set's last frame ends every stitched capture
    parts, origins = [], Origins()
    for index in sorted(wanted):
        part = os.path.join(tmp, "part%05d.pcapng" % index)
        tail = (last.packets, last.packets) if index == last_index else None
        origins.add(index, _cut_streams(files[index], wanted[index], tail, part))
        parts.append(part)
    if not len(origins):
        return [_out_row(c[0].row, set_name, files, c[0].file_index, c[-1].file_index,
                         _file_frame(files, c[0].file_index, int(c[0].row["evidence_frame"] or 0))) for c in chains]
    merged = os.path.join(tmp, "stitched.pcapng")
    tools.concatenate(parts, merged)
    table, _ = tools.streams_table(merged)
    by_start = {}
    for row in table:
        key = (row["transport"],) + tuple(sorted((row["client"], row["server"])))
        by_start.setdefault(key, []).append(row)
    out = []
    for chain in chains:
        first = chain[0]
        candidates = by_start.get(first.pair, [])
        start = float(first.row["start_time"])
        row = min(candidates, key=lambda r: abs(float(r["start_time"]) - start), default=None)
        if row is None or abs(float(row["start_time"]) - start) > 1e-6:
            row = first.row  # not found again: its own file's
        frame = int(row["evidence_frame"] or 0)
        evidence = _file_frame(files, *origins[frame]) if row is not first.row and 0 < frame <= len(origins) \
            else _file_frame(files, first.file_index, frame)
        if row is not first.row:
            row = dict(row, reason=_name_frames(row["reason"], files, origins))
        out.append(_out_row(row, set_name, files, chain[0].file_index, chain[-1].file_index, evidence))
    return out


def _cut_streams(result, streams, tail, out_path):
    """Writes the frames of `streams` of one file (and its frame `tail`, a (frame, frame) range,
    if given) to `out_path`; returns them as ascending ranges. The frames are those tcpdiag
    listed for the streams; a file in a form cut.py does not copy is cut by tshark instead."""
    if all(s in result.frames for s in streams):
        ranges = _merge([r for s in streams for r in cut.parse_ranges(result.frames[s])] + ([tail] if tail else []))
        try:
            if cut.cut(result.path, ranges, out_path) == result.packets:
                return ranges
        except (cut.NotCuttable, OSError):
            pass
    frames = tools.extract_streams(result.path, streams, out_path) if streams else []
    if tail and tail[0] not in frames:
        tail_path = out_path + ".tail.pcapng"
        tools.last_frame(result.path, tail[0], tail_path)
        tools.concatenate([out_path, tail_path] if frames else [tail_path], out_path + ".both.pcapng")
        os.replace(out_path + ".both.pcapng", out_path)
        frames.append(tail[0])
    return _merge([(f, f) for f in frames])


def _merge(ranges):
    """Ascending, non-overlapping ranges from any list of (first, last) pairs."""
    out = []
    for first, last in sorted(ranges):
        if out and first <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return out
