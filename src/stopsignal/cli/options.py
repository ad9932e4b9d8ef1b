"""Options that `lint` and `fix` share, defined once.

``@target_options`` adds the engines to check against, the images to join, the
rules to run and the config file to read; both commands receive them as the same
keyword arguments and pass them on to ``stopsignal.lint`` or ``stopsignal.fix``
(``stopsignal.api``), which give them their meaning.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

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
)


def target_options(command: F) -> F:
    """Add the shared options to a click command (in --help order)."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return command
