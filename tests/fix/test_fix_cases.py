"""Fix cases: an input file, the flags, and the expected output, in tests/fix/cases/<case>/.

Every case is checked for: the exact output; idempotence (fixing the output changes
nothing); only the intended lines changed (an independent check from the parsed
data, not from the fix engine); strict validation of every Kubernetes object
against the official schema of each target version; `--diff` writing nothing;
and, for manifests, the same output through `fix -` (stdin to stdout).

Set STOPSIGNAL_UPDATE_FIX_CASES=1 to write missing expected files (then review them).
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import shutil
import tempfile
from pathlib import Path

import pytest

from cli_runner import invoke

from . import checks

CASES = Path(__file__).parent / "cases"
CASE_NAMES = sorted(path.name for path in CASES.iterdir() if path.is_dir())
LOWEST_SCHEMA = (1, 25)  # the oldest schema kubernetes-validate ships


def _input(case: str) -> Path:
    files = [path for path in (CASES / case).iterdir()
             if path.name != "flags" and not path.name.endswith(".expected")]
    assert len(files) == 1, f"{case}: expected one input file, found {files}"
    return files[0]


def _flags(case: str) -> list[str]:
    path = CASES / case / "flags"
    return shlex.split(path.read_text()) if path.exists() else []


def _expected(case: str) -> bytes:
    source = _input(case)
    path = source.with_name(source.name + ".expected")
    if not path.exists() and os.environ.get("STOPSIGNAL_UPDATE_FIX_CASES"):
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / source.name  # readers recognise files by their name
            shutil.copyfile(source, copy)
            _run(["fix", *_flags(case), str(copy)])
            shutil.copyfile(copy, path)
    return path.read_bytes()


def _run(args: list[str], stdin: bytes | None = None) -> tuple[int, str, str]:
    result = invoke(args, input=stdin)
    # stdout_bytes: CRLF stays CRLF
    return result.exit_code, result.stdout_bytes.decode(), result.stderr


def _fixed_copy(case: str, tmp_path: Path, extra: tuple[str, ...] = ()) -> tuple[Path, int, str]:
    source = _input(case)
    target = tmp_path / source.name
    shutil.copyfile(source, target)
    code, out, err = _run(["fix", *_flags(case), *extra, str(target)])
    assert "error" not in err, err
    return target, code, out


def _is_manifest(case: str) -> bool:
    name = _input(case).name
    return name.endswith((".yaml", ".yml", ".json")) and "compose" not in name


def _schema_versions(case: str) -> list[str]:
    """1.30 (the default targets) unless the case targets Kubernetes versions itself."""
    versions = []
    for flag in _flags(case):
        for match in re.finditer(r"kubernetes@(\d+)\.(\d+)", flag):
            major, minor = int(match.group(1)), int(match.group(2))
            versions.append(f"{major}.{max(minor, LOWEST_SCHEMA[1])}")
        for match in re.finditer(r"openshift@4\.(\d+)", flag):
            versions.append(f"1.{max(int(match.group(1)) + 13, LOWEST_SCHEMA[1])}")
    return sorted(set(versions)) or ["1.30"]


def test_every_case_has_an_expected_output() -> None:
    for case in CASE_NAMES:
        if os.environ.get("STOPSIGNAL_UPDATE_FIX_CASES"):
            _expected(case)
    missing = [case for case in CASE_NAMES
               if not _input(case).with_name(_input(case).name + ".expected").exists()]
    assert not missing


@pytest.mark.parametrize("case", CASE_NAMES)
def test_output(case: str, tmp_path: Path) -> None:
    target, code, _ = _fixed_copy(case, tmp_path)
    assert target.read_bytes() == _expected(case)
    assert code in (0, 1)


@pytest.mark.parametrize("case", CASE_NAMES)
def test_idempotent(case: str, tmp_path: Path) -> None:
    source = _input(case)
    target = tmp_path / source.name
    target.write_bytes(_expected(case))
    _, out, _ = _run(["fix", *_flags(case), str(target)])
    assert target.read_bytes() == _expected(case)
    assert "Fixed 0 findings" in out


@pytest.mark.parametrize("case", CASE_NAMES)
def test_only_intended_lines_change(case: str) -> None:
    before = _input(case).read_bytes().decode()
    after = _expected(case).decode()
    stray = checks.stray_changes(before, after,
                                 containerfile=not _input(case).name.endswith(
                                     (".yaml", ".yml", ".json")))
    assert not stray


@pytest.mark.parametrize("case", [case for case in CASE_NAMES if _is_manifest(case)])
def test_fixed_objects_validate_strictly(case: str) -> None:
    before = checks.load(_input(case).read_text())
    after = checks.load(_expected(case).decode())
    assert list(checks.kubernetes_objects(after)), "no Kubernetes object to validate"
    for version in _schema_versions(case):
        assert checks.validate(before, version) == [], f"the input is invalid for {version}"
        assert checks.validate(after, version) == [], f"the output is invalid for {version}"


@pytest.mark.parametrize("case", CASE_NAMES)
def test_diff_writes_nothing(case: str, tmp_path: Path) -> None:
    source = _input(case)
    target = tmp_path / source.name
    shutil.copyfile(source, target)
    code, out, _ = _run(["fix", "--diff", *_flags(case), str(target)])
    assert target.read_bytes() == source.read_bytes()
    before = [line + "\n" for line in source.read_bytes().decode().split("\n")]
    after = [line + "\n" for line in _expected(case).decode().split("\n")]
    changes = [line for line in difflib.unified_diff(before, after)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    shown = [line for line in out.split("\n")
             if line[:1] in ("+", "-") and not line.startswith(("+++", "---"))]
    assert [line.rstrip("\n") for line in shown] == [line.rstrip("\n") for line in changes]
    assert code == (1 if changes else code)


@pytest.mark.parametrize("case", [case for case in CASE_NAMES if _is_manifest(case)])
def test_stdin_to_stdout(case: str) -> None:
    code, out, err = _run(["fix", *_flags(case), "-"], stdin=_input(case).read_bytes())
    assert code == 0, err
    assert out.encode() == _expected(case)
