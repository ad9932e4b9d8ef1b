"""The probe on real Docker and on real containerd through CRI v1 (scripts/setup-engines.sh).

These run where the set-up script started the private daemons (CI does, through .ci/run):
DOCKER_HOST and CONTAINER_RUNTIME_ENDPOINT point at them. Elsewhere they are skipped,
saying why.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import LABEL, REPO, RUN, stopsignal

SEED = REPO / "examples" / "seed"
ENGINES = REPO / "examples" / "engines"


def _docker(*args: str) -> subprocess.CompletedProcess[str]:
    binary = "/usr/bin/docker" if Path("/usr/bin/docker").exists() else "docker"
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.fixture(scope="module")
def docker_host() -> str:
    host = os.environ.get("DOCKER_HOST")
    if not host:
        pytest.skip("DOCKER_HOST is not set: run scripts/setup-engines.sh and export its lines")
    if _docker("version").returncode != 0:
        pytest.skip(f"Docker does not answer at {host}")
    return host


@pytest.fixture(scope="module")
def cri_endpoint() -> Iterator[str]:
    endpoint = os.environ.get("CONTAINER_RUNTIME_ENDPOINT")
    if not endpoint:
        pytest.skip("CONTAINER_RUNTIME_ENDPOINT is not set: run scripts/setup-engines.sh")
    yield endpoint
    assert cri_leftovers(endpoint) == []


def cri_leftovers(endpoint: str) -> list[str]:
    import grpc
    from cri_api.v1 import api_pb2, api_pb2_grpc

    with grpc.insecure_channel(endpoint) as channel:
        stub = api_pb2_grpc.RuntimeServiceStub(channel)
        found = stub.ListPodSandbox(api_pb2.ListPodSandboxRequest(
            filter=api_pb2.PodSandboxFilter(label_selector={f"{LABEL}.run": RUN})), timeout=30)
    return [item.metadata.name for item in found.items]


def docker_leftovers() -> list[str]:
    return _docker("ps", "--all", "--filter", f"label={LABEL}.run={RUN}",
                   "--format", "{{.Names}}").stdout.split()


def probe(*args: str) -> tuple[int, dict[str, Any]]:
    done = stopsignal("probe", "--json", *args, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    containers = json.loads(done.stdout)["containers"]
    assert len(containers) == 1
    return done.returncode, containers[0]


@pytest.mark.cri
def test_cri_systemd_with_container_env_halts_cleanly(cri_endpoint: str) -> None:
    code, result = probe("--on", "cri", str(ENGINES / "pod-systemd-container-env.yaml"))
    assert code == 0
    assert result["graceful"] and result["exit_code"] == 0
    assert result["engine"].startswith("containerd@")
    assert result["observed"] == "clean halt" and result["signal_sent"] == "SIGRTMIN+3"
    assert result["model_agrees"] is True


@pytest.mark.cri
def test_cri_systemd_without_container_env_hangs_until_sigkill(cri_endpoint: str) -> None:
    code, result = probe("--on", "cri", str(SEED / "pod-stopsignal-systemd.yaml"),
                         "--grace", "3")
    assert code == 1
    assert result["killed"] and result["exit_code"] == 137 and result["seconds"] >= 2.9
    # It got SIGRTMIN+3, halted, and hung when reboot() failed.
    assert result["observed"] == "halt hung: reboot() failed (EPERM)"
    assert result["model_agrees"] is True


@pytest.mark.cri
def test_cri_image_without_stopsignal_is_killed(cri_endpoint: str) -> None:
    code, result = probe("--on", "cri", "--image", "localhost/stopsignal-systemd-nostopsignal",
                         "--grace", "3")
    assert code == 1 and result["killed"]
    assert result["observed"] == "re-executed" and result["signal_sent"] == "SIGTERM"
    assert result["model_agrees"] is True


@pytest.mark.cri
def test_cri_prestop_kill_37_through_execsync_halts_systemd(cri_endpoint: str) -> None:
    code, result = probe("--on", "cri", str(ENGINES / "pod-systemd-prestop-37.yaml"))
    assert code == 0
    assert result["prestop"] == {"ran": True, "ok": True, "error": None}
    assert result["graceful"] and result["observed"] == "clean halt"
    assert result["model_agrees"] is True


@pytest.mark.cri
def test_cri_interrupted_probe_leaves_nothing(cri_endpoint: str) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "stopsignal", "probe", "--on", "cri",
         str(SEED / "pod-stopsignal-systemd.yaml"), "--grace", "20"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    for line in process.stderr:
        if "stop-container" in line or time.monotonic() > deadline:
            break
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert cri_leftovers(cri_endpoint) == []


@pytest.mark.docker
def test_docker_systemd_rtmin3_halts_cleanly(docker_host: str) -> None:
    code, result = probe("--on", "docker", "--image", "localhost/stopsignal-systemd")
    assert code == 0
    assert result["graceful"] and result["exit_code"] == 0
    assert result["engine"].startswith("docker@")
    assert result["model_agrees"] is True
    assert docker_leftovers() == []


@pytest.mark.docker
def test_docker_stop_signal_sigterm_is_killed_after_the_timeout(docker_host: str) -> None:
    code, result = probe("--on", "docker", "--image", "localhost/stopsignal-systemd",
                         "--stop-signal", "SIGTERM", "--grace", "3")
    assert code == 1
    assert result["killed"] and result["exit_code"] == 137 and result["seconds"] >= 2.9
    assert result["observed"] == "re-executed"
    assert result["model_agrees"] is True
    assert docker_leftovers() == []


@pytest.mark.docker
@pytest.mark.cri
def test_conformance_on_docker_and_cri_agrees_with_the_model(docker_host: str,
                                                              cri_endpoint: str) -> None:
    done = stopsignal("conformance", "--on", "docker,cri", "--json", timeout=600)
    report = json.loads(done.stdout)
    assert report["skipped"] == []
    assert report["engines"]["cri"].startswith("containerd@")
    disagreeing = [case["id"] for case in report["cases"] if not case["agrees"]]
    assert disagreeing == [], done.stdout
    assert done.returncode == 0
    hang = next(c for c in report["cases"] if c["id"] == "cri-systemd-sigrtmin3-no-env")
    assert hang["observed"]["exit_code"] == 137 and hang["observed"]["signal"] == 37
    assert docker_leftovers() == [] and cri_leftovers(cri_endpoint) == []


@pytest.mark.docker
@pytest.mark.cri
def test_demo_on_real_docker_and_containerd(docker_host: str, cri_endpoint: str) -> None:
    done = stopsignal("demo", "--on", "docker,cri", "--grace", "3", "--json", timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    scenarios = {item["id"]: item for item in json.loads(done.stdout)["scenarios"]}
    assert set(scenarios) == {"containerd-1.6-systemd", "containerd-1.6-systemd-container-env",
                              "docker-20.10-systemd", "docker-20.10-demo-sigint"}
    assert all(item["matches"] for item in scenarios.values())
    hang = scenarios["containerd-1.6-systemd"]
    assert hang["ran_on"].startswith("containerd@1.6")
    assert hang["observed"]["killed"] and hang["observed"]["exit_code"] == 137
    assert scenarios["docker-20.10-demo-sigint"]["ran_on"].startswith("docker@20.10")


@pytest.mark.docker
@pytest.mark.cri
def test_setup_script_is_idempotent_and_ends_with_the_exports(docker_host: str,
                                                              cri_endpoint: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("scripts/setup-engines.sh needs root")
    done = subprocess.run(["bash", str(REPO / "scripts" / "setup-engines.sh")],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert "reusing it" in done.stderr  # the running daemons were kept, not restarted
    assert done.stdout.splitlines()[-2:] == [f"export DOCKER_HOST={docker_host}",
                                             f"export CONTAINER_RUNTIME_ENDPOINT={cri_endpoint}"]
