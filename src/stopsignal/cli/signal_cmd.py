"""``stopsignal signal VALUE``: one spelling, read by every engine and kill tool."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from stopsignal.cli.options import add_json_option

if TYPE_CHECKING:
    from stopsignal.cli.app import Parser


def build_signal(parser: Parser) -> None:
    parser.describe(signal, "[options] VALUE")
    parser.add_argument("value", metavar="VALUE",
                        help="A signal spelling: 37, SIGTERM, term, RTMIN+3, SIGRTMAX-2, ...")
    add_json_option(parser)
    parser.add_argument("--libc", choices=("glibc", "musl"), default="glibc",
                        help="Numbering of real-time names for the top-level answer: musl "
                             "counts RTMIN from 35, so RTMIN+3 is 38 there. Engines always "
                             "use 34.")


def signal(value: str, as_json: bool, libc: str) -> None:
    """Explain a signal spelling and what each engine makes of it.

    VALUE is any spelling: a number (37), a name with or without SIG in any case
    (SIGTERM, term), or a real-time name (RTMIN+3, SIGRTMAX-2). For each engine and
    era it shows whether the parser accepts it as an image STOPSIGNAL, the number it
    reads, and what the engine then sends at stop; then what `kill -s VALUE` sends
    with each kill implementation (preStop hooks run those).

    Examples:
      stopsignal signal RTMIN+3
      stopsignal signal 37 --json
      stopsignal signal -- -15   # '-' values go after '--'; this one exits 2

    Exits 2 when VALUE names no Linux signal.
    """
    from stopsignal.cli.signal_view import run_signal

    code = run_signal(value, as_json=as_json, libc=libc)
    if code:
        sys.exit(code)
