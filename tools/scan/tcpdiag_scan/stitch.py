"""One capture set analysed as one capture: each file is judged on its own (in parallel, by the
caller), then the connections that span files, or were still open at a file's end, are judged
again on a capture of their packets alone, cut from every file they touch and ended by the set's
last frame, so that their verdict is the one `tshark -2` gives on the merged set. Memory is that
of one file, or of the connections alive across a boundary."""
import os
import re
import tempfile

from . import tools
from .pieces import chain_pieces, needs_stitching


class FileResult:
    """One file of a set after its own run."""

    def __init__(self, path, packets, first_time, last_time, rows, warning=""):
        self.path = path
        self.packets = packets
        self.first_time = first_time
        self.last_time = last_time
        self.rows = rows
        self.warning = warning


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
        index, own = origins[frame - 1]
        return "%s%d of %s" % (match.group(1), own, os.path.basename(files[index].path))

    return FRAME_NUMBER.sub(named, text)


def _file_frame(files, index, frame):
    return (files[index].path, frame) if frame else ("", 0)


def analyse_set(set_name, files, workdir=None):
    """The streams of a set (a list of FileResult in time order): the table's rows with
    capture_set, first_file, last_file, evidence_file and evidence_frame added, in order of each
    stream's first packet."""
    last_index = len(files) - 1
    chains = chain_pieces([(f.rows, f.last_time) for f in files])
    rows = []
    stitched = [c for c in chains if needs_stitching(c, last_index)]
    stitched_ids = {id(c) for c in stitched}
    for chain in chains:
        if id(chain) not in stitched_ids:
            piece = chain[0]
            frame = int(piece.row["evidence_frame"] or 0)
            rows.append(_out_row(piece.row, set_name, files, piece.file_index, piece.file_index,
                                 _file_frame(files, piece.file_index, frame)))
    if stitched:
        with tempfile.TemporaryDirectory(prefix="tcpdiag-scan-", dir=workdir) as tmp:
            rows.extend(_stitch(set_name, files, stitched, tmp))
    rows.sort(key=lambda r: (float(r["start_time"]), r["first_file"], int(r["stream"])))
    for number, row in enumerate(rows):
        row["stream"] = str(number)
    return rows


def _stitch(set_name, files, chains, tmp):
    """Judges `chains` on one capture of their own packets; returns their rows."""
    wanted = {}  # file index -> its (transport, stream number) to cut out
    for chain in chains:
        for piece in chain:
            wanted.setdefault(piece.file_index, set()).add((piece.row["transport"], piece.stream))
    parts, origins = [], []  # origins[n - 1]: (file index, frame) of frame n of the stitched capture
    for index in sorted(wanted):
        part = os.path.join(tmp, "part%05d.pcapng" % index)
        frames = tools.extract_streams(files[index].path, wanted[index], part)
        parts.append(part)
        origins.extend((index, frame) for frame in frames)
    if not parts:
        return [_out_row(c[0].row, set_name, files, c[0].file_index, c[-1].file_index,
                         _file_frame(files, c[0].file_index, int(c[0].row["evidence_frame"] or 0))) for c in chains]
    last = files[-1]
    if last.packets and origins[-1] != (len(files) - 1, last.packets):
        tail = os.path.join(tmp, "tail.pcapng")
        tools.last_frame(last.path, last.packets, tail)
        parts.append(tail)
        origins.append((len(files) - 1, last.packets))
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
        evidence = _file_frame(files, *origins[frame - 1]) if row is not first.row and 0 < frame <= len(origins) \
            else _file_frame(files, first.file_index, frame)
        if row is not first.row:
            row = dict(row, reason=_name_frames(row["reason"], files, origins))
        out.append(_out_row(row, set_name, files, chain[0].file_index, chain[-1].file_index, evidence))
    return out
