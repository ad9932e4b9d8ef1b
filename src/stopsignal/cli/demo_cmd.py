"""``stopsignal demo``: the seed article's experiments, with real containers."""

from __future__ import annotations

import contextlib
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from stopsignal.cli import fail
from stopsignal.cli.live import Progress
from stopsignal.cli.options import (
    add_color_option,
    add_endpoint_options,
    add_json_option,
    folder_path,
    output_path,
    real_engines,
    use_color,
)
from stopsignal.cli.probe_cmd import exit_interrupted, interrupts
from stopsignal.errors import StopSignalError, UsageError

if TYPE_CHECKING:
    from stopsignal.cli.app import Parser
    from stopsignal.demo.run import ScenarioResult
    from stopsignal.probing.spec import ContainerResult, PodSpec


def _say(message: str) -> None:
    print(f"demo: {message}", file=sys.stderr)


def build_demo(parser: Parser) -> None:
    parser.describe(demo, "[options]")
    scenarios = parser.add_argument_group("scenarios")
    add = scenarios.add_argument
    add("--grace", type=float, default=5.0, metavar="SECONDS",
        help="Grace period for every scenario; the article's pods have 30 seconds.")
    add("--only", action="append", default=[], metavar="ID",
        help="Run only this scenario (repeatable).")
    add("--seed-dir", type=folder_path, metavar="DIRECTORY",
        help="The directory with the seed Containerfiles and pods (default: the copy "
             "installed with stopsignal, as in examples/seed).")
    add("--rebuild", action="store_true", help="Rebuild the seed images even if they exist.")
    add("--build-only", action="store_true", help="Build the images, run nothing.")
    engines = parser.add_argument_group("real engines")
    add = engines.add_argument
    add("--on", default="podman", metavar="ENGINES",
        help="The real engines to run the scenarios on, comma-separated: podman, docker, "
             "cri; Docker and containerd come from scripts/setup-engines.sh, and an absent "
             "one is skipped.")
    add_endpoint_options(engines)
    output = parser.add_argument_group("output")
    add = output.add_argument
    add_json_option(output)
    add("--html", type=output_path, metavar="FILE",
        help="Also write a one-page report: every scenario, the engine, the article's "
             "expectation and the stop as a timeline.")
    add_color_option(output)


