#!/usr/bin/env python3
"""The user install and the tcpdiag profile, as a user would get them.

packaging/install.sh runs as an unprivileged user with an empty home: the plugin must land in the
personal plugin folder and the profile in the personal profiles folder. Then `tshark -C tcpdiag`
(no WIRESHARK_PLUGIN_DIR: the installed plugin) must resolve the profile's columns to tcpdiag's
values, its coloring rules must mark each failure family, its I/O graph presets (io_graphs) must parse
and each family's graph must count exactly that family's evidence frames, and Wireshark must report no
error about the profile's files (a malformed file would otherwise be dropped silently by the GUI). The profile
zip must unpack to the layout Edit > Configuration Profiles > Import takes (one folder per profile)
and work the same from there. `install.sh --uninstall` must remove both again.

With a tcpdiag.so already in the system plugin folder (which Wireshark would then find twice and load
from neither), install.sh must keep that copy as it is and add none, saying so when it is another build. That part puts files into the system folder: it runs only on the throwaway view of
the system that tests/support/clean_system.sh makes (as root, the user commands as uid 65534).
"""
import argparse
import csv
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

from tshark_runner import profile_column_titles, read_columns

NOBODY = 65534
# The profile's tcpdiag columns (title: field), the reason last.
COLUMN_FIELDS = {"tcpdiag verdict": "tcpdiag.verdict", "Reset by": "tcpdiag.reset_by", "Stage": "tcpdiag.stage",
                 "Cause": "tcpdiag.cause", "Reason": "tcpdiag.reason"}
FAMILIES = {
    "loss": {"handshake_loss", "no_response", "data_loss"},
    "resets": {"injected_reset", "peer_lost_state", "app_reset"},
    "refusals": {"refused", "icmp_unreachable", "port_unreachable"},
    "stalls": {"zero_window_stall", "response_timeout"},
}

# io_graphs, in Wireshark 4.0's UAT format (4.4 reads the same nine fields; 4.6 adds a tenth, asAOT,
# and fills it in from its default when a line has nine): every field quoted, " and \ as \x22 and \x5c.
IO_GRAPH_FIELDS = ("enabled", "name", "filter", "color", "style", "y_axis", "y_field", "sma_period", "y_axis_factor")
IO_GRAPH_STYLES = {"Line", "Impulse", "Bar", "Stacked Bar", "Dot", "Square", "Diamond", "Cross", "Circle", "Plus"}
UAT_FIELD = r'"((?:[^"\\]|\\.)*)"'
UAT_LINE = re.compile(r"%s(?:\s*,\s*%s)*\s*" % (UAT_FIELD, UAT_FIELD))


class User:
    """Commands run as uid 65534 with a private home."""

    def __init__(self, root):
        self.home = os.path.join(root, "home")
        os.makedirs(self.home)

    def run(self, cmd, env_extra=None, check=True):
        env = {"PATH": "/usr/bin:/bin", "HOME": self.home, "LC_ALL": "C.UTF-8"}
        env.update(env_extra or {})
        if os.geteuid() == 0:
            cmd = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"] + cmd
        proc = subprocess.run(cmd, env=env, cwd=self.home, capture_output=True, text=True, timeout=300)
        if check and proc.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), proc.returncode, proc.stderr))
        return proc


