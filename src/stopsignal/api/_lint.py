"""``lint``: find containers that will not stop gracefully."""

from __future__ import annotations

from collections.abc import Sequence

from stopsignal.api._options import configure, image_bindings, path_list
from stopsignal.api._results import LintReport
from stopsignal.errors import UsageError


def lint(paths: Sequence[str] | str = (), *, text: str | None = None,
         filename: str = "<stdin>", engines: Sequence[str] | str = (),
         add_engines: Sequence[str] | str = (), select: Sequence[str] | str = (),
         ignore: Sequence[str] | str = (), images: Sequence[str] = (),
         image_configs: Sequence[str] = (), config: str | None = None, no_config: bool = False,
         fail_on: str | None = None, no_ignore: bool = False,
         jobs: int | None = 1, lookup_images: str | None = None,
         offline: bool = False) -> LintReport:
    """Find containers that will not stop gracefully (``stopsignal lint``).

    ``paths``: files and directories; ``text``: one more input given as text (a
    manifest stream, as ``-`` is on the command line), reported as ``filename``.
    ``jobs``: processes to read and check files with (None: as many as pay off).
    ``lookup_images``: where image configs come from besides the files: ``none``,
    ``local`` (the podman or docker store) or ``registry`` (default: the config's
    ``lookup-images``, else ``local``); ``offline``: registry answers from the cache only.
    """
    from stopsignal import engine

    inputs = path_list(paths)
    if not inputs and text is None:
        raise UsageError("nothing to lint: give files or directories (or - for stdin)")
    settings = configure(engines, add_engines, select, ignore, config, no_config, fail_on,
                         no_ignore)
    if lookup_images is not None:
        settings = settings._replace(lookup_images=lookup_images)
    bindings = image_bindings(images, [*image_configs, *settings.image_configs])
    lookup = None
    if settings.lookup_images != "none":  # nothing imported for `--lookup-images none`
        from stopsignal.engine.lookup import ImageLookup, LookupOptions

        # offline asks no registry but still uses what earlier lookups cached.
        mode = "registry" if offline else settings.lookup_images
        lookup = ImageLookup(LookupOptions(mode=mode, offline=offline))
    if text is not None:
        from stopsignal.readers import iter_files, read_path, read_text

        results = [read_text(text, filename)]
        results += [read_path(path)
                    for path in iter_files(inputs, exclude=engine.exclusions(settings))]
        result = engine.lint_results(results, settings, images=bindings, lookup=lookup)
    else:
        result = engine.lint_paths(inputs, settings, images=bindings, jobs=jobs,
                                   lookup=lookup)
    return LintReport.of(result, settings)
