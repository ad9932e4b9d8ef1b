"""Just enough POSIX shell parsing to tell whether a shell stays PID 1.

A shell run as ``sh -c STRING`` is PID 1 while it runs. bash and busybox ash
replace themselves (exec) with the command when STRING is a single simple
command; dash does not. With a loop, a pipe, a background job or a list of
commands the shell stays PID 1 in every implementation, and a shell as PID 1
ignores SIGTERM and SIGINT unless it traps them (pid_namespaces(7)). An
explicit ``exec CMD`` as the last command hands PID 1 to CMD.

This is a tokenizer, not a shell: quotes, escapes, ``$(...)`` and backticks
are kept inside words, comments are dropped, and control operators and
reserved words split commands. Anything it cannot tokenize is reported as
unparseable, and callers treat that as "cannot tell".
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import NamedTuple

_OPERATORS = ("&&", "||", ";;", ";", "|", "&", "(", ")")
_REDIRECT_START = ("<", ">")
_RESERVED = {"if", "then", "else", "elif", "fi", "while", "until", "for", "do", "done",
             "case", "esac", "{", "}", "!", "in", "function", "select"}
_LOOPS = {"while", "until", "for", "select"}
#: Signals that, when trapped, mean the shell handles the stop itself.
_TRAPPED_STOP = {"TERM", "SIGTERM", "15", "INT", "SIGINT", "2", "QUIT", "SIGQUIT", "3",
                 "RTMIN+3", "SIGRTMIN+3", "37", "HUP", "SIGHUP", "1", "USR1", "SIGUSR1"}


class ShellSyntaxError(ValueError):
    pass


# The tokenizer reads a character at a time (a few microseconds each): a script this long
# is not a container's command line, and reading a 20 MiB one would take minutes.
MAX_SCRIPT = 64 * 1024


def tokenize(text: str) -> list[str]:
    """Split shell text into words and operators (newlines become ``;``)."""
    if len(text) > MAX_SCRIPT:
        raise ShellSyntaxError(f"script longer than {MAX_SCRIPT // 1024} KiB: not analysed")
    tokens: list[str] = []
    word: list[str] = []
    quoted = False  # the current word has quotes (so "" is a word)
    i, n = 0, len(text)

    def flush() -> None:
        nonlocal quoted
        if word or quoted:
            tokens.append("".join(word))
        word.clear()
        quoted = False

    while i < n:
        char = text[i]
        if char == "\\":
            if i + 1 < n and text[i + 1] == "\n":
                i += 2
                continue
            word.append(text[i + 1] if i + 1 < n else "")
            i += 2
            continue
        if char == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise ShellSyntaxError("unterminated single quote")
            word.append(text[i + 1:end])
            quoted = True
            i = end + 1
            continue
        if char == '"':
            i, chunk = _double_quoted(text, i + 1)
            word.append(chunk)
            quoted = True
            continue
        if (char == "$" and text.startswith("$(", i)) or char == "`":
            i, chunk = _substitution(text, i)
            word.append(chunk)
            continue
        if char == "#" and not word and not quoted:
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if char in " \t\r":
            flush()
            i += 1
            continue
        if char == "\n":
            flush()
            tokens.append(";")
            i += 1
            continue
        if char in _REDIRECT_START or (char.isdigit() and not word and
                                       text[i + 1:i + 2] in _REDIRECT_START):
            flush()
            j = i + 1
            while j < n and text[j] in "<>&|":
                j += 1
            if text[j - 1] == "&" and j < n and (text[j].isdigit() or text[j] == "-"):
                j += 1  # `2>&1`, `>&-`: the target is part of the operator
                tokens.append("<redirect>")
            else:
                tokens.append("<redirect-to>")  # the next word is the file
            i = j
            continue
        operator = next((op for op in _OPERATORS if text.startswith(op, i)), None)
        if operator:
            flush()
            tokens.append(operator)
            i += len(operator)
            continue
        word.append(char)
        i += 1
    flush()
    return tokens


def _double_quoted(text: str, start: int) -> tuple[int, str]:
    chunk: list[str] = []
    i = start
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            chunk.append(text[i + 1])
            i += 2
            continue
        if char == '"':
            return i + 1, "".join(chunk)
        if (char == "$" and text.startswith("$(", i)) or char == "`":
            i, sub = _substitution(text, i)
            chunk.append(sub)
            continue
        chunk.append(char)
        i += 1
    raise ShellSyntaxError("unterminated double quote")


def _substitution(text: str, start: int) -> tuple[int, str]:
    if text[start] == "`":
        end = text.find("`", start + 1)
        if end < 0:
            raise ShellSyntaxError("unterminated backquote")
        return end + 1, text[start:end + 1]
    depth, i = 0, start + 1
    while i < len(text):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1, text[start:i + 1]
        i += 1
    raise ShellSyntaxError("unterminated $(")


class ShellAnalysis(NamedTuple):
    commands: tuple[tuple[str, ...], ...]  # simple commands, in order, assignments dropped
    operators: frozenset[str]  # ; && || | & seen between commands
    loops: frozenset[str]  # while / until / for
    compound: bool  # if / case / braces / subshells
    traps: bool  # `trap ... TERM` (or INT, QUIT, ...): the shell handles the stop itself
    last: tuple[str, ...] | None  # the last simple command
    exec_anywhere: bool  # some command is `exec PROGRAM`

    @property
    def single(self) -> bool:
        """A single simple command with nothing around it."""
        return (len(self.commands) == 1 and not self.loops and not self.compound
                and not (self.operators - {";"}))

    def last_exec(self) -> tuple[str, ...] | None:
        """The program the last command execs, if it is ``exec PROGRAM ...``."""
        if self.last and self.last[0] == "exec":
            return exec_target(self.last)
        return None

    def problem(self) -> str:
        """Plain words for why the shell stays PID 1."""
        if self.loops:
            return f"runs a {min(self.loops)} loop"
        if "|" in self.operators:
            return "runs a pipeline"
        if "&" in self.operators:
            return "starts a background job"
        if self.compound:
            return "runs a compound command"
        if len(self.commands) > 1:
            return f"runs {len(self.commands)} commands"
        return "runs its command as a child"


def exec_target(words: Sequence[str]) -> tuple[str, ...] | None:
    """``exec [-cl] [-a NAME] PROGRAM ARGS`` -> (PROGRAM, ARGS); None for ``exec >log``."""
    rest = list(words[1:])
    while rest and rest[0].startswith("-") and rest[0] != "--":
        option = rest.pop(0)
        if option == "-a" and rest:
            rest.pop(0)
    if rest and rest[0] == "--":
        rest.pop(0)
    return tuple(rest) if rest else None


# Several rules ask about the same script of one container (and the webhook sees the same
# scripts again and again): the analysis is an immutable value, so it is computed once.
@functools.lru_cache(maxsize=1024)
def analyze(text: str) -> ShellAnalysis:
    tokens = tokenize(text)
    commands: list[tuple[str, ...]] = []
    operators: set[str] = set()
    loops: set[str] = set()
    compound = False
    traps = False
    current: list[str] = []
    skip_next = False

    def end_command() -> None:
        nonlocal traps
        if current:
            command = tuple(current)
            commands.append(command)
            # `trap ACTION SIG...`; a signal named by a variable (a loop over signal
            # names, as the article's demo script does) is taken to be a stop signal.
            if command[0] == "trap" and any(arg.upper() in _TRAPPED_STOP or "$" in arg
                                            for arg in command[2:]):
                traps = True
        current.clear()

    for token in tokens:
        if skip_next:
            skip_next = False
            continue
        if token == "<redirect>":
            continue
        if token == "<redirect-to>":
            skip_next = True
            continue
        if token in _OPERATORS:
            end_command()
            if token in {"(", ")"}:
                compound = True
            elif token != ";;":
                operators.add(token)
            continue
        if not current and token in _RESERVED:
            if token in _LOOPS:
                loops.add(token)
            elif token not in {"do", "done", "!", "in"}:
                compound = True
            continue
        if not current and "=" in token and not token.startswith("=") and \
                token.split("=", 1)[0].replace("_", "").isalnum():
            continue  # a variable assignment before (or instead of) a command
        current.append(token)
    end_command()
    ops = frozenset(operators - {";"} if len(commands) <= 1 else operators)
    return ShellAnalysis(
        commands=tuple(commands),
        operators=ops,
        loops=frozenset(loops),
        compound=compound,
        traps=traps,
        last=commands[-1] if commands else None,
        exec_anywhere=any(c[0] == "exec" and exec_target(c) for c in commands),
    )
