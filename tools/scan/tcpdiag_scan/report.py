"""--report: one self-contained HTML page of a scan, to read in a browser with no network.

Failures over time per verdict family, the servers and ports with most failures, and the failed
streams with the command that opens each one's evidence frame in Wireshark. The plots are drawn by
matplotlib (Debian's python3-matplotlib) and embedded as PNG data URIs; the page is a Jinja2
template (python3-jinja2), templates/report.html, with autoescaping on, since reasons and file
names come from captures."""
import base64
import collections
import datetime
import io
import math
import os
import shlex

import matplotlib
matplotlib.use("Agg")  # no display: the page is written by a command-line tool, often over ssh
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

import jinja2  # noqa: E402

from .verdicts import family_of, is_failure  # noqa: E402

# The strong (evidence) colors of the tcpdiag profile's coloring rules
# (packaging/profile/tcpdiag/colorfilters, 16 bits per channel, high byte here), so that a family
# looks the same on the page as in Wireshark's packet list. "other" is a verdict newer than
# verdicts.FAMILIES: a neutral grey no rule uses.
FAMILY_COLORS = {
    "loss": "#f28c28",
    "refusals": "#823caa",
    "resets": "#c82828",
    "stalls": "#e1be00",
    "other": "#7f7f7f",
}
FAMILY_ORDER = ("loss", "refusals", "resets", "stalls", "other")

# A browser copes with a few thousand rows; beyond that the TSV/JSON outputs are the place.
TABLE_LIMIT = 2000
TOP = 10
# Bin widths in seconds a reader recognises; the smallest that keeps at most MAX_BINS bins wins.
BIN_WIDTHS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 2 * 3600, 3 * 3600,
              6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400, 91 * 86400, 365 * 86400)
MAX_BINS = 60
DPI = 100  # the PNGs are shown at their own size: one image pixel per CSS pixel, colors kept exact

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


def write_report(path, rows, problems):
    """Writes the page for the scan's rows (dicts of outputs.COLUMNS, string values) and problems."""
    failures = sorted((r for r in rows if is_failure(r.get("verdict", ""))), key=_failure_time_or_zero)
    families = [f for f in FAMILY_ORDER if any(family_of(r["verdict"]) == f for r in failures)]
    context = {
        "totals": _totals(rows, failures),
        "summary": _summary(rows),
        "timeline_png": _png_data_uri(_timeline_figure(failures, families)),
        "top_png": _png_data_uri(_top_figure(failures, families)),
        "failed": [_table_row(r) for r in failures[:TABLE_LIMIT]],
        "left_out": max(0, len(failures) - TABLE_LIMIT),
        "table_limit": TABLE_LIMIT,
        "problems": problems,
        "generated": _utc(datetime.datetime.now(datetime.timezone.utc).timestamp()),
    }
    html = _environment().get_template("report.html").render(**context)
    with open(path, "w", encoding="utf-8") as out:
        out.write(html)


def _environment():
    # Autoescape on for every template: a reason or a file name may hold <, & or quotes.
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _number(text):
    """A time column as a float, None when empty or not a number (a stream without packets)."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def failure_time(row):
    """When a stream failed: its last packet (end_time), which for most verdicts is the reset, the
    last unanswered SYN or retransmission; its start when the end is unknown."""
    end = _number(row.get("end_time"))
    return end if end is not None else _number(row.get("start_time"))


def _failure_time_or_zero(row):
    time = failure_time(row)
    return (time is None, time or 0.0)


def _utc(seconds):
    if seconds is None:
        return ""
    stamp = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return stamp.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC"


def _totals(rows, failures):
    times = [t for r in rows for t in (_number(r.get("start_time")), _number(r.get("end_time"))) if t is not None]
    return {
        "streams": len(rows),
        "sets": len({r.get("capture_set", "") for r in rows}),
        "failures": len(failures),
        "first": _utc(min(times)) if times else "",
        "last": _utc(max(times)) if times else "",
    }


def _summary(rows):
    """(verdict, family or "" for no failure, count), failures first, then by count."""
    counts = collections.Counter(r.get("verdict", "") for r in rows)
    out = [(v, family_of(v) if is_failure(v) else "", n) for v, n in counts.items()]
    return sorted(out, key=lambda e: (not e[1], -e[2], e[0]))


def evidence_command(row):
    """The shell command that opens the stream's evidence frame (as cli prints it); without an
    evidence frame, the command that opens its first file. The frame may come as a number (the
    scan's stitched rows carry ints) or as the table's text."""
    frame = str(row.get("evidence_frame", "")).strip()
    if row.get("evidence_file") and frame not in ("", "0"):
        return "wireshark -r %s -g %s" % (shlex.quote(row["evidence_file"]), frame)
    return "wireshark -r %s" % shlex.quote(row.get("first_file", ""))


def _table_row(row):
    """The cells of the failed streams' table; str() since not every value of a row is text."""
    family = family_of(row["verdict"])
    cells = {
        "time": _utc(failure_time(row)),
        "client": row.get("client", ""),
        "server": row.get("server", ""),
        "transport": row.get("transport", ""),
        "verdict": row["verdict"],
        "family": family,
        "reset_by": row.get("reset_by", ""),
        "cause": row.get("cause", ""),
        "reason": row.get("reason", ""),
        "next_step": row.get("next_step", ""),
        "command": evidence_command(row),
    }
    return {k: str(v) for k, v in cells.items()}


def split_endpoint(endpoint):
    """("addr", "port") of "ip:port" or "[ipv6]:port", the streams table's format."""
    address, _, port = endpoint.rpartition(":")
    if not address:  # no port at all
        return endpoint, ""
    return address.strip("[]"), port


def _png_data_uri(figure):
    """The figure as a PNG data URI (no file beside the page, nothing fetched), then closed:
    pyplot keeps every open figure alive otherwise."""
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=DPI)
    finally:
        plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _empty_figure():
    """Keeps the page's layout when nothing failed, and says so where the plot would be."""
    figure, axes = plt.subplots(figsize=(10, 1.2), dpi=DPI)
    axes.set_axis_off()
    axes.text(0.5, 0.5, "no failures", ha="center", va="center", fontsize=14, transform=axes.transAxes)
    return figure


