"""The command line: the only place that prints and chooses exit codes.

Each subcommand lives in its own module and is imported only when it runs, so
``stopsignal signal 15`` does not pay for YAML, HTTP or podman code. ``main`` looks the
command's name up in ``COMMANDS`` and builds that command's parser alone (``cli/app.py``).

Why argparse and not click: start-up is a goal (one-file lint at most 2.5x ``python -c
"import yaml"``) and click was half of stopsignal's own cost over ``import yaml``. Measured
on a 2-core machine, CPU ms, medians of 21 interleaved runs: ``python -c pass`` 12.7,
``import yaml`` 36.7, ``import click`` 52.0, ``import yaml, click`` 68.5, ``import yaml,
argparse, typing`` 44.6. ``benchmarks/startup.py --runs 31`` with the click CLI in the same
rounds (load average 2): one-file lint 78.7 ms CPU (2.63x ``import yaml``) with click, 64.0 ms
(2.14x) with argparse; ``signal 15`` 46.8 ms and 33.3 ms. argparse also does what click did
for this CLI: help with examples (the command's docstring), one-line usage errors with exit
2, subcommands; shell completion comes from argcomplete, imported only when completing, and
tests run ``main`` in-process (``tests/cli_runner.py``) as they ran click's CliRunner.
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
