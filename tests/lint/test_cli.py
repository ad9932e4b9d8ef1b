"""`stopsignal lint`, `rules`, `explain`: the seed examples, the output contracts, exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cli_runner import invoke
from stopsignal.cli.app import Parser, command_parser

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed"
SYSTEMD_POD = str(SEED / "pod-stopsignal-systemd.yaml")
LIFECYCLE_POD = str(SEED / "pod-stopsignal-lifecycle.yaml")
IMAGE = str(Path(__file__).parent / "data" / "stopsignal-systemd.inspect.json")


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    # Only the inputs: what the local image store holds must not change these verdicts.
    result = invoke(["lint", "--no-config", "--lookup-images", "none", *args],
                    input=stdin)
    return result.exit_code, result.stdout, result.stderr


def findings(*args: str, stdin: str | None = None) -> tuple[int, list[dict[str, object]]]:
    code, out, _ = run("--format", "json", *args, stdin=stdin)
    return code, json.loads(out)["findings"]


# The article: flagged on OpenShift 4.9, clean on 4.10 once the image is known; the
# lifecycle pod is clean everywhere.
def test_seed_systemd_pod_openshift_4_9() -> None:
    for extra in ((), ("--image-config", f"nginx={IMAGE}")):
        code, found = findings("--engine", "openshift@4.9", *extra, SYSTEMD_POD)
        assert code == 1
        assert [(f["code"], f["rule"], f["severity"], f["line"], f["object"], f["container"])
                for f in found] == [("STOP101", "systemd-stop-signal", "error", 19,
                                     "Pod/stopsignal-systemd", "nginx")]
        assert "openshift@4.9 sends SIGTERM (15)" in str(found[0]["message"])


def test_seed_systemd_pod_openshift_4_10_with_its_image() -> None:
    assert findings("--engine", "openshift@4.10", "--image-config", f"nginx={IMAGE}",
                    SYSTEMD_POD) == (0, [])


def test_image_config_joins_by_tag() -> None:
    assert findings("--engine", "openshift@4.10", "--image-config", IMAGE, SYSTEMD_POD) == (0, [])


def test_unknown_image_is_said_so() -> None:
    code, found = findings("--engine", "openshift@4.10", SYSTEMD_POD)
    assert code == 1 and found[0]["severity"] == "warning"
    assert "its config was not available" in str(found[0]["message"])


@pytest.mark.parametrize("engine", ["openshift@4.9", "openshift@4.10", "docker", "podman@4.3.1",
                                    "cri-o@1.22.1"])
def test_seed_lifecycle_pod_clean_everywhere(engine: str) -> None:
    assert findings("--engine", engine, LIFECYCLE_POD) == (0, [])


def test_seed_lifecycle_pod_on_containerd_needs_the_container_variable() -> None:
    # The hook halts systemd, but containerd marks nothing: reboot() fails and it hangs
    # (measured on containerd 1.6.20, docs/conformance.md).
    code, found = findings("--fail-on", "info", LIFECYCLE_POD)
    assert code == 1
    assert {item["rule"] for item in found} == {"systemd-container-env"}
    code, found = findings("--engine", "kubernetes@1.30,containerd@1.7", LIFECYCLE_POD)
    assert {item["rule"] for item in found} == {"systemd-container-env"}


def test_text_format_and_verbose_trail() -> None:
    code, out, _ = run("--engine", "openshift@4.9", "-v", SYSTEMD_POD)
    first = out.splitlines()[0]
    assert code == 1
    assert first.startswith(f"{SYSTEMD_POD}:19:7: STOP101 [systemd-stop-signal] container "
                            "'nginx': systemd is PID 1")
    assert "CRI-O 1.22.1" in out and "[cri-o PR #5366" not in first
    assert "kubelet 1.22: grace period 30 s" in out


def test_github_format() -> None:
    code, out, _ = run("--engine", "openshift@4.9", "--format", "github", SYSTEMD_POD)
    assert code == 1
    assert out.startswith(f"::error file={SYSTEMD_POD},line=19,col=7,"
                          "title=STOP101 systemd-stop-signal::container 'nginx'")


def test_sarif_format() -> None:
    code, out, _ = run("--engine", "openshift@4.9", "--format", "sarif", SYSTEMD_POD)
    sarif = json.loads(out)
    run_ = sarif["runs"][0]
    assert code == 1 and sarif["version"] == "2.1.0"
    rule_ids = [rule["id"] for rule in run_["tool"]["driver"]["rules"]]
    assert rule_ids[0] == "STOP101" and "STOP900" in rule_ids
    result = run_["results"][0]
    assert result["ruleId"] == "STOP101" and result["level"] == "error"
    assert rule_ids[result["ruleIndex"]] == "STOP101"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (19, 7)


def test_info_never_fails_unless_asked(tmp_path: Path) -> None:
    image = tmp_path / "image.json"
    image.write_text(json.dumps([{"RepoTags": ["x:1"], "Config": {"Cmd": ["/app"],
                                                                    "StopSignal": "37"}}]))
    code, found = findings(str(image))
    assert code == 0 and [f["code"] for f in found] == ["STOP103"]
    assert findings("--fail-on", "info", str(image))[0] == 1


def test_unreadable_only_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Pod\nspec: [unclosed\n")
    code, out, _ = run("--format", "json", str(bad))
    errors = json.loads(out)["errors"]
    assert code == 2 and errors[0]["code"] == "STOP900" and errors[0]["path"] == str(bad)
    assert errors[0]["line"] >= 3


def test_findings_win_over_read_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: Pod\nspec: [unclosed\n")
    code, _, _ = run("--engine", "openshift@4.9", str(bad), SYSTEMD_POD)
    assert code == 1


def test_missing_file_is_an_error() -> None:
    code, out, _ = run("/nonexistent/pod.yaml")
    assert code == 2 and "STOP900" in out


@pytest.mark.parametrize(("args", "needle"), [
    ((), "nothing to lint"),
    (("--engine", "dockr@1", SYSTEMD_POD), "unknown engine"),
    (("--select", "nope", SYSTEMD_POD), "unknown rule 'nope'"),
])
def test_usage_errors_exit_2(args: tuple[str, ...], needle: str) -> None:
    code, _, err = run(*args)
    assert code == 2 and needle in err and "Traceback" not in err


def test_bad_config_exits_2(tmp_path: Path) -> None:
    config = tmp_path / ".stopsignal.yaml"
    config.write_text("enignes: [docker]\n")
    result = invoke(["lint", "--config", str(config), SYSTEMD_POD])
    assert result.exit_code == 2
    assert "unknown key 'enignes'" in result.stderr and str(config) in result.stderr


def test_stdin() -> None:
    text = Path(SYSTEMD_POD).read_text()
    code, found = findings("--engine", "openshift@4.9", "-", stdin=text)
    assert code == 1 and found[0]["path"] == "<stdin>"


def test_add_engine_keeps_defaults() -> None:
    code, found = findings("--add-engine", "openshift@4.9", SYSTEMD_POD)
    assert code == 1 and "openshift@4.9" in str(found[0]["message"])


def test_rules_and_explain() -> None:
    listing = invoke(["rules"])
    assert listing.exit_code == 0 and listing.stdout.startswith("STOP101  systemd-stop-signal")
    data = json.loads(invoke(["rules", "--format", "json"]).stdout)
    assert [rule["code"] for rule in data][:2] == ["STOP101", "STOP102"]
    markdown = invoke(["rules", "--format", "markdown"]).stdout
    assert markdown.startswith("# Lint rules") and "# shell-pid1 (STOP201)" in markdown
    for key in ("STOP201", "shell-pid1", "stop201"):
        page = invoke(["explain", key])
        assert page.exit_code == 0 and page.stdout.startswith("# shell-pid1 (STOP201)")
    missing = invoke(["explain", "STOP999"])
    assert missing.exit_code == 2 and "unknown rule" in missing.stderr


def test_lint_and_fix_share_one_definition_of_their_common_options() -> None:
    def described(parser: Parser, option: str) -> str:
        """The lines of --help that describe ``option``."""
        found = re.search(rf"^  {option}\b.*?(?=^  -|^$)", parser.format_help(),
                          re.MULTILINE | re.DOTALL)
        assert found, option
        return found.group()

    shared = ("--engine", "--add-engine", "--image", "--image-config", "--select", "--ignore",
              "--config", "--no-config", "--stdin-filename")
    lint, fix = command_parser("lint"), command_parser("fix")
    for name in shared:
        assert described(lint, name) == described(fix, name), name
    argv = ["--engine", "openshift@4.9,docker", "--select=STOP101", "--no-config", "a.yaml",
            "--engine", "docker@28.0"]
    lint_options, fix_options = vars(lint.parse(argv)), vars(fix.parse(argv))
    for key in ("engines", "add_engines", "images", "select", "config_path", "no_config",
                "paths"):
        assert lint_options[key] == fix_options[key], key
    assert lint_options["engines"] == ["openshift@4.9,docker", "docker@28.0"]
    assert lint_options["paths"] == ["a.yaml"]


def test_main_runs_lint_through_argparse(capsys: pytest.CaptureFixture[str]) -> None:
    from stopsignal.cli import main

    for engine, pod, expected in (("openshift@4.10", LIFECYCLE_POD, 0),
                                  ("openshift@4.9", SYSTEMD_POD, 1)):
        with pytest.raises(SystemExit) as exit_:
            main(["lint", "--no-config", "--engine", engine, "--", pod])
        assert exit_.value.code == expected, engine
    assert "STOP101" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        main(["lint", "--format", "xml", SYSTEMD_POD])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == (
        "stopsignal: error: argument --format: invalid choice: 'xml' (choose from 'text', "
        "'json', 'sarif', 'github', 'gitlab', 'junit') (see 'stopsignal lint --help')\n")


def test_seed_directory_lints_as_the_article_says() -> None:
    """Containerfile.stopsignal-systemd builds localhost/stopsignal-systemd: joined by name."""
    code, found = findings("--engine", "openshift@4.9", str(SEED))
    flagged = {(Path(str(f["path"])).name, f["code"], f["severity"]) for f in found}
    assert code == 1
    assert ("pod-stopsignal-systemd.yaml", "STOP101", "error") in flagged
    assert ("Containerfile.stopsignal-systemd", "STOP101", "error") in flagged
    # The article: STOPSIGNAL 37 reaches the demo script as SIGTERM on OpenShift 4.9.
    assert ("Containerfile.stopsignal-demo-37", "STOP102", "warning") in flagged
    assert not any("lifecycle" in str(f["path"]) for f in found)
    assert findings("--engine", "openshift@4.10", str(SEED)) == (0, [])


@pytest.mark.parametrize("option", ["--engine", "--add-engine", "--image", "--image-config",
                                    "--select", "--ignore"])
@pytest.mark.parametrize("command", ["lint", "fix"])
def test_an_empty_value_is_a_usage_error_not_the_defaults(command: str, option: str) -> None:
    # `--engine "$ENGINE"` with the variable unset must not lint against the defaults.
    # fix --diff: were the empty value ignored, the seed files must still not be written.
    result = invoke([command, "--no-config", "--diff" if command == "fix" else "-v",
                     option, "", str(SEED)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"stopsignal: error: argument {option}: expected a value, got an "
                             f"empty string (see 'stopsignal {command} --help')\n")
