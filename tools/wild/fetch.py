#!/usr/bin/env python3
"""Fetch the captures of the wild corpus again, from the commits recorded in
testdata/wild/<part>/SOURCES.tsv (parts a to h; all of them by default), into testdata/wild/.

Each row names a GitHub repository, a commit (40 hex digits) and a path inside it. The file is
downloaded from https://raw.githubusercontent.com/<repo>/<commit>/<path>; if that fails (no network
route to raw.githubusercontent.com, or a file stored with Git LFS), the script falls back to
`git` (a blobless partial clone of the repository, then `git show <commit>:<path>`).

Usage: tools/wild/fetch.py [--part a|b|c|d|e|f|g|h] [--force] [--check]
  --part   fetch only that part (default: every part, in order)
  --force  overwrite files that already exist
  --check  only compare existing files with the recorded commit's blob (git hash-object), download nothing
Python 3 standard library only (plus the git command for the fallback and --check).
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
WILD = os.path.join(ROOT, "testdata", "wild")
PARTS = ("a", "b", "c", "d", "e", "f", "g", "h")


def sources_of(part):
    return os.path.join(WILD, part, "SOURCES.tsv")


def read_sources(path):
    rows = []
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        if header[:5] != ["file", "repository", "commit", "path", "license"]:
            sys.exit(f"{path}: unexpected header {header}")
        for n, line in enumerate(fh, start=2):
            line = line.rstrip("\n")
            if not line:
                continue
            f = line.split("\t")
            if len(f) < 5:
                sys.exit(f"{path}:{n}: expected 5 columns")
            rows.append(dict(zip(header, f)))
    return rows


def git_blob_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def fetch_raw(repo, commit, path):
    url = f"https://raw.githubusercontent.com/{repo}/{commit}/{urllib.parse.quote(path)}"
    with urllib.request.urlopen(url, timeout=60) as r:
        data = r.read()
    if data.startswith(b"version https://git-lfs.github.com/spec/"):
        raise ValueError("Git LFS pointer")
    return data


_clones = {}


def clone(repo, commit):
    key = (repo, commit)
    if key not in _clones:
        d = tempfile.mkdtemp(prefix="wild-")
        url = f"https://github.com/{repo}.git"
        subprocess.run(["git", "init", "-q", d], check=True)
        subprocess.run(["git", "-C", d, "remote", "add", "origin", url], check=True)
        subprocess.run(["git", "-C", d, "fetch", "-q", "--filter=blob:none", "--depth=1",
                        "origin", commit], check=True)
        _clones[key] = d
    return _clones[key]


def fetch_git(repo, commit, path):
    d = clone(repo, commit)
    return subprocess.run(["git", "-C", d, "show", f"{commit}:{path}"],
                          check=True, capture_output=True).stdout


def main():
    ap = argparse.ArgumentParser(description="Fetch the wild corpus captures again from their recorded commits.")
    ap.add_argument("--part", choices=PARTS, help="only this part (default: all)")
    ap.add_argument("--force", action="store_true", help="overwrite files that already exist")
    ap.add_argument("--check", action="store_true",
                    help="only compare existing files with the recorded blobs")
    args = ap.parse_args()
    rows = []
    for part in ([args.part] if args.part else PARTS):
        path = sources_of(part)
        if not os.path.exists(path):
            if args.part:
                sys.exit(f"{path}: no such file")
            continue
        rows.extend(read_sources(path))
    failed = 0
    try:
        for row in rows:
            dest = os.path.join(WILD, row["file"])
            repo, commit, path = row["repository"], row["commit"], row["path"]
            if args.check:
                if not os.path.exists(dest):
                    print(f"missing  {row['file']}")
                    failed += 1
                    continue
                with open(dest, "rb") as fh:
                    have = git_blob_sha1(fh.read())
                try:
                    want = subprocess.run(
                        ["git", "-C", clone(repo, commit), "rev-parse", f"{commit}:{path}"],
                        check=True, capture_output=True, text=True).stdout.strip()
                except (subprocess.CalledProcessError, OSError) as e:
                    print(f"unknown  {row['file']} ({e})")
                    failed += 1
                    continue
                print(f"{'ok      ' if have == want else 'DIFFERS '} {row['file']}")
                failed += have != want
                continue
            if os.path.exists(dest) and not args.force:
                print(f"exists   {row['file']}")
                continue
            try:
                data = fetch_raw(repo, commit, path)
                how = "raw"
            except (urllib.error.URLError, OSError, ValueError) as e:
                print(f"raw failed for {row['file']} ({e}); trying git", file=sys.stderr)
                try:
                    data = fetch_git(repo, commit, path)
                    how = "git"
                except (subprocess.CalledProcessError, OSError) as e2:
                    print(f"FAILED   {row['file']} ({e2})")
                    failed += 1
                    continue
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "wb") as fh:
                fh.write(data)
            print(f"{how:8} {row['file']} ({len(data)} bytes, blob {git_blob_sha1(data)[:12]})")
    finally:
        for d in _clones.values():
            shutil.rmtree(d, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
