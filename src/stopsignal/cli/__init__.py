"""The command line: the only place that prints and chooses exit codes.

Each subcommand lives in its own module and is imported only when it runs, so
``stopsignal signal 15`` does not pay for YAML, HTTP or podman code.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
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
              "Run a workload and stop it as an engine would (podman, Docker, CRI)."),
    "conformance": ("stopsignal.cli.conformance_cmd",
                    "Check the runtime model against the real engines present."),
    "inspect": ("stopsignal.cli.inspect_cmd",
                "Ask running containers whether PID 1 will act on its stop signal."),
    "demo": ("stopsignal.cli.demo_cmd",
             "Reproduce the seed article's experiments with real containers."),
    "webhook": ("stopsignal.cli.webhook_cmd",
                "Run the admission webhook, or make its certificates."),
    "completion": ("stopsignal.cli.completion_cmd",
                   "Print the shell completion script for bash, zsh or fish."),
}


def main(argv: list[str] | None = None) -> Any:
    try:
        return _main(argv)
    finally:
        # Output still buffered must reach stdout now, while a failure can still be
        # reported in one line with exit 2 (not a traceback at interpreter exit).
        from stopsignal.cli.stdio import flush_stdout

        flush_stdout()


def _main(argv: list[str] | None) -> Any:
    from stopsignal.cli.app import run

    return run(sys.argv[1:] if argv is None else argv)


def fail(error: StopSignalError) -> NoReturn:
    """Print a one-line error and exit with the error's code (2 unless stated)."""
    message = " ".join(str(error).split("\n"))
    sys.stderr.write(f"stopsignal: error: {message}\n")
    sys.exit(error.exit_code)
