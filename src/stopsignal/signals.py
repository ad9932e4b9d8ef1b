"""Linux signals: one value type, the canonical spelling, and numbering per libc.

The Linux kernel numbers signals 1-64. Real-time signals are 32-64, but the C
library reserves the first few for itself: glibc reports ``SIGRTMIN = 34`` and
musl ``SIGRTMIN = 35`` (musl src/signal/sigrtmin.c). So ``RTMIN+3`` is 37 for
glibc and for every Go-based engine (which hard-code 34), and 38 under musl.

This module has no I/O. How each engine parses a spelling is in
``stopsignal.signal_grammars``; what ``kill`` implementations do in
``stopsignal.kill_tools``. It is on the start-up path of every command, so it
avoids ``re`` and ``dataclasses`` (each costs more than the rest of the module).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Libc = Literal["glibc", "musl"]

SIGRTMAX = 64
#: First real-time signal number a C library exposes (RTMIN), per libc.
RTMIN_BY_LIBC: dict[Libc, int] = {"glibc": 34, "musl": 35}

#: The 31 classic Linux signals (x86-64 numbering), canonical names as bash prints them.
CLASSIC: dict[int, str] = {
    1: "SIGHUP",
    2: "SIGINT",
    3: "SIGQUIT",
    4: "SIGILL",
    5: "SIGTRAP",
    6: "SIGABRT",
    7: "SIGBUS",
    8: "SIGFPE",
    9: "SIGKILL",
    10: "SIGUSR1",
    11: "SIGSEGV",
    12: "SIGUSR2",
    13: "SIGPIPE",
    14: "SIGALRM",
    15: "SIGTERM",
    16: "SIGSTKFLT",
    17: "SIGCHLD",
    18: "SIGCONT",
    19: "SIGSTOP",
    20: "SIGTSTP",
    21: "SIGTTIN",
    22: "SIGTTOU",
    23: "SIGURG",
    24: "SIGXCPU",
    25: "SIGXFSZ",
    26: "SIGVTALRM",
    27: "SIGPROF",
    28: "SIGWINCH",
    29: "SIGIO",
    30: "SIGPWR",
    31: "SIGSYS",
}

#: Other names for classic numbers that some tools accept (glibc <signal.h> aliases).
ALIASES: dict[str, int] = {"SIGIOT": 6, "SIGCLD": 17, "SIGPOLL": 29}

CLASSIC_BY_NAME: dict[str, int] = {name: num for num, name in CLASSIC.items()}

# Signals the kernel never lets a process catch: a stop "signal" of these is never graceful.
UNCATCHABLE = frozenset({9, 19})


class Signal(NamedTuple):
    """A Linux signal number with its canonical name under one libc."""

    number: int
    libc: Libc = "glibc"

    @property
    def name(self) -> str | None:
        """Canonical name as bash prints it (``SIGRTMIN+3``); None for unnamed numbers."""
        return signal_name(self.number, libc=self.libc)

    @property
    def short_name(self) -> str | None:
        """Name without the ``SIG`` prefix (``RTMIN+3``), as ``kill -l N`` prints it."""
        name = self.name
        return name[3:] if name else None

    def __str__(self) -> str:
        return self.name or str(self.number)


def decimal(text: str, max_digits: int = 18) -> int | None:
    """ASCII decimal digits as an int; None for anything else, or for more than
    ``max_digits`` significant digits (far beyond every limit a parser here checks, and
    below Python's 4,300-digit conversion limit, so no input can make ``int`` raise)."""
    if not (text.isascii() and text.isdigit()):
        return None
    significant = text.lstrip("0")
    if len(significant) > max_digits:
        return None
    return int(significant or "0")


def signal_name(number: int, *, libc: Libc = "glibc") -> str | None:
    """Return the canonical name of ``number`` (1-64) or None if it has none.

    Real-time signals are named from both ends as bash does: the lower half
    ``SIGRTMIN+n``, the upper half ``SIGRTMAX-n``. Numbers below the libc's
    SIGRTMIN (32, 33 for glibc; 32-34 for musl) are reserved and unnamed.
    """
    if number in CLASSIC:
        return CLASSIC[number]
    rtmin = RTMIN_BY_LIBC[libc]
    if not rtmin <= number <= SIGRTMAX:
        return None
    if number == rtmin:
        return "SIGRTMIN"
    if number == SIGRTMAX:
        return "SIGRTMAX"
    # bash names the lower half from RTMIN up, including the midpoint (RTMIN+15 = 49 for glibc).
    midpoint = (rtmin + SIGRTMAX) // 2
    if number <= midpoint:
        return f"SIGRTMIN+{number - rtmin}"
    return f"SIGRTMAX-{SIGRTMAX - number}"


def parse_signal(text: str, *, libc: Libc = "glibc") -> Signal | None:
    """Parse any spelling a Linux user or tool would use; None if it names no signal.

    Accepted: decimal numbers 1-64; classic names and their aliases in any case,
    with or without ``SIG``; ``RTMIN``, ``RTMIN+n``, ``RTMAX``, ``RTMAX-n`` (any
    offset that stays within the libc's real-time range, as bash and
    util-linux allow); util-linux's ``RTn``. Whitespace is never accepted,
    because no engine accepts it either.
    """
    if not text or text != text.strip():
        return None
    if text.isascii() and text.isdigit():
        number = decimal(text)
        return Signal(number, libc) if number is not None and 1 <= number <= SIGRTMAX else None
    if not text.isascii():
        # C parsers (bash, procps, util-linux, busybox, glibc's strcasecmp) fold ASCII
        # only: "\u017figterm" and "s\u0131gterm" name no signal, whatever str.upper() says.
        return None
    upper = text.upper()
    bare = upper.removeprefix("SIG")
    full = "SIG" + bare
    if full in CLASSIC_BY_NAME:
        return Signal(CLASSIC_BY_NAME[full], libc)
    if full in ALIASES:
        return Signal(ALIASES[full], libc)
    realtime = _parse_realtime(bare, libc)
    return Signal(realtime, libc) if realtime is not None else None


def _parse_realtime(bare: str, libc: Libc) -> int | None:
    rtmin = RTMIN_BY_LIBC[libc]
    if bare in ("RTMIN", "RTMAX"):
        return rtmin if bare == "RTMIN" else SIGRTMAX
    for prefix, base, sign in (("RTMIN+", rtmin, 1), ("RTMAX-", SIGRTMAX, -1), ("RT", rtmin, 1)):
        offset = bare[len(prefix):]
        if bare.startswith(prefix) and offset.isascii() and offset.isdigit():
            value = decimal(offset)
            if value is None:
                return None
            number = base + sign * value
            return number if rtmin <= number <= SIGRTMAX else None
    return None


def describe_number(number: int, *, libc: Libc = "glibc") -> str:
    """A short human label for any integer an engine may deliver."""
    name = signal_name(number, libc=libc)
    if name:
        return f"{name} ({number})"
    if 32 <= number < RTMIN_BY_LIBC[libc]:
        return f"signal {number} (reserved by {libc})"
    return f"{number} (not a Linux signal)"


def all_signals(*, libc: Libc = "glibc") -> list[Signal]:
    """Every signal 1-64 that has a name under ``libc``."""
    return [Signal(n, libc) for n in range(1, SIGRTMAX + 1) if signal_name(n, libc=libc)]
