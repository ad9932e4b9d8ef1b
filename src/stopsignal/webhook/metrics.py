"""The webhook's Prometheus metrics, from prometheus-client (process metrics included).

One registry per ``Metrics`` (not the library's global one), so that tests and several
apps in one process do not share counters. The metric names are the ones the webhook
has always exposed; the client adds the usual ``*_created`` series and, from the
process collectors, ``process_*`` (CPU, memory, open files) and ``python_*``.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import (
    CONTENT_TYPE_LATEST,
    CONTENT_TYPE_PLAIN_0_0_4,
    choose_encoder,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
# Admission calls time out after timeoutSeconds (5 s); most take about a millisecond.
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
PREFIX = "stopsignal_webhook_"

# name -> (help, label names, sorted as the exposition has always shown them)
COUNTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "requests_total": ("HTTP requests by endpoint and status code.", ("code", "endpoint")),
    "reviews_total": ("Admission reviews by endpoint and result.", ("endpoint", "result")),
    "mutations_total": ("Findings fixed by a returned patch, by rule.", ("rule",)),
    "errors_total": ("Requests the webhook could not fully serve, by kind.", ("kind",)),
    "cert_reloads_total": ("Serving certificate reloads, by result.", ("result",)),
}


class Metrics:
    def __init__(self, *, process: bool = True) -> None:
        self.registry = CollectorRegistry()
        self._counters = {
            name: Counter(f"{PREFIX}{name}", text, labels, registry=self.registry)
            for name, (text, labels) in COUNTERS.items()
        }
        self._duration = Histogram(f"{PREFIX}request_duration_seconds",
                                   "Time to answer a request, by endpoint.", ("endpoint",),
                                   buckets=BUCKETS, registry=self.registry)
        if process:
            ProcessCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)
            GCCollector(registry=self.registry)

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        self._counters[name].labels(**labels).inc(amount)

    def observe(self, seconds: float, **labels: str) -> None:
        self._duration.labels(**labels).observe(seconds)

    def value(self, name: str, **labels: str) -> float:
        found = self.registry.get_sample_value(f"{PREFIX}{name}", labels)
        return found if found is not None else 0.0

    def render(self) -> str:
        return generate_latest(self.registry).decode()

    def exposition(self, accept: str = "") -> tuple[bytes, str]:
        """The body and content type for a scrape: OpenMetrics when the scraper asks for it.

        Otherwise the classic text format, labelled 0.0.4 unless 1.0.0 is asked for: for
        these metric names the two are the same text, and every scraper reads 0.0.4.
        """
        encoder, content_type = choose_encoder(accept)
        if content_type == CONTENT_TYPE_LATEST and "version=1.0.0" not in accept:
            content_type = CONTENT_TYPE
        return encoder(self.registry), content_type
