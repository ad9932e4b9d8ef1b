"""``stopsignal demo``: the seed article's experiments, with real containers."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from stopsignal.cli import fail
from stopsignal.cli.probe_cmd import echo_progress, exit_interrupted, interrupts
from stopsignal.errors import StopSignalError, UsageError

if TYPE_CHECKING:
    from stopsignal.demo.run import ScenarioResult
    from stopsignal.probing.spec import ContainerResult, PodSpec


def _say(message: str) -> None:
    click.echo(f"demo: {message}", err=True)


@click.command("demo")
@click.option("--grace", type=float, default=5.0, show_default=True, metavar="SECONDS",
              help="Grace period for every scenario (the article's pods use the default 30 s).")
@click.option("--only", multiple=True, metavar="ID", help="Run only this scenario (repeatable).")
@click.option("--seed-dir", type=click.Path(file_okay=False, path_type=Path),
              help="The directory with the seed Containerfiles and pods (default: "
                   "examples/seed of this checkout).")
@click.option("--rebuild", is_flag=True, help="Rebuild the seed images even if they exist.")
@click.option("--build-only", is_flag=True, help="Build the images, run nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the documented contract).")
def demo(grace: float, only: tuple[str, ...], seed_dir: Path | None, rebuild: bool,
         build_only: bool, as_json: bool) -> None:
    """Reproduce the seed article's experiments with real containers.

    Builds what is missing (an offline Debian base image with systemd and nginx,
    then the article's two images), runs each scenario with `stopsignal probe`'s
    machinery and compares what happened with what the article reports. Exit 1
    if any scenario does not match.

    \b
    Scenarios: podman-systemd, openshift-4.9-systemd, openshift-4.9-systemd-prestop,
    openshift-4.9-demo-sigint, openshift-4.9-demo-37, openshift-4.10-demo-37,
    openshift-4.10-systemd.
    """
    from stopsignal.demo.build import ensure_images
    from stopsignal.demo.build import seed_dir as find_seed
    from stopsignal.demo.run import table
    from stopsignal.demo.scenarios import IDS

    if math.isnan(grace) or grace < 0:
        fail(UsageError("--grace must be a number of seconds >= 0"))
    unknown = [item for item in only if item not in IDS]
    if unknown:
        fail(UsageError(f"unknown scenario {unknown[0]!r}: expected one of {', '.join(IDS)}"))
    try:
        with interrupts():
            seed = find_seed(seed_dir)
            ensure_images(seed, _say, rebuild=rebuild)
            if build_only:
                return
            results = _run(seed, grace, only, as_json)
    except StopSignalError as error:
        fail(error)
    except KeyboardInterrupt as error:
        exit_interrupted(error)
    if as_json:
        click.echo(json.dumps({"scenarios": [item.as_dict() for item in results]}, indent=2))
    else:
        click.echo(table(results))
    sys.exit(0 if results and all(item.matches for item in results) else 1)


def _run(seed: Path, grace: float, only: tuple[str, ...], as_json: bool) -> list[ScenarioResult]:
    from stopsignal.demo.run import run_scenarios
    from stopsignal.probing.podman import Podman
    from stopsignal.probing.session import PodmanSession, ProbeOptions
    from stopsignal.runtimes import parse_target

    podman = Podman()
    podman.version()
    results: list[ScenarioResult] = []
    with PodmanSession(podman, None if as_json else echo_progress) as session:

        def prober(pod: PodSpec, engine: str, grace: float) -> ContainerResult:
            return session.probe_pod(pod, parse_target([engine]), ProbeOptions(grace=grace))[0]

        results = run_scenarios(seed, prober, grace, only, _say)
    return results
