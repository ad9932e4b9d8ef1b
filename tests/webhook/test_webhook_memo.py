"""The review memo: same content, same answer; bounded; failures are not remembered."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest

from stopsignal.webhook.budget import ReviewTimeout, time_budget
from stopsignal.webhook.memo import MAX_IGNORED_CHARS, MAX_KEY_CHARS, Memo, object_key


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


def _pod(**metadata: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"labels": {"app": "web"}, **metadata},
            "spec": {"containers": [{"name": "app", "image": "localhost/stopsignal-systemd",
                                     "command": ["/sbin/init"]}]}}


def test_pods_of_one_replicaset_share_an_answer() -> None:
    memo, calls = counting()
    first = memo(_pod(name="web-7c9d8-abcde", generateName="web-7c9d8-", uid="u1",
                      resourceVersion="1", creationTimestamp=None))
    second = memo(_pod(name="web-7c9d8-fghij", generateName="web-7c9d8-", uid="u2",
                       resourceVersion="9", managedFields=[{"manager": "kube-controller"}]))
    assert first == second == 1
    assert (memo.hits, len(calls)) == (1, 1)


@pytest.mark.parametrize("change", [
    {"labels": {"app": "other"}},
    {"annotations": {"stopsignal.io/ignore": "true"}},
    {"namespace": "other"},
])
def test_metadata_that_may_matter_stays_in_the_key(change: dict[str, Any]) -> None:
    memo, calls = counting()
    memo(_pod(name="a"))
    memo({**_pod(name="b"), "metadata": {**_pod()["metadata"], "name": "b", **change}})
    assert len(calls) == 2


def test_the_spec_stays_in_the_key() -> None:
    memo, calls = counting()
    other = _pod(name="b")
    other["spec"]["containers"][0]["image"] = "nginx"
    memo(_pod(name="a"))
    memo(other)
    assert len(calls) == 2


@pytest.mark.parametrize("odd", ["caf\u00e9", "del\x7f", "x" * (MAX_IGNORED_CHARS + 1)])
def test_bookkeeping_a_reader_might_choke_on_is_kept(odd: str) -> None:
    # lint reads the object as text: only plain ASCII of modest size is known to be inert
    assert object_key(_pod(name=odd)) != object_key(_pod(name="plain"))
    assert object_key(_pod(uid="1", managedFields=[{"f": odd}])) \
        != object_key(_pod(uid="1", managedFields=[{"f": "plain"}]))
    assert object_key(_pod(name="a", uid="1")) == object_key(_pod(name="b", uid="2"))


def test_a_shared_answer_patches_the_second_pod_correctly() -> None:
    import jsonpatch

    from stopsignal.webhook.review import decide
    from stopsignal.webhook.server import review_config

    config = review_config(["openshift@4.9"])
    answers = []
    for index, name in enumerate(("web-abcde", "web-fghij")):
        obj = _pod(name=name, uid=f"uid-{index}")
        request = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                   "request": {"uid": f"r{index}", "operation": "CREATE", "object": obj}}
        response = decide(request, config, "mutate").review["response"]
        patch = json.loads(base64.b64decode(response["patch"]))
        patched = jsonpatch.apply_patch(obj, patch)
        assert patched["metadata"]["name"] == name
        assert "preStop" in patched["spec"]["containers"][0]["lifecycle"]
        answers.append((response["uid"], response["warnings"]))
    assert config.fixer.hits == 1  # type: ignore[attr-defined]
    assert answers[0][0] == "r0" and answers[1][0] == "r1"
    assert answers[0][1] == answers[1][1]


def test_the_server_budget_keeps_one_timer_running() -> None:
    """Once SIGALRM is ours, reviews do not set a timer each: one timer, re-armed by the
    handler until the current review's deadline, still interrupts a review in time."""
    import signal

    from stopsignal.webhook import budget

    previous = signal.signal(signal.SIGALRM, signal.SIG_DFL)
    theirs = signal.setitimer(signal.ITIMER_REAL, 0)  # pytest-timeout's, if any: paused
    calls: list[float] = []
    real = signal.setitimer

    def counting(which: int, seconds: float, interval: float = 0.0) -> tuple[float, float]:
        calls.append(seconds)
        return real(which, seconds, interval)

    try:
        with time_budget(0.3):
            pass  # installs the handler (the server's first review)
        signal.setitimer = counting  # type: ignore[assignment]
        for _ in range(50):
            with time_budget(0.3):
                pass
        assert len(calls) <= 1  # not two per review
        time.sleep(0.35)  # the timer fires between reviews: ignored
        started = time.monotonic()
        with pytest.raises(ReviewTimeout), time_budget(0.2):
            while True:
                sum(range(1000))
        assert 0.15 < time.monotonic() - started < 1.0
        assert budget.expired()
        time.sleep(0.2)
        with time_budget(0.3):
            time.sleep(0.05)  # finishes in time: no timeout
        assert not budget.expired()
    finally:
        signal.setitimer = real  # type: ignore[assignment]
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        budget._pending[0] = None
        if theirs[0] > 0:
            signal.setitimer(signal.ITIMER_REAL, *theirs)
