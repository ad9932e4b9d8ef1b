"""``stopsignal completion bash|zsh|fish``: argcomplete's shell code, printed for the shell.

The shell code runs ``stopsignal`` with ``_ARGCOMPLETE`` set; ``cli.app.run`` then builds
every command's parser and lets argcomplete answer from it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stopsignal.cli.app import Parser

SHELLS = ("bash", "zsh", "fish")


def build_completion(parser: Parser) -> None:
    parser.describe(completion, "SHELL")
    parser.add_argument("shell", choices=SHELLS, metavar="SHELL",
                        help="The shell to complete in: bash, zsh or fish.")


def completion(shell: str) -> None:
    """Print the shell completion script for SHELL.

    Commands, options, their choices (--format, --color, --on, ...) and paths
    complete. Load the script in the current shell, or install it.

    Examples:
      eval "$(stopsignal completion bash)"    # in ~/.bashrc
      eval "$(stopsignal completion zsh)"     # in ~/.zshrc
      stopsignal completion fish > ~/.config/fish/completions/stopsignal.fish
    """
    from argcomplete.shell_integration import shellcode

    sys.stdout.write(shellcode(["stopsignal"], shell=shell))
