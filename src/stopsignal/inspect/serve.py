"""Serve inspection verdicts as Prometheus metrics, re-inspecting on an interval.

prometheus-client's own HTTP server answers scrapes from a thread; the main thread
inspects, then sleeps until the next round or until SIGTERM/SIGINT ends the process
(exit 0: a DaemonSet pod stops gracefully, as this tool would want of everyone).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from stopsignal.errors import StopSignalError
from stopsignal.inspect.live import InspectResult
from stopsignal.inspect.metrics import VerdictCollector

log = logging.getLogger("stopsignal.inspect")
Run = Callable[[], tuple[list[InspectResult], list[str]]]


def serve_metrics(run: Run, host: str, port: int, interval: float) -> None:
    """Inspect every ``interval`` seconds and serve the verdicts until stopped."""
    registry = CollectorRegistry()
    collector = VerdictCollector()
    registry.register(collector)
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    server, thread = start_http_server(port, addr=host, registry=registry)
    log.warning("serving metrics on %s:%d", host, server.server_port)
    try:
        while not stop.is_set():
            started = time.monotonic()
            try:
                results, _missing = run()
            except StopSignalError as error:
                collector.failed()
                log.warning("inspection failed: %s", error)
            else:
                collector.update(results, time.time(), time.monotonic() - started)
            stop.wait(interval)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