def demo(grace: float, only: list[str], seed_dir: str | None, rebuild: bool,
         build_only: bool, on: str, docker_host: str | None, cri_endpoint: str | None,
         as_json: bool, html: str | None, color: str) -> None:
    """Reproduce the seed article's experiments with real containers.

    Builds what is missing (an offline Debian base image with systemd and nginx,
    then the article's two images), runs each scenario with `stopsignal probe`'s
    machinery and compares what happened with what the article reports. Exit 1
    if any scenario does not match, 2 when no engine could run one.

    Scenarios: podman-systemd, openshift-4.9-systemd, openshift-4.9-systemd-prestop,
    openshift-4.9-demo-sigint, openshift-4.9-demo-37, openshift-4.10-demo-37,
    openshift-4.10-systemd. On real engines (--on podman,docker,cri):
    containerd-1.6-systemd, containerd-1.6-systemd-container-env,
    docker-20.10-systemd, docker-20.10-demo-sigint.

    Examples:
      stopsignal demo
      stopsignal demo --only openshift-4.9-systemd-prestop --json
      stopsignal demo --on podman,docker,cri --html demo.html
    """
    from stopsignal.demo.build import ensure_images
    from stopsignal.demo.build import seed_dir as find_seed
    from stopsignal.demo.run import table
    from stopsignal.demo.scenarios import IDS, REAL_IDS, REAL_SCENARIOS, SCENARIOS

    if math.isnan(grace) or grace < 0:
        fail(UsageError("--grace must be a number of seconds >= 0"))
    engines = real_engines(on)
    known = IDS + REAL_IDS
    unknown = [item for item in only if item not in known]
    if unknown:
        fail(UsageError(f"unknown scenario {unknown[0]!r}: expected one of {', '.join(known)}"))
    for scenario in (*SCENARIOS, *REAL_SCENARIOS):  # --only never selects nothing silently
        if scenario.id in only and scenario.on not in engines:
            fail(UsageError(f"scenario {scenario.id} runs on {scenario.on}: add it to --on"))
    try:
        with interrupts():
            seed = find_seed(Path(seed_dir) if seed_dir else None)
            ensure_images(seed, _say, rebuild=rebuild)
            if build_only:
                return
            results = (_run(seed, grace, only, as_json, use_color(color, sys.stderr))
                       if "podman" in engines else [])
            real = [item for item in engines if item != "podman"]
            if real:
                results += _run_real(seed, grace, only, real, docker_host, cri_endpoint,
                                     as_json, use_color(color, sys.stderr))
        if html is not None:
            from stopsignal.cli.output import write_report
            from stopsignal.demo.report_html import render_html

            write_report(html, render_html(results))
    except StopSignalError as error:
        fail(error)
    except KeyboardInterrupt as error:
        exit_interrupted(error)
    if as_json:
        print(json.dumps({"scenarios": [item.as_dict() for item in results]}, indent=2))
    else:
        styled = use_color(color, sys.stdout)
        lines = table(results).splitlines()
        if styled:  # a matching row green, one that does not match red
            from stopsignal.report.style import style

            lines = lines[:2] + [style(line, fg="green" if item.matches else
                                       "yellow" if item.skipped else "red")
                                 for line, item in zip(lines[2:], results, strict=True)]
        print("\n".join(lines))
    ran = [item for item in results if item.skipped is None]
    if results and not ran:
        sys.exit(2)  # no engine could run a scenario (each row says why), as conformance
    sys.exit(0 if ran and all(item.matches for item in ran) else 1)


def _run(seed: Path, grace: float, only: list[str], as_json: bool,
         color: bool = False) -> list[ScenarioResult]:
    from stopsignal.demo.run import run_scenarios
    from stopsignal.probing.podman import Podman
    from stopsignal.probing.session import PodmanSession, ProbeOptions
    from stopsignal.runtimes import parse_target

    podman = Podman()
    podman.version()
    results: list[ScenarioResult] = []
    progress = None if as_json else Progress(sys.stderr, countdown=sys.stderr.isatty(),
                                             color=color)
    with progress or contextlib.nullcontext(), PodmanSession(podman, progress) as session:

        def prober(pod: PodSpec, engine: str, grace: float) -> ContainerResult:
            return session.probe_pod(pod, parse_target([engine]), ProbeOptions(grace=grace))[0]

        results = run_scenarios(seed, prober, grace, only, _say)
    return results


def _run_real(seed: Path, grace: float, only: list[str], engines: list[str],
              docker_host: str | None, cri_endpoint: str | None,
              as_json: bool, color: bool = False) -> list[ScenarioResult]:
    """Real Docker and containerd (CRI): one session per engine, opened on first use."""
    from contextlib import ExitStack
    from typing import Any

    from stopsignal.demo.run import run_real_scenarios
    from stopsignal.probing.conformance import open_engine
    from stopsignal.probing.real import RealOptions, RealSession

    sessions: dict[str, RealSession[Any]] = {}
    progress = None if as_json else Progress(sys.stderr, countdown=sys.stderr.isatty(),
                                             color=color)
    with ExitStack() as stack:
        if progress is not None:
            stack.enter_context(progress)

        def prober(pod: PodSpec, kind: str, grace: float) -> ContainerResult:
            if kind not in sessions:
                engine = open_engine(kind, docker_host, cri_endpoint)
                sessions[kind] = stack.enter_context(
                    RealSession(engine, progress))
            return sessions[kind].probe_pod(pod, RealOptions(grace=grace))[0]

        return run_real_scenarios(seed, prober, grace, engines, only, _say)
