"""`stopsignal lint`: find containers that will not stop gracefully."""

from __future__ import annotations

import sys

import click

from stopsignal.cli.lint_run import FAIL_ON, FORMATS


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
@click.option("--lookup-images", type=click.Choice(("none", "local", "registry")), default=None,
              help="Where image configs come from besides the inputs: none, local (the "
                   "podman or docker store) or registry (also registries, via skopeo, cached "
                   "under $XDG_CACHE_HOME/stopsignal) [default: local].")
@click.option("--offline", is_flag=True,
              help="Registry lookups answer from the cache only.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Config file (default: the nearest .stopsignal.yaml, or pyproject.toml "
                   "with [tool.stopsignal]).")
@click.option("--no-config", is_flag=True, help="Ignore config files.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Processes that read and check files [default: one per CPU, up to 4, "
                   "for 300 files or more]. The output does not depend on it.")
def lint(paths: tuple[str, ...], engines: tuple[str, ...], add_engines: tuple[str, ...],
         output_format: str, verbose: bool, fail_on: str | None, select: tuple[str, ...],
         ignore: tuple[str, ...], no_ignore: bool, images: tuple[str, ...],
         image_configs: tuple[str, ...], config_path: str | None, no_config: bool,
         jobs: int | None, lookup_images: str | None, offline: bool) -> None:
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
    from stopsignal.cli.lint_run import LintArgs, run

    sys.exit(run(LintArgs(paths=paths, engines=engines, add_engines=add_engines,
                          output_format=output_format, verbose=verbose, fail_on=fail_on,
                          select=select, ignore=ignore, no_ignore=no_ignore, images=images,
                          image_configs=image_configs, config_path=config_path,
                          no_config=no_config, jobs=jobs, lookup_images=lookup_images,
                          offline=offline)))


