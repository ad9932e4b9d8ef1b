"""Input an attacker or a careless user sends to the parsers and readers: huge numbers,
homoglyphs, JSON that YAML cannot read, huge JSON, unreadable directories."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cli_runner import invoke
from stopsignal.errors import UsageError
from stopsignal.kill_tools import KILL_TOOLS_BY_ID, parse_spelling
from stopsignal.readers import read_path, read_text
from stopsignal.runtimes.engines import parse_engine
from stopsignal.signal_grammars import go_atoi, parse_moby
from stopsignal.signals import parse_signal

HUGE = "1" * 5000
POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
       "spec": {"containers": [{"name": "c", "image": "x", "command": ["/sbin/init"]}]}}


def _cli(*args: str) -> tuple[int, str, str]:
    result = invoke(list(args))  # an exception (a traceback) propagates and fails the test
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("text", [HUGE, "RTMIN+" + HUGE, "RTMAX-" + HUGE, "0" * 5000 + "15"])
def test_numbers_of_thousands_of_digits_are_just_invalid(text: str) -> None:
    expected = 15 if text.endswith("15") and text.startswith("0") else None
    signal = parse_signal(text)
    assert (signal.number if signal else None) == expected
    assert parse_moby(text) in (None, expected)
    assert go_atoi(HUGE) is None and go_atoi("-" + HUGE) is None
    for tool in KILL_TOOLS_BY_ID.values():
        assert parse_spelling(tool, text) in (None, expected)


def test_huge_numbers_on_the_command_line_are_one_line_usage_errors() -> None:
    code, _, err = _cli("signal", "--", HUGE)
    assert code == 2 and err.startswith("stopsignal: error:") and "Traceback" not in err
    with pytest.raises(UsageError, match="more than 9 digits"):
        parse_engine(f"docker@{HUGE}")
    code, _, err = _cli("resolve", "--engine", f"docker@{HUGE}")
    assert code == 2 and len(err) < 300 and err.count("\n") == 1


def test_huge_numbers_in_files_are_findings_not_internal_errors(tmp_path: Path) -> None:
    containerfile = tmp_path / "Containerfile"
    containerfile.write_text(f"FROM {HUGE} AS a\nFROM a\nSTOPSIGNAL {HUGE}\n")
    pod = tmp_path / "pod.yaml"
    pod.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
                   f"  terminationGracePeriodSeconds: 1{'0' * 400}\n  containers:\n"
                   f"  - name: c\n    image: debian:{HUGE}\n"
                   f"    command: [gunicorn, --graceful-timeout, '1{'0' * 400}']\n"
                   "    env: [{name: S6_SERVICES_GRACETIME, value: '" + HUGE + "'}]\n"
                   f"    lifecycle: {{preStop: {{exec: {{command: [sleep, '{HUGE}']}}}}}}\n")
    code, out, _ = _cli("lint", "--format", "json", str(containerfile), str(pod))
    report = json.loads(out)
    assert report["errors"] == [] and code == 1
    assert all(finding["code"] != "STOP900" for finding in report["findings"])
    assert any(finding["rule"] == "stop-signal-invalid" for finding in report["findings"])


@pytest.mark.parametrize("text", ["\u017figterm", "s\u0131gterm", "SIGTERM\u0307", "\ufb06op"])
def test_case_folding_is_ascii_only_where_the_parser_is_c(text: str) -> None:
    assert parse_signal(text) is None
    for tool in KILL_TOOLS_BY_ID.values():
        assert parse_spelling(tool, text) is None, tool


def test_go_engines_fold_unicode_one_rune_to_one_as_go_does() -> None:
    assert parse_moby("\u017figterm") == 15  # strings.ToUpper maps U+017F to 'S'
    assert parse_moby("\ufb06op") is None  # Go never expands a rune into "ST"


def test_json_is_read_as_json_surrogates_included(tmp_path: Path) -> None:
    pod = json.loads(json.dumps(POD))
    pod["metadata"]["annotations"] = {"a": "\U0001f680", "b": "\ud800 \\ud83d"}
    path = tmp_path / "pod.json"
    path.write_text(json.dumps(pod))  # ASCII, with \ud83d\ude80 and a lone \ud800
    result = read_path(str(path))
    assert result.errors == ()
    assert [container.name for container in result.containers] == ["c"]


def test_invalid_json_says_so_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "pod.json"
    path.write_text('{"kind": "Pod",\n "spec": [1,}\n')
    (error,) = read_path(str(path)).errors
    assert error.message == "invalid JSON: Expecting value"
    assert (error.line, error.column) == (2, 13)


def test_a_huge_json_list_fails_fast_and_honestly() -> None:
    items = [dict(POD, metadata={"name": f"p{index}"}) for index in range(100_000)]
    result = read_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}),
                       "list.json")
    (error,) = result.errors
    assert "more than 1,000,000 values in one document" in error.message
    assert "alias" not in error.message


def test_a_yaml_flow_mapping_is_still_yaml() -> None:
    result = read_text("{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: "
                       "[{name: c, image: x, command: [/sbin/init]}]}}\n", "pod")
    assert result.errors == () and len(result.containers) == 1


def test_unreadable_directories_are_errors(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "locked").mkdir(parents=True)
    (tree / "open").mkdir()
    (tree / "open" / "pod.json").write_text(json.dumps(POD))
    (tree / "locked" / "pod.json").write_text(json.dumps(POD))
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("root without setpriv: permissions are not enforced")
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search",
                  "--inh-caps=-dac_override,-dac_read_search"]
    command = [*prefix, sys.executable, "-c", "from stopsignal.cli import main; main()", "lint",
               "--fail-on", "never", "--format", "json"]
    (tree / "locked").chmod(0)
    try:
        nested = subprocess.run([*command, str(tree)], capture_output=True, text=True,
                                timeout=120, check=False)
        tree.chmod(0)
        top = subprocess.run([*command, str(tree)], capture_output=True, text=True,
                             timeout=120, check=False)
    finally:
        tree.chmod(0o755)
        (tree / "locked").chmod(0o755)
    assert nested.returncode == 2, nested.stderr
    (error,) = json.loads(nested.stdout)["errors"]
    assert error["path"] == f"{tree}/locked" and "Permission denied" in error["message"]
    findings = json.loads(nested.stdout)["findings"]
    assert findings and {finding["path"] for finding in findings} == {f"{tree}/open/pod.json"}
    assert top.returncode == 2 and "Traceback" not in top.stderr


def test_a_huge_shell_script_is_not_analysed_character_by_character(tmp_path: Path) -> None:
    from stopsignal.rules.shell_analysis import ShellSyntaxError, tokenize

    with pytest.raises(ShellSyntaxError, match="not analysed"):
        tokenize("a " * 40_000)
    pod = tmp_path / "pod.yaml"
    pod.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                   f"  - name: c\n    image: x\n    command: [sh, -c, '{'a ' * 1_000_000}']\n")
    code, out, _ = _cli("lint", "--format", "json", str(pod))
    assert code == 0 and json.loads(out)["errors"] == []
