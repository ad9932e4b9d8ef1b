"""``stopsignal probe``: run a workload and stop it exactly as an engine would."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from collections.abc import Callable, Iterator
from types import FrameType
from typing import TYPE_CHECKING

from stopsignal.cli import fail
from stopsignal.cli.live import Progress
from stopsignal.cli.options import (
    add_color_option,
    add_endpoint_options,
    add_json_option,
    float_range,
    int_range,
    output_path,
    use_color,
)
from stopsignal.errors import StopSignalError, UsageError

if TYPE_CHECKING:
    from stopsignal.cli.app import Parser
    from stopsignal.probing.spec import ContainerResult, Event

Sink = Callable[[str, "Event"], None] | None


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP to stopsignal itself: unwind like Ctrl-C, so cleanup runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def interrupts() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into an exception while probing; restore afterwards."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def exit_interrupted(error: KeyboardInterrupt) -> None:
    signum = error.signum if isinstance(error, Interrupted) else signal.SIGINT
    print(f"stopsignal: interrupted by {signal.Signals(signum).name}; the containers it "
          "created were removed", file=sys.stderr)
    sys.exit(128 + signum)


def echo_progress(name: str, event: Event) -> None:
    from stopsignal.probing.render import progress_line

    print(progress_line(name, event), file=sys.stderr)


def build_probe(parser: Parser) -> None:
    parser.describe(probe, "[options] MANIFEST", "[options] --image IMAGE [-- CMD ...]",
                    "[options] --process -- CMD ...")
    add = parser.add_argument
    add("arguments", nargs="*", metavar="MANIFEST | -- CMD",
        help="A Pod or workload manifest; or, after '--', the command (with --image or "
             "--process).")
    workload = parser.add_argument_group("workload (one of MANIFEST, --image, --process)")
    add = workload.add_argument
    add("--image", metavar="IMAGE",
        help="Probe one container from a local image; the words after '--' replace its CMD.")
    add("--process", action="store_true",
        help="No container: run the words after '--' as PID 1 of a new PID namespace "
             "(unshare).")
    add("--tty", action=argparse.BooleanOptionalAction, default=None,
        help="Allocate a terminal (default: the manifest's tty; on for --image, so systemd "
             "logs to the console).")
    add("--ready-timeout", type=float, default=3.0, metavar="SECONDS",
        help="Wait at most this long for PID 1 to install a handler for the stop signal.")
    stop = parser.add_argument_group("stop")
    add = stop.add_argument
    add("--engine", dest="engines", action="append", default=[], metavar="ENGINE@VERSION",
        help="Stop it as this engine would (default: the installed podman). openshift@4.9, "
             "cri-o@1.22.1, kubernetes@1.33 --engine containerd@2.3, ...")
    add("--grace", type=float_range(0), metavar="SECONDS",
        help="Grace period / stop timeout (default: the pod's terminationGracePeriodSeconds, "
             "else the engine's).")
    add("--stop-signal", metavar="S",
        help="Use this STOPSIGNAL instead of the image's (with --process: the STOPSIGNAL the "
             "engine would read).")
    engines = parser.add_argument_group("real engines")
    engines.add_argument(
        "--on", choices=("podman", "docker", "cri"), default="podman",
        help="The real engine that runs the workload: podman, emulating --engine; docker, "
             "which stops it itself; or cri, the kubelet's sequence over CRI v1.")
    add_endpoint_options(engines)
    output = parser.add_argument_group("output")
    add = output.add_argument
    add_json_option(output)
    add("--svg", type=output_path, metavar="FILE",
        help="Also draw the stop as a timeline, one lane per container, into FILE (SVG).")
    add("--log-lines", type=int_range(0), default=15, metavar="N",
        help="Lines of each container's log to show.")
    add_color_option(output)


def probe(arguments: list[str], image: str | None, process: bool,
          engines: list[str], grace: float | None, stop_signal: str | None,
          tty: bool | None, ready_timeout: float, log_lines: int, on: str,
          docker_host: str | None, cri_endpoint: str | None, as_json: bool,
          svg: str | None, color: str) -> None:
    """Run a workload and stop it as an engine would (podman, Docker, CRI).

    The stop signal is the one the runtime model resolves for the engine and
    version; a Kubernetes or OpenShift engine also runs the preStop hook, keeps
    the grace period and sends SIGKILL when it ends (at least 2 s after
    preStop), as the kubelet does. Containers the probe creates are always
    removed. Exit 0 if every container stopped gracefully, 1 if not, 2 when
    the input is bad or the engine is unusable; interrupted, it removes what
    it created and exits 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP).

    With --on docker or --on cri the engine itself stops the workload; its
    version is read from the daemon and the model's prediction for exactly
    that version is compared with what happened (model_agrees).

    Examples:
      stopsignal probe examples/seed/pod-stopsignal-systemd.yaml --engine openshift@4.9
      stopsignal probe examples/engines/pod-systemd-container-env.yaml --on cri --grace 10
      stopsignal probe --image localhost/stopsignal-systemd --engine podman
      stopsignal probe --process --engine kubernetes@1.33 --grace 3 -- sleep 100
      stopsignal probe --svg stop.svg examples/seed/pod-stopsignal-systemd.yaml

    On a terminal, a countdown shows the time left before SIGKILL.
    """
    from stopsignal import api

    styled = use_color(color, sys.stderr)
    progress = None if as_json else Progress(sys.stderr, countdown=sys.stderr.isatty(),
                                             color=styled)
    manifest, command = None, arguments
    if not process and image is None:
        if len(arguments) != 1:
            fail(UsageError("give one MANIFEST, or --image IMAGE, or --process -- CMD..."))
        manifest, command = arguments[0], []
    try:
        with interrupts(), progress or contextlib.nullcontext():
            report = api.probe(manifest, image=image, command=command, process=process,
                               engine=engines, on=on, docker_host=docker_host,
                               cri_endpoint=cri_endpoint, grace=grace, stop_signal=stop_signal,
                               tty=tty, ready_timeout=ready_timeout, log_lines=log_lines,
                               on_event=progress)
    except StopSignalError as error:
        fail(error)
    except KeyboardInterrupt as error:
        exit_interrupted(error)
    results = list(report.containers)
    if svg is not None:
        _draw(results, svg, arguments, image, engines)
    _print(results, as_json, use_color(color, sys.stdout))
    sys.exit(0 if report.graceful else 1)


def _draw(results: list[ContainerResult], path: str, arguments: list[str],
          image: str | None, engines: list[str]) -> None:
    from stopsignal.cli.output import write_report
    from stopsignal.probing.timeline_svg import render_svg

    what = image or " ".join(arguments) or "probe"
    title = f"stopsignal probe {what}" + (f" on {','.join(engines)}" if engines else "")
    try:
        write_report(path, render_svg(results, title))
    except StopSignalError as error:
        fail(error)


def _print(results: list[ContainerResult], as_json: bool, color: bool = False) -> None:
    if as_json:
        print(json.dumps({"containers": [result.as_dict() for result in results]}, indent=2))
        return
    from stopsignal.probing.render import report

    print("\n\n".join(report(result, color=color) for result in results))
