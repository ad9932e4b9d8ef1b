"""`stopsignal lint`: find containers that will not stop gracefully."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from stopsignal.cli.options import (
    add_color_option,
    add_target_options,
    int_range,
    output_path,
    use_color,
)
from stopsignal.errors import StopSignalError
from stopsignal.report import FORMATS

if TYPE_CHECKING:
    from stopsignal.cli.app import Parser

FAIL_ON = ("error", "warning", "info", "never")


def build_lint(parser: Parser) -> None:
    parser.describe(lint, "[options] [PATH ...]")
    add = parser.add_argument
    add("paths", nargs="*", metavar="PATH",
        help="Files or directories to read; - reads a manifest stream from stdin.")
    add("-j", "--jobs", type=int_range(1), metavar="N",
        help="Processes that read and check files; the output does not depend on it "
             "(default: one per CPU, up to 4, for 300 files or more).")
    groups = add_target_options(parser)
    add = groups["images"].add_argument
    add("--lookup-images", choices=("none", "local", "registry"),
        help="Where image configs come from besides the inputs (default: local): none; "
             "local, the podman or docker store; registry, also registries through skopeo, "
             "cached under $XDG_CACHE_HOME/stopsignal.")
    add("--offline", action="store_true",
        help="Ask no registry: image configs come from the local store and the image cache "
             "only.")
    groups["rules and configuration"].add_argument(
        "--no-ignore", action="store_true",
        help="Strict mode: report findings even where comments or annotations suppress "
             "them.")
    output = parser.add_argument_group("output")
    add = output.add_argument
    add("--format", dest="output_format", choices=FORMATS, default="text",
        help="Output format: text, JSON, SARIF 2.1.0, GitHub annotations, GitLab Code "
             "Quality, JUnit XML.")
    add("-o", "--output", type=output_path, metavar="FILE",
        help="Write the report to FILE (replaced atomically) instead of stdout.")
    add_color_option(output)
    add("-v", "--verbose", action="store_true",
        help="Show the engine trail behind each finding, fixes and skipped files.")
    add("--fail-on", choices=FAIL_ON,
        help="Lowest severity that makes the exit code 1 (default: warning; info findings "
             "never fail unless asked).")


def lint(paths: list[str], engines: list[str], add_engines: list[str],
         output_format: str, verbose: bool, fail_on: str | None, select: list[str],
         ignore: list[str], no_ignore: bool, images: list[str],
         image_configs: list[str], config_path: str | None, no_config: bool,
         lookup_images: str | None, offline: bool, jobs: int | None,
         stdin_filename: str | None, output: str | None, color: str) -> None:
    """Find containers that will not stop gracefully.

    Reads Kubernetes and OpenShift manifests, compose files, Containerfiles and
    image configs (files or directories; `-` reads a manifest stream from
    stdin), joins each container with its image, and checks what every target
    engine does at stop.

    Targets: by default docker@28.0, podman@4.3.1, kubernetes@1.30 with
    containerd@1.7, and kubernetes@1.30 with cri-o@1.23. --engine replaces them
    (repeat it for several), --add-engine adds to them.

    Examples:
      stopsignal lint examples/
      stopsignal lint --engine openshift@4.9 examples/seed/pod-stopsignal-systemd.yaml
      stopsignal lint --image nginx=localhost/stopsignal-systemd examples/seed/
      stopsignal lint --format sarif --output stopsignal.sarif .
      helm template chart | stopsignal lint --stdin-filename chart.yaml -

    Suppress a finding with `# stopsignal: ignore=RULE -- reason` on its line or
    the line before, `# stopsignal: ignore-file=RULE` for a file, or the
    annotation `stopsignal.io/ignore: RULE` on an object.

    Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage error, bad
    config, or unreadable input and nothing else found.
    """
    from stopsignal import api
    from stopsignal.cli import fail
    from stopsignal.report import renderer

    try:
        text = None
        if "-" in paths:
            from stopsignal.cli.stdio import read_stdin

            # Bytes, bounded while reading; invalid UTF-8 is the reader's to report.
            text = read_stdin().decode("utf-8", "surrogateescape")
        report = api.lint(
            [path for path in paths if path != "-"], text=text,
            filename=stdin_filename or "<stdin>", engines=engines, add_engines=add_engines,
            select=select, ignore=ignore, images=images, image_configs=image_configs,
            config=config_path, no_config=no_config, fail_on=fail_on, no_ignore=no_ignore,
            jobs=jobs, lookup_images=lookup_images, offline=offline)
        for warning in report.warnings:
            sys.stderr.write(f"stopsignal: warning: {warning}\n")
        colored = use_color(color, sys.stdout) if output is None else color == "always"
        rendered = renderer(output_format)(report, verbose=verbose, color=colored)
        if output is None:
            from stopsignal.cli.stdio import write_stdout

            write_stdout(rendered.encode("utf-8"))
        else:
            from stopsignal.cli.output import write_report

            write_report(output, rendered)
    except StopSignalError as error:
        fail(error)
    sys.exit(1 if report.failing else 2 if report.errors else 0)
