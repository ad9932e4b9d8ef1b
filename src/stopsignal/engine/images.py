"""Which image a container runs: references compared loosely, Containerfiles by name."""

from __future__ import annotations

import functools

from stopsignal.model import Container, ImageConfig, SourceKind
from stopsignal.readers.result import ReadResult

# ("image", ref, image): an image config registered by its reference (if it has one);
# ("alias", name, image): a Containerfile's final stage under the name it builds;
# ("build", ref, path): a compose service builds ``ref`` from the Containerfile at ``path``.
ImageEvent = tuple[str, str | None, "ImageConfig | str"]


@functools.lru_cache(maxsize=4096)  # asked for every container, twice when images are looked up
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


def image_events(result: ReadResult) -> list[ImageEvent]:
    """What ``result`` makes joinable by reference, in the order lint registers it."""
    events: list[ImageEvent] = [("image", image.ref, image) for image in result.images]
    built = built_name(result.path) if result.kind is SourceKind.CONTAINERFILE else None
    final = final_image(result) if built else None
    if built and final is not None:
        events.append(("alias", built, final))
    if result.kind is SourceKind.COMPOSE:
        events.extend(("build", container.image, path) for container in result.containers
                      if container.image and (path := compose_dockerfile(container)))
    return events


def compose_dockerfile(container: Container) -> str | None:
    """The Containerfile a compose service with ``build`` builds from, if it exists."""
    from pathlib import Path  # only compose services with ``build`` get here

    if not (container.build_dockerfile or container.build_context):
        return None
    candidates = [container.build_dockerfile] if container.build_dockerfile else [
        str(Path(container.build_context or ".") / name)
        for name in ("Containerfile", "Dockerfile")]
    return next((path for path in candidates if path and Path(path).is_file()), None)
