#!/usr/bin/env python3
"""Fetch again the captures of the wild corpus, part b.

Reads testdata/wild/b/SOURCES.tsv (file, repository, commit, path, license) and downloads each
capture from https://raw.githubusercontent.com/<repository>/<commit>/<path> into testdata/wild/<file>.
When the raw host cannot be reached, it falls back to a shallow git fetch of that commit
(git must be installed) and copies the file out of it. Python 3 standard library only.

Usage: tools/wild/fetch_b.py [--force] [--verify]
  --force   download even when the file already exists
  --verify  only compare existing files with a fresh download; exit 1 on a difference
"""
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WILD = os.path.join(ROOT, "testdata", "wild")
SOURCES = os.path.join(WILD, "b", "SOURCES.tsv")


def raw_url(repo, commit, path):
    return "https://raw.githubusercontent.com/%s/%s/%s" % (
        repo, commit, urllib.request.quote(path))


def fetch_raw(repo, commit, path):
    with urllib.request.urlopen(raw_url(repo, commit, path), timeout=60) as resp:
        return resp.read()


def fetch_git(repo, commit, path):
    with tempfile.TemporaryDirectory() as tmp:
        def git(*args):
            subprocess.run(("git", "-C", tmp) + args, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        git("init", "-q")
        git("remote", "add", "origin", "https://github.com/%s.git" % repo)
        git("fetch", "-q", "--depth", "1", "origin", commit)
        out = subprocess.run(("git", "-C", tmp, "show", "%s:%s" % (commit, path)),
                             check=True, stdout=subprocess.PIPE)
        return out.stdout


def fetch(repo, commit, path):
    try:
        return fetch_raw(repo, commit, path)
    except Exception as raw_err:  # network closed, 404 on LFS, ...
        try:
            return fetch_git(repo, commit, path)
        except Exception as git_err:
            raise RuntimeError("raw: %s; git: %s" % (raw_err, git_err))


def main(argv):
    force = "--force" in argv
    verify = "--verify" in argv
    failures = 0
    with open(SOURCES, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for row in rows:
        dest = os.path.join(WILD, row["file"])
        if os.path.exists(dest) and not force and not verify:
            print("have   %s" % row["file"])
            continue
        try:
            data = fetch(row["repository"], row["commit"], row["path"])
        except Exception as err:
            print("FAILED %s: %s" % (row["file"], err))
            failures += 1
            continue
        if verify:
            same = os.path.exists(dest) and open(dest, "rb").read() == data
            print("%s %s" % ("same  " if same else "DIFFER", row["file"]))
            failures += 0 if same else 1
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        tmp = dest + ".part"
        with open(tmp, "wb") as out:
            out.write(data)
        shutil.move(tmp, dest)
        print("got    %s (%d bytes)" % (row["file"], len(data)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
