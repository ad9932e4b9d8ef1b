"""The command line: the only place that prints and chooses exit codes.

Each subcommand lives in its own module and is imported only when it runs, so
``stopsignal signal 15`` does not pay for YAML, HTTP or podman code. The most
frequent one-shot question, ``stopsignal signal VALUE``, even skips click: its
whole start-up budget is a few times that of a bare Python.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import click

    from stopsignal.errors import StopSignalError

# name -> (module, one-line help). Order is the order --help shows.
COMMANDS: dict[str, tuple[str, str]] = {
    "signal": ("stopsignal.cli.signal_cmd",
               "Explain a signal spelling and what each engine makes of it."),
    "resolve": ("stopsignal.cli.resolve_cmd",
                "Show which signal an engine version delivers at stop, and why."),
    "lint": ("stopsignal.cli.lint_cmd", "Find containers that will not stop gracefully."),
    "fix": ("stopsignal.cli.fix_cmd", "Repair what lint finds, changing nothing else."),
    "rules": ("stopsignal.cli.rules_cmd", "List the lint rules."),
    "explain": ("stopsignal.cli.rules_cmd", "Show the documentation of one rule."),
    "probe": ("stopsignal.cli.probe_cmd",
              "Run a workload under podman and stop it as an engine would."),
    "conformance": ("stopsignal.cli.conformance_cmd",
                    "Check the runtime model against the real engines present."),
    "demo": ("stopsignal.cli.demo_cmd",
             "Reproduce the seed article's experiments with real containers."),
    "webhook": ("stopsignal.cli.webhook_cmd",
                "Run the admission webhook, or make its certificates."),
}


def main(argv: list[str] | None = None) -> Any:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "signal":
        from stopsignal.cli.signal_view import signal_fast

        code = signal_fast(args[1:])
        if code is not None:
            sys.exit(code)
    if args and args[0] == "lint":
        from stopsignal.cli.lint_fast import lint_fast

        code = lint_fast(args[1:])
        if code is not None:
            sys.exit(code)
    from stopsignal.cli.app import cli

    return cli.main(args=args, prog_name="stopsignal")


def fail(error: StopSignalError) -> NoReturn:
    """Print a one-line error and exit with the error's code (2 unless stated)."""
    message = " ".join(str(error).split("\n"))
    sys.stderr.write(f"stopsignal: error: {message}\n")
    sys.exit(error.exit_code)


def __getattr__(name: str) -> click.Group:
    # `from stopsignal.cli import cli` keeps working without importing click eagerly.
    if name == "cli":
        from stopsignal.cli.app import cli

        return cli
    raise AttributeError(name)
