"""End to end: the seed's pod-stopsignal-systemd.yaml, fixed for openshift@4.9, stops
gracefully on that engine under the probe (real podman; the kubelet's preStop, grace
period and SIGKILL emulated on top of it). Unfixed, the same pod is SIGKILLed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.podman

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "examples" / "seed" / "pod-stopsignal-systemd.yaml"
GRACE = "6"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("CONTAINERS_CONF", str(REPO / "containers" / "containers.conf"))
    env["PATH"] = env.get("PATH", "") + ":/usr/sbin:/sbin"
    return env


def _stopsignal(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stopsignal", *args], capture_output=True,
                          text=True, timeout=timeout, check=False, cwd=REPO, env=_env())


@pytest.fixture(scope="module")
def systemd_image() -> None:
    """The seed's systemd image, built offline (reused when present)."""
    setup = subprocess.run(["bash", str(REPO / "scripts" / "setup-podman.sh")], env=_env(),
                           capture_output=True, text=True, timeout=900, check=False)
    assert setup.returncode == 0, setup.stderr
    built = _stopsignal("demo", "--build-only")
    assert built.returncode == 0, built.stderr


def _probe(manifest: Path) -> tuple[int, dict[str, Any]]:
    done = _stopsignal("probe", str(manifest), "--engine", "openshift@4.9", "--grace", GRACE,
                       "--json", timeout=300)
    assert done.returncode in (0, 1), done.stderr
    [container] = json.loads(done.stdout)["containers"]
    return done.returncode, container


@pytest.mark.usefixtures("systemd_image")
def test_the_fixed_seed_pod_stops_gracefully_on_openshift_49(tmp_path: Path) -> None:
    manifest = tmp_path / SEED.name
    shutil.copyfile(SEED, manifest)
    fixed = _stopsignal("fix", "--engine", "openshift@4.9", str(manifest))
    assert fixed.returncode == 0, fixed.stderr
    assert "kill -s 37 1" in manifest.read_text()

    code, result = _probe(manifest)
    assert code == 0, result
    assert result["graceful"] and not result["killed"]
    assert result["exit_code"] == 0  # systemd halted: "Exiting container."
    assert result["prestop"]["ran"]
    assert result["seconds"] < float(GRACE)
    # The hook waits while systemd shuts down, so CRI-O 1.22.1's SIGTERM cannot land
    # mid-shutdown. Only systemd-shutdown's final sweep ("Sending SIGTERM to remaining
    # processes") ends the hook; the runtime's SIGTERM may follow in that instant, when
    # PID 1 is systemd-shutdown, which is past the point of no return.
    events = [event["event"] for event in result["timeline"]]
    if result["signal_sent"] is not None:
        assert result["signal_sent"] == "SIGTERM"
        assert result["prestop"]["error"] in ("exit code 143", "exit code 137")
        assert "Sending SIGTERM to remaining processes" in result["stop_logs"]
    assert events.index("prestop-end") < events.index("exited")


@pytest.mark.usefixtures("systemd_image")
def test_the_unfixed_seed_pod_is_killed_on_openshift_49() -> None:
    code, result = _probe(SEED)
    assert code == 1
    assert result["signal_sent"] == "SIGTERM"
    assert result["killed"] and not result["graceful"]
    assert result["exit_code"] == 137
