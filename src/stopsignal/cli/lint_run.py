"""What `stopsignal lint` does once its arguments are parsed (by click, or by lint_fast).

No click here: the common one-shot invocation parses its arguments in
``lint_fast`` and must not pay for importing click.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from stopsignal.errors import StopSignalError, UsageError

if TYPE_CHECKING:
    from stopsignal.engine.lookup import ImageLookup
    from stopsignal.model import ImageConfig

FORMATS = ("text", "json", "sarif", "github")
FAIL_ON = ("error", "warning", "info", "never")


class LintArgs(NamedTuple):
    paths: tuple[str, ...]
    engines: tuple[str, ...] = ()
    add_engines: tuple[str, ...] = ()
    output_format: str = "text"
    verbose: bool = False
    fail_on: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    no_ignore: bool = False
    images: tuple[str, ...] = ()
    image_configs: tuple[str, ...] = ()
    config_path: str | None = None
    no_config: bool = False
    jobs: int | None = None  # None: auto (see stopsignal.engine.parallel)
    lookup_images: str | None = None  # none | local | registry; None: the config's
    offline: bool = False  # registry lookups from the cache only


def run(args: LintArgs) -> int:
    """Lint, print the report, and return the exit code (errors print one line, exit 2)."""
    from stopsignal.cli import fail

    try:
        return _run(args)
    except StopSignalError as error:
        fail(error)


def _split(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _run(args: LintArgs) -> int:
    from stopsignal import config as config_module
    from stopsignal import engine
    from stopsignal.report import renderer

    if not args.paths:
        raise UsageError("nothing to lint: give files or directories (or - for stdin)")
    base = config_module.Config() if args.no_config else config_module.load(args.config_path)
    config = base.merged(
        engines=_split(args.engines) or None,
        add_engines=(base.add_engines + _split(args.add_engines)) if args.add_engines else None,
        fail_on=args.fail_on,
        select=_split(args.select) or None,
        ignore=(base.ignore + _split(args.ignore)) if args.ignore else None,
        no_ignore=args.no_ignore or None,
        lookup_images=args.lookup_images,
    )
    lookup = image_lookup(config.lookup_images, offline=args.offline)
    bindings = image_bindings(args.images, args.image_configs + config.image_configs)
    if "-" in args.paths:
        from stopsignal.readers import iter_files, read_path, read_text

        results = [read_text(sys.stdin.read(), "<stdin>")]
        others = [path for path in args.paths if path != "-"]
        results += [read_path(path) for path in iter_files(others)]
        result = engine.lint_results(results, config, images=bindings, lookup=lookup)
    else:
        result = engine.lint_paths(list(args.paths), config, images=bindings, jobs=args.jobs,
                                   lookup=lookup)
    sys.stdout.write(renderer(args.output_format)(result, verbose=args.verbose))
    if result.failing(config):
        return 1
    if result.errors:
        return 2
    return 0


def image_lookup(mode: str, *, offline: bool = False) -> ImageLookup | None:
    """The lookup ``--lookup-images`` asks for (None: no lookups, nothing imported)."""
    if mode == "none":
        return None
    from stopsignal.engine.lookup import ImageLookup, LookupOptions

    return ImageLookup(LookupOptions(mode=mode, offline=offline))


def image_bindings(refs: Sequence[str], files: Sequence[str],
                   ) -> list[tuple[str | None, ImageConfig]]:
    """The images named by ``--image`` (``[CONTAINER=]REF``) and ``--image-config`` files."""
    bindings: list[tuple[str | None, ImageConfig]] = []
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
