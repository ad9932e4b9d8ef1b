"""The node's verdict metrics, rendered by prometheus-client and read back with its parser."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from stopsignal.inspect.facts import LiveContainer
from stopsignal.inspect.judge import Judgement, StopPlan
from stopsignal.inspect.live import InspectResult
from stopsignal.inspect.metrics import VerdictCollector


def result(name: str, verdict: str, sigkill: bool, signal: int | None,
           grace: float | None) -> InspectResult:
    container = LiveContainer(id=f"id-{name}", name=name, engine="containerd",
                              version="1.6.20", pid=None, started=None, created=None,
                              stop_signal=None, grace=grace, pod=f"{name}-pod",
                              namespace="shop")
    judgement = Judgement(verdict, "because", sigkill)  # type: ignore[arg-type]
    return InspectResult(container, StopPlan(signal, grace, "x"), {}, judgement, None)


def scrape(collector: VerdictCollector) -> dict[str, list[tuple[dict[str, str], float]]]:
    registry = CollectorRegistry()
    registry.register(collector)
    text = generate_latest(registry).decode()
    return {family.name: [(sample.labels, sample.value) for sample in family.samples]
            for family in text_string_to_metric_families(text)}


def test_gauges_per_container_and_summary() -> None:
    collector = VerdictCollector()
    collector.update([result("web", "acts", False, 37, 30.0),
                      result("db", "re-executes", True, 15, 30.0),
                      result("job", "unknown", False, None, None)], 1_800_000_000.0, 0.25)
    found = scrape(collector)
    verdicts = {labels["container"]: (labels["verdict"], labels["signal"], value)
                for labels, value in found["stopsignal_inspect_container_verdict"]}
    assert verdicts == {"web": ("acts", "SIGRTMIN+3", 1.0), "db": ("re-executes", "SIGTERM", 1.0),
                        "job": ("unknown", "", 1.0)}
    sigkill = {labels["container"]: value
               for labels, value in found["stopsignal_inspect_container_sigkill"]}
    assert sigkill == {"web": 0.0, "db": 1.0, "job": 0.0}
    signals = {labels["container"]: value
               for labels, value in found["stopsignal_inspect_container_stop_signal"]}
    assert signals == {"web": 37.0, "db": 15.0}
    [(labels, _value), *_] = found["stopsignal_inspect_container_grace_seconds"]
    assert labels == {"namespace": "shop", "pod": "web-pod", "container": "web", "id": "id-web",
                      "engine": "containerd"}
    summary = {labels["verdict"]: value for labels, value in found["stopsignal_inspect_containers"]}
    assert summary == {"acts": 1, "ignores": 0, "re-executes": 1, "blocked": 0, "unknown": 1}
    assert found["stopsignal_inspect_sigkill_containers"] == [({}, 1.0)]
    assert found["stopsignal_inspect_last_run_timestamp_seconds"] == [({}, 1_800_000_000.0)]


def test_containers_that_are_gone_disappear_and_failures_count() -> None:
    collector = VerdictCollector()
    collector.update([result("web", "acts", False, 15, 30.0)], 1.0, 0.1)
    collector.update([], 2.0, 0.1)
    collector.failed()
    found = scrape(collector)
    assert found["stopsignal_inspect_container_verdict"] == []
    assert found["stopsignal_inspect_errors"] == [({}, 1.0)]  # the _total sample
