"""``stopsignal signal``: what it prints (the report as text or JSON) and its exit code."""

from __future__ import annotations

import sys

from stopsignal.runtimes.spelling import SpellingReport, explain_spelling
from stopsignal.signals import parse_signal, signal_name


def run_signal(value: str, *, as_json: bool, libc: str) -> int:
    """Print the report for ``value``; return the exit code."""
    report = explain_spelling(value, libc="musl" if libc == "musl" else "glibc")
    anyone = any(reading.accepted for reading in report.engines)
    if report.signal is None and not anyone:
        sys.stderr.write(f"stopsignal: error: {value!r} is not a Linux signal spelling "
                         "(no engine accepts it either)\n")
        return 2
    if as_json:
        import json  # only here: json pulls in `re`, which text output does not need

        out = json.dumps(report.as_dict(), indent=2)
    else:
        out = render_text(report)
    sys.stdout.write(out + "\n")
    if report.signal is None:
        reason = ("outside 1-64" if value.lstrip("+-").isdigit()
                  else "not a valid signal spelling")
        sys.stderr.write(f"stopsignal: error: {value!r} is {reason}, although some engines "
                         "accept it\n")
        return 2
    return 0


def render_text(report: SpellingReport) -> str:
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
        reads = "" if reading.number is None else str(reading.number)
        lines.append(f"{reading.key:<16} {accepted:<7} {reads:<6} {reading.effect}")
    lines.append("")
    groups: dict[int | None, list[str]] = {}
    for tool, sent in report.kill:
        groups.setdefault(sent, []).append(tool)
    lines.append(f"kill -s {report.input} (what a preStop hook runs):")
    for sent, tools in groups.items():
        if sent is None:
            lines.append(f"  fails with {', '.join(tools)}")
        else:
            label = signal_name(sent) or "signal"
            lines.append(f"  sends {label} ({sent}) with {', '.join(tools)}")
    return "\n".join(lines)


def _other_libc(text: str, libc: str) -> int | None:
    parsed = parse_signal(text, libc="musl" if libc == "musl" else "glibc")
    return parsed.number if parsed else None
