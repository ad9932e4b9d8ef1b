"""Options that `lint` and `fix` share, defined once.

``@target_options`` adds the engines to check against, the images to join, the
rules to run and the config file to read; both commands receive them as the same
keyword arguments and turn them into a ``Config`` with ``load_config``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO, TypeVar

import click

from stopsignal.errors import UsageError

if TYPE_CHECKING:
    from stopsignal.config import Config
    from stopsignal.engine import ImageBinding

F = TypeVar("F", bound=Callable[..., object])

_OPTIONS = (
    click.option("--engine", "engines", multiple=True, metavar="E@V",
                 help="Target these engines only (repeatable; replaces the defaults), e.g. "
                      "--engine openshift@4.9 or --engine kubernetes@1.33,containerd@2.3."),
    click.option("--add-engine", "add_engines", multiple=True, metavar="E@V",
                 help="Target this engine as well as the defaults (repeatable)."),
    click.option("--image", "images", multiple=True, metavar="[CONTAINER=]REF",
                 help="Join containers running image REF (or the named container) with REF's "
                      "config, looked up with podman (local images) or skopeo."),
    click.option("--image-config", "image_configs", multiple=True, metavar="[CONTAINER=]FILE",
                 help="Join containers with an image config file (podman/docker inspect JSON, "
                      "OCI layout, docker-archive), matched by its tags or by container name."),
    click.option("--select", multiple=True, metavar="RULE",
                 help="Only these rules (codes or names, repeatable or comma-separated)."),
    click.option("--ignore", multiple=True, metavar="RULE",
                 help="Not these rules (codes or names)."),
    click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                 help="Config file (default: the nearest .stopsignal.yaml, or pyproject.toml "
                      "with [tool.stopsignal])."),
    click.option("--no-config", is_flag=True, help="Ignore config files."),
    click.option("--stdin-filename", metavar="PATH", default=None,
                 help="The name of what `-` reads: shown in every output format, and used to "
                      "recognise the kind of file and to match per-file-ignores."),
)

COLOR_CHOICES = ("auto", "always", "never")


def color_option(command: F) -> F:
    """``--color auto|always|never``: the same switch on every command that styles output."""
    option = click.option(
        "--color", "color", type=click.Choice(COLOR_CHOICES), default="auto",
        show_default=True,
        help="Colour the output: auto colours a terminal unless NO_COLOR is set (FORCE_COLOR "
             "colours a pipe too).")
    return option(command)


def use_color(choice: str, stream: TextIO) -> bool:
    """Whether to style output for ``stream``: --color wins, then NO_COLOR, then FORCE_COLOR
    (both when set and not empty, as no-color.org and Python itself read them), then
    whether the stream is a terminal (not a dumb one)."""
    import os

    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def target_options(command: F) -> F:
    """Add the shared options to a click command (in --help order)."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return command


def split(values: Sequence[str]) -> tuple[str, ...]:
    """Repeatable options also take comma-separated lists: ``--select a,b --select c``."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def load_config(*, engines: Sequence[str] = (), add_engines: Sequence[str] = (),
                select: Sequence[str] = (), ignore: Sequence[str] = (),
                config_path: str | None = None, no_config: bool = False,
                fail_on: str | None = None, no_ignore: bool = False) -> Config:
    """The config file (unless --no-config) with the command line on top of it.

    An unknown engine is a usage error here, before any file is read.
    """
    from stopsignal import config as config_module
    from stopsignal.rules import get

    for key in (*split(select), *split(ignore)):
        get(key)  # a rule name on the command line that no rule has is a usage error
    base = config_module.Config() if no_config else config_module.load(config_path)
    config = base.merged(
        engines=split(engines) or None,
        add_engines=(base.add_engines + split(add_engines)) if add_engines else None,
        fail_on=fail_on,
        select=split(select) or None,
        ignore=(base.ignore + split(ignore)) if ignore else None,
        no_ignore=no_ignore or None,
    )
    config.targets()
    return config


def image_bindings(refs: Sequence[str], files: Sequence[str]) -> list[ImageBinding]:
    """The images named by ``--image`` (``[CONTAINER=]REF``) and ``--image-config`` files."""
    bindings: list[ImageBinding] = []
    if not refs and not files:
        return bindings  # the common case: no image lookup code to import
    from stopsignal.readers import image_lookup, read_path

    for value in refs:
        name, ref = _named(value)
        image = image_lookup(ref)
        if image is None:
            raise UsageError(f"image {ref!r} not found: it is not a local podman image and "
                             "skopeo cannot inspect it (use --image-config FILE)")
        bindings.append((name, image._replace(ref=ref)))
    for value in files:
        name, path = _named(value)
        result = read_path(path)
        if result.errors:
            error = result.errors[0]
            raise UsageError(f"{error.path}:{error.line}: {error.message}")
        if not result.images:
            raise UsageError(f"{path}: not an image config (podman/docker inspect JSON, OCI "
                             "layout or docker-archive)")
        bindings.extend((name, image) for image in result.images)
    return bindings


def _named(value: str) -> tuple[str | None, str]:
    """``nginx=localhost/img`` -> ("nginx", "localhost/img"); refs may contain '=' rarely."""
    name, sep, rest = value.partition("=")
    if sep and name and "/" not in name and ":" not in name:
        return name, rest
    return None, value
