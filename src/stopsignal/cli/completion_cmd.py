"""``stopsignal completion bash|zsh|fish``: click's shell completion, printed for the shell."""

from __future__ import annotations

import click

SHELLS = ("bash", "zsh", "fish")


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL.

    \b
    Load it in the current shell, or install it:
      bash:  eval "$(stopsignal completion bash)"    (in ~/.bashrc; bash >= 4.4)
      zsh:   eval "$(stopsignal completion zsh)"     (in ~/.zshrc)
      fish:  stopsignal completion fish > ~/.config/fish/completions/stopsignal.fish

    Commands, options, choices (engines' formats, --color, ...) and paths complete.
    """
    from click.shell_completion import get_completion_class

    from stopsignal.cli.app import cli

    complete = get_completion_class(shell)
    assert complete is not None  # SHELLS are the shells click ships
    click.echo(complete(cli, {}, "stopsignal", "_STOPSIGNAL_COMPLETE").source())
