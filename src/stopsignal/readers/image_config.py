"""OCI and docker image configs -> ImageConfig: inspect JSON, config blobs, OCI layout
directories, docker-archive tarballs, and a lookup through podman or skopeo.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stopsignal.model import Container, ImageConfig, Location, SourceKind
from stopsignal.readers.result import ReadError, ReadResult

if TYPE_CHECKING:  # tarfile, subprocess and shutil load lazily: start-up time counts
    import tarfile

    from stopsignal.readers.kubernetes import FileTree as Tree
Node = Any  # a YAML node (walk.Walk) or a JSON offset (jsonwalk.JsonWalk)

MAX_BLOB = 20 * 1024 * 1024
LOOKUP_TIMEOUT = 30.0
_INDEX_TYPES = ("application/vnd.oci.image.index.v1+json",
                "application/vnd.docker.distribution.manifest.list.v2+json")


def config_from_plain(
    data: object, ref: str | None = None, locations: tuple[tuple[str, Location], ...] = ()
) -> ImageConfig | None:
    """An ImageConfig from an inspect entry (``Config``) or a config blob (``config``)."""
    if not isinstance(data, dict):
        return None
    config = data.get("Config")
    if not isinstance(config, dict):
        config = data.get("config")
    if not isinstance(config, dict):
        return None
    if ref is None:
        tags = data.get("RepoTags")
        ref = tags[0] if isinstance(tags, list) and tags and isinstance(tags[0], str) else None
    env = []
    for item in _strings(config.get("Env")) or ():
        key, _, value = item.partition("=")
        env.append((key, value))
    signal = config.get("StopSignal")
    user = config.get("User")
    return ImageConfig(
        ref=ref,
        entrypoint=_strings(config.get("Entrypoint")),
        cmd=_strings(config.get("Cmd")),
        stop_signal=str(signal) if isinstance(signal, str | int) and signal != "" else None,
        user=str(user) if isinstance(user, str) and user else None,
        env=tuple(env),
        locations=locations,
    )


def _strings(value: object) -> tuple[str, ...] | None:
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    if isinstance(value, str):  # docker accepts a bare string in old configs
        return (value,)
    return None


def _is_config(walk: Tree, node: Node) -> bool:
    if not walk.is_mapping(node):
        return False
    if walk.is_mapping(walk.value(node, "Config")):
        return True
    return walk.is_mapping(walk.value(node, "config")) and any(
        walk.get(node, key) is not None for key in ("rootfs", "architecture", "os", "history")
    )


def read_json_document(
    walk: Tree, root: Node
) -> tuple[list[ImageConfig], list[Container]] | None:
    """Image configs in one JSON document (an inspect array or one object), or None."""
    items = walk.sequence(root) if walk.is_sequence(root) else [root]
    if not items or not all(_is_config(walk, item) for item in items):
        return None
    images, containers = [], []
    for index, item in enumerate(items):
        prefix: tuple[str | int, ...] = (index,) if walk.is_sequence(root) else ()
        config_key = "Config" if walk.get(item, "Config") is not None else "config"
        config_node = walk.value(item, config_key)
        locations = [("container", walk.location(item, prefix))]
        for key, slot in (("StopSignal", "stop_signal"), ("Entrypoint", "entrypoint"),
                          ("Cmd", "cmd")):
            pair = walk.get(config_node, key)
            if pair is not None:
                locations.append((slot, walk.location(pair[0], (*prefix, config_key, key))))
        image = config_from_plain(walk.plain(item), locations=tuple(locations))
        if image is None:
            continue
        images.append(image)
        containers.append(_container(image, walk.location(item, prefix)))
    return images, containers


def _container(image: ImageConfig, location: Location) -> Container:
    name = image.ref or Path(location.path).name
    return Container(
        name=name,
        source=SourceKind.IMAGE_CONFIG,
        location=location,
        object=f"image {name}",
        image=image.ref,
        image_config=image,
        locations=image.locations,
    )


def _result(path: str, images: list[ImageConfig]) -> ReadResult:
    location = Location(path)
    return ReadResult(
        path,
        containers=tuple(_container(image, location) for image in images),
        kind=SourceKind.IMAGE_CONFIG,
        images=tuple(images),
    )


def _failed(path: str, message: str) -> ReadResult:
    return ReadResult(path, errors=(ReadError(path, 1, 1, message),), kind=SourceKind.IMAGE_CONFIG)


def _load_blob(layout: str, digest: object) -> object:
    if not isinstance(digest, str) or ":" not in digest:
        raise ValueError(f"invalid digest {digest!r}")
    algorithm, _, hexdigest = digest.partition(":")
    if "/" in algorithm or "/" in hexdigest or hexdigest.startswith("."):
        raise ValueError(f"invalid digest {digest!r}")
    return _load_blob_file(Path(layout, "blobs", algorithm, hexdigest))


def read_oci_layout(path: str) -> ReadResult:
    """An OCI layout directory: index.json -> manifest(s) -> config blob, one per image."""
    try:
        images: list[ImageConfig] = []
        index = _load_blob_file(Path(path, "index.json"))
        _walk_index(path, index, None, images, 0)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        return _failed(path, f"unreadable OCI layout: {error}")
    if not images:
        return _failed(path, "OCI layout without an image config")
    return _result(path, images)


def _load_blob_file(path: Path) -> object:
    if path.stat().st_size > MAX_BLOB:
        raise ValueError(f"{path.name} is too large")
    with path.open("rb") as handle:
        return json.load(handle)


def _walk_index(
    layout: str, index: object, ref: str | None, images: list[ImageConfig], depth: int
) -> None:
    if not isinstance(index, dict) or depth > 4:
        return
    for descriptor in index.get("manifests") or []:
        if not isinstance(descriptor, dict):
            continue
        annotations = descriptor.get("annotations") or {}
        name = annotations.get("org.opencontainers.image.ref.name") if isinstance(
            annotations, dict) else None
        name = name if isinstance(name, str) else ref
        document = _load_blob(layout, descriptor.get("digest"))
        if descriptor.get("mediaType") in _INDEX_TYPES or (
            isinstance(document, dict) and "manifests" in document
        ):
            _walk_index(layout, document, name, images, depth + 1)
            continue
        if not isinstance(document, dict) or not isinstance(document.get("config"), dict):
            continue
        config = config_from_plain(_load_blob(layout, document["config"].get("digest")), name)
        if config is not None:
            images.append(config)


def read_docker_archive(path: str) -> ReadResult:
    """A ``docker save``/``podman save`` tarball: manifest.json -> each image's config."""
    import tarfile

    try:
        with tarfile.open(path, "r:*") as archive:
            manifest = _member_json(archive, "manifest.json")
            if manifest is None:
                if _member_json(archive, "index.json") is not None:
                    return _failed(path, "an OCI archive; unpack it and read the directory")
                return ReadResult(path, skipped="a tar archive without manifest.json")
            images = []
            for entry in manifest if isinstance(manifest, list) else []:
                if not isinstance(entry, dict) or not isinstance(entry.get("Config"), str):
                    continue
                tags = entry.get("RepoTags")
                ref = tags[0] if isinstance(tags, list) and tags else None
                config = config_from_plain(_member_json(archive, entry["Config"]), ref)
                if config is not None:
                    images.append(config)
    except (OSError, tarfile.TarError, ValueError, EOFError) as error:
        return _failed(path, f"unreadable docker-archive: {error}")
    if not images:
        return _failed(path, "docker-archive without an image config")
    return _result(path, images)


