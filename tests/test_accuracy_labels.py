"""The hand-labelled real-world cases of benchmarks/accuracy stay usable and consistent.

The labels are data for benchmarks/accuracy.py: a typo in a rule name, a case that names no
commit, or two cases laid out on the same file would silently skew the figures it prints.
The clones the cases are read from are not part of the repository: the checks that need them
run only when they are there ($STOPSIGNAL_ACCURACY_MIRROR, else /work/.mirror).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stopsignal.rules import RULES

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks" / "accuracy"))

import layout  # noqa: E402  (benchmarks/accuracy is not a package)

MIRROR = Path(os.environ.get("STOPSIGNAL_ACCURACY_MIRROR") or "/work/.mirror")
KEYS = {"repo", "commit", "path", "context", "expect", "reason", "heldout"}
CASES = layout.load_cases()


def _id(case: dict[str, Any]) -> str:
    return f"{case['repo']}@{case['commit'][:8]}:{case['path']}"


def test_every_case_is_complete_and_names_known_rules() -> None:
    names = {rule.name for rule in RULES}
    problems = []
    for case in CASES:
        if not isinstance(case, dict) or not {"repo", "commit", "path", "expect",
                                               "reason"} <= case.keys():
            problems.append(f"{case!r}: needs repo, commit, path, expect and reason")
            continue
        where = _id(case)
        if set(case) - KEYS:
            problems.append(f"{where}: unknown keys {sorted(set(case) - KEYS)}")
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", case["repo"]):
            problems.append(f"{where}: repo is not OWNER/NAME")
        if not re.fullmatch(r"[0-9a-f]{40}", str(case["commit"])):
            problems.append(f"{where}: commit is not a full hash")
        if case["path"].startswith("/") or ".." in case["path"].split("/"):
            problems.append(f"{where}: path must stay inside the repository")
        if not isinstance(case["expect"], list) or set(case["expect"]) - names:
            problems.append(f"{where}: expect names no rule: {case['expect']!r}")
        elif len(set(case["expect"])) != len(case["expect"]):
            problems.append(f"{where}: a rule is listed twice")
        if not str(case["reason"]).strip():
            problems.append(f"{where}: the reason is empty")
        if "heldout" in case and not isinstance(case["heldout"], bool):
            problems.append(f"{where}: heldout is true or false")
    assert not problems, "\n".join(problems)


def test_no_two_cases_share_a_file() -> None:
    # The same path is labelled at several commits (before and after a fix): each must be
    # laid out, and linted, on its own.
    seen: dict[Path, str] = {}
    for case in CASES:
        target = layout.target(Path("/out"), case)
        assert target not in seen, f"{_id(case)} and {seen[target]} are laid out on one file"
        seen[target] = _id(case)


def test_the_held_out_cases_cover_more_than_one_rule() -> None:
    # What the held-out set is for: figures for rules the tuning set says nothing about.
    held_out = {rule for case in CASES if case.get("heldout") for rule in case["expect"]}
    assert len(held_out) >= 2, held_out


_CLONED = [case for case in CASES if (layout.git_dir(MIRROR, case["repo"])).is_dir()]


@pytest.mark.skipif(not _CLONED, reason=f"no clone of a labelled repository under {MIRROR}")
@pytest.mark.parametrize("case", _CLONED, ids=_id)
def test_the_labelled_file_is_at_its_commit(case: dict[str, Any], tmp_path: Path) -> None:
    folder = layout.git_dir(MIRROR, case["repo"])
    exists = subprocess.run(["git", "-C", str(folder), "cat-file", "-e",
                             f"{case['commit']}:{case['path']}"], capture_output=True,
                             check=False)
    if exists.returncode and b"Not a valid object name" in exists.stderr:
        pytest.skip(f"the clone of {case['repo']} lacks commit {case['commit']}")
    assert exists.returncode == 0, exists.stderr.decode()
    laid_out = layout.lay_out(MIRROR, tmp_path, case)
    assert laid_out.exists()
