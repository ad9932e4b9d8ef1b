"""ANSI text styles for the terminal: a colour, bold, dim.

Whether to colour is decided before (``--color``, NO_COLOR, FORCE_COLOR, a terminal: see
``stopsignal.cli.options.use_color``); this only wraps text in the SGR codes every terminal
since the VT100 reads. A styling library would decide again, from its own rules, and the
codes themselves are a table of eight numbers.
"""

from __future__ import annotations

import re

_FOREGROUND = {"black": 30, "red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35,
               "cyan": 36, "white": 37}
_RESET = "\x1b[0m"
_CODE = re.compile(r"\x1b\[[0-9;]*m")


def style(text: str, fg: str | None = None, *, bold: bool = False, dim: bool = False) -> str:
    """``text`` in colour ``fg`` (a name in _FOREGROUND), bold or dim, then reset."""
    codes = [_FOREGROUND[fg]] if fg is not None else []
    codes += [1] if bold else []
    codes += [2] if dim else []
    if not codes:
        return text
    return "".join(f"\x1b[{code}m" for code in codes) + text + _RESET


def unstyle(text: str) -> str:
    """``text`` without its styles: what a terminal shows, as plain text."""
    return _CODE.sub("", text)
