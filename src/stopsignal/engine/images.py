"""Which image a container runs: references compared loosely, Containerfiles by name."""

from __future__ import annotations

from stopsignal.model import ImageConfig
from stopsignal.readers.result import ReadResult


def normalize_ref(ref: str) -> str:
    """``docker.io/library/nginx`` and ``nginx:latest`` are the same image."""
    ref = ref.strip().split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    if ":" not in last:
        ref += ":latest"
    for prefix in ("docker.io/library/", "index.docker.io/library/", "docker.io/", "localhost/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix):]
            break
    return ref.removeprefix("library/")


def built_name(path: str) -> str | None:
    """``Containerfile.web`` / ``Dockerfile.web`` / ``web.Containerfile`` build image ``web``.

    A naming convention (the seed's ``Containerfile.stopsignal-systemd`` builds
    ``localhost/stopsignal-systemd``), so manifests linted with their Containerfiles are
    joined without flags.
    """
    # PurePosixPath(...).name without importing pathlib (start-up): "." parts and
    # trailing slashes do not count.
    parts = [part for part in path.replace("\\", "/").split("/") if part not in ("", ".")]
    name = parts[-1] if parts else ""
    lower = name.lower()
    for prefix in ("containerfile.", "dockerfile."):
        if lower.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):]
    for suffix in (".containerfile", ".dockerfile"):
        if lower.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return None


def final_image(result: ReadResult) -> ImageConfig | None:
    """The image a Containerfile builds: its last stage."""
    if result.containers and result.containers[-1].image_config is not None:
        return result.containers[-1].image_config
    return result.images[-1] if result.images else None
