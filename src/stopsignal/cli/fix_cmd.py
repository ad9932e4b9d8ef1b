"""`stopsignal fix`: apply the fixes lint finds, verify them, write atomically."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

import click

from stopsignal.cli.options import image_bindings, load_config, target_options
from stopsignal.errors import StopSignalError, UsageError

if TYPE_CHECKING:
    from stopsignal.config import Config
    from stopsignal.engine import ImageBinding
    from stopsignal.fix import FileFix
    from stopsignal.model import Finding
    from stopsignal.readers.files import Globs


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--diff", "show_diff", is_flag=True,
              help="Print a unified diff of the fixes instead of writing them.")
@click.option("--unsafe-fixes", is_flag=True,
              help="Also apply fixes that change behaviour beyond the finding (shell form to "
                   "exec form, longer grace periods).")
@target_options
def fix(paths: tuple[str, ...], show_diff: bool, unsafe_fixes: bool, engines: tuple[str, ...],
        add_engines: tuple[str, ...], images: tuple[str, ...], image_configs: tuple[str, ...],
        select: tuple[str, ...], ignore: tuple[str, ...], config_path: str | None,
        no_config: bool, stdin_filename: str | None) -> None:
    """Repair what lint finds, changing nothing else.

    Applies the fixes attached to findings (only safe ones unless
    --unsafe-fixes), lints again until nothing more applies, and verifies the
    result before writing: it parses, lint no longer reports what was fixed, the
    data changed only at the edited paths, and a second pass changes nothing.
    Files are replaced atomically; if verification fails, the file is left as it
    was and the error says why.

    `stopsignal fix -` reads a manifest stream on stdin and writes the fixed
    stream to stdout, so it works as a Helm post-renderer
    (`helm install --post-renderer stopsignal --post-renderer-args fix
    --post-renderer-args -`, or scripts/helm-post-renderer for older Helm).

    \b
    Examples:
      stopsignal fix --diff pod.yaml
      stopsignal fix --engine openshift@4.9 k8s/
      helm template chart | stopsignal fix - | kubectl apply -f -

    Exit codes: 0 nothing left to report, 1 findings remain (with --diff: fixes
    to make) or a fix failed verification, 2 usage error or unreadable input.
    With `-`, remaining findings are reported on stderr and the exit code is 0.
    """
    from stopsignal.cli import fail

    try:
        config = load_config(engines=engines, add_engines=add_engines, select=select,
                             ignore=ignore, config_path=config_path, no_config=no_config)
        if not paths:
            raise UsageError("nothing to fix: give files or directories (or - for stdin)")
        from stopsignal.engine import config_warnings

        for warning in config_warnings(config):
            sys.stderr.write(f"stopsignal: warning: {warning}\n")
        bindings = image_bindings(images, [*image_configs, *config.image_configs])
        if "-" in paths:
            if len(paths) > 1:
                raise UsageError("- (stdin) cannot be combined with other paths")
            code = _stdin(config, unsafe_fixes, show_diff, bindings, stdin_filename or "<stdin>")
        else:
            code = _files(paths, config, unsafe_fixes, show_diff, bindings)
    except StopSignalError as error:
        fail(error)
    sys.exit(code)


def _stdin(config: Config, unsafe: bool, show_diff: bool, bindings: list[ImageBinding],
           name: str) -> int:
    from stopsignal.cli.stdio import decode_stdin, read_stdin, write_stdout
    from stopsignal.errors import FixVerificationError
    from stopsignal.fix import fix_text
    from stopsignal.fix.bind import engine_linter

    # Bytes in and out: text mode would turn CRLF into LF behind our back.
    text = decode_stdin(read_stdin())
    lint = engine_linter(config, images=bindings)
    first = lint(name, text)
    if first.errors:
        raise UsageError(f"cannot read the manifest stream: {first.errors[0]}")
    try:
        result = fix_text(name, text, lint, unsafe=unsafe, first=first)
    except FixVerificationError as error:
        sys.stderr.write(f"stopsignal: error: {error} (nothing was written)\n")
        return 1
    write_stdout((_diff(result) if show_diff else result.text).encode("utf-8"))
    _summary([result], sys.stderr, unsafe=unsafe)
    return 0


def _files(paths: Sequence[str], config: Config, unsafe: bool, show_diff: bool,
           bindings: list[ImageBinding]) -> int:
    from stopsignal.cli.stdio import write_stdout
    from stopsignal.engine import exclusions
    from stopsignal.errors import FixVerificationError
    from stopsignal.fix import FileFix, LintOutput, fix_text
    from stopsignal.fix.atomic import UnsafeWrite, write_atomic
    from stopsignal.fix.bind import engine_linter
    from stopsignal.readers import read_path

    targets = _targets(paths, exclusions(config))
    _stale(targets, remove=not show_diff)
    files = [path for path, _ in targets]
    results = [read_path(path) for path in files]
    images: list[ImageBinding] = [(None, image) for result in results for image in result.images]
    lint = engine_linter(config, images=[*bindings, *images])
    done: list[FileFix] = []
    failed = unreadable = unwritten = False
    for (path, within), read in zip(targets, results, strict=True):
        if read.errors:
            unreadable = True
            for error in read.errors:
                sys.stderr.write(f"stopsignal: error: {error}\n")
            continue
        if not read.containers:
            continue  # nothing lint could fix: never parse it again
        try:
            with open(path, "rb") as handle:  # noqa: PTH123 - bytes, exactly as on disk
                text = handle.read().decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            unreadable = True
            sys.stderr.write(f"stopsignal: error: {path}: {error}\n")
            continue
        first: LintOutput = lint(path, text)
        # What stays as it was when the fix cannot be kept: its findings all remain.
        unchanged = FileFix(path, text, text, remaining=list(first.findings))
        try:
            result = fix_text(path, text, lint, unsafe=unsafe, first=first)
        except FixVerificationError as error:
            failed = True
            sys.stderr.write(f"stopsignal: error: {error} (file left unchanged)\n")
            done.append(unchanged)
            continue
        if result.changed:
            if show_diff:
                write_stdout(_diff(result).encode("utf-8"))
            else:
                try:
                    write_atomic(path, result.text.encode("utf-8"), within=within)
                except UnsafeWrite as refusal:
                    sys.stderr.write(f"stopsignal: note: {refusal}\n")
                    result = unchanged
                except OSError as error:
                    unwritten = True
                    sys.stderr.write(f"stopsignal: error: {path}: cannot write: "
                                     f"{error.strerror or error} (file left unchanged)\n")
                    result = unchanged
        done.append(result)
    out = sys.stderr if show_diff else sys.stdout
    remaining = _summary(done, out, unsafe=unsafe, verb="Would fix" if show_diff else "Fixed")
    if unwritten:
        return 2
    if failed:
        return 1
    if show_diff and any(result.changed for result in done):
        return 1
    if any(config.fails(finding.severity) for finding in remaining):
        return 1
    return 2 if unreadable and not done else 0


def _targets(paths: Sequence[str], exclude: Globs | None) -> list[tuple[str, str | None]]:
    """The files to fix, each with the tree a write through it must stay in.

    A file named on the command line may be a symlink to anywhere (the user chose
    it); a file found in a directory may not lead out of that directory: it is
    skipped with a note. A file reached twice (a symlink and its target in the
    same tree) is fixed once.
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
                sys.stderr.write(f"stopsignal: note: {path} is a symlink to {real}, outside "
                                 f"{given}: skipped\n")
                continue
            if real in seen:
                continue
            seen.add(real)
            found.append((path, tree if path != given else None))
    return found


