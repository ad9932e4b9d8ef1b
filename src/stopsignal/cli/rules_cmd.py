"""`stopsignal rules` and `stopsignal explain RULE`: the catalogue, from the rules themselves."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from stopsignal.errors import StopSignalError

if TYPE_CHECKING:
    from stopsignal.cli.app import Parser


def build_rules(parser: Parser) -> None:
    parser.describe(rules, "[options]")
    parser.add_argument("--format", dest="output_format", choices=("text", "json", "markdown"),
                        default="text",
                        help="text: one line per rule; json: metadata; markdown: the docs/rules "
                             "pages.")


def build_explain(parser: Parser) -> None:
    from stopsignal.cli.options import completes_rules

    parser.describe(explain, "RULE")
    completes_rules(parser.add_argument(
        "rule", metavar="RULE", help="A rule's code (STOP101) or name (systemd-stop-signal)."))


def rules(output_format: str) -> None:
    """List the lint rules: code, name, severity and what each finds.

    Examples:
      stopsignal rules
      stopsignal rules --format json
    """
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


def explain(rule: str) -> None:
    """Show the documentation of one rule, by its code or its name.

    What the rule finds, why that is bad, an example, the fix, and the engines
    concerned: the rule's page in docs/rules/.

    Examples:
      stopsignal explain STOP101
      stopsignal explain systemd-stop-signal
    """
    from stopsignal.cli import fail
    from stopsignal.rules import catalogue, get

    try:
        found = get(rule)
    except StopSignalError as error:
        fail(error)
    sys.stdout.write(catalogue.explain(found))
