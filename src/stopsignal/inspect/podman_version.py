"""The podman client's version, remembered per binary file.

``podman --version`` prints a constant compiled into the binary, yet each run starts a
Go runtime: about 10 ms of CPU, and 20 ms (10%) of ``stopsignal inspect --all`` with
100 containers on a busy 2-core machine, where it competes with ``podman ps``
(``benchmarks/inspect_vs_cli.py``). So the answer is kept in
``$XDG_CACHE_HOME/stopsignal/podman-version`` under a key made of the binary's resolved
path, device, inode, size and modification time: installing another podman replaces
the file, the key changes, and podman is asked again. A cache that cannot be read or
written (a read-only root file system) is simply not used.
"""

# os.path rather than pathlib, like the rest of inspect's path before `podman ps` starts.
# ruff: noqa: PTH103, PTH105, PTH108, PTH111, PTH116, PTH118, PTH120, PTH123

from __future__ import annotations

import contextlib
import os
import re
import shutil

VERSION = re.compile(r"^podman(?:-remote)? version (\S+)$")


def cache_file(env: dict[str, str]) -> str:
    base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "stopsignal", "podman-version")


def key(binary: str, env: dict[str, str]) -> str | None:
    """What identifies the binary ``binary`` names on ``env``'s PATH; None if not found."""
    path = shutil.which(binary, path=env.get("PATH"))
    if path is None:
        return None
    try:
        real = os.path.realpath(path)
        stat = os.stat(real)
    except OSError:
        return None
    return f"{real} {stat.st_dev} {stat.st_ino} {stat.st_size} {stat.st_mtime_ns}"


def remembered(binary_key: str | None, env: dict[str, str]) -> str | None:
    """The version remembered for this binary, if any."""
    if binary_key is None:
        return None
    try:
        with open(cache_file(env), encoding="utf-8") as cache:
            stored_key, version = cache.read().splitlines()[:2]
    except (OSError, ValueError):
        return None
    return version if stored_key == binary_key and version else None


def parse(output: str) -> str | None:
    """The version in ``podman --version``'s output (``podman version 4.3.1``)."""
    found = VERSION.match(output.strip())
    return found.group(1) if found else None


def remember(binary_key: str | None, version: str, env: dict[str, str]) -> None:
    """Keep ``version`` for this binary (written atomically; failures are ignored)."""
    if binary_key is None:
        return
    import tempfile  # only when podman had to be asked

    path = cache_file(env)
    with contextlib.suppress(OSError):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".podman-version.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as cache:
                cache.write(f"{binary_key}\n{version}\n")
            os.replace(temporary, path)
        except OSError:
            os.unlink(temporary)
            raise
