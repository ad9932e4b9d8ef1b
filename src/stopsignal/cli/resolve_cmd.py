"""``stopsignal resolve``: the stop decision of one engine version, step by step."""

from __future__ import annotations

import json
import shlex

import click

from stopsignal.cli import fail
from stopsignal.errors import StopSignalError


@click.command("resolve")
@click.option("--engine", "engines", multiple=True, required=True, metavar="ENGINE@VERSION",
              help="docker@28.0, podman@4.3, containerd@1.6.0, cri-o@1.22.1, openshift@4.9, "
                   "kubernetes@1.33[+ContainerStopSignals] (with a CRI runtime: give "
                   "--engine twice, or join with a comma). A bare name is the current release.")
@click.option("--stop-signal", metavar="S", help="The image's STOPSIGNAL, as written.")
@click.option("--lifecycle-stop-signal", metavar="S",
              help="The container's lifecycle.stopSignal (Kubernetes >= 1.33, feature gate).")
@click.option("--os", "os_name", type=click.Choice(["linux", "windows"]),
              help="The pod's spec.os.name (required by Kubernetes for lifecycle.stopSignal).")
@click.option("--command", "command", multiple=True, metavar="ARG",
              help="PID 1's argv, one element per --command (a value with spaces is split "
                   "like a shell would); or give the argv after '--'.")
@click.option("--grace", type=float, metavar="SECONDS",
              help="Grace period / stop timeout (default: the engine's: Docker and Podman "
                   "10 s, Kubernetes 30 s).")
@click.option("--prestop-seconds", type=float, default=0.0, metavar="SECONDS",
              help="How long the preStop hook runs (Kubernetes engines).")
@click.option("--systemd", type=click.Choice(["true", "false", "always"]), default="true",
              show_default=True, help="Podman's --systemd mode.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the documented contract).")
@click.argument("argv", nargs=-1)
def resolve(engines: tuple[str, ...], stop_signal: str | None,
            lifecycle_stop_signal: str | None, os_name: str | None, command: tuple[str, ...],
            grace: float | None, prestop_seconds: float, systemd: str, as_json: bool,
            argv: tuple[str, ...]) -> None:
    """Show which signal an engine version delivers at stop, and why.

    The outcome is one of: sent (the declared or default signal is delivered),
    substituted (a different signal, silently), kill-only (no stop signal;
    SIGKILL after a delay), stuck (the stop never completes), rejected (the
    container cannot be created). Every step of the trail names its source.

    \b
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
        argv_all.extend(shlex.split(part) if " " in part else [part])
    argv_all.extend(argv)
    try:
        resolution = api.resolve(engines, stop_signal=stop_signal,
                                 lifecycle_stop_signal=lifecycle_stop_signal, os=os_name,
                                 command=argv_all, grace=grace,
                                 prestop_seconds=prestop_seconds, systemd=systemd)
    except StopSignalError as error:
        fail(error)
    if as_json:
        click.echo(json.dumps(resolution.as_dict(), indent=2))
        return
    click.echo(f"{resolution.target}: {resolution.outcome}")
    click.echo(resolution.summary)
    click.echo("")
    click.echo("How it was decided:")
    for number, step in enumerate(resolution.trail, 1):
        click.echo(f"  {number}. {step.actor}: {step.text}")
        click.echo(f"     source: {step.source}")
