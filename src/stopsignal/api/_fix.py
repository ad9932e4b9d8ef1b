"""``fix``: repair what lint finds in files or a text, changing nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from stopsignal.api._options import configure, image_bindings, path_list
from stopsignal.api._results import FixFailure, FixReport
from stopsignal.errors import UsageError

if TYPE_CHECKING:
    from stopsignal.config import Config
    from stopsignal.engine import ImageBinding
    from stopsignal.fixing import FileFix
    from stopsignal.readers.files import Globs


def fix(paths: Sequence[str] | str = (), *, text: str | None = None,
        filename: str = "<stdin>", write: bool = False, unsafe: bool = False,
        engines: Sequence[str] | str = (), add_engines: Sequence[str] | str = (),
        select: Sequence[str] | str = (), ignore: Sequence[str] | str = (),
        images: Sequence[str] = (), image_configs: Sequence[str] = (),
        config: str | None = None, no_config: bool = False) -> FixReport:
    """Repair what lint finds, changing nothing else (``stopsignal fix``).

    Each file's fixes are applied, re-linted and verified (see ``stopsignal.fixing``);
    with ``write`` the changed files are replaced atomically, otherwise nothing is
    written and each ``FileFix`` holds the new text (``diff()`` gives a unified diff).
    ``text``: fix this text instead of files (a manifest stream), named ``filename``.
    A file whose fix fails verification is left as it was and listed in ``failed``.
    A file found in a directory through a symlink that leads out of it is skipped;
    temporary files an interrupted fix left are removed when writing (both noted).
    """
    from stopsignal.errors import FixVerificationError
    from stopsignal.fixing import fix_text
    from stopsignal.fixing.bind import engine_linter

    inputs = path_list(paths)
    if not inputs and text is None:
        raise UsageError("nothing to fix: give files or directories (or - for stdin)")
    if inputs and text is not None:
        raise UsageError("- (stdin) cannot be combined with other paths")
    settings = configure(engines, add_engines, select, ignore, config, no_config)
    bindings = image_bindings(images, [*image_configs, *settings.image_configs])
    done: list[FileFix] = []
    failed: list[FixFailure] = []
    unwritten: list[FixFailure] = []
    errors: list[str] = []
    notes: list[str] = []
    if text is not None:
        lint_text = engine_linter(settings, images=bindings)
        first = lint_text(filename, text)
        if first.errors:
            errors.extend(first.errors)
        else:
            try:
                done.append(fix_text(filename, text, lint_text, unsafe=unsafe, first=first))
            except FixVerificationError as error:
                failed.append(FixFailure(filename, str(error)))
    else:
        _fix_files(inputs, settings, bindings, unsafe, write,
                   _FixLog(done, failed, unwritten, errors, notes))
    failing = tuple(finding for result in done for finding in result.remaining
                    if settings.fails(finding.severity))
    from stopsignal.engine import config_warnings

    return FixReport(tuple(done), tuple(failed), tuple(unwritten), tuple(errors), tuple(notes),
                     failing, written=write and text is None,
                     warnings=tuple(config_warnings(settings)))


class _FixLog(NamedTuple):
    done: list[FileFix]
    failed: list[FixFailure]
    unwritten: list[FixFailure]
    errors: list[str]
    notes: list[str]


def _fix_files(paths: Sequence[str], config: Config, bindings: Sequence[ImageBinding],
               unsafe: bool, write: bool, log: _FixLog) -> None:
    from stopsignal.engine import exclusions
    from stopsignal.errors import FixVerificationError
    from stopsignal.fixing import FileFix, fix_text
    from stopsignal.fixing.atomic import UnsafeWrite, write_atomic
    from stopsignal.fixing.bind import engine_linter
    from stopsignal.readers import read_path

    targets = _fix_targets(paths, exclusions(config), log.notes)
    _stale_temporaries(targets, remove=write, notes=log.notes, errors=log.errors)
    results = [read_path(path) for path, _ in targets]
    images = [(None, image) for result in results for image in result.images]
    lint_text = engine_linter(config, images=[*bindings, *images])
    for (path, within), read in zip(targets, results, strict=True):
        if read.errors:
            log.errors.extend(str(error) for error in read.errors)
            continue
        if not read.containers:
            continue  # nothing lint could fix: never parse it again
        try:
            with open(path, "rb") as handle:  # noqa: PTH123 - bytes, exactly as on disk
                original = handle.read().decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            log.errors.append(f"{path}: {error}")
            continue
        first = lint_text(path, original)
        # What stays as it was when the fix cannot be kept: its findings all remain.
        unchanged = FileFix(path, original, original, remaining=first.findings)
        try:
            result = fix_text(path, original, lint_text, unsafe=unsafe, first=first)
        except FixVerificationError as error:
            log.failed.append(FixFailure(path, str(error)))
            log.done.append(unchanged)
            continue
        if write and result.changed:
            try:
                write_atomic(path, result.text.encode("utf-8"), within=within)
            except UnsafeWrite as refusal:
                log.notes.append(str(refusal))
                result = unchanged
            except OSError as error:
                log.unwritten.append(FixFailure(path, f"{path}: cannot write: "
                                                f"{error.strerror or error}"))
                result = unchanged
        log.done.append(result)


def _fix_targets(paths: Sequence[str], exclude: Globs | None,
                 notes: list[str]) -> list[tuple[str, str | None]]:
    """The files to fix, each with the tree a write through it must stay in.

    A file named explicitly may be a symlink to anywhere (the user chose it); a file
    found in a directory may not lead out of that directory: it is skipped with a note.
    A file reached twice (a symlink and its target in the same tree) is fixed once.
    """
    import os.path

    from stopsignal.readers import iter_files

    found: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for given in paths:
        tree = given if os.path.isdir(given) else None  # noqa: PTH112 - as iter_files
        root = os.path.realpath(given) if tree is not None else None
        for path in iter_files([given], exclude=exclude):
            real = os.path.realpath(path)
            if root is not None and path != given and os.path.commonpath([root, real]) != root:
                notes.append(f"{path} is a symlink to {real}, outside {given}: skipped")
                continue
            if real in seen:
                continue
            seen.add(real)
            found.append((path, tree if path != given else None))
    return found


def _stale_temporaries(targets: Sequence[tuple[str, str | None]], *, remove: bool,
                       notes: list[str], errors: list[str]) -> None:
    """Temporary files an interrupted fix left beside the files to fix: removed when
    writing, else only noted."""
    from pathlib import Path

    from stopsignal.fixing.atomic import stale_temporaries

    folders = dict.fromkeys(str(Path(path).resolve().parent) for path, _ in targets)
    for folder in folders:
        for stale in stale_temporaries(folder):
            if not remove:
                notes.append(f"{stale} was left by an interrupted fix; the next fix removes it")
                continue
            try:
                Path(stale).unlink()
            except OSError as error:
                errors.append(f"{stale} was left by an interrupted fix and cannot be "
                              f"removed: {error.strerror or error}")
            else:
                notes.append(f"removed {stale}, left by an interrupted fix")
