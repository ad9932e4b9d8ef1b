"""Options that several commands share, defined once.

``@target_options`` adds the engines to check against, the images to join, the
rules to run and the config file to read; `lint` and `fix` receive them as the same
keyword arguments and pass them on to ``stopsignal.lint`` or ``stopsignal.fix``
(``stopsignal.api``), which give them their meaning. ``@color_option`` is the colour
switch of every command that styles output, ``@endpoint_options`` the real engines'
endpoints, and ``real_engines`` reads the ``--on`` list of `conformance` and `demo`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO, TypeVar

import click

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


def endpoint_options(command: F) -> F:
    """``--docker-host`` and ``--cri-endpoint``: where the real engines answer. Unset, the
    clients read ``DOCKER_HOST`` and ``CONTAINER_RUNTIME_ENDPOINT``, as docker and crictl do."""
    command = click.option(
        "--cri-endpoint", metavar="URL",
        help="CRI socket, for --on cri (default: $CONTAINER_RUNTIME_ENDPOINT).")(command)
    return click.option(
        "--docker-host", metavar="URL",
        help="Docker daemon, for --on docker (default: $DOCKER_HOST, else the local "
             "socket).")(command)


def real_engines(on: str) -> list[str]:
    """The comma-separated ``--on`` value: podman, docker, cri (exit 2 on another name)."""
    from stopsignal.probing.conformance import ENGINES

    engines = [part.strip() for part in on.split(",") if part.strip()]
    if not engines or any(item not in ENGINES for item in engines):
        from stopsignal.cli import fail
        from stopsignal.errors import UsageError

        fail(UsageError(f"--on takes {', '.join(ENGINES)}; got {on!r}"))
    return engines


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
