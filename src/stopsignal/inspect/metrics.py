"""The node's verdicts as Prometheus metrics (prometheus-client), rebuilt at every scrape.

A custom collector rather than module-level gauges: containers come and go, and a
series for a container that no longer exists must disappear, not keep its last value.
Per container (labels namespace, pod, container, id, engine):

- ``stopsignal_inspect_container_verdict{verdict, signal}`` = 1
- ``stopsignal_inspect_container_sigkill`` = 1 when the stop would end in SIGKILL
- ``stopsignal_inspect_container_stop_signal`` = the signal number the engine sends
- ``stopsignal_inspect_container_grace_seconds`` = the grace period / stop timeout

and a summary: ``stopsignal_inspect_containers{verdict}``,
``stopsignal_inspect_sigkill_containers``, ``stopsignal_inspect_last_run_timestamp_seconds``,
``stopsignal_inspect_last_run_duration_seconds`` and ``stopsignal_inspect_errors_total``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from stopsignal.inspect.live import InspectResult

PREFIX = "stopsignal_inspect_"
VERDICTS = ("acts", "ignores", "re-executes", "blocked", "unknown")
KEYS = ["namespace", "pod", "container", "id", "engine"]


class VerdictCollector(Collector):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._results: tuple[InspectResult, ...] = ()
        self._finished: float | None = None
        self._duration = 0.0
        self._errors = 0

    def update(self, results: Sequence[InspectResult], finished: float, duration: float) -> None:
        with self._lock:
            self._results = tuple(results)
            self._finished = finished
            self._duration = duration

    def failed(self) -> None:
        with self._lock:
            self._errors += 1

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            results, finished = self._results, self._finished
            duration, errors = self._duration, self._errors
        verdict = GaugeMetricFamily(f"{PREFIX}container_verdict",
                                    "What PID 1 does with the stop signal (value 1).",
                                    labels=[*KEYS, "verdict", "signal"])
        sigkill = GaugeMetricFamily(f"{PREFIX}container_sigkill",
                                    "1 when the stop would end in SIGKILL.", labels=KEYS)
        signal = GaugeMetricFamily(f"{PREFIX}container_stop_signal",
                                   "The signal number the engine sends at stop.", labels=KEYS)
        grace = GaugeMetricFamily(f"{PREFIX}container_grace_seconds",
                                  "Grace period or stop timeout.", labels=KEYS)
        counts = dict.fromkeys(VERDICTS, 0)
        for result in results:
            data = result.as_dict()
            keys = [data["namespace"] or "", data["pod"] or "", data["name"], data["id"],
                    data["engine"]]
            counts[data["verdict"]] += 1
            verdict.add_metric([*keys, data["verdict"], data["stop_signal"] or ""], 1)
            sigkill.add_metric(keys, 1 if result.sigkilled else 0)
            if result.plan is not None and result.plan.signal is not None:
                signal.add_metric(keys, result.plan.signal)
            if data["grace_seconds"] is not None:
                grace.add_metric(keys, data["grace_seconds"])
        yield from (verdict, sigkill, signal, grace)
        summary = GaugeMetricFamily(f"{PREFIX}containers", "Containers by verdict.",
                                    labels=["verdict"])
        for name, count in counts.items():
            summary.add_metric([name], count)
        yield summary
        yield GaugeMetricFamily(f"{PREFIX}sigkill_containers",
                                "Containers whose stop would end in SIGKILL.",
                                value=sum(r.sigkilled for r in results))
        if finished is not None:
            yield GaugeMetricFamily(f"{PREFIX}last_run_timestamp_seconds",
                                    "When the last inspection finished.", value=finished)
            yield GaugeMetricFamily(f"{PREFIX}last_run_duration_seconds",
                                    "How long the last inspection took.", value=duration)
        yield CounterMetricFamily(f"{PREFIX}errors", "Inspections that failed (engine "
                                  "unreachable).", value=errors)
