"""Helpers for the end-to-end tests: podman with the project's config, the CLI as a process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
LABEL = "io.stopsignal.probe"
#: Tags this test run's containers, so that probes others run on the same machine at the
#: same time do not count as our leftovers.
RUN = f"pytest-{uuid.uuid4().hex[:8]}"
os.environ["STOPSIGNAL_PROBE_RUN"] = RUN
CONTAINERS_CONF = REPO / "containers" / "containers.conf"


def podman_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("CONTAINERS_CONF", str(CONTAINERS_CONF))
    env["PATH"] = env.get("PATH", "") + ":/usr/sbin:/sbin"
    return env


def podman(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["podman", *args], env=podman_env(), capture_output=True, text=True,
                          timeout=300, check=False)


#: tini (Debian's static build) in front of the article's script: the inspect tests' shim.
TINI_IMAGE = f"localhost/stopsignal-inspect-tini:{RUN}"


def build_tini_image(context: Path) -> None:
    """Build TINI_IMAGE with podman in the empty folder ``context`` (on the demo image)."""
    tini = shutil.which("tini-static") or "/usr/bin/tini-static"
    assert Path(tini).is_file(), "install the Debian package tini (it ships tini-static)"
    shutil.copy(tini, context / "tini")
    (context / "Containerfile").write_text(
        "FROM localhost/stopsignal-demo\nCOPY tini /tini\nSTOPSIGNAL SIGTERM\n"
        'ENTRYPOINT ["/tini", "--"]\nCMD ["/demo-signal.sh"]\n')
    built = podman("build", "-q", "-t", TINI_IMAGE, str(context))
    assert built.returncode == 0, built.stderr


def leftovers() -> list[str]:
    """Containers this test run's probes created that still exist."""
    found = podman("ps", "--all", "--filter", f"label={LABEL}.run={RUN}", "--format",
                   "{{.Names}}")
    return found.stdout.split()


def stopsignal(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would (a separate process, so signals and exit codes are real)."""
    return subprocess.run([sys.executable, "-m", "stopsignal", *args], capture_output=True,
                          text=True, timeout=timeout, check=False, cwd=REPO)


def probe_json(*args: str) -> tuple[int, list[dict[str, Any]]]:
    done = stopsignal("probe", "--json", *args)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)["containers"]
