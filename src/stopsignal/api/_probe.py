"""``probe``: run a workload and stop it as an engine would."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from stopsignal.api._options import split_list
from stopsignal.api._results import ProbeReport
from stopsignal.errors import UsageError

if TYPE_CHECKING:
    from stopsignal.probing import ContainerResult, Event, PodSpec


def probe(manifest: str | None = None, *, image: str | None = None,
          command: Sequence[str] = (), process: bool = False,
          engine: Sequence[str] | str = (), on: str = "podman",
          docker_host: str | None = None, cri_endpoint: str | None = None,
          grace: float | None = None, stop_signal: str | None = None, tty: bool | None = None,
          ready_timeout: float = 3.0, log_lines: int = 15,
          on_event: Callable[[str, Event], None] | None = None) -> ProbeReport:
    """Run a workload and stop it as ``engine`` would (``stopsignal probe``).

    One of: a ``manifest`` file (every container of every pod), an ``image`` (one
    container; ``command`` replaces its CMD), or ``process=True`` (``command`` runs as
    PID 1 of a new PID namespace, no container). ``engine`` (emulated on podman)
    defaults to the installed podman; ``on="docker"`` or ``"cri"`` runs the workload on
    that real engine instead (``docker_host``, ``cri_endpoint``; default: the
    ecosystem's variables). ``on_event(container, event)`` sees the timeline as it
    happens. Containers the probe creates are always removed, also when interrupted.
    """
    import math

    if grace is not None and (math.isnan(grace) or grace < 0):
        raise UsageError("--grace must be a number of seconds >= 0")
    if on not in ("podman", "docker", "cri"):
        raise UsageError(f"on={on!r}: expected podman, docker or cri")
    engines = split_list(engine)
    if process and (manifest is not None or image is not None):
        raise UsageError("--process runs a command as PID 1: give no MANIFEST or --image")
    if process and on != "podman":
        raise UsageError(f"--process runs no container, so no engine: --on {on} does not "
                         "apply (--engine chooses the stop to emulate)")
    if process:
        return ProbeReport((_probe_process(command, engines, grace, stop_signal,
                                           ready_timeout, log_lines, on_event),))
    pods = _pods(manifest, image, command, tty)
    if on != "podman":
        if engines:
            raise UsageError(f"--engine emulates an engine on podman; with --on {on} "
                             "the real engine's version is read from its daemon")
        return ProbeReport(tuple(_probe_real(on, pods, docker_host, cri_endpoint, grace,
                                             stop_signal, log_lines, on_event)))
    return ProbeReport(tuple(_probe_podman(pods, engines, grace, stop_signal, ready_timeout,
                                           log_lines, on_event)))


def _probe_process(command: Sequence[str], engines: Sequence[str], grace: float | None,
                   stop_signal: str | None, ready_timeout: float, log_lines: int,
                   on_event: Callable[[str, Event], None] | None) -> ContainerResult:
    from stopsignal.probing import probe_process
    from stopsignal.runtimes import parse_target

    if not command:
        raise UsageError("--process needs a command after '--', e.g. -- sleep 100")
    target = parse_target(engines or ("podman",))
    return probe_process(list(command), target, grace=grace, stop_signal=stop_signal,
                         ready_timeout=ready_timeout, log_lines=log_lines, sink=on_event)


def _pods(manifest: str | None, image: str | None, command: Sequence[str],
          tty: bool | None) -> list[PodSpec]:
    from dataclasses import replace
    from pathlib import Path

    from stopsignal.probing import ContainerSpec, PodSpec, read_pods

    if image is not None:
        name = image.rsplit("/", 1)[-1].split(":")[0] or "container"
        return [PodSpec(name=name, containers=(ContainerSpec(
            name=name, image=image, args=tuple(command) or None,
            tty=True if tty is None else tty),))]
    if manifest is None or command:
        raise UsageError("give one MANIFEST, or --image IMAGE, or --process -- CMD...")
    if manifest == "-":
        # Probing starts containers one pod at a time; a stream is read whole first.
        raise UsageError("probe reads a manifest file, not stdin ('-'): save the stream "
                         "to a file and name it")
    path = Path(manifest)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(f"{path}: cannot read: {error.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UsageError(f"{path}:{line}: not UTF-8 text (byte {error.start})") from None
    pods = read_pods(text, str(path))
    if tty is not None:
        pods = [replace(pod, containers=tuple(replace(c, tty=tty) for c in pod.containers))
                for pod in pods]
    return pods


def _probe_podman(pods: Sequence[PodSpec], engines: Sequence[str], grace: float | None,
                  stop_signal: str | None, ready_timeout: float, log_lines: int,
                  on_event: Callable[[str, Event], None] | None) -> list[ContainerResult]:
    from stopsignal.probing import Podman, PodmanSession, ProbeOptions
    from stopsignal.runtimes import parse_target

    podman = Podman()
    # The installed podman is the default engine; asking its version also proves it runs.
    target = parse_target(engines or (f"podman@{podman.version()}",))
    options = ProbeOptions(grace=grace, stop_signal=stop_signal, ready_timeout=ready_timeout,
                           log_lines=log_lines)
    results: list[ContainerResult] = []
    with PodmanSession(podman, on_event) as session:
        for pod in pods:
            results.extend(session.probe_pod(pod, target, options))
    return results


def _probe_real(on: str, pods: Sequence[PodSpec], docker_host: str | None,
                cri_endpoint: str | None, grace: float | None, stop_signal: str | None,
                log_lines: int, on_event: Callable[[str, Event], None] | None,
                ) -> list[ContainerResult]:
    """The workload on a real Docker or CRI runtime, stopped by that engine itself."""
    from stopsignal.probing.real import RealOptions, RealSession

    options = RealOptions(grace=grace, stop_signal=stop_signal if on == "docker" else None,
                          cri_stop_signal=stop_signal if on == "cri" else None,
                          log_lines=log_lines)
    results: list[ContainerResult] = []
    if on == "docker":
        from stopsignal.probing.docker import Docker

        with RealSession(Docker(docker_host), on_event) as docker_session:
            for pod in pods:
                results.extend(docker_session.probe_pod(pod, options))
        return results
    from stopsignal.probing.cri import Cri

    with RealSession(Cri(cri_endpoint), on_event) as cri_session:
        for pod in pods:
            results.extend(cri_session.probe_pod(pod, options))
    return results
