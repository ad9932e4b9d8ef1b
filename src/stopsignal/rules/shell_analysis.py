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
import operator
import re
from collections.abc import Callable, Sequence
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
    # ``name=value`` assignments anywhere in the text: name -> every literal value, in order.
    assignments: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # The first `exec PROGRAM` that runs whatever the conditions (outside if, case, loops,
    # functions and `&&`/`||` lists): nothing after it runs, and it is ``last``.
    final_exec: bool = False

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

    def values(self, word: str) -> tuple[str, ...]:
        """The literal values a ``$name`` word may have from the text's own assignments."""
        name = variable_name(word)
        if name is None:
            return ()
        return dict(self.assignments).get(name, ())

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


_NAME = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def variable_name(word: str) -> str | None:
    """``$init`` / ``${init}`` (the whole word) -> ``init``."""
    match = _NAME.fullmatch(word)
    return (match.group(1) or match.group(2)) if match else None


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
def analyze(text: str, env: tuple[tuple[str, str], ...] = ()) -> ShellAnalysis:
    """What ``text`` runs; ``env``: variables of known value (the image's ENV), so that
    ``if [ "$MODE" = systemd ]`` runs only the branch it selects."""
    tokens = tokenize(text)
    if env:
        tokens = specialize(tokens, dict(env))
    commands: list[tuple[str, ...]] = []
    operators: set[str] = set()
    loops: set[str] = set()
    assignments: dict[str, list[str]] = {}
    compound = False
    traps = False
    final_exec = False
    current: list[str] = []
    skip_next = False
    nesting: list[str] = []  # open if / loop / case / { / ( around the current command
    joined = False  # the current command follows && or || (it may not run)

    def end_command() -> tuple[str, ...] | None:
        nonlocal traps
        if not current:
            return None
        command = tuple(current)
        commands.append(command)
        # `trap ACTION SIG...`; a signal named by a variable (a loop over signal
        # names, as the article's demo script does) is taken to be a stop signal.
        if command[0] == "trap" and any(arg.upper() in _TRAPPED_STOP or "$" in arg
                                        for arg in command[2:]):
            traps = True
        current.clear()
        return command

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
            command = end_command()
            if (command is not None and command[0] == "exec" and exec_target(command)
                    and not nesting and not joined and token not in {"|", "&", "("}):
                final_exec = True  # `exec PROGRAM`: the shell is gone, nothing after it runs
                break
            if token == "(":
                nesting.append("(")
                compound = True
            elif token == ")":
                if nesting and nesting[-1] == "(":
                    nesting.pop()
                elif not (nesting and nesting[-1] == "case"):
                    compound = True
            elif token != ";;":
                operators.add(token)
            joined = token in {"&&", "||", "|"}
            continue
        if not current and token in _RESERVED:
            if token in _LOOPS:
                loops.add(token)
                nesting.append("loop")
            elif token in {"if", "case", "{"}:
                compound = True
                nesting.append(token)
            elif token in {"fi", "esac", "}", "done"} and nesting:
                nesting.pop()
            elif token not in {"do", "done", "!", "in"}:
                compound = True
            continue
        if not current and "=" in token and not token.startswith("=") and \
                token.split("=", 1)[0].replace("_", "").isalnum():
            name, _, value = token.partition("=")
            if value and "$" not in value and "`" not in value:
                values = assignments.setdefault(name, [])
                if value not in values:
                    values.append(value)
            continue  # a variable assignment before (or instead of) a command
        current.append(token)
    else:
        command = end_command()
        final_exec = (command is not None and command[0] == "exec"
                      and exec_target(command) is not None and not nesting and not joined)
    ops = frozenset(operators - {";"} if len(commands) <= 1 else operators)
    return ShellAnalysis(
        commands=tuple(commands),
        operators=ops,
        loops=frozenset(loops),
        compound=compound,
        traps=traps,
        last=commands[-1] if commands else None,
        exec_anywhere=any(c[0] == "exec" and exec_target(c) for c in commands),
        assignments=tuple((name, tuple(values)) for name, values in assignments.items()),
        final_exec=final_exec,
    )


def specialize(tokens: list[str], env: dict[str, str]) -> list[str]:
    """``if``/``case`` at the top level whose test reads only variables of known value,
    replaced by the branch that runs (kept whole when a test cannot be decided)."""
    out: list[str] = []
    index = 0
    at_start = True
    while index < len(tokens):
        token = tokens[index]
        if at_start and token in {"if", "case"}:
            end = _closing(tokens, index)
            if end is not None:
                chosen = (_if_branch if token == "if" else _case_branch)(
                    tokens[index:end + 1], env)
                if chosen is not None:
                    out.extend(chosen)
                    index = end + 1
                    at_start = False
                    continue
        out.append(token)
        at_start = token in _OPERATORS or token in {"then", "else", "do", "{"}
        index += 1
    return out


_OPENERS = {"if": "fi", "case": "esac"}


