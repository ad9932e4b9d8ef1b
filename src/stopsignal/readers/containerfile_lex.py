"""Containerfile text -> logical instructions, comments and parser directives.

Follows BuildKit's rules: parser directives (``# escape=`` ...) only at the very
top; a line ending in the escape character continues on the next one, and
comment or empty lines inside a continuation are dropped; heredocs (``<<EOF``,
``<<-EOF``, quoted delimiters) of RUN/COPY/ADD take the following lines verbatim.
Comments are kept by line (suppressions such as ``# stopsignal: ignore=...`` are
comments), and each instruction has its line and column (findings and fixes point
at them).

Why not a library (``benchmarks/own_vs_library.py``): ``dockerfile-parse`` reads a
``RUN <<EOT`` heredoc's body as instructions (``SET``, ``ECHO``, ``EOT``) and takes
1.3x the time of this lexer; ``dockerfile``, BuildKit's own Go parser, reads heredocs
right but takes 5.4x the time, drops comments and gives no columns, so the text
would be read a second time for them anyway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stopsignal.readers.result import ReadFailure

_DIRECTIVE = re.compile(r"#[ \t]*([A-Za-z]+)[ \t]*=[ \t]*(\S*)[ \t]*$")
_KEYWORD = re.compile(r"(\s*)(\S+)\s*(.*)", re.DOTALL)
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][\w.-]*)\2")
HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case
    arguments: str  # continuation lines joined, escapes at line ends removed
    line: int  # 1-based
    end_line: int  # last line, heredoc bodies included
    column: int
    heredocs: tuple[tuple[str, str], ...] = ()  # (delimiter, body)


@dataclass(frozen=True)
class Lexed:
    instructions: tuple[Instruction, ...]
    comments: dict[int, str]
    directives: dict[str, str]
    errors: tuple[ReadFailure, ...]


def lex(text: str) -> Lexed:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line.removesuffix("\r") for line in lines]
    comments: dict[int, str] = {}
    directives: dict[str, str] = {}
    errors: list[ReadFailure] = []
    index = 0
    while index < len(lines):  # parser directives: only before anything else
        match = _DIRECTIVE.match(lines[index].strip())
        if match is None or match.group(1).lower() in directives:
            break
        directives[match.group(1).lower()] = match.group(2)
        comments[index + 1] = lines[index].strip()[1:].strip()
        index += 1
    escape = directives.get("escape", "\\")
    if escape not in ("\\", "`"):
        errors.append(ReadFailure(f"invalid escape directive {escape!r} (use \\ or `)", 1))
        escape = "\\"
    instructions: list[Instruction] = []
    total = len(lines)
    while index < total:
        raw = lines[index]
        stripped = raw.strip()
        if not stripped:
            index += 1
            continue
        if stripped.startswith("#"):
            comments[index + 1] = stripped[1:].strip()
            index += 1
            continue
        start = index
        parts = []
        current = raw
        while True:
            trimmed = current.rstrip()
            if not trimmed.endswith(escape):
                parts.append(current)
                index += 1
                break
            parts.append(trimmed[:-1])
            index += 1
            while index < total and (not lines[index].strip() or
                                     lines[index].lstrip().startswith("#")):
                if lines[index].strip():
                    comments[index + 1] = lines[index].strip()[1:].strip()
                index += 1
            if index >= total:
                break
            current = lines[index]
        match = _KEYWORD.match("".join(parts))
        if match is None:  # only escapes and blank continuation lines
            continue
        keyword = match.group(2).upper()
        arguments = match.group(3).strip()
        heredocs = []
        if keyword in HEREDOC_INSTRUCTIONS:
            for heredoc in _HEREDOC.finditer(arguments):
                strip_tabs, delimiter = heredoc.group(1) == "-", heredoc.group(3)
                body = []
                while index < total:
                    line = lines[index].lstrip("\t") if strip_tabs else lines[index]
                    index += 1
                    if line == delimiter:
                        break
                    body.append(line)
                else:
                    errors.append(ReadFailure(f"heredoc {delimiter!r} is never closed",
                                              start + 1, len(match.group(1)) + 1))
                heredocs.append((delimiter, "\n".join(body) + ("\n" if body else "")))
        instructions.append(Instruction(
            keyword, arguments, start + 1, index, len(match.group(1)) + 1, tuple(heredocs)
        ))
    return Lexed(tuple(instructions), comments, directives, tuple(errors))
