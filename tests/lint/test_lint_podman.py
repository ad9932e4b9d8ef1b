"""`stopsignal lint --image REF` with real podman: the image's STOPSIGNAL decides the verdict."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
POD = REPO / "examples" / "seed" / "pod-stopsignal-systemd.yaml"


def env() -> dict[str, str]:
    values = dict(os.environ)
    values.setdefault("CONTAINERS_CONF", str(REPO / "containers" / "containers.conf"))
    values["PATH"] = values.get("PATH", "") + ":/usr/sbin:/sbin"
    return values


def podman(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["podman", *args], input=stdin, env=env(), capture_output=True,
                          text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def systemd_like_image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An image with the seed's STOPSIGNAL and ENTRYPOINT, built offline FROM scratch."""
    ref = f"localhost/stopsignal-lint-test-{uuid.uuid4().hex[:8]}:latest"
    context = tmp_path_factory.mktemp("image")
    (context / "Containerfile").write_text(
        "FROM scratch\nSTOPSIGNAL SIGRTMIN+3\nENTRYPOINT [\"/sbin/init\"]\n")
    built = podman("build", "-q", "-t", ref, str(context))
    assert built.returncode == 0, built.stderr
    yield ref
    podman("rmi", "-f", ref)


def lint(*args: str) -> tuple[int, list[dict[str, object]]]:
    done = subprocess.run([sys.executable, "-m", "stopsignal", "lint", "--no-config", "--format",
                           "json", *args], env=env(), capture_output=True, text=True,
                          timeout=120, check=False, cwd=REPO)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)["findings"]


@pytest.mark.podman
def test_image_lookup_decides_the_article_verdict(systemd_like_image: str) -> None:
    image = f"nginx={systemd_like_image}"
    code, found = lint("--engine", "openshift@4.9", "--image", image, str(POD))
    assert code == 1 and [f["code"] for f in found] == ["STOP101"]
    assert "cannot parse SIGRTMIN+3" in str(found[0]["message"])
    assert lint("--engine", "openshift@4.10", "--image", image, str(POD)) == (0, [])
