"""Choosing fixes and checking coverage stay linear in the number of fixes (a pod with
thousands of containers) and agree exactly with the pairwise definitions."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from stopsignal.fixing import data
from stopsignal.fixing.apply import _overlap, choose
from stopsignal.model import Applicability, Edit, Finding, Fix, Location, Severity

PATH = "f.yaml"
KEYS = st.sampled_from(["spec", "containers", "lifecycle", 0, 1])
YAML_PATHS = st.lists(KEYS, max_size=4).map(tuple)


@st.composite
def edits(draw: Any) -> Edit:
    if draw(st.integers(0, 5)) == 0:
        start = draw(st.integers(1, 6))
        return Edit(PATH, "replace-lines", start_line=start,
                    end_line=start + draw(st.integers(0, 2)), text="x")
    return Edit(PATH, draw(st.sampled_from(["set", "remove"])), draw(st.integers(0, 1)),
                draw(YAML_PATHS), draw(st.sampled_from([1, {"a": 1}, None])))


FIXES = st.builds(lambda title, edits: Fix(title, tuple(edits)),
                  st.sampled_from(["a", "b"]), st.lists(edits(), min_size=1, max_size=2))


def _finding(fix: Fix) -> Finding:
    return Finding("STOP999", "r", Severity.ERROR, Location(PATH, 1, 1), "m", fix=fix)


def _reference(findings: list[Finding]) -> list[tuple[Fix, list[Finding]]]:
    """The pairwise definition (what ``choose`` did before it was indexed)."""
    chosen: list[tuple[Fix, list[Finding]]] = []
    for finding in findings:
        fix = finding.fix
        assert fix is not None
        same = next((group for taken, group in chosen if taken == fix), None)
        if same is not None:
            same.append(finding)
        elif not any(_overlap(fix, taken) for taken, _ in chosen):
            chosen.append((fix, [finding]))
    return chosen


@settings(max_examples=400, deadline=None)
@given(st.lists(FIXES, max_size=8))
def test_choose_agrees_with_the_pairwise_definition(fixes: list[Fix]) -> None:
    findings = [_finding(fix) for fix in fixes]
    assert choose(findings, PATH, unsafe=False) == _reference(findings)


@settings(max_examples=400, deadline=None)
@given(st.lists(YAML_PATHS, max_size=6), st.lists(YAML_PATHS, max_size=6))
def test_coverage_agrees_with_covered(edited: list[Any], changed: list[Any]) -> None:
    coverage = data.Coverage(edited)
    assert [path in coverage for path in changed] == \
        [data.covered(path, edited) for path in changed]


def test_unsafe_and_foreign_fixes_are_left_out() -> None:
    unsafe = Fix("u", (Edit(PATH, "set", 0, ("a",), 1),), Applicability.UNSAFE)
    foreign = Fix("f", (Edit("other.yaml", "set", 0, ("b",), 1),))
    assert choose([_finding(unsafe), _finding(foreign)], PATH, unsafe=False) == []
    assert [fix for fix, _ in choose([_finding(unsafe)], PATH, unsafe=True)] == [unsafe]
