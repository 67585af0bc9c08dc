#!/usr/bin/env python3
"""tcpdiag-scan --report: the HTML page, opened by headless Chromium with the network off.

tcpdiag-scan runs (as tshark runs in these tests) on the given captures with --tsv and --report.
The page must reference nothing outside itself (no http(s) resource, every image a data: URI);
every failed stream of the TSV must be a row of its table, with its verdict, reset_by and the
exact `wireshark -r FILE -g FRAME` command; Chromium's screenshot must show the plots: enough
pixels of each failure family's color, the family colors as the tcpdiag profile's coloring rules
give them (packaging/profile/tcpdiag/colorfilters, read here), and none of a family without
failures. The same on a capture whose failures are of fewer families (when one is given), on one
without failures (one must be given: the page still renders and says so), and on thousands of
failures at one instant (the table is cut, and says how many it leaves out).

    check_scan_report.py --plugin build/plugins/4.0/epan/tcpdiag.so --scan tools/scan/tcpdiag-scan \
        [--save DIR] CAPTURE...

`--save DIR` keeps the screenshots (docs/images/scan-report.png is one of them, cropped).
"""
import os
import sys

# The report's libraries are Debian's (python3-matplotlib), as is the python tcpdiag-scan runs on;
# the screenshot is read with the same matplotlib, so a python without it (CMake may have found
# another) hands over to Debian's.
try:
    import matplotlib.image
except ImportError:
    if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

import argparse  # noqa: E402
import base64  # noqa: E402
import collections  # noqa: E402
import csv  # noqa: E402
import html.parser  # noqa: E402
import io  # noqa: E402
import re  # noqa: E402
import shlex  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402

import numpy  # noqa: E402  (matplotlib's own dependency)

from checks import check, finish  # noqa: E402
from tshark_runner import Tshark  # noqa: E402

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLORFILTERS = os.path.join(SOURCE, "packaging", "profile", "tcpdiag", "colorfilters")
CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1280, 2400
MIN_PIXELS = 300  # of a family's color, for a family with failures: a bar, not a stray pixel
MAX_STRAY = 10  # of a family's color, for a family without: antialiased edges may hit it by chance


def profile_families(colorfilters):
    """{family: (set of verdicts, (r, g, b) of its evidence rule)} from the profile's coloring
    rules, 16 bits per channel given, the high byte kept as 8-bit screens show it."""
    families = {}
    rule = re.compile(r'^@tcpdiag (\w+): evidence@.*tcpdiag\.verdict in \{([^}]*)\}@\[(\d+),(\d+),(\d+)\]')
    with open(colorfilters) as f:
        for line in f:
            m = rule.match(line)
            if m:
                verdicts = set(re.findall(r'"(\w+)"', m.group(2)))
                families[m.group(1)] = (verdicts, tuple(int(v) >> 8 for v in m.group(3, 4, 5)))
    return families


def family_of(verdict, families):
    for family, (verdicts, _) in families.items():
        if verdict in verdicts:
            return family
    return None


