"""`stopsignal lint`: find containers that will not stop gracefully."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from stopsignal.errors import StopSignalError, UsageError

if TYPE_CHECKING:
    from stopsignal.model import ImageConfig

FORMATS = ("text", "json", "sarif", "github")
FAIL_ON = ("error", "warning", "info", "never")


def _split(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--engine", "engines", multiple=True, metavar="E@V",
              help="Check against these engines only (repeatable; replaces the defaults), "
                   "e.g. --engine openshift@4.9 or --engine kubernetes@1.33,containerd@2.3.")
@click.option("--add-engine", "add_engines", multiple=True, metavar="E@V",
              help="Check against this engine as well as the defaults (repeatable).")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text",
              show_default=True, help="Output format.")
@click.option("-v", "--verbose", is_flag=True,
              help="Show the engine trail behind each finding, fixes and skipped files.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
              help="Lowest severity that makes the exit code 1 [default: warning; "
                   "info findings never fail unless asked].")
@click.option("--select", multiple=True, metavar="RULE",
              help="Run only these rules (codes or names, repeatable or comma-separated).")
@click.option("--ignore", multiple=True, metavar="RULE",
              help="Do not run these rules (codes or names).")
@click.option("--no-ignore", is_flag=True,
              help="Strict mode: report findings even where comments or annotations "
                   "suppress them.")
@click.option("--image", "images", multiple=True, metavar="[CONTAINER=]REF",
              help="Join containers running image REF (or the named container) with REF's "
                   "config, looked up with podman (local images) or skopeo.")
@click.option("--image-config", "image_configs", multiple=True, metavar="[CONTAINER=]FILE",
              help="Join containers with an image config file (podman/docker inspect JSON, "
                   "OCI layout, docker-archive), matched by its tags or by container name.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Config file (default: the nearest .stopsignal.yaml, or pyproject.toml "
                   "with [tool.stopsignal]).")
@click.option("--no-config", is_flag=True, help="Ignore config files.")
def lint(paths: tuple[str, ...], engines: tuple[str, ...], add_engines: tuple[str, ...],
         output_format: str, verbose: bool, fail_on: str | None, select: tuple[str, ...],
         ignore: tuple[str, ...], no_ignore: bool, images: tuple[str, ...],
         image_configs: tuple[str, ...], config_path: str | None, no_config: bool) -> None:
    """Find containers that will not stop gracefully.

    Reads Kubernetes and OpenShift manifests, compose files, Containerfiles and
    image configs (files or directories; `-` reads a manifest stream from
    stdin), joins each container with its image, and checks what every target
    engine does at stop.

    \b
    Targets: by default docker@28.0, podman@4.3.1, kubernetes@1.30 with
    containerd@1.7, and kubernetes@1.30 with cri-o@1.23. --engine replaces them
    (repeat it for several), --add-engine adds to them.

    \b
    Examples:
      stopsignal lint k8s/ Containerfile
      stopsignal lint --engine openshift@4.9 pod.yaml
      stopsignal lint --image nginx=localhost/stopsignal-systemd pod.yaml
      stopsignal lint --format sarif . > stopsignal.sarif

    Suppress a finding with `# stopsignal: ignore=RULE -- reason` on its line or
    the line before, `# stopsignal: ignore-file=RULE` for a file, or the
    annotation `stopsignal.io/ignore: RULE` on an object.

    Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage error, bad
    config, or unreadable input and nothing else found.
    """
    from stopsignal.cli import fail

    try:
        code = _run(paths, engines, add_engines, output_format, verbose, fail_on, select, ignore,
                    no_ignore, images, image_configs, config_path, no_config)
    except StopSignalError as error:
        fail(error)
    sys.exit(code)


def _run(paths: tuple[str, ...], engines: tuple[str, ...], add_engines: tuple[str, ...],
         output_format: str, verbose: bool, fail_on: str | None, select: tuple[str, ...],
         ignore: tuple[str, ...], no_ignore: bool, images: tuple[str, ...],
         image_configs: tuple[str, ...], config_path: str | None, no_config: bool) -> int:
    from stopsignal import config as config_module
    from stopsignal import engine
    from stopsignal.report import renderer

    if not paths:
        raise UsageError("nothing to lint: give files or directories (or - for stdin)")
    base = config_module.Config() if no_config else config_module.load(config_path)
    config = base.merged(
        engines=_split(engines) or None,
        add_engines=(base.add_engines + _split(add_engines)) if add_engines else None,
        fail_on=fail_on,
        select=_split(select) or None,
        ignore=(base.ignore + _split(ignore)) if ignore else None,
        no_ignore=no_ignore or None,
    )
    bindings = _images(images, image_configs + config.image_configs)
    if "-" in paths:
        from stopsignal.readers import iter_files, read_path, read_text

        results = [read_text(sys.stdin.read(), "<stdin>")]
        others = [path for path in paths if path != "-"]
        results += [read_path(path) for path in iter_files(others)]
        result = engine.lint_results(results, config, images=bindings)
    else:
        result = engine.lint_paths(list(paths), config, images=bindings)
    sys.stdout.write(renderer(output_format)(result, verbose=verbose))
    if result.failing(config):
        return 1
    if result.errors:
        return 2
    return 0


def _images(refs: Sequence[str], files: Sequence[str]) -> list[tuple[str | None, ImageConfig]]:
    from dataclasses import replace

    from stopsignal.readers import image_lookup, read_path

    bindings: list[tuple[str | None, ImageConfig]] = []
    for value in refs:
        name, ref = _named(value)
        image = image_lookup(ref)
        if image is None:
            raise UsageError(f"image {ref!r} not found: it is not a local podman image and "
                             "skopeo cannot inspect it (use --image-config FILE)")
        bindings.append((name, replace(image, ref=ref)))
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
