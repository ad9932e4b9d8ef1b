"""The click application: a group whose subcommands are imported on first use."""

from __future__ import annotations

import importlib

import click

from stopsignal import __version__
from stopsignal.cli import COMMANDS


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(entry[0])
        command = getattr(module, cmd_name.replace("-", "_"))
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Use the short help from COMMANDS so that --help imports nothing.
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stopsignal")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Make containers stop gracefully.

    A container is stopped with one signal to PID 1, a grace period, then SIGKILL.
    Which signal arrives depends on the engine and its version, the image's
    STOPSIGNAL, the pod's lifecycle, podman's systemd mode, and what PID 1 is.

    \b
    Examples:
      stopsignal signal RTMIN+3
      stopsignal resolve --engine openshift@4.9 --stop-signal SIGRTMIN+3 --command /sbin/init
      stopsignal lint k8s/ Containerfile
      stopsignal fix --diff pod.yaml

    Exit codes: 0 success, 1 findings or failed verification, 2 usage error or
    unreadable input.
    """
    if ctx.invoked_subcommand is None:
        # A bare `stopsignal` asks what the tool does: help on stdout, exit 0, as ruff does.
        click.echo(ctx.get_help())
        ctx.exit(0)
