"""The argparse application: dispatch on the command's name, build only that command's parser.

``stopsignal lint ...`` imports ``cli/lint_cmd.py`` and builds its parser; no other command
module is imported. The top-level ``--help`` lists the commands from the ``COMMANDS`` table,
so it imports none. Shell completion (argcomplete) needs every command's options: with
``_ARGCOMPLETE`` set, ``top_parser(every_command=True)`` builds them all under one parser.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from stopsignal import __version__
from stopsignal.cli import COMMANDS

DESCRIPTION = """\
Make containers stop gracefully.

A container is stopped with one signal to PID 1, a grace period, then SIGKILL.
Which signal arrives depends on the engine and its version, the image's
STOPSIGNAL, the pod's lifecycle, podman's systemd mode, and what PID 1 is."""

EPILOG = """\
Examples:
  stopsignal signal RTMIN+3
  stopsignal resolve --engine openshift@4.9 --stop-signal SIGRTMIN+3 --command /sbin/init
  stopsignal lint examples/
  stopsignal fix --diff --engine openshift@4.9 examples/seed/pod-stopsignal-systemd.yaml

Run 'stopsignal COMMAND --help' for a command's options.

Exit codes: 0 success, 1 findings or failed verification, 2 usage error or
unreadable input."""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and examples as written (they are laid out by hand); option help wrapped
    to the terminal, at most 80 columns wide, as most man pages do. An option's default is
    shown after its help, taken from the option itself so that it cannot go stale."""

    def __init__(self, prog: str) -> None:
        width = min(terminal_columns(), 80) - 2
        super().__init__(prog, max_help_position=28, width=width)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        # Like ArgumentDefaultsHelpFormatter, but not for flags and unset options (False,
        # None, []), nor where the help already says "(default: ...)" in words.
        help_text = action.help or ""
        # Identity, not ==: a default of 0 (0 == False) is shown.
        unset = (action.default is None or action.default is False or action.default == []
                 or action.default is argparse.SUPPRESS)
        if unset or not action.option_strings or "(default" in help_text:
            return help_text
        if help_text.endswith("."):
            return f"{help_text[:-1]} (default: %(default)s)."
        return f"{help_text} (default: %(default)s)".lstrip()

    def _split_lines(self, text: str, width: int) -> list[str]:
        # Never break inside a hyphenated word: option names (--deny-severity) and
        # spellings (docker-archive, SIGRTMAX-2) stay whole.
        import textwrap

        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)

    def _format_action(self, action: argparse.Action) -> str:
        # Subcommands (webhook serve, certs) are listed like options, without a line that
        # holds the COMMAND metavar alone above them.
        if isinstance(action, argparse._SubParsersAction):
            format_one = super()._format_action
            return "".join(format_one(sub) for sub in action._get_subactions())
        return super()._format_action(action)


def terminal_columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` finds it: ``COLUMNS``, then
    stdout's terminal, else 80. argparse builds a formatter for every option it adds, so this
    runs on every command; importing shutil (with zlib, bz2 and lzma) costs about 2 ms there."""
    import os

    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line and exit 2, like every other error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        # No abbreviations (--eng for --engine): a new option would change what they mean.
        kwargs.setdefault("allow_abbrev", False)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        # argparse's own line is lower-case, unlike every other option's help.
        self.add_argument("-h", "--help", action="help", help="Show this help and exit.")
        self.has_subcommands = False

    def add_subparsers(self, **kwargs: Any) -> Any:
        self.has_subcommands = True
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"stopsignal: error: {message} (see '{self.prog} --help')\n")
        sys.exit(2)

    def describe(self, command: Callable[..., object], *usages: str) -> None:
        """The command's docstring as its help: the text before ``Examples:`` above the
        options, the examples and what follows them below. Each of ``usages`` is a way to
        call the command (what follows ``stopsignal COMMAND``): the options are listed
        below, not spelled out in the usage."""
        self.usage = "\n       ".join(f"%(prog)s {usage}" for usage in usages)
        lines = (command.__doc__ or "").strip("\n").splitlines()
        text = "\n".join(line.removeprefix("    ") for line in lines)
        head, examples, tail = text.partition("\nExamples:\n")
        self.description = head.strip()
        self.epilog = f"Examples:\n{tail.rstrip()}" if examples else None

    def parse(self, argv: Sequence[str]) -> argparse.Namespace:
        """Options and operands in any order (``lint a.yaml --engine x b.yaml``), and
        everything after ``--`` an operand. Python 3.11's parse_intermixed_args mistakes
        option-like words after ``--`` for options, and takes no subcommands, so those
        command lines are parsed in order."""
        if self.has_subcommands or "--" in argv:
            return self.parse_args(argv)
        return self.parse_intermixed_args(argv)


def run(argv: Sequence[str]) -> Any:
    """Run the command line ``argv`` (without the program name)."""
    import os

    if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions (stopsignal completion)
        import argcomplete

        # Options are offered once a '-' is typed, as bash completes most commands.
        argcomplete.autocomplete(top_parser(every_command=True), always_complete_options=False)
    if not argv or argv[0] in ("-h", "--help"):
        # A bare `stopsignal` asks what the tool does: help on stdout, exit 0, as ruff does.
        top_parser().print_help()
        sys.exit(0)
    name, *rest = argv
    if name not in COMMANDS:
        if name.startswith("-") and name != "--version":
            # argparse would complain that COMMAND is missing, not about the option.
            top_parser().error(f"unrecognized arguments: {name}")
        top_parser().parse_args(argv)  # --version, or an error naming the commands
        sys.exit(2)
    parser = command_parser(name)
    options = vars(parser.parse(rest))
    return command(name)(**options)


def command(name: str) -> Callable[..., Any]:
    """The function that runs command ``name``, with its options as keyword arguments."""
    module = importlib.import_module(COMMANDS[name][0])
    function: Callable[..., Any] = getattr(module, name)
    return function


def build(name: str, parser: Parser) -> None:
    """Add command ``name``'s options and help to ``parser``."""
    module = importlib.import_module(COMMANDS[name][0])
    getattr(module, f"build_{name}")(parser)


def command_parser(name: str) -> Parser:
    """The parser of one command (``stopsignal lint``), its module imported now."""
    parser = Parser(prog=f"stopsignal {name}")
    build(name, parser)
    return parser


def top_parser(*, every_command: bool = False) -> Parser:
    """``stopsignal [--version] COMMAND``: the commands' short help from COMMANDS; with
    ``every_command``, each command's options too (its module imported)."""
    parser = Parser(prog="stopsignal", usage="%(prog)s [-h] [--version] COMMAND ...",
                    description=f"{DESCRIPTION}\n\n{_listing()}", epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"stopsignal, version {__version__}",
                        help="Show the version and exit.")
    # The listing is written from COMMANDS into the help; argparse's own would put a line
    # with the metavar alone above it.
    commands = parser.add_subparsers(metavar="COMMAND", dest="command", required=True,
                                     help=argparse.SUPPRESS)
    for name, (_, summary) in COMMANDS.items():
        subparser = commands.add_parser(name, prog=f"stopsignal {name}", help=summary,
                                        description=summary)
        if every_command:
            build(name, subparser)
    return parser


def _listing() -> str:
    """The commands and their short help, as in COMMANDS, wrapped to 80 columns."""
    import textwrap

    width = max(len(name) for name in COMMANDS) + 4
    lines = ["commands:"]
    for name, (_, summary) in COMMANDS.items():
        lines.extend(textwrap.wrap(summary, 80, initial_indent=f"  {name}".ljust(width),
                                   subsequent_indent=" " * width))
    return "\n".join(lines)
