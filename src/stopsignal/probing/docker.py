"""Docker as a real engine: ``docker run``, then Docker's own ``docker stop``.

The engine's own client talks to the daemon: ``/usr/bin/docker`` when present
(a newer client may come first on PATH), else ``docker``; the daemon is
``--docker-host`` or ``DOCKER_HOST``. systemd needs tmpfs at /run, /run/lock and /tmp
and a read-only /sys/fs/cgroup under Docker, as every guide for systemd in Docker says;
the probe adds them when PID 1 is systemd.
"""

from __future__ import annotations

import os
import shutil

from stopsignal.errors import ProbeError
from stopsignal.probing.cli_engine import CliEngine

SETUP = "start it with scripts/setup-engines.sh, or point DOCKER_HOST / --docker-host at it"


def default_host() -> str | None:
    return os.environ.get("DOCKER_HOST") or None


def client() -> str:
    """The engine's own CLI: Debian's /usr/bin/docker first, else the one on PATH."""
    if os.access("/usr/bin/docker", os.X_OK):
        return "/usr/bin/docker"
    found = shutil.which("docker")
    if found is None:
        raise ProbeError(f"the docker client is not installed: {SETUP}")
    return found


class Docker(CliEngine):
    kind = "docker"
    name = "docker"
    setup = SETUP
    systemd_args = ("--tmpfs", "/run", "--tmpfs", "/run/lock", "--tmpfs", "/tmp",
                    "--volume", "/sys/fs/cgroup:/sys/fs/cgroup:ro")

    def __init__(self, host: str | None = None) -> None:
        host = host or default_host()
        env = dict(os.environ)
        if host:
            env["DOCKER_HOST"] = host
        super().__init__(client(), env, host or "the default socket")
