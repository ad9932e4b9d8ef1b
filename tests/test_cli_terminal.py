"""The terminal: bare `stopsignal`, shell completion, colour (--color, NO_COLOR, FORCE_COLOR,
a real terminal), and lint's --output, --stdin-filename and warnings."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cli_runner
from terminal import on_terminal

ROOT = Path(__file__).resolve().parents[1]
POD = ROOT / "examples" / "seed" / "pod-stopsignal-systemd.yaml"
STOPSIGNAL = str(Path(sys.executable).parent / "stopsignal")
LINT = ["lint", "--no-config", "--engine", "openshift@4.9"]


def invoke(*args: str, env: dict[str, str] | None = None,
           stdin: str | None = None) -> tuple[int, str, str]:
    result = cli_runner.invoke(args, input=stdin, env=env)
    return result.exit_code, result.stdout, result.stderr



def test_bare_stopsignal_prints_help_and_exits_0() -> None:
    done = subprocess.run([STOPSIGNAL], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stdout.startswith("usage: stopsignal") and "\ncommands:\n" in done.stdout
    assert "completion" in done.stdout and done.stderr == ""


def test_completion_scripts() -> None:
    for shell, needle in (("bash", "-F _python_argcomplete stopsignal"),
                          ("zsh", "compdef _python_argcomplete stopsignal"),
                          ("fish", "complete --command stopsignal -f")):
        code, out, _ = invoke("completion", shell)
        assert code == 0 and needle in out and "_ARGCOMPLETE" in out
    assert invoke("completion", "tcsh")[0] == 2


def bash_complete(*words: str) -> list[str]:
    """What bash offers after ``words``, through the script `stopsignal completion bash`
    prints (sourced into a real bash)."""
    line = " ".join(words)
    script = (f'source <("{STOPSIGNAL}" completion bash)\n'
              f"COMP_LINE={shlex.quote(line)}; COMP_POINT={len(line)}; COMPREPLY=()\n"
              f'_python_argcomplete "{STOPSIGNAL}"\nprintf "%s\\n" "${{COMPREPLY[@]}}"\n')
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    return done.stdout.split()


def complete(line: str, tmp_path: Path) -> list[str]:
    """What argcomplete answers for the command line ``line``, asked as the shell code asks:
    through its environment variables, the answer in a file."""
    answer = tmp_path / "completions"
    env = {**os.environ, "_ARGCOMPLETE": "1", "_ARGCOMPLETE_SHELL": "bash",
           "_ARGCOMPLETE_IFS": "\n", "_ARGCOMPLETE_STDOUT_FILENAME": str(answer),
           "COMP_LINE": line, "COMP_POINT": str(len(line)), "COMP_TYPE": "9"}
    done = subprocess.run([STOPSIGNAL], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return answer.read_text().split()


def test_completion_answers_commands_subcommands_and_choices(tmp_path: Path) -> None:
    assert complete("stopsignal li", tmp_path) == ["lint"]
    assert complete("stopsignal co", tmp_path) == ["conformance", "completion"]
    assert complete("stopsignal webhook ", tmp_path) == ["serve", "certs"]
    assert complete("stopsignal probe --on ", tmp_path) == ["podman", "docker", "cri"]
    assert complete("stopsignal lint --fail-on w", tmp_path) == ["warning"]
    assert "--unsafe-fixes" in complete("stopsignal fix --", tmp_path)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completion_completes_commands_options_and_choices() -> None:
    assert bash_complete("stopsignal", "li") == ["lint"]
    assert bash_complete("stopsignal", "completion", "") == ["bash", "zsh", "fish"]
    assert "--stdin-filename" in bash_complete("stopsignal", "lint", "--")
    assert bash_complete("stopsignal", "lint", "--format", "") == [
        "text", "json", "sarif", "github", "gitlab", "junit"]
    assert bash_complete("stopsignal", "lint", "--color", "") == ["auto", "always", "never"]
    assert bash_complete("stopsignal", "explain", "STOP10") == [
        "STOP101", "STOP102", "STOP103", "STOP104"]
    assert bash_complete("stopsignal", "lint", "--select", "systemd-") == [
        "systemd-stop-signal", "systemd-container-env"]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completion_completes_commands_and_choices() -> None:
    def fish_complete(line: str) -> list[str]:
        script = f"stopsignal completion fish | source; complete -C {shlex.quote(line)}"
        path = f"{Path(STOPSIGNAL).parent}{os.pathsep}{os.environ['PATH']}"  # the script
        done = subprocess.run(["fish", "--no-config", "-c", script], capture_output=True,
                              text=True, check=True, env={**os.environ, "PATH": path})
        assert done.stderr == ""
        return [entry.split("\t")[0] for entry in done.stdout.splitlines()]

    assert fish_complete("stopsignal li") == ["lint"]
    assert fish_complete("stopsignal webhook ") == ["certs", "serve"]
    assert fish_complete("stopsignal lint --format s") == ["sarif"]
    assert fish_complete("stopsignal explain STOP20") == ["STOP201"]


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completion_script_loads() -> None:
    # zsh completes only in an interactive line editor; here the script must parse and
    # register its function with compinit, as `eval "$(stopsignal completion zsh)"` does.
    script = (f'autoload -U compinit && compinit -u && eval "$({STOPSIGNAL} completion zsh)" '
              '&& print -r -- $_comps[stopsignal]')
    done = subprocess.run(["zsh", "-f", "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout == "_python_argcomplete\n" and done.stderr == ""


def test_colour_follows_the_flag_and_the_environment() -> None:
    plain = invoke(*LINT, str(POD))[1]
    assert "\x1b[" not in plain  # not a terminal: no colour by default
    assert "\x1b[31m" in invoke(*LINT, "--color", "always", str(POD))[1]
    assert "\x1b[31m" in invoke(*LINT, str(POD), env={"FORCE_COLOR": "1"})[1]
    assert "\x1b[" not in invoke(*LINT, str(POD), env={"FORCE_COLOR": "1", "NO_COLOR": "1"})[1]
    assert "\x1b[31m" in invoke(*LINT, "--color", "always", str(POD), env={"NO_COLOR": "1"})[1]


def test_colour_on_a_real_terminal() -> None:
    code, output = on_terminal(*LINT, str(POD))
    assert code == 1 and b"\x1b[31m" in output and b"STOP101" in output
    code, output = on_terminal(*LINT, str(POD), env={"NO_COLOR": "1"})
    assert code == 1 and b"\x1b[" not in output and b"STOP101" in output
    code, output = on_terminal(*LINT, "--color", "never", str(POD))
    assert b"\x1b[" not in output


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    target.write_text("old")
    target.chmod(0o640)
    code, out, _ = invoke(*LINT, "--format", "sarif", "--output", str(target), str(POD))
    assert code == 1 and out == ""
    assert json.loads(target.read_text())["runs"][0]["results"][0]["ruleId"] == "STOP101"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [path.name for path in tmp_path.iterdir()] == ["report.sarif"]  # no temporary left
    code, _, err = invoke(*LINT, "--output", "/proc/stopsignal-report.txt", str(POD))
    assert code == 2 and "cannot write the report" in err and "Traceback" not in err
    # A folder that does not exist is found before anything is read.
    missing = tmp_path / "missing" / "r.txt"
    code, _, err = invoke(*LINT, "--output", str(missing), str(POD))
    assert code == 2 and err == (f"stopsignal: error: argument -o/--output: '{missing}': no "
                                 f"directory '{missing.parent}' (see 'stopsignal lint --help')\n")


def test_output_file_is_never_coloured_unless_asked(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    invoke(*LINT, "--output", str(target), str(POD), env={"FORCE_COLOR": "1"})
    assert "\x1b[" not in target.read_text() and "STOP101" in target.read_text()


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "gitlab", "junit"])
def test_stdin_filename_names_stdin_in_every_format(fmt: str) -> None:
    code, out, _ = invoke(*LINT, "--format", fmt, "--stdin-filename", "deploy/web pod.yaml",
                          "-", stdin=POD.read_text())
    assert code == 1
    name = "deploy/web%20pod.yaml" if fmt == "sarif" else "deploy/web pod.yaml"
    assert name in out and "<stdin>" not in out


def test_stdin_filename_picks_the_reader_and_per_file_ignores(tmp_path: Path) -> None:
    containerfile = "FROM debian\nSTOPSIGNAL SIGRTMIN+3\nCMD [\"/sbin/init\"]\n"
    code, out, _ = invoke(*LINT, "--format", "json", "--stdin-filename", "Containerfile", "-",
                          stdin=containerfile)
    assert [f["path"] for f in json.loads(out)["findings"]] == ["Containerfile"]
    config = tmp_path / "c.yaml"
    config.write_text('engines: [openshift@4.9]\nper-file-ignores: {"generated/*": [all]}\n')
    code, out, _ = invoke("lint", "--config", str(config), "--stdin-filename",
                          str(tmp_path / "generated" / "pod.yaml"), "-", stdin=POD.read_text())
    assert code == 0 and out.startswith("no findings")


def test_fix_names_stdin_too() -> None:
    code, out, err = invoke("fix", "--no-config", "--engine", "openshift@4.9", "--diff",
                            "--stdin-filename", "k8s/pod.yaml", "-", stdin=POD.read_text())
    assert code == 0 and "k8s/pod.yaml:19:7" in err and "<stdin>" not in err + out


def test_warnings_for_unknown_rules_go_to_stderr(tmp_path: Path) -> None:
    config = tmp_path / ".stopsignal.yaml"
    config.write_text("engines: [openshift@4.9]\nignore: [sytemd-stop-signal]\n")
    code, out, err = invoke("lint", "--config", str(config), "--format", "json", str(POD))
    assert code == 1 and json.loads(out)["findings"]
    assert err == (f"stopsignal: warning: {config}:2:1: ignore: unknown rule "
                   "'sytemd-stop-signal' (did you mean 'systemd-stop-signal'?); it silences "
                   "and selects nothing\n")
    code, _, err = invoke(*LINT, "--ignore", "sytemd-stop-signal", str(POD))
    assert code == 2 and "unknown rule 'sytemd-stop-signal'" in err


def test_fix_warns_about_unknown_rules_in_the_config(tmp_path: Path) -> None:
    config = tmp_path / ".stopsignal.yaml"
    config.write_text("engines: [openshift@4.9]\nselect: [systemd-stop-signal, STOP1O1]\n")
    code, _, err = invoke("fix", "--config", str(config), "--diff", str(POD))
    assert code == 1 and err.startswith(f"stopsignal: warning: {config}:2:1: select: unknown "
                                        "rule 'STOP1O1' (did you mean 'STOP101'?)")
