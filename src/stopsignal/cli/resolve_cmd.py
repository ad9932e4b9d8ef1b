"""``stopsignal resolve``: the stop decision of one engine version, step by step."""

from __future__ import annotations

import json
import shlex
import sys
from typing import TYPE_CHECKING

from stopsignal.cli import fail
from stopsignal.cli.options import add_json_option, float_range
from stopsignal.errors import StopSignalError, UsageError

if TYPE_CHECKING:
    from stopsignal.cli.app import Parser


def build_resolve(parser: Parser) -> None:
    parser.describe(resolve, "--engine ENGINE@VERSION [options] [-- ARGV ...]")
    add = parser.add_argument
    add("--engine", dest="engines", action="append", required=True, metavar="ENGINE@VERSION",
        help="docker@28.0, podman@4.3, containerd@1.6.0, cri-o@1.22.1, openshift@4.9, "
             "kubernetes@1.33[+ContainerStopSignals] (with a CRI runtime: give --engine "
             "twice, or join with a comma). A bare name is the current release.")
    add("--stop-signal", metavar="S", help="The image's STOPSIGNAL, as written.")
    add("--lifecycle-stop-signal", metavar="S",
        help="The container's lifecycle.stopSignal (Kubernetes >= 1.33, feature gate).")
    add("--os", dest="os_name", choices=("linux", "windows"),
        help="The pod's spec.os.name (required by Kubernetes for lifecycle.stopSignal).")
    add("--command", action="append", default=[], metavar="ARG",
        help="PID 1's argv, one element per --command (a value with spaces is split like a "
             "shell would); or give the argv after '--'.")
    add("--grace", type=float, metavar="SECONDS",
        help="Grace period / stop timeout (default: the engine's, 10 seconds for Docker "
             "and Podman, 30 for Kubernetes).")
    add("--prestop-seconds", type=float_range(0), default=0.0, metavar="SECONDS",
        help="How long the preStop hook runs, on Kubernetes engines.")
    add("--systemd", choices=("true", "false", "always"), default="true",
        help="Podman's --systemd mode.")
    add_json_option(parser)
    add("argv", nargs="*", metavar="ARGV", help="PID 1's argv, after '--'.")


def resolve(engines: list[str], stop_signal: str | None,
            lifecycle_stop_signal: str | None, os_name: str | None, command: list[str],
            grace: float | None, prestop_seconds: float, systemd: str, as_json: bool,
            argv: list[str]) -> None:
    """Show which signal an engine version delivers at stop, and why.

    The outcome is one of: sent (the declared or default signal is delivered),
    substituted (a different signal, silently), kill-only (no stop signal;
    SIGKILL after a delay), stuck (the stop never completes), rejected (the
    container cannot be created). Every step of the trail names its source.

    Examples:
      stopsignal resolve --engine openshift@4.9 --stop-signal SIGRTMIN+3 --command /sbin/init
      stopsignal resolve --engine docker@27.5 --stop-signal=-1
      stopsignal resolve --engine kubernetes@1.33+ContainerStopSignals \\
          --engine containerd@2.3 --lifecycle-stop-signal SIGRTMIN+3 --os linux
      stopsignal resolve --engine podman -- /bin/sh -c 'exec /sbin/init'
    """
    from stopsignal import api

    argv_all: list[str] = []
    for part in command:
        try:
            argv_all.extend(shlex.split(part) if " " in part else [part])
        except ValueError as error:  # an unclosed quotation
            fail(UsageError(f"--command {part!r}: {str(error).lower()}"))
    argv_all.extend(argv)
    try:
        resolution = api.resolve(engines, stop_signal=stop_signal,
                                 lifecycle_stop_signal=lifecycle_stop_signal, os=os_name,
                                 command=argv_all, grace=grace,
                                 prestop_seconds=prestop_seconds, systemd=systemd)
    except StopSignalError as error:
        fail(error)
    if as_json:
        sys.stdout.write(json.dumps(resolution.as_dict(), indent=2) + "\n")
        return
    lines = [f"{resolution.target}: {resolution.outcome}", resolution.summary, "",
             "How it was decided:"]
    for number, step in enumerate(resolution.trail, 1):
        lines.append(f"  {number}. {step.actor}: {step.text}")
        lines.append(f"     source: {step.source}")
    sys.stdout.write("\n".join(lines) + "\n")
