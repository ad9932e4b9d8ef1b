"""Edits on Containerfiles and Dockerfiles, as splices of whole lines.

An instruction may continue over several lines (a trailing escape character,
``\\`` unless a ``# escape=`` parser directive says otherwise; comment lines
inside a continuation are skipped, as BuildKit does). The edits that address an
instruction by its first line replace or follow all of its lines.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from stopsignal.fixing.data import EditError
from stopsignal.model import Edit

_DIRECTIVE = re.compile(r"#\s*escape\s*=\s*(\S)\s*$", re.IGNORECASE)
_ANY_DIRECTIVE = re.compile(r"#\s*[a-zA-Z][a-zA-Z0-9_-]*\s*=")


def escape_char(lines: Sequence[str]) -> str:
    for line in lines:
        stripped = line.strip()
        if not _ANY_DIRECTIVE.match(stripped):
            break
        match = _DIRECTIVE.match(stripped)
        if match:
            return match.group(1)
    return "\\"


def instruction_end(lines: Sequence[str], start: int, escape: str = "\\") -> int:
    """Index one past the last line of the instruction starting at index ``start``."""
    index = start
    while index < len(lines):
        line = lines[index].rstrip()
        if index > start and line.lstrip().startswith("#"):
            index += 1  # a comment inside a continuation does not end it
            continue
        if not line.endswith(escape):
            return index + 1
        index += 1
    return len(lines)


def plan(lines: Sequence[str], edits: Sequence[Edit]) -> list[tuple[int, int, list[str]]]:
    """(first index, end index, replacement lines) for each edit, checked not to overlap."""
    escape = escape_char(lines)
    spans: list[tuple[int, int, list[str]]] = []
    for edit in edits:
        start = edit.start_line - 1
        if not 0 <= start <= len(lines):
            raise EditError(f"line {edit.start_line} is outside the file")
        text = edit.text.split("\n") if edit.text else []
        if edit.op == "replace-lines":
            spans.append((start, max(start, edit.end_line), text))
        elif edit.op == "insert-lines":
            spans.append((start, start, text))
        elif edit.op == "replace-instruction":
            spans.append((start, instruction_end(lines, start, escape), text))
        elif edit.op == "insert-after-instruction":
            end = instruction_end(lines, start, escape)
            spans.append((end, end, text))
        else:
            raise EditError(f"{edit.op} is not a Containerfile edit")
    spans.sort(key=lambda span: (span[0], span[1]))
    for (_, end, _), (start, _, _) in itertools.pairwise(spans):
        if start < end:
            raise EditError("two edits overlap")
    return spans


def apply_lines(text: str, edits: Sequence[Edit]) -> str:
    raw = text.split("\n")
    lines = [line.rstrip("\r") for line in raw]
    crlf = sum(line.endswith("\r") for line in raw) * 2 > max(1, len(raw) - 1)
    ending = "\r" if crlf else ""
    spans = plan(lines, edits)
    if raw and raw[-1] == "" and spans and spans[-1][0] >= len(raw) - 1:
        raw.pop()  # insertion at the very end: keep the final newline after the new lines
        tail = [""]
    else:
        tail = []
    for start, end, replacement in reversed(spans):
        raw[start:end] = [line + ending for line in replacement]
    return "\n".join(raw + tail)