def run_scan(tshark, scan, paths, work, name):
    """tcpdiag-scan --tsv --report as the unprivileged user; returns (TSV rows, page path)."""
    tsv, page = os.path.join(work, name + ".tsv"), os.path.join(work, name + ".html")
    _, env = tshark.command([])
    cmd, env = tshark.command_of(["/usr/bin/python3", scan, "--tsv", tsv, "--report", page] + paths, env)
    proc = subprocess.run(cmd, env=env, cwd=work, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError("tcpdiag-scan failed (%d): %s%s" % (proc.returncode, proc.stdout, proc.stderr))
    with open(tsv) as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return rows, page


class PageParser(html.parser.HTMLParser):
    """The parts of the page the checks read: every tag's attributes, the text of <style>, the
    failed streams' table as {header: cell text} per row."""

    def __init__(self):
        super().__init__()
        self.tags, self.styles, self.headers, self.rows = [], [], [], []
        self.in_failed = self.in_style = False
        self.cell = self.row = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "table" and dict(attrs).get("id") == "failed":
            self.in_failed = True
        elif tag == "style":
            self.in_style = True
            self.styles.append("")
        elif self.in_failed and tag == "tr":
            self.row = []
        elif self.in_failed and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_failed = False
        elif tag == "style":
            self.in_style = False
        elif self.in_failed and tag in ("td", "th") and self.cell is not None:
            self.row.append((tag, " ".join(self.cell.split())))
            self.cell = None
        elif self.in_failed and tag == "tr" and self.row is not None:
            if all(kind == "th" for kind, _ in self.row):
                self.headers = [text for _, text in self.row]
            else:
                self.rows.append(dict(zip(self.headers, [text for _, text in self.row])))
            self.row = None

    def handle_data(self, data):
        if self.in_style:
            self.styles[-1] += data
        if self.cell is not None:
            self.cell += data


def parse_page(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    parser = PageParser()
    parser.feed(text)
    parser.close()
    return text, parser


def check_self_contained(text, page, label):
    """No resource from outside: every src and href is a data: URI or a fragment, no <script src>,
    no <link> to a stylesheet, no @import or url() to anything but data:."""
    check(re.search(r"<meta\s+charset=", text, re.I) is not None, "%s: no <meta charset>" % label)
    for tag, attrs in page.tags:
        for name in ("src", "href", "srcset", "data", "poster", "action"):
            value = (attrs.get(name) or "").strip()
            if value:
                check(value.startswith("data:") or value.startswith("#"),
                      "%s: <%s %s=%s...> is not inside the page" % (label, tag, name, value[:60]))
        check(tag != "link" or "stylesheet" not in (attrs.get("rel") or ""), "%s: <link> to a stylesheet" % label)
    for style in page.styles + [attrs.get("style", "") for _, attrs in page.tags]:
        check("@import" not in style, "%s: @import in a style" % label)
        for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", style or ""):
            check(url.startswith("data:"), "%s: url(%s) in a style" % (label, url[:60]))
    for m in re.finditer(r"(?:src|href)\s*=\s*['\"]?\s*(?:https?:)?//", text, re.I):
        check(False, "%s: external reference %r" % (label, text[m.start():m.start() + 60]))
    check(re.search(r"url\(\s*['\"]?\s*https?:", text, re.I) is None, "%s: url(http...) in the page" % label)


def expected_command(row):
    """The command the page must give to open the row's evidence frame, quoted for a shell."""
    return "wireshark -r %s -g %s" % (shlex.quote(row["evidence_file"]), row["evidence_frame"])


def check_table(rows, page, families, label):
    """Every failed stream of the TSV is one row of the page's table, with its command; and the
    table has no other rows."""
    wanted = collections.Counter()
    for r in rows:
        if family_of(r["verdict"], families) is None:
            continue
        has_evidence = r["evidence_file"] and r["evidence_frame"] not in ("", "0")
        command = expected_command(r) if has_evidence else ""
        wanted[(r["client"], r["server"], r["verdict"], r["reset_by"], command)] += 1
    shown = collections.Counter()
    needed = {"client", "server", "verdict", "reset by", "open the evidence"}
    if not wanted and not page.headers:
        return  # no failure, no table: the page says so in words (checked by the caller)
    if not check(needed <= set(page.headers), "%s: the failed streams' table lacks columns %s (has %s)" %
                 (label, sorted(needed - set(page.headers)), page.headers)):
        return
    for cells in page.rows:
        command = cells["open the evidence"]
        if " -g " not in command:
            command = ""  # a stream without an evidence frame: no frame to name
        shown[(cells["client"], cells["server"].split(" ")[0], cells["verdict"].split(" ")[0], cells["reset by"],
               command)] += 1
    missing, extra = wanted - shown, shown - wanted
    check(not missing, "%s: %d failed streams of the TSV are not in the page's table, e.g. %s" %
          (label, sum(missing.values()), list(missing)[:3]))
    check(not extra, "%s: %d rows of the page's table are no failed stream of the TSV, e.g. %s" %
          (label, sum(extra.values()), list(extra)[:3]))
    print("ok: %s: %d failed streams in the table, each with its command" % (label, sum(wanted.values())))


def check_plot_images(page, label):
    """The plots are PNGs inside the page that matplotlib can read, and not blank."""
    images = [attrs["src"] for tag, attrs in page.tags if tag == "img" and attrs.get("src", "").startswith("data:")]
    check(len(images) >= 2, "%s: %d plots in the page, expected 2" % (label, len(images)))
    for uri in images:
        head, _, data = uri.partition(",")
        check(head == "data:image/png;base64", "%s: an image is %s, not a base64 PNG" % (label, head))
        pixels = matplotlib.image.imread(io.BytesIO(base64.b64decode(data)), format="png")
        check((pixels[..., :3] < 0.5).any(), "%s: a plot has nothing drawn on it" % label)


def screenshot(tshark, page, shot, work):
    """Chromium, headless, as the unprivileged user when root, with a fresh profile and every
    connection sent to a closed port and every name unresolvable: only the page itself can show."""
    home = os.path.join(work, "chromium-home")
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(home)
    os.chmod(home, 0o777)
    if os.path.exists(shot):
        os.remove(shot)
    env = {"PATH": "/usr/bin:/bin", "HOME": home, "LC_ALL": "C.UTF-8", "XDG_CONFIG_HOME": home, "XDG_CACHE_HOME": home}
    cmd, env = tshark.command_of([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                  "--user-data-dir=" + os.path.join(home, "profile"),
                                  "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
                                  "--no-first-run", "--disable-extensions", "--disable-background-networking",
                                  "--window-size=%d,%d" % (WIDTH, HEIGHT), "--screenshot=" + shot,
                                  "file://" + page], env)
    proc = subprocess.run(cmd, env=env, cwd=home, capture_output=True, text=True, timeout=180)
    if proc.returncode != 0 or not os.path.exists(shot):
        raise RuntimeError("chromium made no screenshot (%d): %s" % (proc.returncode, proc.stderr[-2000:]))
    pixels = matplotlib.image.imread(shot)
    return (numpy.round(pixels[..., :3] * 255)).astype(numpy.uint8)


def color_pixels(pixels, color):
    return int(numpy.all(pixels == numpy.array(color, dtype=numpy.uint8), axis=-1).sum())


def check_screenshot(pixels, rows, families, label):
    """The plots show each family with failures in its color, in proportion, and no other family."""
    check(pixels.shape[:2] == (HEIGHT, WIDTH), "%s: screenshot is %s, not %dx%d" % (label, pixels.shape, WIDTH, HEIGHT))
    white = color_pixels(pixels, (255, 255, 255))
    check(white < pixels.shape[0] * pixels.shape[1], "%s: the screenshot is blank" % label)
    failed = collections.Counter(family_of(r["verdict"], families) for r in rows)
    found = {}
    for family, (_, color) in sorted(families.items()):
        found[family] = color_pixels(pixels, color)
        if failed[family]:
            check(found[family] >= MIN_PIXELS, "%s: %d failures of family %s, but only %d pixels of its color %s" %
                  (label, failed[family], family, found[family], color))
        else:
            check(found[family] <= MAX_STRAY, "%s: no failure of family %s, but %d pixels of its color %s" %
                  (label, family, found[family], color))
    # Bars are as long as their counts: a family with three times the failures of another shows more.
    present = [f for f in families if failed[f]]
    if present:
        most, least = max(present, key=lambda f: failed[f]), min(present, key=lambda f: failed[f])
        if failed[most] >= 3 * failed[least]:
            check(found[most] > found[least], "%s: %s (%d failures) has fewer pixels than %s (%d failures): %d, %d" %
                  (label, most, failed[most], least, failed[least], found[most], found[least]))
    print("ok: %s: family pixels %s for failures %s" % (label, found, dict((f, failed[f]) for f in families)))


def check_page(tshark, rows, page_path, families, work, name, save):
    """Every check of one page; returns the screenshot's path."""
    text, page = parse_page(page_path)
    check_self_contained(text, page, name)
    check_table(rows, page, families, name)
    check_plot_images(page, name)
    shot = os.path.join(work, name + ".png")
    pixels = screenshot(tshark, page_path, shot, work)
    check_screenshot(pixels, rows, families, name)
    if save:
        os.makedirs(save, exist_ok=True)
        shutil.copy(shot, os.path.join(save, "scan-report-%s.png" % name))
    return text, page


def failure_families_by_capture(rows, captures, families):
    """{staged capture: set of failure families of its streams} (a capture is its own set here)."""
    out = {c: set() for c in captures}
    for r in rows:
        family = family_of(r["verdict"], families)
        if family and r["first_file"] in out:
            out[r["first_file"]].add(family)
    return out


def check_many_at_once(tshark, scan, rows, families, work, save):
    """Thousands of failures at one single instant: the plots still draw (span 0), and the table is
    cut with a sentence saying how many streams it leaves out."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(scan)))
    sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
    from tcpdiag_scan import report
    failed = [r for r in rows if family_of(r["verdict"], families)]
    many = []
    while len(many) < report.TABLE_LIMIT + 500:
        for r in failed:
            copy = dict(r, start_time="1718000000.000000", end_time="1718000000.000000")
            copy["client"] = "192.0.2.%d:%d" % (len(many) % 250 + 1, 1024 + len(many))
            many.append(copy)
    page_path = os.path.join(work, "many.html")
    report.write_report(page_path, many, ["a file: damaged <here> & there"])
    os.chmod(page_path, 0o644)
    text, page = parse_page(page_path)
    check_self_contained(text, page, "many")
    left_out = len(many) - report.TABLE_LIMIT
    check(len(page.rows) == report.TABLE_LIMIT, "many: %d rows in the table of %d failures, limit %d" %
          (len(page.rows), len(many), report.TABLE_LIMIT))
    check(re.search(r"\b%d\b[^<]*left out" % left_out, text) is not None,
          "many: the page does not say that %d failed streams are left out" % left_out)
    check("damaged &lt;here&gt; &amp; there" in text, "many: a problem's text is not escaped")
    check_plot_images(page, "many")
    shot = os.path.join(work, "many.png")
    check_screenshot(screenshot(tshark, page_path, shot, work), many, families, "many")
    if save:
        shutil.copy(shot, os.path.join(save, "scan-report-many.png"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--scan", required=True)
    parser.add_argument("--save", help="keep the screenshots in this folder")
    parser.add_argument("captures", nargs="+")
    args = parser.parse_args()
    scan = os.path.abspath(args.scan)
    families = profile_families(COLORFILTERS)
    if not families:
        raise RuntimeError("no tcpdiag coloring rules in " + COLORFILTERS)
    with Tshark(args.plugin) as tshark:
        work = os.path.join(tshark.workdir, "report")
        os.makedirs(work)
        os.chmod(work, 0o777)
        captures = [tshark.stage(c) for c in args.captures]
        rows, page = run_scan(tshark, scan, captures, work, "all")
        check(any(family_of(r["verdict"], families) for r in rows), "all: no failed stream in the captures given")
        check_page(tshark, rows, page, families, work, "all", args.save)
        by_capture = failure_families_by_capture(rows, captures, families)
        every = set().union(*by_capture.values())

        # Fewer families: the colors of the others must be gone from the plots.
        fewer = [c for c, f in by_capture.items() if f and f < every]
        if fewer:
            few_rows, page = run_scan(tshark, scan, [fewer[0]], work, "fewer")
            check_page(tshark, few_rows, page, families, work, "fewer", args.save)

        # No failures: the page still renders, with its plots saying so and an empty table.
        calm = [c for c, f in by_capture.items() if not f]
        if check(calm, "none of the captures given is without failures: give one"):
            calm_rows, page = run_scan(tshark, scan, [calm[0]], work, "no-failures")
            text, parsed = check_page(tshark, calm_rows, page, families, work, "no-failures", args.save)
            check(not parsed.rows, "no-failures: %d rows in the failed streams' table" % len(parsed.rows))
            check("No failed streams" in text, "no-failures: the page does not say there are no failed streams")

        check_many_at_once(tshark, scan, rows, families, work, args.save)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
