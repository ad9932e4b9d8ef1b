"""Build the demo's images offline: a debootstrapped base, then the seed Containerfiles.

No registry is reachable on the machines this runs on, so nothing is pulled:
the base image ``localhost/debian-systemd:bookworm`` is made with
``debootstrap --variant=minbase`` plus ``podman import`` (about 40 s, once),
and the seed images are built FROM it (well under a second each). Images
that exist are reused.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from stopsignal.errors import ProbeError
from stopsignal.probing.config import SETUP_HINT, podman_env

BASE_IMAGE = "localhost/debian-systemd:bookworm"
BASE_PACKAGES = "systemd,systemd-sysv,procps,nginx-light"
#: (image, Containerfile) in build order: the 37 variant builds FROM the demo image.
SEED_IMAGES = (
    ("localhost/stopsignal-systemd", "Containerfile.stopsignal-systemd"),
    ("localhost/stopsignal-demo", "Containerfile.stopsignal-demo"),
    ("localhost/stopsignal-demo-37", "Containerfile.stopsignal-demo-37"),
)

Progress = Callable[[str], None]


#: The seed Containerfiles, pods and scripts, shipped with the package (examples/seed in the
#: repository is the same set of files, for people to read; a test keeps the two identical).
PACKAGED_SEED = Path(__file__).resolve().parent / "seed"


def seed_dir(explicit: Path | None = None) -> Path:
    """Where the seed Containerfiles and pods are: given, $STOPSIGNAL_SEED_DIR, or the package's."""
    candidates = [explicit] if explicit else []
    if os.environ.get("STOPSIGNAL_SEED_DIR"):
        candidates.append(Path(os.environ["STOPSIGNAL_SEED_DIR"]))
    candidates.append(PACKAGED_SEED)
    for candidate in candidates:
        if candidate is not None and (candidate / SEED_IMAGES[0][1]).is_file():
            return candidate
    raise ProbeError(f"the seed examples were not found in {candidates[0]}: pass --seed-dir "
                     "(the directory with Containerfile.stopsignal-systemd)")


def _podman(*args: str, check: bool = True,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(["podman", *args], env=podman_env(), capture_output=True,
                                text=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise ProbeError(f"podman is not installed: {SETUP_HINT}") from None
    if check and result.returncode != 0:
        tail = " ".join(result.stderr.strip().splitlines()[-3:])
        raise ProbeError(f"podman {args[0]} failed: {tail}")
    return result


def image_exists(image: str) -> bool:
    return _podman("image", "exists", image, check=False).returncode == 0


def build_base(progress: Progress) -> None:
    """debootstrap a minimal Debian with systemd and nginx, import it as the base image."""
    debootstrap = shutil.which("debootstrap") or (
        "/usr/sbin/debootstrap" if Path("/usr/sbin/debootstrap").exists() else None)
    if debootstrap is None:
        raise ProbeError(f"debootstrap is needed to build {BASE_IMAGE} offline: {SETUP_HINT}")
    if os.geteuid() != 0:
        raise ProbeError(f"building {BASE_IMAGE} needs root (debootstrap); run "
                         "scripts/setup-podman.sh as root once")
    with tempfile.TemporaryDirectory(prefix="stopsignal-rootfs.") as rootfs:
        progress(f"debootstrap bookworm ({BASE_PACKAGES}); about 40 s")
        start = time.monotonic()
        result = subprocess.run(
            [debootstrap, "--variant=minbase", f"--include={BASE_PACKAGES}", "bookworm",
             rootfs], capture_output=True, text=True, check=False, env=podman_env())
        if result.returncode != 0:
            tail = " ".join((result.stdout + result.stderr).strip().splitlines()[-3:])
            raise ProbeError(f"debootstrap failed: {tail}")
        progress(f"debootstrap done in {time.monotonic() - start:.0f} s; podman import")
        tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
        imported = subprocess.run(["podman", "import", "--quiet", "-", BASE_IMAGE],
                                  stdin=tar.stdout, capture_output=True, text=True,
                                  env=podman_env(), check=False)
        if tar.stdout is not None:
            tar.stdout.close()
        tar.wait()
        if imported.returncode != 0:
            raise ProbeError(f"podman import failed: {imported.stderr.strip()}")
    progress(f"{BASE_IMAGE} ready")


def ensure_images(seed: Path, progress: Progress, *, rebuild: bool = False) -> None:
    """Build whatever is missing (everything from the seed Containerfiles with ``rebuild``)."""
    if image_exists(BASE_IMAGE):
        progress(f"{BASE_IMAGE}: present, reused")
    else:
        build_base(progress)
    for image, containerfile in SEED_IMAGES:
        if image_exists(image) and not rebuild:
            progress(f"{image}: present, reused")
            continue
        progress(f"building {image} from {containerfile}")
        _podman("build", "--quiet", "--tag", image, "--file", str(seed / containerfile),
                str(seed))
    progress("images ready")
