"""`stopsignal fix`: apply the fixes lint finds, verify them, write atomically."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from stopsignal.cli.options import add_target_options
from stopsignal.errors import StopSignalError, UsageError

if TYPE_CHECKING:
    from stopsignal.api import FixReport
    from stopsignal.cli.app import Parser
    from stopsignal.fixing import FileFix
    from stopsignal.model import Finding


def build_fix(parser: Parser) -> None:
    parser.describe(fix, "[options] [PATH ...]")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="Files or directories to fix; - fixes a manifest stream from "
                             "stdin onto stdout.")
    parser.add_argument("--diff", dest="show_diff", action="store_true",
                        help="Print a unified diff of the fixes instead of writing them.")
    parser.add_argument("--unsafe-fixes", action="store_true",
                        help="Also apply fixes that change behaviour beyond the finding (shell "
                             "form to exec form, longer grace periods).")
    add_target_options(parser)


def fix(paths: list[str], show_diff: bool, unsafe_fixes: bool, engines: list[str],
        add_engines: list[str], images: list[str], image_configs: list[str],
        select: list[str], ignore: list[str], config_path: str | None,
        no_config: bool, stdin_filename: str | None) -> None:
    """Repair what lint finds, changing nothing else.

    Applies the fixes attached to findings (only safe ones unless
    --unsafe-fixes), lints again until nothing more applies, and verifies the
    result before writing: it parses, lint no longer reports what was fixed, the
    data changed only at the edited paths, and a second pass changes nothing.
    Files are replaced atomically; if verification fails, the file is left as it
    was and the error says why.

    `stopsignal fix -` reads a manifest stream on stdin and writes the fixed
    stream to stdout, so it works as a Helm post-renderer: the plugin in
    helm-plugin/stopsignal on Helm 4 (`--post-renderer stopsignal`), `helm install
    --post-renderer stopsignal --post-renderer-args fix --post-renderer-args -` on
    Helm 3.10+, or scripts/helm-post-renderer for older Helm.

    Examples:
      stopsignal fix --diff --engine openshift@4.9 examples/seed/pod-stopsignal-systemd.yaml
      stopsignal fix --engine openshift@4.9 k8s/
      helm template chart | stopsignal fix - | kubectl apply -f -

    Exit codes: 0 nothing left to report, 1 findings remain (with --diff: fixes
    to make) or a fix failed verification, 2 usage error or unreadable input.
    With `-`, remaining findings are reported on stderr and the exit code is 0.
    """
    from stopsignal import api
    from stopsignal.cli import fail
    from stopsignal.cli.stdio import write_stdout

    try:
        text = None
        if "-" in paths:
            from stopsignal.cli.stdio import decode_stdin, read_stdin

            if len(paths) > 1:
                raise UsageError("- (stdin) cannot be combined with other paths")
            # Bytes in and out: text mode would turn CRLF into LF behind our back.
            text = decode_stdin(read_stdin())
        report = api.fix([path for path in paths if path != "-"], text=text,
                         filename=stdin_filename or "<stdin>", write=not show_diff,
                         unsafe=unsafe_fixes, engines=engines, add_engines=add_engines,
                         select=select, ignore=ignore, images=images,
                         image_configs=image_configs, config=config_path, no_config=no_config)
        for warning in report.warnings:
            sys.stderr.write(f"stopsignal: warning: {warning}\n")
        if text is not None:
            sys.exit(_stdin(report, show_diff, unsafe_fixes))
        for result in report.changed if show_diff else ():
            write_stdout(result.diff().encode("utf-8"))
    except StopSignalError as error:
        fail(error)
    for message in report.errors:
        sys.stderr.write(f"stopsignal: error: {message}\n")
    for failure in report.failed:
        sys.stderr.write(f"stopsignal: error: {failure.message} (file left unchanged)\n")
    for failure in report.unwritten:
        sys.stderr.write(f"stopsignal: error: {failure.message} (file left unchanged)\n")
    for note in report.notes:
        sys.stderr.write(f"stopsignal: note: {note}\n")
    out = sys.stderr if show_diff else sys.stdout
    _summary(report.files, out, unsafe=unsafe_fixes, verb="Would fix" if show_diff else "Fixed")
    if report.unwritten:
        sys.exit(2)
    if report.failed or (show_diff and report.changed) or report.failing:
        sys.exit(1)
    sys.exit(2 if report.errors and not report.files else 0)


def _stdin(report: FixReport, show_diff: bool, unsafe: bool) -> int:
    """``fix -``: the fixed stream (or its diff) on stdout, the summary on stderr."""
    from stopsignal.cli.stdio import write_stdout

    if report.errors:
        raise UsageError(f"cannot read the manifest stream: {report.errors[0]}")
    if report.failed:
        sys.stderr.write(f"stopsignal: error: {report.failed[0].message} "
                         "(nothing was written)\n")
        return 1
    result = report.files[0]
    write_stdout((result.diff() if show_diff else result.text).encode("utf-8"))
    _summary(report.files, sys.stderr, unsafe=unsafe)
    return 0


def _summary(results: Sequence[FileFix], out: TextIO, *, unsafe: bool,
             verb: str = "Fixed") -> None:
    from stopsignal.fixing import applicable

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


def _where(finding: Finding) -> str:
    location = finding.location
    return f"{location.path}:{location.line}:{location.column}"
