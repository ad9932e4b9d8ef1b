"""The machine formats: SARIF (against the 2.1.0 schema), GitLab Code Quality, JUnit XML."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from stopsignal import config, engine
from stopsignal.engine import LintResult
from stopsignal.readers import read_text
from stopsignal.report import renderer

from .sarif_schema import sarif_schema

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed"
POD = (SEED / "pod-stopsignal-systemd.yaml").read_text()
OPENSHIFT_4_9 = config.Config(engines=("openshift@4.9",))


def lint_as(*named: tuple[str, str]) -> LintResult:
    """Lint texts as if they were files with these names (paths are what reports show)."""
    return engine.lint_results([read_text(text, name) for name, text in named], OPENSHIFT_4_9)


def test_sarif_validates_against_the_2_1_0_schema() -> None:
    result = lint_as(("k8s/pod.yaml", POD), ("broken.yaml", "a: [\n"))
    assert result.findings and result.errors
    log = json.loads(renderer("sarif")(result, verbose=True))
    jsonschema.Draft4Validator(sarif_schema()).validate(log)


def test_sarif_schema_check_can_fail() -> None:
    log = json.loads(renderer("sarif")(lint_as(("pod.yaml", POD))))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(sarif_schema()).validate(log)


def test_sarif_relative_uris_use_srcroot(monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    log = json.loads(renderer("sarif")(lint_as(("k8s/a b#1.yaml", POD))))
    run = log["runs"][0]
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == tmp_path.as_uri() + "/"
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "k8s/a%20b%231.yaml", "uriBaseId": "%SRCROOT%"}
    # Resolved against the base, the URI names the file again.
    assert unquote(urlsplit(base + location["uri"]).path) == f"{tmp_path}/k8s/a b#1.yaml"


def test_sarif_absolute_paths_are_file_uris() -> None:
    log = json.loads(renderer("sarif")(lint_as(("/srv/my repo/#ops/pod.yaml", POD))))
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "file:///srv/my%20repo/%23ops/pod.yaml"}


def test_sarif_help_uri_only_for_documented_rules() -> None:
    rules = json.loads(renderer("sarif")(lint_as(("pod.yaml", POD))))["runs"][0]["tool"][
        "driver"]["rules"]
    documented = [rule for rule in rules if "helpUri" in rule]
    assert {rule["id"] for rule in rules} - {rule["id"] for rule in documented} == {"STOP900"}
    for rule in documented:
        page = rule["helpUri"].split("/blob/main/", 1)[1]
        assert (ROOT / page).is_file(), rule["helpUri"]


def test_gitlab_code_quality() -> None:
    result = lint_as(("k8s/pod.yaml", POD), ("k8s/copy.yaml", POD), ("broken.yaml", "a: [\n"))
    issues = json.loads(renderer("gitlab")(result))
    assert [(i["check_name"], i["severity"], i["location"]) for i in issues] == [
        ("STOP900", "major", {"path": "broken.yaml", "lines": {"begin": 2}}),
        ("STOP101", "major", {"path": "k8s/copy.yaml", "lines": {"begin": 19}}),
        ("STOP101", "major", {"path": "k8s/pod.yaml", "lines": {"begin": 19}}),
    ]
    assert all(isinstance(i["description"], str) and i["description"] for i in issues)
    assert len({i["fingerprint"] for i in issues}) == 3
    # Lines moving above a finding do not change its fingerprint.
    moved = json.loads(renderer("gitlab")(lint_as(("k8s/pod.yaml", "\n\n" + POD))))
    assert moved[0]["location"]["lines"]["begin"] == 21
    assert moved[0]["fingerprint"] == issues[2]["fingerprint"]


def test_gitlab_paths_relative_to_the_repository(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    issues = json.loads(renderer("gitlab")(lint_as((f"{tmp_path}/deploy//pod.yaml", POD))))
    assert issues[0]["location"]["path"] == "deploy/pod.yaml"


def test_junit() -> None:
    result = lint_as(("k8s/pod.yaml", POD), ("broken.yaml", "a: [\n"))
    root = ET.fromstring(renderer("junit")(result, verbose=True).encode())
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("errors")) == (
        "testsuites", "2", "1", "1")
    suites = {suite.get("name"): suite for suite in root}
    case = suites["k8s/pod.yaml"].find("testcase")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "STOP101"
    assert case.get("name") == "STOP101 systemd-stop-signal Pod/stopsignal-systemd container nginx"
    assert failure.text is not None and "kubelet" in failure.text  # -v: the trail
    assert suites["broken.yaml"].find("testcase/error") is not None


def test_junit_clean_run_is_one_passing_case() -> None:
    root = ET.fromstring(renderer("junit")(lint_as(("ok.yaml", "a: 1\n"))).encode())
    cases = root.findall("testsuite/testcase")
    assert len(cases) == 1 and not list(cases[0])
    assert root.get("failures") == "0"


def test_text_colour_only_adds_styles() -> None:
    from stopsignal.report.style import unstyle

    result = lint_as(("pod.yaml", POD))
    plain = renderer("text")(result)
    coloured = renderer("text")(result, color=True)
    assert "\x1b[" not in plain and "\x1b[31m" in coloured  # red for an error
    assert unstyle(coloured) == plain


@pytest.mark.parametrize("name", ["json", "sarif", "github", "gitlab", "junit"])
def test_machine_formats_ignore_colour(name: str) -> None:
    result = lint_as(("pod.yaml", POD))
    assert renderer(name)(result, color=True) == renderer(name)(result)


def test_assumed_facts_in_json_and_sarif() -> None:
    # A Containerfile on a base image lint cannot see: the verdict rests on its STOPSIGNAL.
    containerfile = 'FROM quay.io/acme/systemd-base:1\nCMD ["/sbin/init"]\n'
    result = engine.lint_results([read_text(containerfile, "Containerfile")],
                                 config.Config(select=("systemd-stop-signal",)))
    (finding,) = json.loads(renderer("json")(result))["findings"]
    fact = "the base image quay.io/acme/systemd-base:1 declares no STOPSIGNAL"
    assert finding["assumed"] == [fact] and finding["severity"] == "warning"
    log = json.loads(renderer("sarif")(result))
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    (entry,) = log["runs"][0]["results"]
    assert entry["properties"]["assumed"] == [fact] and entry["level"] == "warning"
    # Known facts: nothing assumed, an error.
    known = engine.lint_results([read_text(containerfile.replace(
        "quay.io/acme/systemd-base:1", "fedora:40"), "Containerfile")],
        config.Config(select=("systemd-stop-signal",)))
    (finding,) = json.loads(renderer("json")(known))["findings"]
    assert finding["assumed"] == [] and finding["severity"] == "error"