def _stale(targets: Sequence[tuple[str, str | None]], *, remove: bool) -> None:
    """Temporary files an interrupted run left beside the files to fix: removed (noted)."""
    from pathlib import Path

    from stopsignal.fix.atomic import stale_temporaries

    folders = dict.fromkeys(str(Path(path).resolve().parent) for path, _ in targets)
    for folder in folders:
        for stale in stale_temporaries(folder):
            if not remove:
                sys.stderr.write(f"stopsignal: note: {stale} was left by an interrupted fix; "
                                 "the next fix removes it\n")
                continue
            try:
                Path(stale).unlink()
            except OSError as error:
                sys.stderr.write(f"stopsignal: error: {stale} was left by an interrupted fix "
                                 f"and cannot be removed: {error.strerror or error}\n")
            else:
                sys.stderr.write(f"stopsignal: note: removed {stale}, left by an interrupted "
                                 "fix\n")


def _diff(result: FileFix) -> str:
    import difflib

    name = result.path
    old, new = (name, name) if name.startswith(("/", "<")) else (f"a/{name}", f"b/{name}")
    lines = difflib.unified_diff(result.original.splitlines(keepends=True),
                                 result.text.splitlines(keepends=True), fromfile=old, tofile=new)
    text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)
    return text


def _summary(results: Sequence[FileFix], out: TextIO, *, unsafe: bool,
             verb: str = "Fixed") -> list[Finding]:
    from stopsignal.fix import applicable

    write = out.write
    remaining: list[Finding] = []
    for result in results:
        for finding in result.fixed:
            title = finding.fix.title if finding.fix else ""
            write(f"{verb} {_where(finding)}: {finding.code} [{finding.rule}] {title}\n")
        remaining.extend(result.remaining)
    for finding in remaining:
        hint = ""
        if finding.fix is not None and not unsafe and applicable(finding.fix, unsafe=True) \
                and not applicable(finding.fix, unsafe=False):
            hint = " (fixable with --unsafe-fixes)"
        elif finding.fix is not None and not finding.fix.edits:
            hint = f" ({finding.fix.title})"
        write(f"{_where(finding)}: {finding.code} [{finding.rule}] {finding.message}{hint}\n")
    fixed = sum(len(result.fixed) for result in results)
    files = sum(1 for result in results if result.changed)
    write(f"{verb} {fixed} finding{'s' if fixed != 1 else ''} in {files} "
          f"file{'s' if files != 1 else ''}; {len(remaining)} remain.\n")
    return remaining


def _where(finding: Finding) -> str:
    location = finding.location
    return f"{location.path}:{location.line}:{location.column}"
