"""A few Prometheus metrics, exposed in the text format (version 0.0.4) without a client library.

Counters and one histogram are all the webhook needs; writing the exposition is
a few lines, and it keeps prometheus-client out of the image. The server runs on
one event loop, but the lock keeps the registry correct if a caller uses threads.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import defaultdict

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Admission calls time out after timeoutSeconds (5 s); most take about a millisecond.
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
PREFIX = "stopsignal_webhook_"

Labels = tuple[tuple[str, str], ...]


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[str, dict[Labels, float]] = defaultdict(dict)
        self._hist_counts: dict[Labels, list[int]] = {}
        self._hist_sums: dict[Labels, float] = {}

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        with self._lock:
            series = self._counters[name]
            series[key] = series.get(key, 0.0) + amount

    def observe(self, seconds: float, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        with self._lock:
            counts = self._hist_counts.setdefault(key, [0] * (len(BUCKETS) + 1))
            counts[bisect_left(BUCKETS, seconds)] += 1
            self._hist_sums[key] = self._hist_sums.get(key, 0.0) + seconds

    def value(self, name: str, **labels: str) -> float:
        with self._lock:
            return self._counters.get(name, {}).get(tuple(sorted(labels.items())), 0.0)

    def render(self) -> str:
        lines: list[str] = []
        with self._lock:
            for name in sorted(set(_HELP) - {"request_duration_seconds"}):
                lines += [f"# HELP {PREFIX}{name} {_HELP[name]}", f"# TYPE {PREFIX}{name} counter"]
                for labels, value in sorted(self._counters.get(name, {}).items()):
                    lines.append(f"{PREFIX}{name}{_labels(labels)} {_number(value)}")
            name = f"{PREFIX}request_duration_seconds"
            lines += [f"# HELP {name} {_HELP['request_duration_seconds']}",
                      f"# TYPE {name} histogram"]
            for labels, counts in sorted(self._hist_counts.items()):
                cumulative = 0
                for bound, count in zip((*BUCKETS, float("inf")), counts, strict=True):
                    cumulative += count
                    le = "+Inf" if bound == float("inf") else repr(bound)
                    lines.append(f"{name}_bucket{_labels((*labels, ('le', le)))} {cumulative}")
                lines.append(f"{name}_sum{_labels(labels)} {_number(self._hist_sums[labels])}")
                lines.append(f"{name}_count{_labels(labels)} {cumulative}")
        return "\n".join(lines) + "\n"


_HELP = {
    "requests_total": "HTTP requests by endpoint and status code.",
    "reviews_total": "Admission reviews by endpoint and result.",
    "mutations_total": "Findings fixed by a returned patch, by rule.",
    "errors_total": "Requests the webhook could not fully serve, by kind.",
    "cert_reloads_total": "Serving certificate reloads, by result.",
    "request_duration_seconds": "Time to answer a request, by endpoint.",
}


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{key}="{_escape(value)}"' for key, value in labels)
    return "{" + inner + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)
