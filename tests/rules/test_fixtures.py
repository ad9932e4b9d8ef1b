"""Every rule's fire-* fixtures fire (where stated, at the stated place) and dont-fire-* do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from stopsignal.config import Config
from stopsignal.engine import lint_paths

from .fixture_cases import Case, all_cases

CASES = all_cases()


def run(case: Case) -> list[tuple[str, int, int, str, str, str, tuple[str, ...]]]:
    config = Config(engines=case.engines, select=(case.rule,))
    result = lint_paths([str(case.path)], config)
    assert not result.errors, result.errors
    assert result.containers, f"{case.id}: the fixture has no container"
    root = case.path if case.path.is_dir() else None
    return [(str(Path(f.location.path).relative_to(root)) if root else "", f.location.line,
             f.location.column, str(f.severity), f.rule, f.message, f.assumed)
            for f in result.findings]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_fixture(case: Case) -> None:
    findings = run(case)
    if not case.fires:
        assert findings == [], f"{case.id} should not fire"
        return
    assert findings, f"{case.id} should fire"
    assert {rule for *_, rule, _, _ in findings} == {case.rule}
    if case.expect:
        assert [(path, line, column, severity)
                for path, line, column, severity, *_ in findings] == case.expect
    for text in case.messages:
        for *_, message, _ in findings:
            assert text in message, message
    for text in case.assumed:
        for *_, assumed in findings:
            assert any(text in fact for fact in assumed), assumed
    for *_, severity, _, _, assumed in findings:
        assert not (assumed and severity == "error"), "an assumed fact makes a warning at most"
