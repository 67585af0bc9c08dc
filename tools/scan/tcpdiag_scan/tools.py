"""The Wireshark programs tcpdiag-scan runs: tshark with the plugin as installed (it honours
WIRESHARK_PLUGIN_DIR as tshark does, since the environment is passed on), capinfos, mergecap."""
import csv
import io
import subprocess


class ToolError(Exception):
    """A program failed on a file: the message says which and why."""


# Set by --follow: the programs run in a session of their own, out of reach of a Ctrl-C meant
# for the watch, which stops only once the file being read is done.
DETACHED = False


def _run(argv):
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=DETACHED)
    return proc.returncode, proc.stdout, proc.stderr


def capture_span(path):
    """(packets, first time, last time) of a capture, from capinfos; times in seconds since the
    epoch, None for a capture without packets. Raises ToolError for a file capinfos cannot read."""
    code, out, err = _run(["capinfos", "-T", "-r", "-c", "-a", "-e", "-S", path])
    fields = out.strip().split("\t")
    if code != 0 and len(fields) < 4:
        raise ToolError("%s: %s" % (path, err.strip().splitlines()[-1] if err.strip() else "not a capture"))
    packets = int(fields[1]) if fields[1].isdigit() else 0

    def number(text):
        try:
            return float(text)
        except ValueError:
            return None

    return packets, number(fields[2]), number(fields[3])


def streams_table(path):
    """The rows of `tshark -2 -z tcpdiag,streams,tsv` on one capture, as dicts with the table's own
    column names; (rows, warning) where warning is tshark's complaint about a damaged file (its
    streams up to the damage are still given) or empty."""
    rows, _, warning = _tables(path, with_frames=False)
    return rows, warning


def streams_and_frames(path):
    """(rows, frames, warning): the streams table as streams_table gives it, and the frames of
    each stream from `-z tcpdiag,frames` in the same run: {(transport, stream): "1-3,7"}."""
    return _tables(path, with_frames=True)


STREAMS_HEADER = "stream\ttransport\t"
FRAMES_HEADER = "transport\tstream\tframes"


def _tables(path, with_frames):
    argv = ["tshark", "-2", "-r", path, "-q", "-z", "tcpdiag,streams,tsv"]
    if with_frames:
        argv += ["-z", "tcpdiag,frames"]
    code, out, err = _run(argv)
    lines = out.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(STREAMS_HEADER) or line == FRAMES_HEADER]
    sections = {lines[i] if lines[i] == FRAMES_HEADER else STREAMS_HEADER: lines[i:j]
                for i, j in zip(starts, starts[1:] + [len(lines)])}
    if STREAMS_HEADER not in sections or (with_frames and FRAMES_HEADER not in sections):
        raise ToolError("%s: tshark gave no streams table (%s)" % (path, _last_line(err) or "exit %d" % code))
    table = csv.DictReader(io.StringIO("\n".join(sections[STREAMS_HEADER])), delimiter="\t", quoting=csv.QUOTE_NONE)
    rows = [r for r in table if r.get("transport") in ("tcp", "udp")]
    frames = {}
    for line in sections.get(FRAMES_HEADER, [])[1:]:
        fields = line.split("\t")
        if len(fields) == 3 and fields[0] in ("tcp", "udp") and fields[1].isdigit():
            frames[(fields[0], int(fields[1]))] = fields[2]
    return rows, frames, (_last_line(err) if code != 0 else "")


def extract_streams(path, streams, out_path):
    """Writes the packets of the given streams of `path` ((transport, stream number) pairs, as
    tcp.stream and udp.stream number them; ICMP errors quoting them included) to `out_path`;
    returns their frame numbers in `path`, in order."""
    terms = []
    for transport in ("tcp", "udp"):
        numbers = sorted(n for t, n in streams if t == transport)
        if numbers:
            terms.append("%s.stream in {%s}" % (transport, ", ".join(str(n) for n in numbers)))
    code, out, err = _run(["tshark", "--disable-protocol", "tcpdiag", "-r", path, "-Y", " || ".join(terms),
                           "-w", out_path, "-P", "-T", "fields", "-e", "frame.number"])
    frames = [int(line) for line in out.split() if line.isdigit()]
    if code != 0 and not frames:
        raise ToolError("%s: cannot extract streams (%s)" % (path, _last_line(err)))
    return frames


def last_frame(path, frame, out_path):
    """Writes frame `frame` of `path` alone to `out_path` (it gives a stitched capture the end time
    of the whole set)."""
    code, _, err = _run(["editcap", "-r", path, out_path, str(frame)])
    if code != 0:
        raise ToolError("%s: cannot copy frame %d (%s)" % (path, frame, _last_line(err)))


def concatenate(paths, out_path):
    code, _, err = _run(["mergecap", "-a", "-w", out_path] + list(paths))
    if code != 0:
        raise ToolError("mergecap: %s" % _last_line(err))


def _last_line(text):
    lines = [line for line in text.strip().splitlines() if "Running as user" not in line and line.strip()]
    return lines[-1] if lines else ""
