"""What ``kill`` implementations make of a signal argument (preStop hooks run them).

A preStop hook such as ``["kill", "-RTMIN+3", "1"]`` is parsed by whatever
``kill`` the image has, not by the engine. Real-time names are resolved with
that tool's own libc SIGRTMIN, so under musl ``RTMIN+3`` is 38 (SIGRTMIN+4 to a
glibc-built systemd: poweroff, not halt). Only numbers are read the same by
every implementation. Table and sources: research/runtime-semantics.md section 7.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from stopsignal.signals import CLASSIC_BY_NAME, SIGRTMAX, decimal

if TYPE_CHECKING:
    from collections.abc import Sequence


class KillTool(NamedTuple):
    """One ``kill`` implementation and the argument grammar it accepts."""

    id: str
    label: str
    rtmin: int | None  # SIGRTMIN it uses for RT names; None = no RT names at all
    sig_prefix: bool = True  # accepts SIGTERM as well as TERM
    long_option: bool = False  # accepts --signal NAME
    bare_rtmin: bool = True  # accepts RTMIN on its own
    bare_rtmax: bool = True  # accepts RTMAX on its own
    rtmax_names: bool = True  # accepts RTMAX-n
    rt_n: bool = False  # util-linux RT<n>
    max_offset: int | None = None  # largest n in RTMIN+n / RTMAX-n, None = up to SIGRTMAX


KILL_TOOLS: tuple[KillTool, ...] = (
    KillTool("procps", "procps-ng 4.0.2 /bin/kill (glibc)", 34, long_option=True,
             bare_rtmax=False, rtmax_names=False),
    KillTool("procps-4.0.5", "procps-ng >= 4.0.5 /bin/kill (glibc)", 34, long_option=True),
    KillTool("util-linux", "util-linux kill (glibc)", 34, long_option=True,
             bare_rtmin=False, bare_rtmax=False, rt_n=True),
    KillTool("busybox-debian", "busybox 1.35 as built by Debian (no RT names)", None),
    KillTool("busybox-glibc", "busybox >= 1.30 built against glibc", 34),
    KillTool("busybox-musl", "busybox >= 1.30 built against musl (Alpine)", 35),
    KillTool("busybox-raw", "busybox without libc RT definitions (glibc)", 32),
    KillTool("toybox-glibc", "toybox built against glibc", 34),
    KillTool("toybox-musl", "toybox built against musl", 35),
    KillTool("bash", "bash 5.2 builtin", 34),
    KillTool("dash", "dash 0.5.12 builtin (Debian /bin/sh)", 34, sig_prefix=False,
             max_offset=15),
)

KILL_TOOLS_BY_ID = {tool.id: tool for tool in KILL_TOOLS}


def signal_argument(argv: Sequence[str]) -> tuple[str, str] | None:
    """Split a kill argv (without ``kill``) into (form, spelling): ``-s X``, ``--signal X``, ``-X``.

    Returns None when the argv carries no signal option (kill then sends SIGTERM).
    """
    args = list(argv)
    for index, arg in enumerate(args):
        if arg == "--":
            return None
        if arg in {"-s", "-n", "--signal"}:
            if index + 1 < len(args):
                return ("--signal" if arg == "--signal" else "-s", args[index + 1])
            return None
        if arg.startswith("--signal="):
            return ("--signal", arg.split("=", 1)[1])
        if arg.startswith("-") and len(arg) > 1 and arg not in {"-l", "-L", "-q"}:
            return ("-", arg[1:])
    return None


def parse_kill_signal(tool: KillTool, argv: Sequence[str]) -> int | None:
    """The signal number ``tool`` sends for ``kill ARGV``; None when it fails with an error."""
    split = signal_argument(argv)
    if split is None:
        return 15
    form, spelling = split
    if form == "--signal" and not tool.long_option:
        return None
    return parse_spelling(tool, spelling)


def parse_spelling(tool: KillTool, spelling: str) -> int | None:
    if spelling.isascii() and spelling.isdigit():
        number = decimal(spelling)
        # Every tool rejects numbers the kernel does not know (kill -65: EINVAL or "invalid").
        return number if number is not None and 0 <= number <= SIGRTMAX else None
    if not spelling.isascii():
        return None  # every kill folds ASCII only (toupper/strcasecmp in the C locale)
    upper = spelling.upper()
    if upper.startswith("SIG"):
        if not tool.sig_prefix:
            return None
        upper = upper[3:]
    if "SIG" + upper in CLASSIC_BY_NAME:
        return CLASSIC_BY_NAME["SIG" + upper]
    if tool.rtmin is None:
        return None
    return _parse_rt(tool, upper)


def _parse_rt(tool: KillTool, upper: str) -> int | None:
    assert tool.rtmin is not None
    if upper == "RTMIN":
        return tool.rtmin if tool.bare_rtmin else None
    if upper == "RTMAX":
        return SIGRTMAX if tool.bare_rtmax else None
    for prefix, sign in (("RTMIN+", 1), ("RTMAX-", -1), ("RT", 1)):
        if not upper.startswith(prefix):
            continue
        offset_text = upper[len(prefix):]
        if not (offset_text.isascii() and offset_text.isdigit()):
            return None
        if prefix == "RT" and not tool.rt_n:
            return None
        if prefix == "RTMAX-" and not tool.rtmax_names:
            return None
        offset = decimal(offset_text)
        if offset is None:
            return None
        if tool.max_offset is not None and offset > tool.max_offset:
            return None
        number = tool.rtmin + offset if sign > 0 else SIGRTMAX - offset
        return number if tool.rtmin <= number <= SIGRTMAX else None
    return None