def stage_tree(root, source, plugin_so):
    """install.sh expects <top>/packaging/ and <top>/build/plugins/<version>/epan/tcpdiag.so."""
    top = os.path.join(root, "top")
    shutil.copytree(os.path.join(source, "packaging"), os.path.join(top, "packaging"))
    shutil.copytree(os.path.join(source, "tools", "scan"), os.path.join(top, "tools", "scan"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    version = os.path.basename(os.path.dirname(os.path.dirname(plugin_so)))
    epan = os.path.join(top, "build", "plugins", version, "epan")
    os.makedirs(epan)
    shutil.copy(plugin_so, epan)
    return top, version


def check_columns(user, capture, profile_args, titles, problems, label):
    fields = ["frame.number"] + list(COLUMN_FIELDS.values()) + ["tcpdiag.evidence", "frame.coloring_rule.name"]
    cmd = ["tshark"] + profile_args + ["-2", "-r", capture, "--color", "-T", "fields", "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    proc = user.run(cmd)
    if proc.stderr.strip():
        problems.append("%s: tshark reported: %s" % (label, proc.stderr.strip()))
    rows = [dict(zip(fields, line.split("\t"))) for line in proc.stdout.splitlines()]
    psml = user.run(["tshark"] + profile_args + ["-2", "-r", capture, "-T", "psml"]).stdout
    shown_titles, shown_rows = read_columns(psml)
    if shown_titles != titles:
        problems.append("%s: tshark shows the columns %r, the profile has %r" % (label, shown_titles, titles))
    columns = {c.get("No."): c for c in shown_rows}
    for r in rows:
        shown = columns.get(r["frame.number"], {})
        for title in COLUMN_FIELDS:
            r["_ws.col." + title] = shown.get(title, "")
    seen_rules, resolved, causes_shown = set(), 0, 0
    for r in rows:
        if not r["tcpdiag.verdict"]:
            continue
        resolved += 1
        shown = tuple(r["_ws.col." + title] for title in COLUMN_FIELDS)
        values = tuple(r[field] for field in COLUMN_FIELDS.values())
        if shown != values:
            problems.append("%s: frame %s columns %r differ from the fields %r" % (
                label, r["frame.number"], shown[:-1], values[:-1]))
        if r["tcpdiag.cause"]:
            causes_shown += 1
        rule = r["frame.coloring_rule.name"]
        seen_rules.add(rule)
        family = next((f for f, members in FAMILIES.items() if r["tcpdiag.verdict"] in members), None)
        if family is None:
            if rule.startswith("tcpdiag"):
                problems.append("%s: frame %s (%s) colored %r" % (label, r["frame.number"], r["tcpdiag.verdict"], rule))
        elif rule != "Bad TCP":  # Wireshark's own rule stays first
            want = "tcpdiag %s%s" % (family, ": evidence" if r["tcpdiag.evidence"] else "")
            if rule != want:
                problems.append("%s: frame %s (%s) colored %r, expected %r" % (
                    label, r["frame.number"], r["tcpdiag.verdict"], rule, want))
    if resolved == 0:
        problems.append("%s: no packet got a verdict column" % label)
    if causes_shown == 0:
        problems.append("%s: no packet got a cause column" % label)
    for family in FAMILIES:
        if not any(rule.startswith("tcpdiag " + family) for rule in seen_rules):
            problems.append("%s: no frame colored by the %s rules" % (label, family))
    if "Bad TCP" not in seen_rules:
        problems.append("%s: Wireshark's Bad TCP rule colored nothing" % label)
    # The default output (no -T) prints the profile's columns: the verdict and reset_by appear.
    plain = user.run(["tshark"] + profile_args + ["-2", "-r", capture]).stdout.splitlines()
    if not any("app_reset" in line and "server" in line for line in plain):
        problems.append("%s: the default tshark output has no verdict column" % label)
    return resolved


def read_io_graphs(path, problems, label):
    """The graphs of a profile's io_graphs as dicts of IO_GRAPH_FIELDS; malformed lines are problems."""
    graphs = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            if not UAT_LINE.fullmatch(line):
                problems.append("%s: io_graphs:%d is not a line of quoted fields: %r" % (label, number, line))
                continue
            fields = [re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), v)
                      for v in re.findall(UAT_FIELD, line)]
            if len(fields) != len(IO_GRAPH_FIELDS):
                problems.append("%s: io_graphs:%d has %d fields, Wireshark 4.0 reads %d" % (
                    label, number, len(fields), len(IO_GRAPH_FIELDS)))
                continue
            g = dict(zip(IO_GRAPH_FIELDS, fields))
            bad = [name for name, ok in (
                ("enabled", g["enabled"] in ("Enabled", "Disabled")),
                ("color", re.fullmatch(r"#[0-9A-Fa-f]{6}", g["color"]) is not None),
                ("style", g["style"] in IO_GRAPH_STYLES),
                ("y_axis", g["y_axis"] == "Packets"),
                ("y_field", g["y_field"] == ""),
                ("sma_period", g["sma_period"] == "None"),
                ("y_axis_factor", g["y_axis_factor"] == "1")) if not ok]
            if bad:
                problems.append("%s: io_graphs:%d has unexpected %s: %r" % (label, number, ", ".join(bad), g))
            graphs.append(g)
    return graphs


def check_io_graphs(user, capture, path, problems, label):
    """io_graphs parses; Wireshark's All Packets graph plus one graph per family, each of which
    matches (tshark -Y) exactly that family's evidence frames, counted from the fields."""
    graphs = read_io_graphs(path, problems, label)
    by_name = {g["name"]: g for g in graphs}
    if "All Packets" not in by_name or by_name["All Packets"]["filter"]:
        problems.append("%s: io_graphs has no unfiltered All Packets graph: %r" % (label, sorted(by_name)))
    proc = user.run(["tshark", "-C", "tcpdiag", "-2", "-r", capture, "-T", "fields", "-E", "occurrence=a",
                     "-E", "aggregator=|", "-e", "frame.number", "-e", "tcpdiag.verdict", "-e", "tcpdiag.evidence"])
    expected = {family: 0 for family in FAMILIES}
    for line in proc.stdout.splitlines():
        number, verdicts, evidence = (line.split("\t") + ["", ""])[:3]
        if not evidence:
            continue
        for family, members in FAMILIES.items():
            if set(verdicts.split("|")) & members:
                expected[family] += 1
    counted = {}
    for family in FAMILIES:
        g = by_name.get("tcpdiag %s: evidence" % family)
        if g is None:
            problems.append("%s: io_graphs has no graph for the %s family" % (label, family))
            continue
        if g["enabled"] != "Enabled" or "tcpdiag.evidence" not in g["filter"]:
            problems.append("%s: the %s graph is not an enabled graph of evidence frames: %r" % (label, family, g))
        shown = user.run(["tshark", "-C", "tcpdiag", "-2", "-r", capture, "-Y", g["filter"], "-T", "fields",
                          "-e", "frame.number"], check=False)
        if shown.returncode != 0 or shown.stderr.strip():
            problems.append("%s: the %s graph's filter %r: tshark status %d, %r" % (
                label, family, g["filter"], shown.returncode, shown.stderr.strip()))
            continue
        counted[family] = len(shown.stdout.split())
        if counted[family] != expected[family]:
            problems.append("%s: the %s graph's filter matches %d frames, the family has %d evidence frames" % (
                label, family, counted[family], expected[family]))
    if sum(1 for n in counted.values() if n) < 2:
        problems.append("%s: fewer than two family graphs have evidence frames in %s: %r" % (
            label, os.path.basename(capture), counted))
    return counted


def check_scan_command(user, scan_bin, capture, problems):
    """tcpdiag-scan from ~/.local/bin, found on PATH, with the installed plugin: its verdicts are
    tshark -2's."""
    if not os.path.isfile(scan_bin):
        problems.append("install.sh did not install %s" % scan_bin)
        return
    path = {"PATH": os.path.dirname(scan_bin) + ":/usr/bin:/bin"}
    tsv = os.path.join(user.home, "scan.tsv")
    user.run(["tcpdiag-scan", "--tsv", tsv, capture], env_extra=path)
    with open(tsv) as f:
        scanned = sorted((r["client"], r["server"], r["verdict"]) for r in csv.DictReader(f, delimiter="\t"))
    out = user.run(["tshark", "-2", "-r", capture, "-q", "-z", "tcpdiag,streams,tsv"]).stdout
    table = list(csv.DictReader(io.StringIO(out[out.find("stream\t"):]), delimiter="\t"))
    if not scanned or scanned != sorted((r["client"], r["server"], r["verdict"]) for r in table):
        problems.append("the installed tcpdiag-scan gives other verdicts than tshark -2: %s" % scanned)


def global_plugin(user):
    for line in user.run(["tshark", "-G", "folders"]).stdout.splitlines():
        name, _, path = line.partition("\t")
        if name.strip() == "Global Plugins:":
            return os.path.join(path.strip(), "epan", "tcpdiag.so")
    raise RuntimeError("tshark -G folders names no global plugin folder")


def check_second_copy(root, top, version, plugin_so, problems):
    """install.sh with a tcpdiag.so in the system folder: another build, then this build."""
    if os.environ.get("TCPDIAG_IN_CLEAN_SYSTEM") != "1" or os.geteuid() != 0:
        problems.append("the second-copy checks must run as root under tests/support/clean_system.sh")
        return
    user = User(os.path.join(root, "second"))
    os.chmod(os.path.dirname(user.home), 0o755)
    os.chown(user.home, NOBODY, NOBODY)
    system_so = global_plugin(user)
    personal = os.path.join(user.home, ".local/lib/wireshark/plugins", version, "epan", "tcpdiag.so")
    install = ["sh", os.path.join(top, "packaging", "install.sh")]
    with open(plugin_so, "rb") as f:
        built = f.read()
    try:
        with open(system_so, "wb") as f:
            f.write(built + b"another build")
        other = user.run(install, check=False)
        if other.returncode != 0 or "kept %s, from another build" % system_so not in other.stderr:
            problems.append("install.sh beside another build's %s: status %d, %r" % (system_so, other.returncode,
                                                                                     other.stderr.strip()))
        if os.path.exists(personal):
            problems.append("install.sh installed a second copy beside another build's system plugin")
        with open(system_so, "rb") as f:
            if f.read() != built + b"another build":
                problems.append("install.sh changed the system plugin of another build")
        with open(system_so, "wb") as f:
            f.write(built)
        same = user.run(install, check=False)
        if same.returncode != 0 or "kept " + system_so not in same.stdout:
            problems.append("install.sh beside this build's %s: status %d, %r %r" % (
                system_so, same.returncode, same.stdout.strip(), same.stderr.strip()))
        listed = user.run(["tshark", "-G", "plugins"])
        if os.path.exists(personal) or system_so not in listed.stdout or listed.stderr.strip():
            problems.append("beside this build's system plugin: personal copy %s, tshark: %r" % (
                os.path.exists(personal), listed.stderr.strip()))
    finally:
        os.remove(system_so)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--source", required=True, help="the source tree (packaging/ lives there)")
    parser.add_argument("--zip", required=True, help="the built profile zip")
    parser.add_argument("--capture", required=True)
    args = parser.parse_args()
    problems = []
    titles = profile_column_titles(os.path.join(args.source, "packaging", "profile", "tcpdiag", "preferences"))
    root = tempfile.mkdtemp(prefix="tcpdiag-profile-")
    try:
        top, version = stage_tree(root, args.source, args.plugin)
        capture = os.path.join(root, os.path.basename(args.capture))
        shutil.copy(args.capture, capture)
        user = User(root)
        for dirpath, dirs, files in os.walk(root):
            for name in dirs + files:
                os.chmod(os.path.join(dirpath, name), 0o755 if name in dirs else 0o644)
        os.chmod(root, 0o755)
        os.chown(user.home, NOBODY, NOBODY) if os.geteuid() == 0 else None
        os.chmod(os.path.join(top, "packaging", "install.sh"), 0o755)

        print(user.run(["sh", os.path.join(top, "packaging", "install.sh")]).stdout.strip())
        plugin = os.path.join(user.home, ".local/lib/wireshark/plugins", version, "epan", "tcpdiag.so")
        profile = os.path.join(user.home, ".config/wireshark/profiles/tcpdiag")
        for path in [plugin] + [os.path.join(profile, f) for f in ("preferences", "colorfilters", "dfilter_buttons", "io_graphs")]:
            if not os.path.isfile(path):
                problems.append("install.sh did not install %s" % path)
        listed = user.run(["tshark", "-G", "plugins"]).stdout
        if plugin not in listed:
            problems.append("tshark does not load the user-installed plugin %s" % plugin)
        resolved = check_columns(user, capture, ["-C", "tcpdiag"], titles, problems, "installed profile")
        scan_bin = os.path.join(user.home, ".local", "bin", "tcpdiag-scan")
        check_scan_command(user, scan_bin, capture, problems)
        graphed = check_io_graphs(user, capture, os.path.join(profile, "io_graphs"), problems, "installed profile")

        # The zip, unpacked as Wireshark's import does, gives the same profile.
        with zipfile.ZipFile(args.zip) as z:
            names = sorted(z.namelist())
            if not all(n.startswith("tcpdiag/") for n in names) or not {"tcpdiag/colorfilters",
                                                                          "tcpdiag/io_graphs"} <= set(names):
                problems.append("the profile zip is not one tcpdiag/ folder: %s" % names)
            imported = os.path.join(root, "imported")
            z.extractall(imported)
        for dirpath, dirs, files in os.walk(imported):
            for name in dirs + files:
                os.chmod(os.path.join(dirpath, name), 0o755)
        user.run(["rm", "-rf", profile])
        user.run(["cp", "-r", os.path.join(imported, "tcpdiag"), profile])
        check_columns(user, capture, ["-C", "tcpdiag"], titles, problems, "imported zip")
        check_io_graphs(user, capture, os.path.join(profile, "io_graphs"), problems, "imported zip")

        print(user.run(["sh", os.path.join(top, "packaging", "install.sh"), "--uninstall"]).stdout.strip())
        left = [p for p in (plugin, profile, scan_bin, os.path.join(user.home, ".local", "lib", "tcpdiag"))
                if os.path.lexists(p)]
        if left:
            problems.append("install.sh --uninstall left %s" % left)
        if "tcpdiag.so" in user.run(["tshark", "-G", "plugins"]).stdout:
            problems.append("tshark still loads tcpdiag after the uninstall")
        gone = user.run(["tshark", "-C", "tcpdiag", "-r", capture], check=False)
        if gone.returncode == 0:
            problems.append("tshark -C tcpdiag still finds the profile after the uninstall")
        check_second_copy(root, top, version, args.plugin, problems)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for p in problems:
        print("FAIL: " + p)
    print("FAIL" if problems else "OK: user install, %d packets with verdict columns, coloring per family, "
          "I/O graphs of evidence frames per family (%s), zip import, uninstall, a system copy kept" % (
              resolved, ", ".join("%s %d" % item for item in sorted(graphed.items()))))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
