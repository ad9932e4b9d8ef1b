"""The real HTTPS server on 127.0.0.1: TLS, 400/413, certificate reload, graceful SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
from webhook_support import (
    CertDir,
    Server,
    admission_review,
    decode_patch,
    free_port,
    start_server,
    write_certs,
)

from stopsignal.webhook.app import MAX_BODY

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
       "spec": {"containers": [{"name": "web", "image": "img"}]}}


def client(certs: CertDir, **kwargs: Any) -> httpx.Client:
    return httpx.Client(verify=ssl.create_default_context(cafile=str(certs.ca)), timeout=10,
                        **kwargs)


def tls_socket(server: Server, ca: Path | None = None) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=str(ca or server.certs.ca))
    raw = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return context.wrap_socket(raw, server_hostname="localhost")


def read_response(sock: ssl.SSLSocket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length")))
    while len(body) < length:
        body += sock.recv(65536)
    return int(head.split()[1]), body


def test_serves_reviews_health_and_metrics(stub_server: Server) -> None:
    with client(stub_server.certs, base_url=stub_server.url) as http:
        assert http.get("/healthz").text == "ok\n"
        assert http.get("/readyz").status_code == 200
        answer = http.post("/mutate", json=admission_review(POD, uid="u-42"))
        assert answer.status_code == 200
        assert answer.json()["response"] == {"uid": "u-42", "allowed": True}
        assert "stopsignal_webhook_requests_total" in http.get("/metrics").text


def test_tls_below_1_2_is_refused(stub_server: Server) -> None:
    def old_client(maximum: ssl.TLSVersion) -> ssl.SSLContext:
        # A client willing to speak TLS 1.0/1.1 (security level 0), so that the refusal
        # measured is the server's.
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(cafile=str(stub_server.certs.ca))
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = maximum
        return context

    address = ("127.0.0.1", stub_server.port)
    with socket.create_connection(address, timeout=5) as raw, pytest.raises(ssl.SSLError):
        old_client(ssl.TLSVersion.TLSv1_1).wrap_socket(raw, server_hostname="localhost")
    with socket.create_connection(address, timeout=5) as raw, \
            old_client(ssl.TLSVersion.TLSv1_2).wrap_socket(raw, server_hostname="localhost") as s:
        assert s.version() == "TLSv1.2"
    with tls_socket(stub_server) as sock:
        assert sock.version() == "TLSv1.3"


def test_bad_input_gets_4xx_and_the_server_keeps_serving(stub_server: Server) -> None:
    with client(stub_server.certs, base_url=stub_server.url) as http:
        assert http.post("/mutate", content=b"{nope").status_code == 400
        no_request = http.post("/validate", json={"kind": "AdmissionReview"})
        assert no_request.status_code == 400
        assert "no request" in no_request.text
        big = http.post("/mutate", content=b" " * (MAX_BODY + 1))
        assert big.status_code == 413
    with client(stub_server.certs, base_url=stub_server.url) as http:
        chunked = http.post("/mutate", content=iter([b" " * 1024 * 1024] * 4))
        assert chunked.status_code == 413
        assert http.post("/mutate", json=admission_review(POD)).status_code == 200


def test_a_huge_declared_body_is_refused_without_reading_it(stub_server: Server) -> None:
    with tls_socket(stub_server) as sock:
        sock.sendall(b"POST /mutate HTTP/1.1\r\nHost: localhost\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{")
        status, body = read_response(sock)
    assert status == 413
    assert b"larger than" in body


def test_certificate_is_reloaded_when_the_files_change(stub_server: Server) -> None:
    old_ca = stub_server.certs.path / "old-ca.crt"
    old_ca.write_bytes(stub_server.certs.ca.read_bytes())
    with tls_socket(stub_server):
        pass
    rotated = write_certs(stub_server.certs.path)  # a new CA and serving certificate
    time.sleep(0.05)
    with tls_socket(stub_server, rotated.ca) as sock:  # the new CA now verifies it
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert read_response(sock)[0] == 200
    with pytest.raises(ssl.SSLCertVerificationError):
        tls_socket(stub_server, old_ca)
    # A broken file keeps the current certificate in service.
    stub_server.certs.cert.write_bytes(b"-----BEGIN CERTIFICATE-----\ngarbage\n")
    time.sleep(0.05)
    with tls_socket(stub_server, rotated.ca):
        pass
    with client(rotated, base_url=stub_server.url) as http:
        metrics = http.get("/metrics").text
    assert 'stopsignal_webhook_cert_reloads_total{result="ok"} 1' in metrics
    assert 'stopsignal_webhook_cert_reloads_total{result="failed"}' in metrics


def test_sigterm_finishes_the_in_flight_request_then_exits_0(stub_server: Server) -> None:
    body = json.dumps(admission_review(POD, uid="in-flight")).encode()
    with tls_socket(stub_server) as sock:
        sock.sendall(b"POST /mutate HTTP/1.1\r\nHost: localhost\r\n"
                     b"Content-Type: application/json\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:20])
        time.sleep(0.3)  # the request is now in flight: headers read, body half-sent
        stub_server.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert stub_server.process.poll() is None, "exited with a request in flight"
        with pytest.raises(OSError):  # it stopped accepting
            socket.create_connection(("127.0.0.1", stub_server.port), timeout=2).close()
        sock.sendall(body[20:])
        status, answer = read_response(sock)
    assert status == 200
    assert json.loads(answer)["response"]["uid"] == "in-flight"
    assert stub_server.process.wait(timeout=15) == 0


def test_sigterm_during_a_slow_review_exits_0_after_answering(stub_server: Server) -> None:
    slow = dict(POD, metadata={"name": "slow",
                               "annotations": {"test.stopsignal.io/sleep": "1.5"}})
    answers: list[httpx.Response] = []

    def send() -> None:
        with client(stub_server.certs, base_url=stub_server.url) as http:
            answers.append(http.post("/mutate", json=admission_review(slow, uid="slow")))

    thread = threading.Thread(target=send)
    thread.start()
    time.sleep(0.5)
    stub_server.process.send_signal(signal.SIGTERM)
    thread.join(timeout=15)
    assert answers and answers[0].status_code == 200
    assert answers[0].json()["response"]["uid"] == "slow"
    assert stub_server.process.wait(timeout=15) == 0


def test_logs_are_json_lines(stub_server: Server, tmp_path: Path) -> None:
    with client(stub_server.certs, base_url=stub_server.url) as http:
        patched = dict(POD, metadata={"name": "p",
                                      "annotations": {"test.stopsignal.io/patch": "1"}})
        http.post("/mutate", json=admission_review(POD, uid="quiet"))  # changes nothing
        http.post("/mutate", json=admission_review(patched, uid="logged", dryRun=True))
    assert stub_server.stop() == 0
    lines = (tmp_path / "server.log").read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    reviews = [e for e in entries if e["message"] == "review"]
    assert [r["uid"] for r in reviews] == ["logged"]  # unchanged objects: debug only
    assert reviews[0]["dry_run"] is True
    assert {"time", "level", "logger"} <= set(reviews[0])


# --- the command itself, with the real lint and fix engines --------------------------------

SYSTEMD_POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sd"},
               "spec": {"containers": [{"name": "sd", "image": "localhost/stopsignal-systemd",
                                        "command": ["/sbin/init"]}]}}


def serve_argv(certs: CertDir, port: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "stopsignal", "webhook", "serve", "--tls-cert",
            str(certs.cert), "--tls-key", str(certs.key), "--host", "127.0.0.1",
            "--port", str(port), *extra]


def test_webhook_serve_patches_with_the_real_engines(tmp_path: Path) -> None:
    certs = write_certs(tmp_path / "certs")
    server = start_server(lambda port: serve_argv(certs, port), certs, tmp_path / "log")
    try:
        with client(certs, base_url=server.url) as http:
            answer = http.post("/mutate", json=admission_review(SYSTEMD_POD, uid="real"))
            response = answer.json()["response"]
            assert response["uid"] == "real"
            assert "preStop" in json.dumps(decode_patch(answer.json()))
            warned = http.post("/validate", json=admission_review(SYSTEMD_POD)).json()
            assert "systemd-stop-signal" in warned["response"]["warnings"][0]
            metrics = http.get("/metrics").text
        assert 'stopsignal_webhook_mutations_total{rule="systemd-stop-signal"} 1' in metrics
    finally:
        assert server.stop() == 0
    logged = [json.loads(line) for line in (tmp_path / "log").read_text().splitlines()]
    assert any(entry["message"] == "listening" for entry in logged)


@pytest.mark.parametrize("problem", ["missing", "garbage", "busy-port", "bad-engine"])
def test_webhook_serve_usage_errors_exit_2(problem: str, tmp_path: Path) -> None:
    certs = write_certs(tmp_path / "certs")
    extra: list[str] = []
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = free_port()
    if problem == "missing":
        certs.cert.unlink()
    elif problem == "garbage":
        certs.key.write_text("not a key")
    elif problem == "busy-port":
        port = busy.getsockname()[1]
    else:
        extra = ["--engine", "nonsense@1"]
    with busy:
        result = subprocess.run(serve_argv(certs, port, *extra), capture_output=True,
                                text=True, timeout=60, check=False)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("stopsignal: error:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_review_over_budget_is_answered_and_the_server_stays_up(stub_server: Server) -> None:
    endless = dict(POD, metadata={"name": "endless",
                                  "annotations": {"test.stopsignal.io/sleep": "60"}})
    with client(stub_server.certs, base_url=stub_server.url) as http:
        answer = http.post("/mutate", json=admission_review(endless, uid="endless"))
        response = answer.json()["response"]
        assert response["uid"] == "endless"
        assert response["allowed"] is True
        assert "ReviewTimeout" in response["warnings"][0]
        assert http.get("/healthz").status_code == 200
        assert http.post("/mutate", json=admission_review(POD)).status_code == 200
    assert stub_server.stop() == 0
