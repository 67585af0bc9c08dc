#!/usr/bin/env python3
"""The real Wireshark GUI with the tcpdiag profile, on a virtual X display.

Xvfb and Wireshark run as an unprivileged user (uid 65534 when the test runs as root) with a
private home, into which that user ran the README's user install (packaging/install.sh: the plugin
into the personal plugin folder, the tcpdiag profile into the personal profiles). Then
`wireshark -C tcpdiag -r <capture>` must draw its main window; the
screenshot (ImageMagick's import) must be a real rendering: the screen's size, many colors, and the
profile's coloring-rule colors of the failure families found in the capture. Its TCP Diagnosis
menu, driven from the keyboard (xdotool), must filter the list to one verdict. A second Wireshark
opened with `-z tcpdiag,summary` must show the statistics dialog, whose table (copied with its Copy
button) must agree with `-z tcpdiag,streams`. Both are always killed.
`--save DIR` keeps the screenshots (docs/images/ holds the README's).
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
from check_profile import stage_tree  # noqa: E402
from check_summary import CAUSES, FLAWS, cause_counts, compare, flaw_counts, parse_streams  # noqa: E402

NOBODY = 65534
WIDTH, HEIGHT = 1600, 1000
TOOLS_PATH = "/usr/bin:/bin"  # ImageMagick and the X tools from Debian's packages


FAMILY_VERDICTS = {
    "loss": {"handshake_loss", "no_response", "data_loss"},
    "resets": {"injected_reset", "peer_lost_state", "app_reset"},
    "refusals": {"refused", "icmp_unreachable", "port_unreachable"},
    "stalls": {"zero_window_stall"},
}


def profile_colors(colorfilters):
    """The same colors, read from the profile itself so the test follows the file."""
    colors = {}
    for line in open(colorfilters):
        m = re.match(r"^@tcpdiag (\w+)(: evidence)?@.*@\[(\d+),(\d+),(\d+)\]\[\d+,\d+,\d+\]$", line.strip())
        if m:
            family, evidence = m.group(1), bool(m.group(2))
            colors.setdefault(family, [None, None])[1 if evidence else 0] = tuple(int(v) >> 8 for v in m.group(3, 4, 5))
        m = re.match(r"^@TCP@tcp@\[(\d+),(\d+),(\d+)\]", line.strip())  # Wireshark's own rule for TCP
        if m:
            colors["TCP"] = [tuple(int(v) >> 8 for v in m.groups())] * 2  # Qt keeps the high byte
    return {f: tuple(c) for f, c in colors.items()}


class Session:
    """A private home, Xvfb and the Wireshark processes, all owned by the unprivileged user."""

    def __init__(self, root):
        self.root = root
        self.home = os.path.join(root, "home")
        self.runtime = os.path.join(root, "runtime")
        self.procs = []
        self.display = None

    def as_user(self, cmd):
        if os.geteuid() == 0:
            return ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"] + cmd
        return cmd

    def env(self):
        env = {"PATH": TOOLS_PATH, "HOME": self.home, "XDG_RUNTIME_DIR": self.runtime, "LC_ALL": "C.UTF-8",
               "QT_QPA_PLATFORM": "xcb"}
        if self.display:
            env["DISPLAY"] = self.display
        return env

    def start_x(self):
        read_fd, write_fd = os.pipe()
        proc = subprocess.Popen(self.as_user(["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                                              "%dx%dx24" % (WIDTH, HEIGHT), "-nolisten", "tcp"]),
                                pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        self.procs.append(proc)
        os.close(write_fd)
        number = b""
        deadline = time.time() + 30
        while not number.endswith(b"\n") and time.time() < deadline:
            chunk = os.read(read_fd, 16)
            if not chunk:
                break
            number += chunk
        os.close(read_fd)
        if not number.strip():
            raise RuntimeError("Xvfb did not report a display")
        self.display = ":" + number.decode().strip()

    def start_wireshark(self, args, log_name):
        log = open(os.path.join(self.root, log_name), "w")
        proc = subprocess.Popen(self.as_user(["wireshark"] + args), env=self.env(), cwd=self.home,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def stop(self, proc):
        """Kills a process we started, with its process group (Wireshark's helpers)."""
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)

    def close(self):
        for proc in reversed(self.procs):
            self.stop(proc)

    def x(self, cmd):
        return subprocess.run(self.as_user(cmd), env=self.env(), capture_output=True, text=True, timeout=60)

    def windows(self):
        """[(title, width, height, id)] of every named top-level window."""
        out = self.x(["xwininfo", "-root", "-tree"]).stdout
        found = []
        for m in re.finditer(r'^\s+(0x[0-9a-f]+) "(.*)": .*?\s(\d+)x(\d+)\+', out, re.M):
            found.append((m.group(2), int(m.group(3)), int(m.group(4)), m.group(1)))
        return found

    def wait_window(self, pattern, proc, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("wireshark exited (%d) before drawing %r" % (proc.returncode, pattern))
            for title, w, h, wid in self.windows():
                if re.search(pattern, title) and w >= 300 and h >= 200:
                    return wid
            time.sleep(1)
        raise RuntimeError("no window titled %r after %d s: %s" % (pattern, timeout, self.windows()))

    def screenshot(self, path, window="root"):
        shot = self.x(["import", "-display", self.display, "-window", window, path])
        if shot.returncode != 0:
            raise RuntimeError("import failed: %s" % shot.stderr)

    def pixels(self, path):
        """(width, height, raw RGB bytes) of a PNG, through ImageMagick."""
        size = subprocess.run(["identify", "-format", "%w %h", path], capture_output=True, text=True,
                              env={"PATH": TOOLS_PATH}, check=True).stdout.split()
        raw = subprocess.run(["convert", path, "-depth", "8", "rgb:-"], capture_output=True,
                             env={"PATH": TOOLS_PATH}, check=True).stdout
        return int(size[0]), int(size[1]), raw


def color_counts(raw):
    counts = {}
    for i in range(0, len(raw) - 2, 3):
        key = raw[i:i + 3]
        counts[key] = counts.get(key, 0) + 1
    return counts


def check_rendering(width, height, raw, families, colors, label):
    problems = []
    if (width, height) != (WIDTH, HEIGHT) or len(raw) != width * height * 3:
        problems.append("%s: screenshot is %dx%d, %d bytes" % (label, width, height, len(raw)))
        return problems, {}
    counts = color_counts(raw)
    dominant = max(counts.values()) / (width * height)
    if len(counts) < 50 or dominant > 0.9:
        problems.append("%s: looks blank: %d colors, the commonest covers %.0f%%" % (label, len(counts),
                                                                                     100 * dominant))
    found = {}
    for family in families:
        pale, strong = colors[family]
        n = counts.get(bytes(pale), 0) + counts.get(bytes(strong), 0)
        found[family] = n
        if n < 200:
            problems.append("%s: the %s coloring (%s / %s) covers only %d pixels" % (label, family, pale, strong, n))
    return problems, found


MENU_ENTRIES = ["Evidence frames", "Failed streams", "Stream of the selected packet", "injected_reset", "refused"]


def pick_menu_entry(session, entry):
    """Keyboard only: Alt selects the menu bar, Left wraps to its last menu (TCP Diagnosis), Down
    opens it on its first entry, more Downs reach the entry (separators are skipped)."""
    keys = ["alt", "Left", "Down"] + ["Down"] * MENU_ENTRIES.index(entry) + ["Return"]
    done = session.x(["xdotool", "key", "--delay", "300"] + keys)
    return [] if done.returncode == 0 else ["xdotool failed: %s" % done.stderr]


def wait_for_colors(session, shot, colors, wanted):
    """Screenshots until `wanted(pixels per family)` holds or 30 s pass; the last counts."""
    deadline = time.time() + 30
    while True:
        time.sleep(2)
        session.screenshot(shot)
        counts = color_counts(session.pixels(shot)[2])
        found = {f: sum(counts.get(bytes(c), 0) for c in pair) for f, pair in colors.items() if f != "TCP"}
        if wanted(found) or time.time() > deadline:
            return found


def check_menu_filter(session, shot, colors):
    """The TCP Diagnosis menu filters the packet list. With the first packet selected (a stream that
    closed gracefully), "Stream of the selected packet" leaves no failure colors at all; "refused"
    then leaves the refusals' colors and no loss-colored row."""
    problems = pick_menu_entry(session, "Stream of the selected packet")
    found = wait_for_colors(session, shot, colors, lambda f: not any(f.values()))
    tcp_rows = color_counts(session.pixels(shot)[2]).get(bytes(colors["TCP"][0]), 0)
    shutil.copy(shot, shot.replace(".png", "-stream.png"))
    if any(v for f, v in found.items() if f != "TCP") or tcp_rows < 200:
        problems.append("TCP Diagnosis > Stream of the selected packet: failure colors %s, %d pixels of "
                        "plain TCP rows" % (found, tcp_rows))
    problems += pick_menu_entry(session, "refused")
    found = wait_for_colors(session, shot, colors, lambda f: f["loss"] == 0 and f["refusals"] >= 200)
    if found["loss"] or found["refusals"] < 200:
        problems.append("TCP Diagnosis > refused did not filter the packet list: %s" % found)
    if not problems:
        print("TCP Diagnosis menu: the selected packet's stream alone, then only refused streams (%d "
              "refusal-colored pixels)" % found["refusals"])
    return problems


def parse_copied_summary(text):
    """{verdict: (streams, ports, addresses, stages)}, {capture flaw: streams} and {cause or loss
    point: streams} from the dialog's Copy text: a verdict (flaw, cause), its count, then the three
    columns, padded with runs of spaces."""
    rows, flaws, causes = {}, {}, {}
    for line in text.splitlines():
        m = re.match(r"^([a-z_]+)\s+(\d+)(.*)$", line)
        if m:
            cells = [c for c in re.split(r"\s{2,}", m.group(3).strip()) if c]
            if m.group(1) in FLAWS:
                flaws[m.group(1)] = int(m.group(2))
            elif m.group(1) in CAUSES:
                causes[m.group(1)] = int(m.group(2))
            else:
                cells += [""] * (3 - len(cells))
                rows[m.group(1)] = (int(m.group(2)), cells[0], cells[1], cells[2])
    return rows, flaws, causes


def check_summary_copy(session, dialog, width, height, capture):
    """The dialog's numbers agree with -z tcpdiag,streams of the same user's tshark: its Copy button
    (third from the right at the bottom; clicked at its place in the dialog's default layout) puts
    the table on the clipboard, read back with xclip."""
    click = session.x(["xdotool", "mousemove", "--window", dialog, str(width - 229), str(height - 24), "click", "1"])
    time.sleep(1)
    copied = session.x(["xclip", "-o", "-selection", "clipboard"]).stdout
    shown, flaws, causes = parse_copied_summary(copied)
    if click.returncode != 0 or not shown:
        return ["summary dialog: nothing copied from it (%s): %r" % (click.stderr.strip(), copied[:200])]
    out = session.x(["tshark", "-2", "-r", capture, "-q", "-z", "tcpdiag,streams,tsv"]).stdout
    problems = compare("summary dialog", shown, parse_streams(out))
    if flaws != flaw_counts(parse_streams(out)):
        problems.append("summary dialog: capture flaws %r, streams table gives %r" % (
            flaws, flaw_counts(parse_streams(out))))
    if causes != cause_counts(parse_streams(out)):
        problems.append("summary dialog: causes and loss points %r, streams table gives %r" % (
            causes, cause_counts(parse_streams(out))))
    if not problems:
        print("summary dialog agrees with -z tcpdiag,streams: %d verdict rows, %d streams" % (
            len(shown), sum(v[0] for v in shown.values())))
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--source", required=True, help="the source tree (packaging/ lives there)")
    parser.add_argument("--capture", required=True)
    parser.add_argument("--verdicts", required=True, help="the capture's .expected file")
    parser.add_argument("--save", help="keep the screenshots in this folder")
    args = parser.parse_args()

    expected = {line.split()[3] for line in open(args.verdicts) if line.strip() and not line.startswith("#")}
    families = [f for f, members in FAMILY_VERDICTS.items() if members & expected]
    colors = profile_colors(os.path.join(args.source, "packaging", "profile", "tcpdiag", "colorfilters"))
    problems = []
    root = tempfile.mkdtemp(prefix="tcpdiag-gui-")
    session = None
    try:
        os.chmod(root, 0o755)
        # The README's user install: packaging/install.sh, run by the user, puts the plugin into the
        # personal plugin folder and the profile into the personal profiles.
        top, _ = stage_tree(root, args.source, args.plugin)
        capture = os.path.join(root, os.path.basename(args.capture))
        shutil.copy(args.capture, capture)
        session = Session(root)
        os.makedirs(session.home)
        os.makedirs(session.runtime, mode=0o700)
        for dirpath, dirs, files in os.walk(root):
            for name in dirs + files:
                os.chmod(os.path.join(dirpath, name), 0o755 if name in dirs or name.endswith(".sh") else 0o644)
            if os.geteuid() == 0:
                for name in [dirpath] + [os.path.join(dirpath, n) for n in dirs + files]:
                    os.chown(name, NOBODY, NOBODY)
        os.chmod(session.runtime, 0o700)
        install = session.x(["sh", os.path.join(top, "packaging", "install.sh")])
        if install.returncode != 0:
            raise RuntimeError("install.sh failed: %s" % install.stderr)
        with open(os.path.join(session.home, ".config", "wireshark", "recent_common"), "w") as f:
            # a main window that fills the screen
            f.write("gui.geometry_main_x: 0\ngui.geometry_main_y: 0\ngui.geometry_main_width: %d\n"
                    "gui.geometry_main_height: %d\ngui.geometry_main_maximized: FALSE\n" % (WIDTH, HEIGHT))
        if os.geteuid() == 0:
            os.chown(os.path.join(session.home, ".config", "wireshark", "recent_common"), NOBODY, NOBODY)

        session.start_x()
        name = os.path.basename(capture)
        main_window = session.start_wireshark(["-C", "tcpdiag", "-r", capture], "wireshark.log")
        session.wait_window(re.escape(name), main_window)
        # The window exists before the file is read and colored: take screenshots until the coloring
        # shows, or the time is up.
        shot = os.path.join(root, "packet-list.png")
        deadline, found = time.time() + 60, {}
        while True:
            session.screenshot(shot)
            width, height, raw = session.pixels(shot)
            found_problems, found = check_rendering(width, height, raw, families, colors, "packet list")
            if not found_problems or time.time() > deadline:
                break
            time.sleep(2)
        problems += found_problems
        menu_shot = os.path.join(root, "menu-filter.png")
        problems += check_menu_filter(session, menu_shot, colors)
        session.stop(main_window)

        summary_window = session.start_wireshark(["-C", "tcpdiag", "-r", capture, "-z", "tcpdiag,summary"],
                                                 "wireshark-summary.log")
        dialog = session.wait_window("TCP Failure Diagnosis Summary", summary_window)
        time.sleep(3)  # the dialog retaps the file, then fills its table
        summary_shot = os.path.join(root, "summary.png")
        session.screenshot(summary_shot, dialog)
        width, height, raw = session.pixels(summary_shot)
        if width < 300 or height < 200 or len(color_counts(raw)) < 20:
            problems.append("summary dialog: %dx%d with %d colors" % (width, height, len(color_counts(raw))))
        problems += check_summary_copy(session, dialog, width, height, capture)
        session.stop(summary_window)

        log = open(os.path.join(root, "wireshark.log")).read()
        for bad in ("Could not compile", "Error loading table", "Couldn't register"):
            if bad in log:
                problems.append("wireshark reported: %s" % log.strip())
        if args.save:
            os.makedirs(args.save, exist_ok=True)
            shutil.copy(shot, os.path.join(args.save, "packet-list.png"))
            shutil.copy(summary_shot, os.path.join(args.save, "summary-dialog.png"))
            shutil.copy(menu_shot, os.path.join(args.save, "menu-filter.png"))
            shutil.copy(menu_shot.replace(".png", "-stream.png"), os.path.join(args.save, "menu-stream.png"))
        print("screens on %s; family colors (pixels): %s" % (session.display, found))
    finally:
        if session:
            session.close()
        shutil.rmtree(root, ignore_errors=True)
    for p in problems:
        print("FAIL: " + p)
    print("FAIL" if problems else "OK: Wireshark drew the packet list with the tcpdiag coloring and the summary dialog")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