def _member_json(archive: tarfile.TarFile, name: str) -> object:
    try:
        member = archive.getmember(name)
    except KeyError:
        return None
    if not member.isfile() or member.size > MAX_BLOB:
        raise ValueError(f"{name} is not a readable file")
    handle = archive.extractfile(member)
    if handle is None:
        return None
    with handle:
        return json.load(handle)


def join_image(container: Container, image_config: ImageConfig) -> Container:
    """The container as it runs from ``image_config``: its ENTRYPOINT/CMD/STOPSIGNAL apply."""
    return container._replace(image_config=image_config)


def image_lookup(ref: str, *, timeout: float = LOOKUP_TIMEOUT) -> ImageConfig | None:
    """The config of image ``ref``: podman's if the image is local, else skopeo's, else None."""
    import shutil

    podman = shutil.which("podman")
    if podman:
        output = _run([podman, "image", "inspect", "--format", "json", ref], timeout)
        if output is not None:
            try:
                data = json.loads(output)
            except ValueError:
                data = None
            if isinstance(data, list) and data:
                config = config_from_plain(data[0], ref)
                if config is not None:
                    return config
    skopeo = shutil.which("skopeo")
    if skopeo:
        target = ref if "://" in ref or ref.startswith(("docker:", "oci:")) else f"docker://{ref}"
        output = _run([skopeo, "inspect", "--config", target], timeout)
        if output is not None:
            try:
                return config_from_plain(json.loads(output), ref)
            except ValueError:
                return None
    return None


def _run(argv: list[str], timeout: float) -> str | None:
    import subprocess

    try:
        completed = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return completed.stdout if completed.returncode == 0 else None
