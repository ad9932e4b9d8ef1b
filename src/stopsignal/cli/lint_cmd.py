"""`stopsignal lint`: find containers that will not stop gracefully."""

from __future__ import annotations

import sys

import click

from stopsignal.cli.options import color_option, target_options, use_color
from stopsignal.errors import StopSignalError
from stopsignal.report import FORMATS

FAIL_ON = ("error", "warning", "info", "never")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path())
@target_options
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text",
              show_default=True, help="Output format: text, JSON, SARIF 2.1.0, GitHub "
              "annotations, GitLab Code Quality, JUnit XML.")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), default=None,
              metavar="FILE", help="Write the report to FILE (replaced atomically) instead "
              "of stdout.")
@color_option
@click.option("-v", "--verbose", is_flag=True,
              help="Show the engine trail behind each finding, fixes and skipped files.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
              help="Lowest severity that makes the exit code 1 [default: warning; "
                   "info findings never fail unless asked].")
@click.option("--no-ignore", is_flag=True,
              help="Strict mode: report findings even where comments or annotations "
                   "suppress them.")
@click.option("--lookup-images", type=click.Choice(("none", "local", "registry")), default=None,
              help="Where image configs come from besides the inputs: none, local (the "
                   "podman or docker store) or registry (also registries, via skopeo, cached "
                   "under $XDG_CACHE_HOME/stopsignal) [default: local].")
@click.option("--offline", is_flag=True,
              help="Ask no registry: image configs come from the local store and the "
                   "image cache only.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Processes that read and check files [default: one per CPU, up to 4, "
                   "for 300 files or more]. The output does not depend on it.")
def lint(paths: tuple[str, ...], engines: tuple[str, ...], add_engines: tuple[str, ...],
         output_format: str, verbose: bool, fail_on: str | None, select: tuple[str, ...],
         ignore: tuple[str, ...], no_ignore: bool, images: tuple[str, ...],
         image_configs: tuple[str, ...], config_path: str | None, no_config: bool,
         lookup_images: str | None, offline: bool, jobs: int | None,
         stdin_filename: str | None, output: str | None, color: str) -> None:
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
