"""Options that several commands share, defined once, and the value types of options.

``add_target_options`` adds the engines to check against, the images to join, the
rules to run and the config file to read; `lint` and `fix` receive them as the same
keyword arguments and pass them on to ``stopsignal.lint`` or ``stopsignal.fix``
(``stopsignal.api``), which give them their meaning. ``add_color_option`` is the colour
switch of every command that styles output, ``add_endpoint_options`` the real engines'
endpoints, and ``real_engines`` reads the ``--on`` list of `conformance` and `demo`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TextIO

Group = argparse._ArgumentGroup  # what add_argument_group returns (argparse names no public type)


def add_target_options(parser: argparse.ArgumentParser) -> dict[str, Group]:
    """Add the options `lint` and `fix` share, in argument groups (in --help order): the
    groups by name, for the command to add its own options to."""
    groups = {name: parser.add_argument_group(name)
              for name in ("targets", "images", "rules and configuration")}
    add = groups["targets"].add_argument
    add("--engine", dest="engines", action="append", type=given, default=[], metavar="E@V",
        help="Target these engines only (repeatable; replaces the defaults), e.g. "
             "--engine openshift@4.9 or --engine kubernetes@1.33,containerd@2.3.")
    add("--add-engine", dest="add_engines", action="append", type=given, default=[],
        metavar="E@V",
        help="Target this engine as well as the defaults (repeatable).")
    add = groups["images"].add_argument
    add("--image", dest="images", action="append", type=given, default=[],
        metavar="[CONTAINER=]REF",
        help="Join containers running image REF (or the named container) with REF's "
             "config, looked up with podman (local images) or skopeo.")
    add("--image-config", dest="image_configs", action="append", type=given, default=[],
        metavar="[CONTAINER=]FILE",
        help="Join containers with an image config file (podman/docker inspect JSON, "
             "OCI layout, docker-archive), matched by its tags or by container name.")
    add = groups["rules and configuration"].add_argument
    completes_rules(add("--select", action="append", type=given, default=[], metavar="RULE",
                        help="Only these rules (codes or names, repeatable or "
                             "comma-separated)."))
    completes_rules(add("--ignore", action="append", type=given, default=[], metavar="RULE",
                        help="Not these rules (codes or names)."))
    add("--config", dest="config_path", type=file_path, metavar="FILE",
        help="Config file (default: the nearest .stopsignal.yaml, or pyproject.toml "
             "with [tool.stopsignal]).")
    add("--no-config", action="store_true", help="Ignore config files.")
    parser.add_argument(
        "--stdin-filename", metavar="PATH",
        help="The name of what `-` reads: shown in every output format, and used to "
             "recognise the kind of file and to match per-file-ignores.")
    return groups


def completes_rules(action: argparse.Action) -> None:
    """Shell completion offers the rules' codes and names for ``action`` (argcomplete calls
    an action's ``completer``; the rules are imported only then)."""

    def rules(**_: object) -> list[str]:
        from stopsignal.rules import RULES

        return [key for rule in RULES for key in (rule.code, rule.name)]

    action.completer = rules  # type: ignore[attr-defined]


COLOR_CHOICES = ("auto", "always", "never")


def add_color_option(parser: argparse.ArgumentParser | Group) -> None:
    """``--color auto|always|never``: the same switch on every command that styles output."""
    parser.add_argument(
        "--color", choices=COLOR_CHOICES, default="auto",
        help="Colour the output: auto colours a terminal unless NO_COLOR is set; FORCE_COLOR "
             "colours a pipe too.")


def add_json_option(parser: argparse.ArgumentParser | Group) -> None:
    """``--json``: the same switch on every command whose output has a JSON contract."""
    parser.add_argument("--json", dest="as_json", action="store_true",
                        help="Print JSON (the documented contract).")


def add_endpoint_options(parser: argparse.ArgumentParser | Group) -> None:
    """``--docker-host`` and ``--cri-endpoint``: where the real engines answer. Unset, the
    clients read ``DOCKER_HOST`` and ``CONTAINER_RUNTIME_ENDPOINT``, as docker and crictl do."""
    parser.add_argument(
        "--docker-host", metavar="URL",
        help="Docker daemon, for --on docker (default: $DOCKER_HOST, else the local socket).")
    parser.add_argument(
        "--cri-endpoint", metavar="URL",
        help="CRI socket, for --on cri (default: $CONTAINER_RUNTIME_ENDPOINT).")


def given(text: str) -> str:
    """An option's type: any value but an empty one (``--engine "$ENGINE"`` with the
    variable unset would otherwise mean the defaults, silently)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a value, got an empty string")
    return text


def int_range(low: int, high: int | None = None) -> Callable[[str], int]:
    """An option's type: a whole number from ``low`` to ``high`` (no upper bound if None)."""

    def number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"{low} or more"
            raise argparse.ArgumentTypeError(f"{value} is not {bounds}")
        return value

    return number


def float_range(low: float) -> Callable[[str], float]:
    """An option's type: a number of at least ``low``."""

    def number(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value >= low:  # NaN too
            raise argparse.ArgumentTypeError(f"{text} is not {low:g} or more")
        return value

    return number


def file_path(text: str) -> str:
    """An option's type: a file to read or write, which may not exist yet, not a directory."""
    from pathlib import Path

    if Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a directory")
    return text


def output_path(text: str) -> str:
    """An option's type: a file to write, checked before the command runs (a probe or demo
    takes seconds): not a directory, and in a directory that exists."""
    from pathlib import Path

    path = Path(file_path(text))
    if not path.absolute().parent.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r}: no directory {str(path.parent)!r}")
    return text


def dns_label(text: str) -> str:
    """An option's type: the name of a Service or namespace, which Kubernetes requires to be
    a DNS label (RFC 1123): lower-case letters, digits and '-', at most 63."""
    import re

    if not re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a DNS label (lower-case letters, digits and '-', at most 63)")
    return text


def folder_path(text: str) -> str:
    """An option's type: a directory, which may not exist yet, not a file."""
    from pathlib import Path

    if Path(text).exists() and not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a file, not a directory")
    return text


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
