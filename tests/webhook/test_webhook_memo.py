"""The review memo: same content, same answer; bounded; failures are not remembered."""

from __future__ import annotations

import time
from typing import Any

import pytest

from stopsignal.webhook.budget import ReviewTimeout, time_budget
from stopsignal.webhook.memo import MAX_KEY_CHARS, Memo


def counting() -> tuple[Memo[int], list[dict[str, Any]]]:
    calls: list[dict[str, Any]] = []

    def compute(obj: dict[str, Any]) -> int:
        calls.append(obj)
        if obj.get("fail"):
            raise ValueError("engine failed")
        return len(calls)

    return Memo(compute, size=2), calls


def test_equal_content_hits_whatever_the_key_order() -> None:
    memo, calls = counting()
    assert memo({"a": 1, "b": {"c": 2}}) == memo({"b": {"c": 2}, "a": 1}) == 1
    assert (memo.hits, memo.misses, len(calls)) == (1, 1, 1)
    assert memo({"a": 2, "b": {"c": 2}}) == 2


def test_least_recently_used_is_evicted() -> None:
    memo, calls = counting()
    memo({"n": 1})
    memo({"n": 2})
    memo({"n": 1})  # refresh 1
    memo({"n": 3})  # evicts 2
    memo({"n": 1})
    memo({"n": 2})
    assert [c["n"] for c in calls] == [1, 2, 3, 2]


def test_failures_are_retried_and_large_objects_not_kept() -> None:
    memo, calls = counting()
    for _ in range(2):
        with pytest.raises(ValueError):
            memo({"fail": True})
    assert len(calls) == 2
    big = {"x": "y" * MAX_KEY_CHARS}
    memo(big)
    memo(big)
    assert len(calls) == 4


def test_size_zero_disables() -> None:
    calls: list[int] = []
    memo = Memo(lambda obj: calls.append(1) or len(calls), size=0)
    memo({})
    memo({})
    assert len(calls) == 2


def test_a_timeout_is_remembered() -> None:
    calls: list[int] = []

    def slow(obj: dict[str, Any]) -> int:
        calls.append(1)
        raise ReviewTimeout("the review took longer than 2 s")

    memo: Memo[int] = Memo(slow)
    for _ in range(3):
        with pytest.raises(ReviewTimeout, match="longer than 2 s"):
            memo({"kind": "Pod"})
    assert len(calls) == 1


def test_a_timeout_the_engine_wrapped_is_remembered_too() -> None:
    calls: list[int] = []

    def wrapping(obj: dict[str, Any]) -> int:
        calls.append(1)
        try:
            while True:
                sum(range(1000))
        except ReviewTimeout as error:  # as the fix engine does with any failure
            raise ValueError(f"cannot apply the fix ({error})") from error

    memo: Memo[int] = Memo(wrapping)
    with pytest.raises(ValueError), time_budget(0.1):
        memo({"kind": "Pod"})
    with pytest.raises(ReviewTimeout, match="cannot apply the fix"):
        memo({"kind": "Pod"})
    assert len(calls) == 1


def test_total_key_size_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import stopsignal.webhook.memo as memo_module

    monkeypatch.setattr(memo_module, "MAX_TOTAL_CHARS", 100)
    calls: list[int] = []
    memo = Memo(lambda obj: calls.append(1) or len(calls), size=1000)
    for n in range(10):
        memo({"n": n, "pad": "x" * 20})  # about 30 characters each: 3 fit
    memo({"n": 9, "pad": "x" * 20})
    memo({"n": 0, "pad": "x" * 20})
    assert len(calls) == 11


def test_the_budget_gives_another_alarm_back() -> None:
    import signal

    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with time_budget(5):
            pass
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0  # still counting down
        with pytest.raises(ReviewTimeout), time_budget(0.05):
            while True:
                sum(range(1000))
        time.sleep(0.5)
        assert fired == [1]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
