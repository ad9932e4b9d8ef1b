"""Podman's configuration for the probe and the demo: a project-local CONTAINERS_CONF.

Hosts like this project's CI need runc (crun refuses cgroups in hybrid mode) and
lower default rlimits (no CAP_SYS_RESOURCE). Those settings live in the
repository's ``containers/containers.conf`` and reach podman through the
CONTAINERS_CONF environment variable; nothing under /etc is touched, and a
CONTAINERS_CONF the user set wins.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

LABEL = "io.stopsignal.probe"
SETUP_HINT = ("install podman and runc (as root: apt-get install -y podman runc debootstrap, or "
              "run scripts/setup-podman.sh)")
#: The same settings as containers/containers.conf, for an installed package without the repo.
CONTAINERS_CONF_TEXT = """\
# Written by stopsignal: podman settings for hosts with cgroups in hybrid mode (crun refuses)
# and without CAP_SYS_RESOURCE (podman's default rlimits cannot be set).
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]

[engine]
runtime = "runc"
"""


def repo_root() -> Path | None:
    """The source checkout this package runs from, if any (src layout)."""
    from pathlib import Path  # on first use: podman_env needs it only without CONTAINERS_CONF

    root = Path(__file__).resolve().parents[3]
    return root if (root / "pyproject.toml").is_file() else None


def containers_conf() -> Path:
    """The project's containers.conf: the repository copy, else one written to a cache dir."""
    from pathlib import Path

    root = repo_root()
    if root is not None and (root / "containers" / "containers.conf").is_file():
        return root / "containers" / "containers.conf"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "stopsignal"
    target = cache / "containers.conf"
    if not target.is_file() or target.read_text() != CONTAINERS_CONF_TEXT:
        cache.mkdir(parents=True, exist_ok=True)
        target.write_text(CONTAINERS_CONF_TEXT)
    return target


def podman_env() -> dict[str, str]:
    """The environment for podman: the user's CONTAINERS_CONF wins, else the project's."""
    env = dict(os.environ)
    if not env.get("CONTAINERS_CONF"):
        env["CONTAINERS_CONF"] = str(containers_conf())
    # debootstrap and runc live in /usr/sbin, which is not on every user's PATH.
    env["PATH"] = env.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin"
    return env
