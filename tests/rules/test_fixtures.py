"""Every rule's fire-* fixtures fire (where stated, at the stated place) and dont-fire-* do not."""

from __future__ import annotations

import pytest

from stopsignal.config import Config
from stopsignal.engine import lint_paths

from .fixture_cases import Case, all_cases

CASES = all_cases()


def run(case: Case) -> list[tuple[int, int, str, str, str]]:
    config = Config(engines=case.engines, select=(case.rule,))
    result = lint_paths([str(case.path)], config)
    assert not result.errors, result.errors
    assert result.containers, f"{case.id}: the fixture has no container"
    return [(f.location.line, f.location.column, str(f.severity), f.rule, f.message)
            for f in result.findings]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_fixture(case: Case) -> None:
    findings = run(case)
    if not case.fires:
        assert findings == [], f"{case.id} should not fire"
        return
    assert findings, f"{case.id} should fire"
    assert {rule for *_, rule, _ in findings} == {case.rule}
    if case.expect:
        assert [(line, column, severity) for line, column, severity, _, _ in findings] \
            == case.expect
    for text in case.messages:
        for *_, message in findings:
            assert text in message, message
