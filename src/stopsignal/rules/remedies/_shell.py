"""Shell form to exec form, and kill spellings in preStop hooks."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence

from stopsignal.model import Applicability, Container, Edit, Fix, SourceKind
from stopsignal.rules.remedies._where import (
    document_of,
    is_shell_c,
    node_path,
    path_of,
    posix_basename,
)
from stopsignal.signals import parse_signal


def shell_form_fix(container: Container) -> Fix | None:
    """Make the program PID 1 instead of ``/bin/sh -c``. UNSAFE: the shell no longer runs.

    A simple command without expansions becomes exec form; a simple command that
    needs the shell (``$VAR``) keeps shell form behind ``exec``; anything with
    several commands keeps its shell but ``exec``s the last one when that is safe to
    tell, else there is no fix.
    """
    if container.source is SourceKind.CONTAINERFILE:
        return _containerfile_exec_form(container)
    if container.source in (SourceKind.KUBERNETES, SourceKind.COMPOSE):
        return _manifest_exec_prefix(container)
    return None




def prestop_kill_fix(container: Container) -> Fix | None:
    """Spell the signal of a preStop ``kill ... 1`` as a number every ``kill`` reads alike.

    ``RTMIN+3`` is 38 under musl and unknown to Debian's busybox; ``SIGRTMIN+3`` is
    rejected by dash. The number is what the author meant under glibc.
    """
    hook = container.prestop
    if hook is None or hook.kind != "exec" or not hook.command:
        return None
    command = list(hook.command)
    changed = False
    if posix_basename(command[0]) == "kill":
        new_args = _renumber_kill_args(command[1:])
        if new_args is not None:
            command[1:] = new_args
            changed = True
    elif is_shell_c(command):
        script = command[2]
        new_script = _renumber_kill_in_script(script)
        if new_script != script:
            command[2] = new_script
            changed = True
    if not changed:
        return None
    edit = Edit(path_of(container), "set", document_of(container),
                (*node_path(container), "lifecycle", "preStop", "exec", "command"), command)
    return Fix("Spell the preStop kill signal as a number (" + shlex.join(command) + ")", (edit,))


def _containerfile_exec_form(container: Container) -> Fix | None:
    image = container.image_config
    if image is None:
        return None
    for keyword, argv, key in (("ENTRYPOINT", image.entrypoint, "entrypoint"),
                               ("CMD", image.cmd, "cmd")):
        location = image.location_of(key)
        if not argv or location is None or location.path != path_of(container):
            continue
        shell = tuple(image.shell)
        if not image.shell_form or tuple(argv[:len(shell)]) != shell or len(argv) != len(shell) + 1:
            continue
        script = argv[-1]
        words = _simple_words(script)
        if words is not None:
            new = f"{keyword} {_exec_json(words)}"
            title = f"Write {keyword} in exec form"
        else:
            prefixed = _exec_last(script)
            if prefixed is None:
                return None
            new = f"{keyword} {prefixed}"
            title = f"Prefix the last command of {keyword} with exec"
        edit = Edit(path_of(container), "replace-instruction", start_line=location.line,
                    end_line=location.line, text=new)
        return Fix(title + " so the program is PID 1 (unsafe: the shell no longer wraps it, "
                   "so its environment and expansions change)", (edit,), Applicability.UNSAFE)
    return None


def _manifest_exec_prefix(container: Container) -> Fix | None:
    command = list(container.command or ())
    args = list(container.args or ())
    key_command, key_args = (("entrypoint", "command") if container.source is SourceKind.COMPOSE
                             else ("command", "args"))
    if is_shell_c(command) and len(command) >= 3:
        key, values, index = key_command, command, 2
    elif is_shell_c(command) and len(command) == 2 and args:
        key, values, index = key_args, args, 0
    elif not command and is_shell_c(args) and len(args) >= 3:
        key, values, index = key_args, args, 2  # no entrypoint: the shell comes from args
    else:
        return None
    prefixed = _exec_last(values[index])
    if prefixed is None:
        return None
    values[index] = prefixed
    edit = Edit(path_of(container), "set", document_of(container),
                (*node_path(container), key), values)
    return Fix("Prefix the last shell command with exec so the program is PID 1 (unsafe: "
               "nothing runs after it any more)", (edit,), Applicability.UNSAFE)


_OPERATORS = frozenset(";&|<>()\n")
_KEYWORDS = frozenset({"if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done",
                       "case", "esac", "{", "}", "!", "function", "select", "[[", "]]"})
_NOT_EXECABLE = frozenset({"cd", "export", "set", "unset", "source", ".", "eval", "exit",
                           "return", "trap", "wait", "shift", "read", "exec", "ulimit", "umask",
                           "alias", "local", "true", ":"})


def _scan(script: str) -> tuple[list[tuple[int, str]], bool, bool]:
    """Top-level operators (position, text), whether expansions occur, whether globs occur."""
    operators: list[tuple[int, str]] = []
    expansions = globs = False
    quote: str | None = None
    index = 0
    while index < len(script):
        char = script[index]
        if quote == "'":
            quote = None if char == "'" else quote
        elif char == "\\":
            index += 1
        elif quote == '"':
            if char == '"':
                quote = None
            elif char in "$`":
                expansions = True
        elif char in "'\"":
            quote = char
        elif char in "$`":
            expansions = True
        elif char in "*?[~":
            globs = True
        elif char == "#" and (index == 0 or script[index - 1].isspace()):
            operators.append((index, "#"))
        elif char in _OPERATORS:
            pair = script[index:index + 2]
            text = pair if pair in {"&&", "||", ";;", ">>", "<<"} else char
            operators.append((index, text))
            index += len(text) - 1
        index += 1
    if quote is not None:
        operators.append((len(script), "unterminated"))
    return operators, expansions, globs


def _simple_words(script: str) -> list[str] | None:
    """The argv of a script that is one command needing nothing from the shell, else None."""
    operators, expansions, globs = _scan(script)
    if operators or expansions or globs:
        return None
    try:
        words = shlex.split(script)
    except ValueError:
        return None
    if words and words[0] == "exec":
        words = words[1:]
    if not words or words[0] in _KEYWORDS or words[0] in _NOT_EXECABLE or "=" in words[0]:
        return None
    return words


def _exec_last(script: str) -> str | None:
    """``a && b`` -> ``a && exec b`` when only ``;``/``&&``/newlines join simple commands."""
    operators, _, _ = _scan(script)
    if any(text not in {";", "&&", "\n"} for _, text in operators):
        return None
    start = operators[-1][0] + len(operators[-1][1]) if operators else 0
    last = script[start:]
    stripped = last.lstrip()
    if not stripped.strip():
        return None
    try:
        words = shlex.split(stripped)
    except ValueError:
        return None
    if not words or words[0] in _KEYWORDS or words[0] in _NOT_EXECABLE or "=" in words[0]:
        return None
    for begin, end in zip([0, *[p + len(t) for p, t in operators]],
                          [p for p, _ in operators], strict=False):
        head = script[begin:end].split()
        if head and (head[0] in _KEYWORDS or head[0] == "exec"):
            return None
    offset = start + (len(last) - len(stripped))
    return script[:offset] + "exec " + script[offset:]


def _exec_json(words: Sequence[str]) -> str:
    import json  # only exec-form fixes need it: not on every lint's start-up

    return "[" + ", ".join(json.dumps(word, ensure_ascii=False) for word in words) + "]"


# ---------------------------------------------------------------- kill spellings


def _renumber_kill_args(args: Sequence[str]) -> list[str] | None:
    """``-RTMIN+3`` / ``-s SIGRTMIN+3`` / ``--signal=X`` -> ``-s 37``; None when already numeric."""
    new = list(args)
    for index, arg in enumerate(new):
        if arg == "--":
            return None
        if arg in {"-s", "-n", "--signal"} and index + 1 < len(new):
            number = _kill_number(new[index + 1])
            if number is None or (new[index + 1] == str(number) and arg != "--signal"):
                return None
            new[index:index + 2] = ["-s", str(number)]
            return new
        if arg.startswith("--signal="):
            number = _kill_number(arg.split("=", 1)[1])
            if number is None:
                return None
            new[index:index + 1] = ["-s", str(number)]
            return new
        if arg.startswith("-") and len(arg) > 1 and arg not in {"-l", "-L", "-q"}:
            number = _kill_number(arg[1:])
            if number is None or arg[1:] == str(number):
                return None
            new[index] = f"-{number}"
            return new
    return None


def _kill_number(spelling: str) -> int | None:
    parsed = parse_signal(spelling)  # glibc numbering: what the hook's author meant
    return parsed.number if parsed is not None else None


_KILL_IN_SCRIPT = re.compile(r"(?P<head>\bkill\s+)(?P<args>(?:-{1,2}\S+\s+)*?(?:-\S+)(?:\s+\S+)?)"
                             r"(?=\s+(?:--\s+)?1\b)")


def _renumber_kill_in_script(script: str) -> str:
    def replace(match: re.Match[str]) -> str:
        args = match.group("args").split()
        new = _renumber_kill_args(args)
        return match.group("head") + (" ".join(new) if new is not None else match.group("args"))

    return _KILL_IN_SCRIPT.sub(replace, script)
