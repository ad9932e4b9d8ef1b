"""Metrics from prometheus-client: the webhook's names, process metrics, content negotiation,
and the optional plain-HTTP metrics port; every exposition is read back with the client's
own parser."""

from __future__ import annotations

import ssl
import urllib.request
from pathlib import Path

import httpx
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families
from webhook_support import PYTHON, free_port, start_server, write_certs

from stopsignal.webhook.metrics import Metrics


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def test_names_values_and_process_metrics() -> None:
    metrics = Metrics()
    metrics.inc("requests_total", endpoint="/mutate", code="200")
    metrics.inc("requests_total", endpoint="/mutate", code="200")
    metrics.inc("mutations_total", rule="systemd-stop-signal")
    metrics.observe(0.002, endpoint="/mutate")
    found = samples(metrics.render())
    key = (("code", "200"), ("endpoint", "/mutate"))
    assert found[("stopsignal_webhook_requests_total", key)] == 2
    assert metrics.value("requests_total", endpoint="/mutate", code="200") == 2
    assert found[("stopsignal_webhook_mutations_total", (("rule", "systemd-stop-signal"),))] == 1
    bucket = ("stopsignal_webhook_request_duration_seconds_bucket",
              (("endpoint", "/mutate"), ("le", "0.0025")))
    assert found[bucket] == 1
    names = {name for name, _labels in found}
    assert {"process_cpu_seconds_total", "process_resident_memory_bytes",
            "process_open_fds", "python_info"} <= names
    assert Metrics(process=False).render().count("process_cpu") == 0


def test_openmetrics_when_asked() -> None:
    metrics = Metrics()
    metrics.inc("errors_total", kind="timeout")
    body, content_type = metrics.exposition("application/openmetrics-text; version=1.0.0")
    assert content_type.startswith("application/openmetrics-text")
    families = {family.name: family for family in openmetrics_families(body.decode())}
    [sample] = [s for s in families["stopsignal_webhook_errors"].samples
                if s.name.endswith("_total")]
    assert sample.labels == {"kind": "timeout"} and sample.value == 1
    plain_body, plain_type = metrics.exposition("")
    assert plain_type == "text/plain; version=0.0.4; charset=utf-8"
    assert b"stopsignal_webhook_errors_total" in plain_body


def test_metrics_port_serves_plain_http(tmp_path: Path) -> None:
    certs = write_certs(tmp_path / "certs")
    metrics_port = free_port()
    server = start_server(
        lambda port: [PYTHON, "-m", "stopsignal", "webhook", "serve", "--tls-cert",
                      str(certs.cert), "--tls-key", str(certs.key), "--host", "127.0.0.1",
                      "--port", str(port), "--metrics-port", str(metrics_port)],
        certs, tmp_path / "server.log")
    try:
        verify = ssl.create_default_context(cafile=str(certs.ca))
        with httpx.Client(verify=verify, base_url=server.url, timeout=10) as http:
            assert http.get("/healthz").status_code == 200
            over_https = http.get("/metrics").text
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics",
                                    timeout=10) as response:
            plain = response.read().decode()
        for text in (plain, over_https):
            found = samples(text)
            assert found[("stopsignal_webhook_requests_total",
                          (("code", "200"), ("endpoint", "/healthz")))] >= 1
            assert ("process_cpu_seconds_total", ()) in found
    finally:
        assert server.stop() == 0
