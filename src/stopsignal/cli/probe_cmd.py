"""``stopsignal probe``: run a workload and stop it exactly as an engine would."""

from __future__ import annotations

import contextlib
import json
import math
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from stopsignal.cli import fail
from stopsignal.errors import StopSignalError, UsageError

if TYPE_CHECKING:
    from stopsignal.probe.spec import ContainerResult, Event, PodSpec

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
    click.echo(f"stopsignal: interrupted by {signal.Signals(signum).name}; the containers it "
               "created were removed", err=True)
    sys.exit(128 + signum)


def echo_progress(name: str, event: Event) -> None:
    from stopsignal.probe.render import progress_line

    click.echo(progress_line(name, event), err=True)


def _check_grace(grace: float | None) -> None:
    if grace is not None and (math.isnan(grace) or grace < 0):
        fail(UsageError("--grace must be a number of seconds >= 0"))


@click.command("probe")
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED, metavar="[MANIFEST | -- CMD...]")
@click.option("--image", metavar="IMAGE", help="Probe one container from a local image; the "
              "words after '--' replace its CMD.")
@click.option("--process", is_flag=True, help="No container: run the words after '--' as PID 1 "
              "of a new PID namespace (unshare).")
@click.option("--engine", "engines", multiple=True, metavar="ENGINE@VERSION",
              help="Stop it as this engine would (default: the installed podman). "
                   "openshift@4.9, cri-o@1.22.1, kubernetes@1.33 --engine containerd@2.3, ...")
@click.option("--grace", type=float, metavar="SECONDS", help="Grace period / stop timeout "
              "(default: the pod's terminationGracePeriodSeconds, else the engine's).")
@click.option("--stop-signal", metavar="S", help="Use this STOPSIGNAL instead of the image's "
              "(with --process: the STOPSIGNAL the engine would read).")
@click.option("--tty/--no-tty", default=None, help="Allocate a terminal (default: the "
              "manifest's tty; on for --image, so systemd logs to the console).")
@click.option("--ready-timeout", type=float, default=3.0, show_default=True, metavar="SECONDS",
              help="Wait at most this long for PID 1 to install a handler for the stop signal.")
@click.option("--log-lines", type=int, default=15, show_default=True, help="Log tail length.")
@click.option("--on", "on", type=click.Choice(["podman", "docker", "cri"]), default="podman",
              show_default=True, help="The real engine that runs the workload: podman "
              "(emulating --engine), Docker (its own docker stop) or a CRI runtime (the "
              "kubelet's sequence over CRI v1).")
@click.option("--docker-host", metavar="URL", help="Docker daemon for --on docker "
              "(default: $DOCKER_HOST).")
@click.option("--cri-endpoint", metavar="URL", help="CRI socket for --on cri "
              "(default: $CONTAINER_RUNTIME_ENDPOINT).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the documented contract).")
def probe(arguments: tuple[str, ...], image: str | None, process: bool,
          engines: tuple[str, ...], grace: float | None, stop_signal: str | None,
          tty: bool | None, ready_timeout: float, log_lines: int, on: str,
          docker_host: str | None, cri_endpoint: str | None, as_json: bool) -> None:
    """Run a workload and stop it as an engine would (podman, Docker, CRI).

    The stop signal is the one the runtime model resolves for the engine and
    version; a Kubernetes or OpenShift engine also runs the preStop hook, keeps
    the grace period and sends SIGKILL when it ends (at least 2 s after
    preStop), as the kubelet does. Containers the probe creates are always
    removed. Exit 0 if every container stopped gracefully, 1 if not, 2 when
    the input is bad or podman is unusable.

    \b
    With --on docker or --on cri the engine itself stops the workload; its
    version is read from the daemon and the model's prediction for exactly
    that version is compared with what happened (model_agrees).

    \b
    Examples:
      stopsignal probe examples/seed/pod-stopsignal-systemd.yaml --engine openshift@4.9
      stopsignal probe examples/engines/pod-systemd-container-env.yaml --on cri --grace 10
      stopsignal probe --image localhost/stopsignal-systemd --engine podman
      stopsignal probe --process --engine kubernetes@1.33 --grace 3 -- sleep 100
    """
    _check_grace(grace)
    sink: Sink = None if as_json else echo_progress
    try:
        with interrupts():
            if process:
                results = [_run_process(arguments, engines, grace, stop_signal, ready_timeout,
                                        log_lines, sink)]
            elif on != "podman":
                if engines:
                    raise UsageError(f"--engine emulates an engine on podman; with --on {on} "
                                     "the real engine's version is read from its daemon")
                pods = _pods(arguments, image, tty)
                results = _run_real(on, pods, docker_host, cri_endpoint, grace, stop_signal,
                                    log_lines, sink)
            else:
                results = _run_podman(arguments, image, engines, grace, stop_signal, tty,
                                      ready_timeout, log_lines, sink)
    except StopSignalError as error:
        fail(error)
    except KeyboardInterrupt as error:
        exit_interrupted(error)
    _print(results, as_json)
    sys.exit(0 if results and all(result.graceful for result in results) else 1)


