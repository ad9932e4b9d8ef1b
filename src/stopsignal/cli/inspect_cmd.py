"""``stopsignal inspect``: ask running containers whether PID 1 will act on its stop signal."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from stopsignal.cli import fail
from stopsignal.cli.options import add_endpoint_options, add_json_option, float_range, int_range
from stopsignal.errors import StopSignalError, UsageError

if TYPE_CHECKING:
    from stopsignal.cli.app import Parser
    from stopsignal.inspect.live import InspectResult, Lister


def build_inspect(parser: Parser) -> None:
    parser.describe(inspect, "[options] CONTAINER ...", "[options] --all | --node")
    add = parser.add_argument
    add("containers", nargs="*", metavar="CONTAINER",
        help="Names or IDs of running containers.")
    add("--all", dest="all_", action="store_true",
        help="Every running container of the engine.")
    add("--on", dest="engine", choices=("podman", "docker", "cri"), default="podman",
        help="The engine that runs the containers.")
    add("--node", action="store_true",
        help="Every container on this Kubernetes node, through CRI (implies --all --on "
             "cri), with namespace and pod.")
    add_endpoint_options(parser)
    add_json_option(parser)
    add("--metrics-port", type=int_range(0, 65535), metavar="PORT",
        help="Serve the verdicts as Prometheus metrics on this port, re-inspecting every "
             "--interval seconds, until stopped (the node DaemonSet).")
    add("--metrics-host", default="0.0.0.0", metavar="HOST",
        help="Address for --metrics-port.")
    add("--interval", type=float_range(1), default=60.0, metavar="SECONDS",
        help="With --metrics-port: time between inspections.")


def inspect(containers: list[str], all_: bool, engine: str, node: bool,
            docker_host: str | None, cri_endpoint: str | None, as_json: bool,
            metrics_port: int | None, metrics_host: str, interval: float) -> None:
    """Ask running containers, without stopping them, whether PID 1 will act.

    For each container: the signal its engine will send at stop (the runtime model
    for the engine's version), the grace period, and what PID 1 does with that
    signal, read from /proc (handlers, ignored and blocked signals, signalfds):
    acts, ignores, re-executes (systemd on SIGTERM), blocked, or unknown with the
    reason. An init shim or shell as PID 1 is followed to its child.

    "acts" means a handler is installed: necessary for a graceful stop, not a
    proof (stopsignal probe is the proof). Needs to run in the host's PID
    namespace, with ptrace read access to the containers' processes (root).

    Examples:
      stopsignal inspect --all
      stopsignal inspect web db --json
      stopsignal inspect --on docker --all
      stopsignal inspect --node --metrics-port 9101

    Exit codes: 0 nothing would be SIGKILLed, 1 some container would be, 2 the
    engine cannot be asked, none of the named containers runs, or bad usage.
    """
    if node:
        engine, all_ = "cri", True
    if containers and all_:
        fail(UsageError("name containers or give --all, not both"))
    if not containers and not all_:
        fail(UsageError("name the containers to inspect, or give --all (or --node)"))
    lister = _lister(engine, docker_host, cri_endpoint)  # podman: `podman ps` starts now
    from stopsignal.inspect import live

    if metrics_port is not None:
        try:
            from stopsignal.inspect.serve import serve_metrics
        except ModuleNotFoundError as error:
            fail(UsageError(f"--metrics-port needs {error.name}: pip install "
                            "'stopsignal[node]'"))

        try:
            serve_metrics(lambda: live.inspect(containers, lister), metrics_host,
                          metrics_port, interval)
        except OSError as error:
            fail(UsageError(f"cannot listen on {metrics_host}:{metrics_port}: "
                            f"{error.strerror or error}"))
        except StopSignalError as error:
            fail(error)
        return
    try:
        results, missing = live.inspect(containers, lister)
    except StopSignalError as error:
        fail(error)
    if as_json:
        print(json.dumps({"containers": [r.as_dict() for r in results],
                          "missing": missing}, indent=2))
    else:
        _text(results, missing)
    if missing and containers:
        raise SystemExit(2 if not results else _code(results))
    raise SystemExit(_code(results))


def _code(results: Sequence[InspectResult]) -> int:
    return 1 if any(result.sigkilled for result in results) else 0


def _lister(engine: str, docker_host: str | None, cri_endpoint: str | None) -> Lister:
    if engine == "podman":
        from stopsignal.inspect import podman_engine

        return podman_engine.lister()
    if engine == "docker":
        from stopsignal.inspect import docker_engine

        return docker_engine.lister(docker_host)
    from stopsignal.inspect import cri_engine

    return cri_engine.lister(cri_endpoint)


def _text(results: Sequence[InspectResult], missing: Sequence[str]) -> None:
    for result in results:
        data = result.as_dict()
        where = "/".join(part for part in (data["namespace"], data["pod"]) if part)
        title = f"{where}/{data['name']}" if where else data["name"]
        print(f"{title} ({data['engine']} {data['version']}): {data['verdict']}")
        signal = data["stop_signal"] or "no stop signal"
        kill = (f"SIGKILL after {data['kill_after']:g} s" if data["kill_after"] is not None
                else "no SIGKILL")
        pid1 = data["pid1"] or {}
        program = pid1.get("exe") or " ".join(pid1.get("argv") or []) or "?"
        print(f"  stop: {signal}, {kill}; PID 1: {pid1.get('pid', '?')} {program}")
        if data["child"]:
            passes = {True: "forwards it", False: "does not forward it",
                      None: "handles it itself"}[data["forwards"]]
            print(f"  child: PID {data['child']['pid']} "
                  f"{' '.join(data['child']['argv'])} (PID 1 {passes})")
        print(f"  {data['reason']}")
        if data["rule"]:
            print(f"  lint names the cause: {data['rule']}")
    for line in missing:
        print(f"stopsignal: {line}", file=sys.stderr)
    killed = sum(result.sigkilled for result in results)
    acts = sum(1 for result in results if result.judgement and
               result.judgement.verdict == "acts")
    print(f"{len(results)} container{'s' if len(results) != 1 else ''}: {acts} act on "
          f"their stop signal, {killed} would be SIGKILLed.")
    if acts:
        print("\"acts\" means PID 1 takes the signal; whether it then exits in time only a "
              "real stop shows (stopsignal probe).")