def _closing(tokens: list[str], start: int) -> int | None:
    """The index of the ``fi``/``esac`` that closes the clause opened at ``start``."""
    depth = 0
    for index in range(start, len(tokens)):
        token = tokens[index]
        before = tokens[index - 1] if index > start else ";"
        command_start = before in _OPERATORS or before in _RESERVED
        if not command_start:
            continue
        if token in _OPENERS:
            depth += 1
        elif token in _OPENERS.values():
            depth -= 1
            if depth == 0:
                return index
    return None


def _if_branch(clause: list[str], env: dict[str, str]) -> list[str] | None:
    """The tokens of the branch an if clause runs, or None when a test is undecidable."""
    # Split at this clause's own then / elif / else / fi (nested clauses are skipped).
    parts: list[tuple[str, list[str]]] = []
    keyword, depth = clause[0], 0
    body: list[str] = []
    for position, token in enumerate(clause[1:], 1):
        before = clause[position - 1]
        command_start = before in _OPERATORS or before in _RESERVED
        if command_start and token in _OPENERS:
            depth += 1
        elif command_start and token in _OPENERS.values():
            if depth == 0:
                parts.append((keyword, body))
                break
            depth -= 1
        if depth == 0 and command_start and token in {"then", "elif", "else"}:
            parts.append((keyword, body))
            keyword, body = token, []
            continue
        body.append(token)
    condition: bool | None = None
    for keyword, body in parts:
        if keyword in {"if", "elif"}:
            condition = _test(body, env)
            if condition is None:
                return None
        elif (keyword == "then" and condition) or keyword == "else":
            return [";", *body, ";"]
    return [";"]


def _case_branch(clause: list[str], env: dict[str, str]) -> list[str] | None:
    """The tokens of the case item that matches a word of known value."""
    import fnmatch

    if len(clause) < 4 or clause[2] != "in":
        return None
    word = _expand(clause[1], env)
    if word is None:
        return None
    index = 3
    while index < len(clause) - 1:
        while clause[index] in {";", "("}:
            index += 1
        if clause[index] == "esac":
            break
        patterns: list[str] = []
        while index < len(clause) and clause[index] != ")":
            if clause[index] != "|":
                patterns.append(clause[index])
            index += 1
        body: list[str] = []
        index += 1
        while index < len(clause) and clause[index] not in {";;", "esac"}:
            body.append(clause[index])
            index += 1
        if any(fnmatch.fnmatchcase(word, pattern) for pattern in patterns):
            return [";", *body, ";"]
        index += 1
    return [";"]


def _expand(word: str, env: dict[str, str]) -> str | None:
    """A word with its variables expanded from ``env``; None when one is not known."""
    unknown = False

    def one(match: re.Match[str]) -> str:
        nonlocal unknown
        name, operator, default = match.group(1) or match.group(4), match.group(2), \
            match.group(3) or ""
        if name in env and not (operator == ":-" and env[name] == ""):
            return env[name]
        if operator in {":-", "-"}:
            return default
        unknown = True
        return ""

    expanded = _EXPANSION.sub(one, word)
    return None if unknown or "$" in expanded or "`" in expanded else expanded


_EXPANSION = re.compile(r"\$(?:\{(\w+|#)(?:(:?-)([^}]*))?\}|(\w+|#))")


_NUMERIC: dict[str, Callable[[int, int], bool]] = {
    "-eq": operator.eq, "-ne": operator.ne, "-gt": operator.gt, "-ge": operator.ge,
    "-lt": operator.lt, "-le": operator.le}


def _test(condition: list[str], env: dict[str, str]) -> bool | None:
    """``[ ... ]``, ``[[ ... ]]``, ``test ...``, ``true``/``false`` with known values."""
    words = [word for word in condition if word != ";"]
    negate = False
    if words[:1] == ["!"]:
        negate, words = True, words[1:]
    if words[:1] == ["test"]:
        words = words[1:]
    elif words[:1] in (["["], ["[["]) and words[-1:] in (["]"], ["]]"]):
        words = words[1:-1]
    elif words in (["true"], [":"]):
        return not negate
    elif words == ["false"]:
        return negate
    else:
        return None
    values = [_expand(word, env) if "$" in word else word for word in words]
    if any(value is None for value in values):
        return None
    known = [value or "" for value in values]
    result: bool | None = None
    if len(known) == 1:
        result = known[0] != ""
    elif len(known) == 2 and known[0] in {"-n", "-z"}:
        result = (known[1] != "") == (known[0] == "-n")
    elif len(known) == 3 and known[1] in {"=", "=="}:
        result = known[0] == known[2]
    elif len(known) == 3 and known[1] == "!=":
        result = known[0] != known[2]
    elif len(known) == 3 and known[1] in _NUMERIC and all(
            value.lstrip("-").isdigit() for value in (known[0], known[2])):
        result = _NUMERIC[known[1]](int(known[0]), int(known[2]))
    if result is None:
        return None
    return result != negate
