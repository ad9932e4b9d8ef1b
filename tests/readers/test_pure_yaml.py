"""PyYAML without libyaml (no ``yaml._yaml``): lint and fix give the same answers, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The interpreter as a PyYAML built without libyaml would run it: yaml._yaml cannot be imported.
WITHOUT_LIBYAML = ("import sys\n"
                   "sys.modules['yaml._yaml'] = None\n"
                   "import yaml\n"
                   "assert not yaml.__with_libyaml__\n"
                   "from stopsignal.cli import main\n"
                   "sys.argv = ['stopsignal', *sys.argv[1:]]\n"
                   "main()\n")
WITH_LIBYAML = WITHOUT_LIBYAML.replace("sys.modules['yaml._yaml'] = None\n", "").replace(
    "assert not yaml.__with_libyaml__", "assert yaml.__with_libyaml__")
BROKEN = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n   image: b\n"


def stopsignal(program: str, *argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-c", program, *argv], input=stdin, cwd=REPO,
                          capture_output=True, text=True, timeout=240, check=False)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.timeout(600)
@pytest.mark.parametrize("argv", [
    ["lint", "--no-config", "--format", "json", "--fail-on", "info", "examples",
     "tests/rules/fixtures", "tests/data/kyverno-sample"],
    ["fix", "--no-config", "--diff", "--engine", "openshift@4.9", "examples"],
], ids=["lint", "fix"])
def test_same_results_without_libyaml(argv: list[str]) -> None:
    expected = stopsignal(WITH_LIBYAML, *argv)
    assert expected[0] in (0, 1) and expected[1], expected[2]
    assert stopsignal(WITHOUT_LIBYAML, *argv) == expected


def test_a_syntax_error_is_one_line_naming_the_line(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(BROKEN)
    argv = ["lint", "--no-config", str(tmp_path / "pod.yaml")]
    code, out, err = stopsignal(WITHOUT_LIBYAML, *argv)
    assert code == 2 and err == "" and "Traceback" not in out
    # The same place and rule; only the parser's wording of the problem differs.
    where = f"{tmp_path / 'pod.yaml'}:6:4: STOP900 [unreadable-input] invalid YAML: "
    assert out.startswith(where) and out.count("\n") == 2
    assert stopsignal(WITH_LIBYAML, *argv)[1].startswith(where)


def test_fix_as_a_filter_without_libyaml() -> None:
    pod = (REPO / "examples" / "seed" / "pod-stopsignal-systemd.yaml").read_text()
    argv = ["fix", "--no-config", "--engine", "openshift@4.9", "-"]
    code, out, err = stopsignal(WITHOUT_LIBYAML, *argv, stdin=pod)
    assert (code, out, err) == stopsignal(WITH_LIBYAML, *argv, stdin=pod)
    assert code == 0 and "kill -s 37 1" in out
