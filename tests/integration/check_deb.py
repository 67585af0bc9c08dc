#!/usr/bin/env python3
"""The Debian package: built with cpack, installed with dpkg, used by tshark running as root (which
loads plugins only from the system folder), removed with dpkg -r, always, even when a check fails.

Checks: the package depends on the exact version of the libwireshark package the plugin was built
against; once installed, tshark lists the plugin from the system plugin folder, gives the expected
verdicts for a capture, and finds the global tcpdiag profile (-C tcpdiag) with its verdict column;
after removal nothing of it is left. It runs under tests/support/clean_system.sh: on an overlay of
the system where no tcpdiag is installed, so the machine's own package or plugin is neither seen nor
changed, and whatever dpkg does vanishes with the test.
"""
import argparse
import csv
import glob
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time

from check_verdicts import compare
from tshark_runner import read_columns, read_expected

PACKAGE = "tcpdiag"


def run(cmd, check=True, env=None):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    if check and proc.returncode != 0:
        raise RuntimeError("%s failed (%d): %s%s" % (" ".join(cmd), proc.returncode, proc.stdout, proc.stderr))
    return proc


def dpkg(args):
    """dpkg, waiting while another package operation holds the lock."""
    for _ in range(60):
        proc = run(["dpkg"] + args, check=False)
        if proc.returncode == 0 or "lock" not in proc.stderr:
            return proc
        time.sleep(2)
    return proc


def installed():
    proc = run(["dpkg-query", "-W", "-f=${Status}", PACKAGE], check=False)
    return proc.returncode == 0 and "installed" in proc.stdout.split()


def libwireshark_dependency(plugin_so):
    """'libwireshark16 (= 4.0.17-0+deb12u3)': the package owning the libwireshark the plugin links."""
    ldd = run(["ldd", plugin_so]).stdout
    library = next(line.split("=>")[1].split()[0] for line in ldd.splitlines() if "libwireshark.so" in line)
    library = os.path.realpath(library)
    owner = run(["dpkg-query", "-S", library], check=False)
    if owner.returncode != 0:
        owner = run(["dpkg-query", "-S", library.replace("/usr/", "/", 1)])
    package = owner.stdout.split(": ")[0].split(":")[0]
    version = run(["dpkg-query", "-W", "-f=${Version}", package]).stdout.strip()
    return "%s (= %s)" % (package, version)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--build", required=True, help="the build tree (CPackConfig.cmake)")
    parser.add_argument("--capture", required=True)
    parser.add_argument("--expected", required=True)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("FAIL: installing a Debian package needs root")
        return 1
    if installed():
        print("FAIL: %s is installed already; remove it first (dpkg -r %s)" % (PACKAGE, PACKAGE))
        return 1
    problems = []
    work = tempfile.mkdtemp(prefix="tcpdiag-deb-")
    try:
        run(["cpack", "-G", "DEB", "-B", work, "--config", os.path.join(args.build, "CPackConfig.cmake")])
        debs = glob.glob(os.path.join(work, "*.deb"))
        if len(debs) != 1:
            raise RuntimeError("cpack made %s" % debs)
        deb = debs[0]
        depends = run(["dpkg-deb", "-f", deb, "Depends"]).stdout.strip()
        wanted = libwireshark_dependency(args.plugin)
        if wanted not in [d.strip() for d in depends.split(",")]:
            problems.append("Depends %r lacks %r" % (depends, wanted))
        files = run(["dpkg-deb", "-c", deb]).stdout
        print("package %s, Depends: %s" % (os.path.basename(deb), depends))

        home = os.path.join(work, "home")  # root's own configuration stays out of it
        os.makedirs(home)
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": home, "LC_ALL": "C.UTF-8"}
        try:
            proc = dpkg(["-i", deb])
            if proc.returncode != 0:
                raise RuntimeError("dpkg -i failed: %s" % proc.stderr)
            folders = {}  # "Global Plugins:   \t/usr/lib/.../plugins/4.0"
            for line in run(["tshark", "-G", "folders"], env=env).stdout.splitlines():
                name, _, path = line.partition("\t")
                folders.setdefault(name.strip().rstrip(":"), path.strip())
            system_so = os.path.join(folders["Global Plugins"], "epan", "tcpdiag.so")
            plugins = run(["tshark", "-G", "plugins"], env=env).stdout
            if system_so not in plugins:
                problems.append("tshark (root) does not list %s:\n%s" % (system_so, plugins))
            out = run(["tshark", "-r", args.capture, "-q", "-z", "tcpdiag,streams,tsv"], env=env).stdout
            start = out.find("stream\ttransport\t")
            rows = list(csv.DictReader(io.StringIO(out[start:]), delimiter="\t", quoting=csv.QUOTE_NONE))
            problems += ["verdicts: " + p for p in compare(read_expected(args.expected), rows)]
            psml = run(["tshark", "-C", "tcpdiag", "-2", "-r", args.capture, "-T", "psml"], env=env).stdout
            column = [row.get("tcpdiag verdict", "") for row in read_columns(psml)[1]]
            if not column or not all(column):
                problems.append("the global tcpdiag profile gives no verdict column")
            # tcpdiag-scan on PATH from /usr/bin, reading the capture through the system plugin.
            scan_tsv = os.path.join(work, "scan.tsv")
            run(["tcpdiag-scan", "--tsv", scan_tsv, args.capture], env=env)
            with open(scan_tsv) as f:
                scanned = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
            problems += ["tcpdiag-scan: " + p for p in compare(read_expected(args.expected), scanned)]
            print("installed: tshark loads %s, %d streams, profile column values %s" % (
                system_so, len(rows), sorted(set(column))[:4]))
        finally:
            proc = dpkg(["-r", PACKAGE])
            if proc.returncode != 0:
                problems.append("dpkg -r failed: %s" % proc.stderr)
        if installed():
            problems.append("%s is still installed after dpkg -r" % PACKAGE)
        left = [line.split()[-1].lstrip(".") for line in files.splitlines()
                if not line.startswith("d") and os.path.exists(line.split()[-1].lstrip("."))]
        if left:
            problems.append("files left after dpkg -r: %s" % left)
        if not any(line.endswith("./usr/bin/tcpdiag-scan -> ../share/tcpdiag/scan/tcpdiag-scan")
                   for line in files.splitlines()):
            problems.append("the package has no /usr/bin/tcpdiag-scan")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for p in problems:
        print("FAIL: " + p)
    print("FAIL" if problems else "OK: the .deb installs, tshark loads the plugin from the system folder, dpkg -r removes it")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
