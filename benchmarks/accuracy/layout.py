"""Lay out the labelled cases (labels.yaml) from local clones, as they are in their repositories.

    python benchmarks/accuracy/layout.py --mirror /work/.mirror --out /tmp/accuracy

Each repository is read from ``MIRROR/OWNER+NAME/repo`` (a git directory holding the
commit the label names; the files are taken with ``git show COMMIT:PATH``, so a clone
that moved on still works). A case's file lands at ``OUT/OWNER+NAME/COMMIT/PATH`` (one
tree per commit: the same path is labelled at several commits, before and after a fix), with
its build context (``context``, relative to the file's directory) around it. Nothing is
fetched from the network.
"""

from __future__ import annotations

import argparse
import posixpath
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

LABELS = Path(__file__).with_name("labels.yaml")
MAX_FILE = 2 * 1024 * 1024  # build contexts hold tarballs and images now and then: skip them


def load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load(LABELS.read_text())["cases"]
    return cases


def git_dir(mirror: Path, repo: str) -> Path:
    return mirror / repo.replace("/", "+") / "repo"


def _git(folder: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, check=True,
                          timeout=120).stdout


def _tree(folder: Path, commit: str, prefix: str) -> list[tuple[str, int]]:
    """(path, size) of every blob under ``prefix`` at ``commit``."""
    listing = _git(folder, "ls-tree", "-r", "-l", "-z", commit, "--", prefix or ".")
    files = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        kind, size = meta.split()[1], meta.split()[3]
        if kind == b"blob" and size.isdigit():
            files.append((path.decode(), int(size)))
    return files


def _root(out: Path, case: dict[str, Any]) -> Path:
    return out / case["repo"].replace("/", "+") / case["commit"]


def target(out: Path, case: dict[str, Any]) -> Path:
    return _root(out, case) / case["path"]


def lay_out(mirror: Path, out: Path, case: dict[str, Any]) -> Path:
    """Write one case's file (or directory) and context; returns what to lint."""
    folder, commit, path = git_dir(mirror, case["repo"]), case["commit"], case["path"]
    kind = _git(folder, "cat-file", "-t", f"{commit}:{path}").strip()
    base = path if kind == b"tree" else posixpath.dirname(path)
    wanted = [path] if kind != b"tree" else []
    context = case.get("context")
    if context is not None or kind == b"tree":
        prefix = posixpath.normpath(posixpath.join(base, context or "."))
        prefix = "" if prefix == "." else prefix
        wanted += [name for name, size in _tree(folder, commit, prefix) if size <= MAX_FILE]
    root = _root(out, case)
    for name in dict.fromkeys(wanted):
        destination = root / name
        if destination.exists():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(_git(folder, "show", f"{commit}:{name}"))
    return target(out, case)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, required=True, help="folder of local clones")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    missing = 0
    for case in load_cases():
        try:
            lay_out(args.mirror, args.out, case)
        except (subprocess.CalledProcessError, OSError) as error:
            missing += 1
            print(f"not laid out: {case['repo']} {case['path']}: {error}", file=sys.stderr)
    print(f"{len(load_cases()) - missing} cases laid out under {args.out}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
