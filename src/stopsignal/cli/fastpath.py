"""``stopsignal signal VALUE [--json] [--libc L]`` without importing click.

Anything this tiny parser does not recognise (``--help``, a typo, a missing
value) returns None and the click application handles it, with its usual
messages. The output is produced by the same code either way.
"""

from __future__ import annotations

LIBCS = ("glibc", "musl")


def signal_fast(args: list[str]) -> int | None:
    value: str | None = None
    as_json = False
    libc = "glibc"
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            if value is not None or index + 2 != len(args):
                return None
            value = args[index + 1]
            break
        if arg == "--json":
            as_json = True
        elif arg == "--libc" and index + 1 < len(args) and args[index + 1] in LIBCS:
            libc = args[index + 1]
            index += 1
        elif arg.startswith("--libc=") and arg.split("=", 1)[1] in LIBCS:
            libc = arg.split("=", 1)[1]
        elif arg.startswith("-") or value is not None:
            return None
        else:
            value = arg
        index += 1
    if value is None:
        return None
    from stopsignal.cli.signal_view import run_signal

    return run_signal(value, as_json=as_json, libc=libc)