def _run_process(arguments: tuple[str, ...], engines: tuple[str, ...], grace: float | None,
                 stop_signal: str | None, ready_timeout: float, log_lines: int,
                 sink: Sink) -> ContainerResult:
    from stopsignal.probe.process import probe_process
    from stopsignal.runtimes import parse_target

    if not arguments:
        raise UsageError("--process needs a command after '--', e.g. -- sleep 100")
    target = parse_target(engines or ("podman",))
    return probe_process(list(arguments), target, grace=grace, stop_signal=stop_signal,
                         ready_timeout=ready_timeout, log_lines=log_lines,
                         sink=sink)


def _run_real(on: str, pods: list[PodSpec], docker_host: str | None,
              cri_endpoint: str | None, grace: float | None, stop_signal: str | None,
              log_lines: int, sink: Sink) -> list[ContainerResult]:
    from stopsignal.probe.real import RealOptions, RealSession

    options = RealOptions(grace=grace, stop_signal=stop_signal if on == "docker" else None,
                          cri_stop_signal=stop_signal if on == "cri" else None,
                          log_lines=log_lines)
    results: list[ContainerResult] = []
    if on == "docker":
        from stopsignal.probe.docker import Docker

        with RealSession(Docker(docker_host), sink) as docker_session:
            for pod in pods:
                results.extend(docker_session.probe_pod(pod, options))
        return results
    from stopsignal.probe.cri import Cri

    with RealSession(Cri(cri_endpoint), sink) as cri_session:
        for pod in pods:
            results.extend(cri_session.probe_pod(pod, options))
    return results


def _pods(arguments: tuple[str, ...], image: str | None, tty: bool | None) -> list[PodSpec]:
    from stopsignal.probe.spec import ContainerSpec, PodSpec

    if image is not None:
        name = image.rsplit("/", 1)[-1].split(":")[0] or "container"
        pods = [PodSpec(name=name, containers=(ContainerSpec(
            name=name, image=image, args=arguments or None,
            tty=True if tty is None else tty),))]
    else:
        if len(arguments) != 1:
            raise UsageError("give one MANIFEST, or --image IMAGE, or --process -- CMD...")
        path = Path(arguments[0])
        try:
            text = path.read_text()
        except OSError as error:
            raise UsageError(f"{path}: cannot read: {error.strerror}") from None
        from stopsignal.probe.manifest import read_pods

        pods = read_pods(text, str(path))
        if tty is not None:
            pods = [_with_tty(pod, tty) for pod in pods]
    return pods


def _run_podman(arguments: tuple[str, ...], image: str | None, engines: tuple[str, ...],
                grace: float | None, stop_signal: str | None, tty: bool | None,
                ready_timeout: float, log_lines: int, sink: Sink) -> list[ContainerResult]:
    from stopsignal.probe.podman import Podman
    from stopsignal.probe.session import PodmanSession, ProbeOptions
    from stopsignal.runtimes import parse_target

    pods = _pods(arguments, image, tty)
    podman = Podman()
    # The installed podman is the default engine; asking its version also proves it runs.
    target = parse_target(engines or (f"podman@{podman.version()}",))
    options = ProbeOptions(grace=grace, stop_signal=stop_signal, ready_timeout=ready_timeout,
                           log_lines=log_lines)
    results: list[ContainerResult] = []
    with PodmanSession(podman, sink) as session:
        for pod in pods:
            results.extend(session.probe_pod(pod, target, options))
    return results


def _with_tty(pod: PodSpec, tty: bool) -> PodSpec:
    from dataclasses import replace

    return replace(pod, containers=tuple(replace(c, tty=tty) for c in pod.containers))


def _print(results: list[ContainerResult], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"containers": [result.as_dict() for result in results]},
                              indent=2))
        return
    from stopsignal.probe.render import report

    click.echo("\n\n".join(report(result) for result in results))