def choose_bin_width(span):
    """Seconds per bin: the smallest round width giving at most MAX_BINS bins over `span`; for a
    single instant (span 0) one bar of a second, not of the smallest width, which would only
    crowd the axis with fractions of a second."""
    if span == 0:
        return 1
    for width in BIN_WIDTHS:
        if span / width <= MAX_BINS:
            return width
    return math.ceil(span / MAX_BINS / 86400) * 86400  # longer than years: whole days


def _bins(failures, families):
    """(bin width, sorted bin starts, {family: counts per bin}) of the failures' times; bins are
    aligned on multiples of their width from the epoch, so that they fall on round UTC times."""
    timed = [(failure_time(r), family_of(r["verdict"])) for r in failures]
    timed = [(t, f) for t, f in timed if t is not None]
    if not timed:
        return None
    times = [t for t, _ in timed]
    width = choose_bin_width(max(times) - min(times))
    first = math.floor(min(times) / width)
    count = math.floor(max(times) / width) - first + 1
    per_family = {f: [0] * count for f in families}
    for t, f in timed:
        per_family[f][math.floor(t / width) - first] += 1
    starts = [(first + i) * width for i in range(count)]
    return width, starts, per_family


def _width_label(width):
    for unit, seconds in (("day", 86400), ("hour", 3600), ("min", 60), ("s", 1)):
        if width >= seconds and width % seconds == 0:
            n = int(width // seconds)
            return "%d %s%s" % (n, unit, "s" if n > 1 and unit in ("day", "hour") else "")
    return "%g s" % width


def _timeline_figure(failures, families):
    """Failures per bin of time, stacked by family, on a UTC date axis."""
    binned = _bins(failures, families)
    if binned is None:
        return _empty_figure()
    width, starts, per_family = binned
    utc = datetime.timezone.utc
    # Bars are placed at their bin's centre, in matplotlib's date numbers (days).
    x = [mdates.date2num(datetime.datetime.fromtimestamp(s + width / 2, utc)) for s in starts]
    figure, axes = plt.subplots(figsize=(10, 3.6), dpi=DPI)
    bottom = [0] * len(starts)
    for family in families:
        counts = per_family[family]
        axes.bar(x, counts, width=width / 86400 * 0.9, bottom=bottom, color=FAMILY_COLORS[family],
                 linewidth=0, label=family)
        bottom = [b + c for b, c in zip(bottom, counts)]
    locator = mdates.AutoDateLocator(tz=utc)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=utc))
    # A lone bar would fill the axis: keep a bin of room on each side.
    axes.set_xlim(x[0] - width / 86400 * 1.5, x[-1] + width / 86400 * 1.5)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel("time (UTC), bins of %s" % _width_label(width))
    axes.set_ylabel("failed streams")
    axes.legend(handles=_legend(families), loc="upper left", frameon=False, ncol=len(families))
    axes.margins(y=0.15)
    figure.tight_layout()
    return figure


def _legend(families):
    return [Patch(facecolor=FAMILY_COLORS[f], linewidth=0, label=f) for f in families]


def _top(failures, key):
    """The TOP keys with most failures, most first: [(key, {family: count})]."""
    per_key = collections.defaultdict(collections.Counter)
    for r in failures:
        per_key[key(r)][family_of(r["verdict"])] += 1
    ranked = sorted(per_key.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    return ranked[:TOP]


def _server_address(row):
    return split_endpoint(row.get("server", ""))[0]


def _server_port(row):
    return "%s/%s" % (split_endpoint(row.get("server", ""))[1], row.get("transport", ""))


def _top_figure(failures, families):
    """Two horizontal bar charts side by side: the servers (addresses) and the server ports with
    most failed streams, each bar stacked by family."""
    if not failures:
        return _empty_figure()
    servers, ports = _top(failures, _server_address), _top(failures, _server_port)
    rows = max(len(servers), len(ports))
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 1.4 + 0.32 * rows), dpi=DPI)
    _hbars(left, servers, families, "server address (top %d)" % TOP)
    _hbars(right, ports, families, "server port (top %d)" % TOP)
    figure.legend(handles=_legend(families), loc="lower center", frameon=False, ncol=len(families))
    figure.tight_layout(rect=(0, 0.08, 1, 1))
    return figure


def _hbars(axes, ranked, families, title):
    labels = [k for k, _ in ranked]
    y = list(range(len(ranked)))
    left = [0] * len(ranked)
    for family in families:
        counts = [c[family] for _, c in ranked]
        axes.barh(y, counts, left=left, color=FAMILY_COLORS[family], linewidth=0, height=0.7)
        left = [a + b for a, b in zip(left, counts)]
    axes.set_xlim(0, max(left) * 1.08)  # room past the longest bar, which would touch the frame
    axes.set_yticks(y, labels, fontsize=8)
    axes.invert_yaxis()  # most failures on top
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel("failed streams")
    axes.set_title(title, fontsize=10)
