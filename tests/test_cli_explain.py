"""`stopsignal signal` and `stopsignal resolve`: contracts, text, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cli_runner import invoke


def run(*args: str) -> tuple[int, str, str]:
    result = invoke(list(args))
    return result.exit_code, result.stdout, result.stderr


def test_signal_json_contract() -> None:
    code, out, _ = run("signal", "RTMIN+3", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["input"], data["number"], data["name"]) == ("RTMIN+3", 37, "SIGRTMIN+3")
    engines = data["engines"]
    assert engines["docker"]["accepted"] and engines["docker"]["number"] == 37
    assert engines["cri-o@1.22.1"]["delivered"] == 15
    assert engines["cri-o@1.22.1"]["outcome"] == "substituted"
    assert engines["kubernetes"]["accepted"] is False
    assert data["kill"]["busybox-musl"] == 38


def test_signal_musl() -> None:
    code, out, _ = run("signal", "RTMIN+3", "--json", "--libc", "musl")
    assert code == 0 and json.loads(out)["number"] == 38


@pytest.mark.parametrize("value", ["FOO", "SIGRTMIN + 3", ""])
def test_signal_invalid_exits_2_with_one_line(value: str) -> None:
    code, out, err = run("signal", value)
    assert code == 2
    assert err.count("\n") == 1 and "stopsignal: error:" in err
    assert "Traceback" not in out + err


def test_signal_accepted_by_some_engines_still_exits_2() -> None:
    code, out, err = run("signal", "65")
    assert code == 2 and "outside 1-64" in err
    assert "docker" in out


def test_signal_text() -> None:
    code, out, _ = run("signal", "37")
    assert code == 0
    assert out.startswith("37 is SIGRTMIN+3 (37) under glibc.")
    assert "cri-o@1.22.1" in out and "instead (silently)" in out


def test_resolve_article_case_text() -> None:
    code, out, _ = run("resolve", "--engine", "openshift@4.9", "--stop-signal", "SIGRTMIN+3",
                       "--command", "/sbin/init")
    assert code == 0
    assert ("CRI-O 1.22.1 cannot parse SIGRTMIN+3 and silently sends SIGTERM; systemd "
            "re-executes on SIGTERM") in out
    assert "SIGKILLed after 30 s" in out
    assert "cri-o commit dbbfd786" in out


def test_resolve_json_contract() -> None:
    code, out, _ = run("resolve", "--engine", "openshift@4.10", "--stop-signal", "SIGRTMIN+3",
                       "--json", "--", "/sbin/init")
    assert code == 0
    data = json.loads(out)
    assert {"engine", "version", "outcome", "signal", "signal_name", "trail"} <= set(data)
    assert (data["engine"], data["version"]) == ("openshift", "4.10")
    assert (data["outcome"], data["signal"], data["signal_name"]) == ("sent", 37, "SIGRTMIN+3")
    assert data["graceful"] is True
    assert all({"actor", "text", "source"} <= set(step) for step in data["trail"])


def test_resolve_two_engines_pair() -> None:
    code, out, _ = run("resolve", "--engine", "kubernetes@1.33+ContainerStopSignals",
                       "--engine", "containerd@2.3", "--lifecycle-stop-signal", "SIGRTMIN+3",
                       "--os", "linux", "--json")
    data = json.loads(out)
    assert code == 0 and (data["engine"], data["signal"]) == ("kubernetes", 37)


@pytest.mark.parametrize("args", [
    ["resolve", "--engine", "nope@1"],
    ["resolve", "--engine", "docker", "--engine", "podman"],
    ["resolve", "--engine", "kubernetes@1.33+Typo"],
    ["resolve"],
    ["resolve", "--engine", "docker", "--command", "sh -c 'exec init"],
    ["resolve", "--engine", "kubernetes", "--prestop-seconds", "nan"],
    ["resolve", "--engine", "kubernetes", "--prestop-seconds", "-1"],
])
def test_resolve_bad_input(args: list[str]) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == "" and len(err.splitlines()) == 1 and err.startswith("stopsignal: error: ")


def test_module_entry_point() -> None:
    result = subprocess.run([sys.executable, "-m", "stopsignal", "signal", "15"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.startswith("15 is SIGTERM (15)")


def test_help_lists_commands_without_importing_them() -> None:
    code, out, _ = run("--help")
    assert code == 0 and "resolve" in out and "signal" in out


def loaded(*argv: str) -> list[str]:
    """The command modules (and argcomplete) that ``stopsignal ARGV`` imports."""
    code = ("import json, sys\nfrom stopsignal.cli import main\n"
            f"try:\n    main({list(argv)!r})\nexcept SystemExit:\n    pass\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.endswith('_cmd') or "
            "m.startswith('argcomplete'))), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    modules: list[str] = json.loads(done.stderr.splitlines()[-1])
    return modules


def test_only_the_command_that_runs_is_imported() -> None:
    assert loaded("--help") == []
    assert loaded() == []
    assert loaded("signal", "15") == ["stopsignal.cli.signal_cmd"]
    assert loaded("lint", "--help") == ["stopsignal.cli.lint_cmd"]
    assert loaded("resolve", "--engine", "podman") == ["stopsignal.cli.resolve_cmd"]
