"""The webhook image, built offline, under real podman: it serves and it stops gracefully.

The image is built by scripts/build-webhook-image.sh (debootstrapped Python base, reused
when present). A test image adds a serving certificate where the Deployment mounts it.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from webhook_support import REPO, admission_review, decode_patch, free_port, write_certs

pytestmark = pytest.mark.podman

# Names of this session's own: concurrent test runs on one podman store must not build over,
# or remove, each other's images. Both are removed when the module is done.
RUN = f"pytest-{uuid.uuid4().hex[:8]}"
IMAGE = f"localhost/stopsignal-webhook:{RUN}"
TEST_IMAGE = f"localhost/stopsignal-webhook-e2e:{RUN}"
SYSTEMD_POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sd"},
               "spec": {"containers": [{"name": "sd", "image": "localhost/stopsignal-systemd",
                                        "command": ["/sbin/init"]}]}}


def env() -> dict[str, str]:
    values = dict(os.environ)
    values.setdefault("CONTAINERS_CONF", str(REPO / "containers" / "containers.conf"))
    values["PATH"] = values.get("PATH", "") + ":/usr/sbin:/sbin"
    values["STOPSIGNAL_WEBHOOK_IMAGE"] = IMAGE  # scripts/build-webhook-image.sh builds it
    return values


def run(*argv: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), env=env(), capture_output=True, text=True,
                          timeout=timeout, check=False, cwd=REPO)


@pytest.fixture(scope="module")
def test_image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    built = run("bash", str(REPO / "scripts" / "build-webhook-image.sh"), timeout=900)
    assert built.returncode == 0, built.stderr[-3000:]
    context = tmp_path_factory.mktemp("webhook-e2e")
    certs = write_certs(context / "tls")
    for path in (certs.cert, certs.key):
        path.chmod(0o644)  # the image runs as 65532; a Secret volume is 0644 by default too
    (context / "Containerfile").write_text(
        f"FROM {IMAGE}\nCOPY tls/tls.crt tls/tls.key /etc/stopsignal/tls/\n")
    made = run("podman", "build", "-q", "-t", TEST_IMAGE, str(context))
    assert made.returncode == 0, made.stderr
    yield certs.ca
    run("podman", "rmi", "-f", TEST_IMAGE, IMAGE)


def probe(*engine: str) -> dict[str, Any]:
    done = run(sys.executable, "-m", "stopsignal", "probe", "--json", "--image", TEST_IMAGE,
               "--ready-timeout", "20", *engine)
    assert done.returncode in (0, 1), done.stderr
    [container] = json.loads(done.stdout)["containers"]
    assert done.returncode == 0, container
    return dict(container)


@pytest.mark.parametrize("engine", [
    ["--engine", "podman"],
    ["--engine", "kubernetes@1.30", "--engine", "cri-o@1.23", "--grace", "30"],
    ["--engine", "openshift@4.9", "--grace", "30"],
])
def test_probe_finds_the_webhook_stops_gracefully(test_image: Path, engine: list[str]) -> None:
    container = probe(*engine)
    assert container["signal_sent"] == "SIGTERM"
    assert container["graceful"] is True
    assert container["killed"] is False
    assert container["exit_code"] == 0


def test_image_serves_reviews_hardened_like_the_deployment(test_image: Path) -> None:
    port = free_port()
    started = run("podman", "run", "-d", "--rm", "--network", "host", "--read-only",
                  "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
                  "--user", "65532:65532", TEST_IMAGE,
                  "--tls-cert", "/etc/stopsignal/tls/tls.crt",
                  "--tls-key", "/etc/stopsignal/tls/tls.key",
                  "--host", "127.0.0.1", "--port", str(port))
    assert started.returncode == 0, started.stderr
    name = started.stdout.strip()
    try:
        verify = ssl.create_default_context(cafile=str(test_image))
        with httpx.Client(verify=verify, base_url=f"https://127.0.0.1:{port}",
                          timeout=5) as http:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if http.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, run("podman", "logs", name).stderr
                time.sleep(0.2)
            answer = http.post("/mutate", json=admission_review(SYSTEMD_POD, uid="e2e")).json()
        assert answer["response"]["uid"] == "e2e"
        assert "preStop" in json.dumps(decode_patch(answer))
    finally:
        stopped = run("podman", "stop", "-t", "10", name)
        assert stopped.returncode == 0, stopped.stderr
