"""Helpers shared by the webhook tests (a uniquely named module, unlike conftest)."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stopsignal.model import Finding, Location, Severity
from stopsignal.webhook.certs import generate
from stopsignal.webhook.review import ReviewConfig

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PYTHON = sys.executable



def stub_finding(rule: str = "systemd-stop-signal", severity: Severity = Severity.ERROR,
                 container: str = "web") -> Finding:
    return Finding(code="STOP101", rule=rule, severity=severity,
                   location=Location("<admission>"), message="systemd will not stop",
                   object="Pod/web", container=container)


def stub_config(ops: Sequence[dict[str, Any]] = (), findings: Sequence[Finding] = (),
                *, deny: bool = False, fail: Exception | None = None) -> ReviewConfig:
    """Seams that return fixed answers: for the webhook's own protocol logic only."""

    def fixer(obj: dict[str, Any]) -> tuple[Sequence[Finding], Sequence[dict[str, Any]]]:
        if fail is not None:
            raise fail
        return findings, ops

    def linter(obj: dict[str, Any]) -> Sequence[Finding]:
        if fail is not None:
            raise fail
        return findings

    return ReviewConfig(fixer=fixer, linter=linter, deny=deny)


def admission_review(obj: Any, *, operation: str = "CREATE", uid: str = "uid-1",
                     old: Any = None, **request: Any) -> dict[str, Any]:
    kind = obj.get("kind", "Pod") if isinstance(obj, dict) else "Pod"
    body: dict[str, Any] = {
        "uid": uid, "kind": {"group": "", "version": "v1", "kind": kind},
        "operation": operation, "object": obj, "oldObject": old, "dryRun": False,
        "userInfo": {"username": "tester"}, **request,
    }
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": body}


def decode_patch(review: dict[str, Any]) -> list[dict[str, Any]]:
    response = review["response"]
    if "patch" not in response:
        return []
    assert response["patchType"] == "JSONPatch"
    patch: list[dict[str, Any]] = json.loads(base64.b64decode(response["patch"]))
    return patch


@dataclass
class HttpResult:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def call_asgi(app: Any, method: str, path: str, chunks: Sequence[bytes] = (b"",),
              headers: Sequence[tuple[bytes, bytes]] = ()) -> HttpResult:
    """Drive an ASGI app in-process, the way uvicorn would, without a socket."""

    async def run() -> HttpResult:
        pending = [{"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
                   for i, chunk in enumerate(chunks)]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return pending.pop(0) if pending else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "method": method, "path": path, "headers": list(headers),
                 "scheme": "https", "http_version": "1.1", "query_string": b""}
        await app(scope, receive, send)
        start = next(m for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return HttpResult(start["status"],
                          {k.decode(): v.decode() for k, v in start["headers"]}, body)

    return asyncio.run(run())


@dataclass
class CertDir:
    path: Path
    ca: Path
    cert: Path
    key: Path


def write_certs(path: Path) -> CertDir:
    made = generate("stopsignal-webhook", "stopsignal", extra_dns=("localhost",),
                    extra_ips=("127.0.0.1",))
    path.mkdir(parents=True, exist_ok=True)
    files = CertDir(path, path / "ca.crt", path / "tls.crt", path / "tls.key")
    files.ca.write_bytes(made.ca_cert)
    # Write the key first and the certificate last, as a rotating tool might.
    files.key.write_bytes(made.key)
    files.cert.write_bytes(made.cert)
    return files


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("server did not start listening")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    certs: CertDir

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def start_server(argv: Callable[[int], list[str]], cert_dir: CertDir,
                 log: Path) -> Server:
    port = free_port()
    with log.open("wb") as handle:
        process = subprocess.Popen(argv(port), stdout=handle, stderr=subprocess.STDOUT)
    wait_listening(port, process)
    return Server(process, port, cert_dir)
