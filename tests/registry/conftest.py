"""A real registry (Debian's docker-registry) on 127.0.0.1, seeded with images podman builds.

Images are built from the offline base image (localhost/debian-systemd:bookworm) or FROM
scratch with a tiny root file system, pushed with ``podman push --tls-verify=false``, and
removed from the local store afterwards. skopeo finds the registry through a
registries.conf written here that marks it insecure.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

REPO = Path(__file__).resolve().parents[2]
BASE = "localhost/debian-systemd:bookworm"
TAG = f"stopsignal-lookup-{uuid.uuid4().hex[:6]}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def podman_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("CONTAINERS_CONF", str(REPO / "containers" / "containers.conf"))
    return env


def podman(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=600,
                          check=False, env=podman_env(), cwd=cwd)
    assert done.returncode == 0, f"podman {' '.join(args)}: {done.stderr}"
    return done.stdout


def start_registry(folder: Path, port: int, htpasswd: Path | None = None,
                   ) -> subprocess.Popen[bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    auth = (f"auth:\n  htpasswd:\n    realm: stopsignal-test\n    path: {htpasswd}\n"
            if htpasswd else "")
    config = folder / "config.yml"
    config.write_text(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
        f"    rootdirectory: {folder / 'data'}\n  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\n{auth}")
    process = subprocess.Popen(["/usr/bin/docker-registry", "serve", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return process
        time.sleep(0.1)
    process.kill()
    raise AssertionError("docker-registry did not start")


def rootfs_tar(path: Path, sh_target: str) -> None:
    """A tiny root file system: bin/<shell> and bin/sh -> <shell> (a symlink, as in Debian)."""
    with tarfile.open(path, "w") as archive:
        for name in ("bin/", "tmp/"):
            info = tarfile.TarInfo(name.rstrip("/"))
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            archive.addfile(info)
        body = b"#!not-a-real-shell\n"
        info = tarfile.TarInfo(f"bin/{sh_target}")
        info.size, info.mode = len(body), 0o755
        archive.addfile(info, io.BytesIO(body))
        link = tarfile.TarInfo("bin/sh")
        link.type, link.linkname = tarfile.SYMTYPE, sh_target
        archive.addfile(link)


class Registry(NamedTuple):
    host: str  # 127.0.0.1:PORT
    auth_host: str  # the same kind of registry, with htpasswd auth (user "ss", password "pw")
    conf: Path  # registries.conf marking both insecure
    env: dict[str, str]  # for stopsignal: registries.conf, an empty auth file, a fresh cache
    workdir: Path

    def ref(self, name: str) -> str:
        return f"{self.host}/{TAG}/{name}:1"


BUILDS = {
    # name: (Containerfile, build arguments)
    "systemd-nostop": (f"FROM {BASE}\nENTRYPOINT [\"/sbin/init\"]\n", ()),
    "systemd-rtmin3": (f"FROM {BASE}\nSTOPSIGNAL SIGRTMIN+3\nENTRYPOINT [\"/sbin/init\"]\n", ()),
    "dash": ("FROM scratch\nADD dash.tar /\nCMD sh -c 'sleep 1000'\n", ()),
    "busybox": ("FROM scratch\nADD busybox.tar /\nCMD sh -c 'sleep 1000'\n", ()),
    "list-amd64": ("FROM scratch\nADD dash.tar /\nENTRYPOINT [\"/sbin/init\"]\n",
                   ("--arch", "amd64")),
    "list-arm64": (("FROM scratch\nADD dash.tar /\nSTOPSIGNAL SIGRTMIN+3\n"
                   "ENTRYPOINT [\"/sbin/init\"]\n"), ("--arch", "arm64")),
}


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    for tool in ("podman", "skopeo", "htpasswd", "/usr/bin/docker-registry"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed (.ci/run installs it)")
    if subprocess.run(["podman", "image", "exists", BASE], check=False,
                      env=podman_env()).returncode != 0:
        setup = subprocess.run(["bash", str(REPO / "scripts" / "setup-podman.sh")],
                               env=podman_env(), capture_output=True, text=True, timeout=900,
                               check=False)
        assert setup.returncode == 0, setup.stderr
    work = tmp_path_factory.mktemp("registry")
    port, auth_port = free_port(), free_port()
    htpasswd = work / "htpasswd"
    hashed = subprocess.run(["htpasswd", "-Bbn", "ss", "pw"], capture_output=True, text=True,
                            check=True, timeout=30).stdout  # apache2-utils
    htpasswd.write_text(hashed.strip() + "\n")
    processes = [start_registry(work / "plain", port),
                 start_registry(work / "auth", auth_port, htpasswd)]
    conf = work / "registries.conf"
    conf.write_text(f'[[registry]]\nlocation = "127.0.0.1:{port}"\ninsecure = true\n'
                    f'[[registry]]\nlocation = "127.0.0.1:{auth_port}"\ninsecure = true\n')
    (work / "empty-auth.json").write_text("{}")
    env = dict(os.environ, CONTAINERS_REGISTRIES_CONF=str(conf),
               REGISTRY_AUTH_FILE=str(work / "empty-auth.json"),
               XDG_CACHE_HOME=str(work / "cache"))
    reg = Registry(f"127.0.0.1:{port}", f"127.0.0.1:{auth_port}", conf, env, work)
    built: list[str] = []
    try:
        context = work / "context"
        context.mkdir()
        rootfs_tar(context / "dash.tar", "dash")
        rootfs_tar(context / "busybox.tar", "busybox")
        for name, (text, extra) in BUILDS.items():
            # A label unique to this run: images of concurrent runs never share an ID, so
            # removing ours cannot pull an instance out from under another run's manifest list.
            (context / f"Containerfile.{name}").write_text(
                text.replace("\n", f"\nLABEL io.stopsignal.test-run={TAG}\n", 1))
            local = f"localhost/{TAG}-{name}:1"
            podman("build", "-q", *extra, "-f", f"Containerfile.{name}", "-t", local, ".",
                   cwd=context)
            built.append(local)
            if not name.startswith("list-"):
                podman("push", "-q", "--tls-verify=false", local, f"docker://{reg.ref(name)}")
        # A manifest list: an amd64 and an arm64 image under one tag.
        listed = f"localhost/{TAG}-list:1"
        podman("manifest", "create", listed)
        built.append(listed)
        for name in ("list-amd64", "list-arm64"):
            podman("manifest", "add", listed, f"containers-storage:localhost/{TAG}-{name}:1")
        podman("manifest", "push", "-q", "--all", "--tls-verify=false", listed,
               f"docker://{reg.ref('list')}")
        podman("manifest", "rm", listed)  # the registry holds it now; none left in the store
        built.remove(listed)
        # The authenticated registry holds one image, pushed with its credentials.
        podman("push", "-q", "--tls-verify=false", "--creds", "ss:pw",
               f"localhost/{TAG}-systemd-nostop:1",
               f"docker://{reg.auth_host}/{TAG}/systemd-nostop:1")
        yield reg
    finally:
        for local in reversed(built):  # the list first: `rmi` of its instances breaks it
            remove = ["manifest", "rm"] if local.endswith("-list:1") else ["rmi"]
            subprocess.run(["podman", *remove, local], capture_output=True, check=False,
                           env=podman_env(), timeout=120)
        for process in processes:
            process.terminate()
            process.wait(timeout=20)


def lint(registry: Registry, *args: str, env: dict[str, str] | None = None,
         timeout: float = 120) -> tuple[int, dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-m", "stopsignal", "lint", "--no-config", "--format", "json", *args],
        capture_output=True, text=True, timeout=timeout, check=False,
        env=env or registry.env, cwd=registry.workdir)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    return done.returncode, report
