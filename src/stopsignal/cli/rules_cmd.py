"""`stopsignal rules` and `stopsignal explain RULE`: the catalogue, from the rules themselves."""

from __future__ import annotations

import json
import sys

import click

from stopsignal.errors import StopSignalError


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--format", "output_format", type=click.Choice(("text", "json", "markdown")),
              default="text", show_default=True,
              help="text: one line per rule; json: metadata; markdown: the docs/rules pages.")
def rules(output_format: str) -> None:
    """List the lint rules: code, name, severity and what each finds."""
    from stopsignal.rules import catalogue

    if output_format == "json":
        sys.stdout.write(json.dumps(catalogue.as_json(), indent=2) + "\n")
    elif output_format == "markdown":
        pages = catalogue.pages()
        sys.stdout.write(pages.pop("README.md"))
        for text in pages.values():
            sys.stdout.write("\n" + text)
    else:
        sys.stdout.write(catalogue.text_listing())


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("rule")
def explain(rule: str) -> None:
    """Show the documentation of one rule, by code (STOP101) or name (systemd-stop-signal)."""
    from stopsignal.cli import fail
    from stopsignal.rules import catalogue, get

    try:
        found = get(rule)
    except StopSignalError as error:
        fail(error)
    sys.stdout.write(catalogue.explain(found))
