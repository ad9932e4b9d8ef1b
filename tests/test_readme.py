"""Every console example in README.md runs and prints what the README shows.

A ```console block holds commands (lines starting with ``$ ``), each followed by its
output. ``...`` is the only elision: a line that is exactly ``...`` stands for any number of
lines (none included), and ``...`` inside a line for any text on that line. Everything else
must match exactly, stdout and stderr together as a terminal shows them. Commands run in
the repository with this environment's ``stopsignal`` first on PATH.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
ELLIPSIS = "..."


class Example(NamedTuple):
    line: int  # of the command in README.md
    command: str
    expected: list[str]


def examples(text: str) -> list[Example]:
    found: list[Example] = []
    block: list[tuple[int, str]] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if block is None:
            if line.strip() == "```console":
                block = []
        elif line.strip() == "```":
            found.extend(_split(block))
            block = None
        else:
            block.append((number, line))
    assert block is None, "README.md: a ```console block is not closed"
    return found


def _split(block: list[tuple[int, str]]) -> list[Example]:
    found: list[Example] = []
    for number, line in block:
        if line.startswith("$ "):
            found.append(Example(number, line[2:], []))
        else:
            assert found, f"README.md:{number}: output before the first `$ ` command"
            found[-1].expected.append(line)
    return found


def pattern(expected: list[str]) -> re.Pattern[str]:
    """The expected lines as a regular expression: only ``...`` is not literal."""
    parts = []
    for line in expected:
        if line == ELLIPSIS:
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(piece) for piece in line.split(ELLIPSIS)) + r"\n")
    return re.compile("".join(parts))


def run(command: str) -> str:
    env = {key: value for key, value in os.environ.items()
           if key not in {"FORCE_COLOR", "CLICOLOR_FORCE", "STOPSIGNAL_CONFIG"}}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "100"
    done = subprocess.run(["bash", "-c", command], cwd=REPO, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=240, check=False)
    return done.stdout


EXAMPLES = examples(README.read_text())


def test_the_readme_has_console_examples() -> None:
    assert len(EXAMPLES) >= 4
    assert all(example.expected for example in EXAMPLES), "an example without its output"


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"L{e.line}:{e.command}" for e in EXAMPLES])
def test_console_example(example: Example) -> None:
    output = run(example.command)
    expected = "\n".join(example.expected) + "\n"
    matches = pattern(example.expected).fullmatch(output) is not None
    where = f"README.md:{example.line}: `{example.command}`"
    assert matches, f"{where} printed\n{output}\ninstead of\n{expected}"


@pytest.mark.parametrize(("expected", "output", "matches"), [
    (["a", "...", "z"], "a\nz\n", True),
    (["a", "...", "z"], "a\nb\nc\nz\n", True),
    (["a ...: c"], "a b.*: c\n", True),
    (["a ...: c"], "a b: d\n", False),
    (["a", "z"], "a\nb\nz\n", False),
    (["a (1)"], "a 1\n", False),  # everything but ... is literal
    (["a"], "a\nb\n", False),  # no trailing output ignored
])
def test_only_the_ellipsis_elides(expected: list[str], output: str, matches: bool) -> None:
    assert bool(pattern(expected).fullmatch(output)) is matches


def test_the_summary_names_the_engines_probe_runs_on() -> None:
    """The four-verb summary says where probe runs the workload: every real engine of
    `probe --on`, and that the others are emulated."""
    from stopsignal.probing.conformance import ENGINES

    proves = README.read_text().split("- **proves**:", 1)[1].split("\n\n", 1)[0]
    names = {"podman": "podman", "docker": "Docker", "cri": "containerd (through CRI)"}
    assert set(ENGINES) == set(names)
    for engine in ENGINES:
        assert names[engine] in " ".join(proves.split()), engine
    assert "emulated" in proves
