"""``stopsignal signal VALUE``: one spelling, read by every engine and kill tool."""

from __future__ import annotations

import json
import sys

import click

from stopsignal.cli import fail
from stopsignal.errors import UsageError


@click.command("signal")
@click.argument("value")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the documented contract).")
@click.option("--libc", type=click.Choice(["glibc", "musl"]), default="glibc", show_default=True,
              help="Numbering of real-time names for the top-level answer: musl counts "
                   "RTMIN from 35, so RTMIN+3 is 38 there. Engines always use 34.")
def signal(value: str, as_json: bool, libc: str) -> None:
    """Explain a signal spelling and what each engine makes of it.

    VALUE is any spelling: a number (37), a name with or without SIG in any case
    (SIGTERM, term), or a real-time name (RTMIN+3, SIGRTMAX-2). For each engine and
    era it shows whether the parser accepts it as an image STOPSIGNAL, the number it
    reads, and what the engine then sends at stop; then what `kill -s VALUE` sends
    with each kill implementation (preStop hooks run those).

    \b
    Examples:
      stopsignal signal RTMIN+3
      stopsignal signal 37 --json
      stopsignal signal -- -15        (values starting with '-' need '--')

    Exits 2 when VALUE names no Linux signal.
    """
    from stopsignal.runtimes.spelling import explain_spelling

    report = explain_spelling(value, libc="musl" if libc == "musl" else "glibc")
    anyone = any(reading.accepted for reading in report.engines)
    if report.signal is None and not anyone:
        fail(UsageError(f"{value!r} is not a Linux signal spelling (no engine accepts it either)"))
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        click.echo(_render_text(report))
    if report.signal is None:
        reason = ("outside 1-64" if value.lstrip("+-").isdigit()
                  else "not a valid signal spelling")
        click.echo(f"stopsignal: error: {value!r} is {reason}, although some engines accept it",
                   err=True)
        sys.exit(2)


def _render_text(report: object) -> str:
    from stopsignal.runtimes.spelling import SpellingReport
    from stopsignal.signals import signal_name

    assert isinstance(report, SpellingReport)
    lines: list[str] = []
    sig = report.signal
    if sig is not None:
        name = sig.name or "no name"
        glibc_number = _other_libc(report.input, "glibc")
        head = f"{report.input} is {name} ({sig.number}) under {sig.libc}"
        if sig.libc == "musl" and glibc_number is not None and glibc_number != sig.number:
            head += f"; engines and glibc read it as {glibc_number}"
        musl = _other_libc(report.input, "musl")
        if sig.libc == "glibc" and musl is not None and musl != sig.number:
            head += f"; a musl-linked kill (Alpine) reads it as {musl}"
        if sig.name is None:
            head += " (reserved by the C library for threads; no tool names it)"
        if sig.number in (9, 19):
            head += "; it cannot be caught, so a stop with it is never graceful"
        lines.append(head + ".")
    else:
        lines.append(f"{report.input} is not a valid Linux signal spelling.")
    lines.append("")
    lines.append(f"{'engine':<16} {'parser':<7} {'reads':<6} at stop")
    for reading in report.engines:
        accepted = "accepts" if reading.accepted else "rejects"
        number = "" if reading.number is None else str(reading.number)
        lines.append(f"{reading.key:<16} {accepted:<7} {number:<6} {reading.effect}")
    lines.append("")
    groups: dict[int | None, list[str]] = {}
    for tool, number in report.kill:
        groups.setdefault(number, []).append(tool)
    lines.append(f"kill -s {report.input} (what a preStop hook runs):")
    for number, tools in groups.items():
        if number is None:
            lines.append(f"  fails with {', '.join(tools)}")
        else:
            label = signal_name(number) or "signal"
            lines.append(f"  sends {label} ({number}) with {', '.join(tools)}")
    return "\n".join(lines)


def _other_libc(text: str, libc: str) -> int | None:
    from stopsignal.signals import parse_signal

    parsed = parse_signal(text, libc="musl" if libc == "musl" else "glibc")
    return parsed.number if parsed else None
