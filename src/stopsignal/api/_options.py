"""The arguments ``lint``, ``fix`` and ``ObjectChecker`` share, as the command line
gives them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from stopsignal.errors import UsageError

if TYPE_CHECKING:
    from stopsignal.config import Config
    from stopsignal.engine import ImageBinding


def split_list(values: Sequence[str] | str) -> tuple[str, ...]:
    """Lists may also be comma-separated, as on the command line: ``["a,b", "c"]``."""
    items = [values] if isinstance(values, str) else values
    return tuple(part.strip() for value in items for part in value.split(",") if part.strip())


def configure(engines: Sequence[str] | str, add_engines: Sequence[str] | str,
              select: Sequence[str] | str, ignore: Sequence[str] | str, config: str | None,
              no_config: bool, fail_on: str | None = None, no_ignore: bool = False) -> Config:
    """The config file (the nearest one unless ``no_config``) with the arguments on top."""
    from stopsignal import config as config_module
    from stopsignal.rules import get

    for key in (*split_list(select), *split_list(ignore)):
        get(key)  # a rule that does not exist is a usage error, not an empty selection
    base = config_module.Config() if no_config else config_module.load(config)
    merged = base.merged(
        engines=split_list(engines) or None,
        add_engines=(base.add_engines + split_list(add_engines)) if add_engines else None,
        fail_on=fail_on,
        select=split_list(select) or None,
        ignore=(base.ignore + split_list(ignore)) if ignore else None,
        no_ignore=no_ignore or None,
    )
    merged.targets()  # an unknown engine is a usage error now, before any file is read
    return merged


def image_bindings(refs: Sequence[str], files: Sequence[str]) -> list[ImageBinding]:
    """Images given as ``[CONTAINER=]REF`` (looked up) and ``[CONTAINER=]FILE`` configs."""
    bindings: list[ImageBinding] = []
    if not refs and not files:
        return bindings  # the common case: no image lookup code to import
    from stopsignal.readers import image_lookup, read_path

    for value in refs:
        name, ref = named(value)
        image = image_lookup(ref)
        if image is None:
            raise UsageError(f"image {ref!r} not found: it is not a local podman image and "
                             "skopeo cannot inspect it (use --image-config FILE)")
        bindings.append((name, image._replace(ref=ref)))
    for value in files:
        name, path = named(value)
        result = read_path(path)
        if result.errors:
            error = result.errors[0]
            raise UsageError(f"{error.path}:{error.line}: {error.message}")
        if not result.images:
            raise UsageError(f"{path}: not an image config (podman/docker inspect JSON, OCI "
                             "layout or docker-archive)")
        bindings.extend((name, image) for image in result.images)
    return bindings


def named(value: str) -> tuple[str | None, str]:
    """``nginx=localhost/img`` -> ("nginx", "localhost/img"); refs may contain '=' rarely."""
    name, sep, rest = value.partition("=")
    if sep and name and "/" not in name and ":" not in name:
        return name, rest
    return None, value


def path_list(paths: Sequence[str] | str) -> list[str]:
    return [paths] if isinstance(paths, str) else list(paths)
