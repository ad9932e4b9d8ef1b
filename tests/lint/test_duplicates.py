"""Several containers reaching the same line give one finding, not one per container."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from stopsignal.config import Config
from stopsignal.engine import lint_paths
from stopsignal.engine.duplicates import fold
from stopsignal.model import Applicability, Edit, Finding, Fix, Location, Severity

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed"
STOPSIGNAL_LINE = Location("seed/Containerfile", 13, 1)


def finding(severity: Severity = Severity.INFO, *, object: str = "Pod/a",
            location: Location = STOPSIGNAL_LINE, code: str = "STOP103",
            assumed: tuple[str, ...] = (), fix: Fix | None = None) -> Finding:
    return Finding(code, "rule", severity, location, f"{object}: message", object=object,
                   container="c", assumed=assumed, fix=fix)


def test_the_most_severe_is_kept() -> None:
    kept = fold([finding(object="Pod/a"), finding(Severity.WARNING, object="Pod/b"),
                 finding(object="Pod/c")])
    assert [(f.severity, f.object) for f in kept] == [(Severity.WARNING, "Pod/b")]


def test_the_most_specific_is_kept_among_equally_severe() -> None:
    assumed = finding(object="Pod/a", assumed=("the base image declares no STOPSIGNAL",))
    certain = finding(object="Pod/b")
    assert fold([assumed, certain]) == [certain]
    fix = Fix("Spell it SIGRTMIN+3", (Edit(STOPSIGNAL_LINE.path, "replace-instruction",
                                             start_line=13, text="STOPSIGNAL SIGRTMIN+3"),),
              Applicability.SAFE)
    fixable = finding(object="Pod/c", fix=fix)
    assert fold([certain, fixable]) == [fixable]


def test_the_choice_does_not_depend_on_input_order() -> None:
    many = [finding(object=name) for name in ("Pod/c", "Containerfile stage 0", "Pod/a")]
    assert fold(many) == fold(many[::-1]) == [many[1]]


def test_other_places_and_codes_are_kept_in_order() -> None:
    elsewhere = finding(location=STOPSIGNAL_LINE._replace(column=2))
    other_code = finding(code="STOP101")
    earlier = finding(location=STOPSIGNAL_LINE._replace(line=4))
    assert fold([elsewhere, finding(), other_code, earlier]) == [
        earlier, other_code, finding(), elsewhere]


def places(findings: list[Finding]) -> Counter[tuple[str, int, int, str]]:
    return Counter((f.location.path, f.location.line, f.location.column, f.code)
                   for f in findings)


@pytest.mark.parametrize("jobs", [1, 2])
def test_pods_of_a_built_image_and_its_containerfile_report_its_line_once(
        tmp_path: Path, jobs: int) -> None:
    """Both pods run the image the Containerfile builds; all three reach its STOPSIGNAL."""
    containerfile = tmp_path / "Containerfile.stopsignal-systemd"
    shutil.copy(SEED / containerfile.name, containerfile)
    pod = (SEED / "pod-stopsignal-systemd.yaml").read_text()
    (tmp_path / "a.yaml").write_text(pod)
    (tmp_path / "b.yaml").write_text(pod.replace("name: stopsignal-systemd",
                                                 "name: stopsignal-systemd-b"))
    result = lint_paths([str(tmp_path)], Config(select=("stop-signal-portability",)), jobs=jobs)
    assert result.containers == 3
    assert [(f.location.path, f.location.line, f.code) for f in result.findings] == [
        (str(containerfile), 13, "STOP103")]


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_examples_have_no_duplicate_findings(jobs: int) -> None:
    result = lint_paths([str(ROOT / "examples")], Config(), jobs=jobs)
    at_stopsignal = [f for f in result.findings
                     if f.location.path.endswith("Containerfile.stopsignal-systemd")
                     and f.location.line == 13]
    assert [f.code for f in at_stopsignal] == ["STOP103"]
    assert max(places(result.findings).values()) == 1


def test_containers_shared_through_a_yaml_anchor_are_reported_once() -> None:
    """Two pods list the same anchored container; ``fix`` still edits both (its cases)."""
    pods = ROOT / "tests" / "fix" / "cases" / "list-anchors-aliases" / "pods.yaml"
    result = lint_paths([str(pods)], Config(engines=("openshift@4.9",)))
    assert result.containers == 3
    assert [(f.location.line, f.code) for f in result.findings] == [(15, "STOP101")]
