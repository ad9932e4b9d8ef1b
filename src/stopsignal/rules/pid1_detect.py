"""Who PID 1 really is: beyond argv[0], through shells, scripts and init shims.

``stopsignal.pid1.classify`` looks at argv[0]. Lint needs more:

* systemd reached through a wrapper: ``sh -c 'exec /usr/sbin/init'``, an
  entrypoint script ending in ``exec /sbin/init``, ``/lib/systemd/systemd``, or
  a bare ``init`` in an image that is a systemd image;
* a shell that stays PID 1: ``sh -c`` strings with loops, lists, pipes or
  background jobs; a single command under dash (bash and busybox exec it);
  an entrypoint script that never ``exec``s;
* init shims (tini, dumb-init, catatonit, docker-init, s6-overlay's /init)
  are correct PID 1s: they forward the stop signal (s6 wants SIGTERM).

Scripts are read through a ``ScriptReader`` the engine provides (a path inside
the image -> the script's text from the same repository, or None).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence
from typing import NamedTuple

from stopsignal.model import Container
from stopsignal.pid1 import INIT_SHIMS, SHELLS, SYSTEMD_PATHS, Pid1Kind
from stopsignal.rules.image_facts import image_family, looks_like_systemd_image
from stopsignal.rules.shell_analysis import (
    ShellAnalysis,
    ShellSyntaxError,
    analyze,
    variable_name,
)

ScriptReader = Callable[[str], "str | None"]

_MAX_DEPTH = 6
# Shim options that take a value (tini -p SIG / -e CODE, dumb-init -r s:r).
_SHIM_VALUE_OPTIONS = {"-p", "-e", "-r", "--rewrite", "-l"}
_EXEC_SHELLS = {"bash", "busybox", "ash"}  # exec a single -c command in place


class Pid1Info(NamedTuple):
    """What PID 1 is, after following wrappers, and how we know."""

    kind: Pid1Kind
    program: str | None  # the program that ends up handling the stop signal
    via: tuple[str, ...] = ()  # the chain, in words: "sh -c execs /sbin/init"
    shell: str | None = None  # SHELL: which shell stays PID 1 ("dash", "sh", "bash")
    problem: str | None = None  # SHELL: why it stays PID 1 ("runs a while loop")
    uncertain: bool = False  # SHELL: whether it stays PID 1 depends on an unknown /bin/sh
    traps: bool = False  # SHELL: the script traps the stop signal itself
    shim: str | None = None  # an init shim in front of the program
    # What the verdict takes from the image's name rather than the image itself:
    # "/bin/sh in python:3.12-slim is dash".
    assumed: tuple[str, ...] = ()

    def describe(self) -> str:
        name = self.program or "an unknown program"
        if self.kind is Pid1Kind.SYSTEMD:
            name = f"systemd ({self.program})" if self.program else "systemd"
        if self.shim:
            name = f"{self.shim} -> {name}"
        return name


def detect(container: Container, read_script: ScriptReader | None = None) -> Pid1Info:
    argv = _argv(container)
    if not argv:
        return Pid1Info(Pid1Kind.UNKNOWN, None)
    info = _follow(container, argv, read_script, 0)
    if container.init and info.kind is not Pid1Kind.INIT_SHIM:
        # compose `init: true` / podman --init put a forwarding shim in front.
        kind = info.kind if info.kind is Pid1Kind.SYSTEMD else Pid1Kind.INIT_SHIM
        return Pid1Info(kind, info.program, ("init: true runs a forwarding init shim",
                                             *info.via), shim="init")
    return info


def _argv(container: Container) -> tuple[str, ...]:
    argv = container.argv()
    image = container.image_config
    if argv and image and image.shell_form and container.command is None \
            and posixpath.basename(argv[0]) not in SHELLS:
        # A reader that kept the shell-form text unwrapped: wrap it as the engine does.
        return (*image.shell, " ".join(argv))
    return argv


def _follow(container: Container, argv: Sequence[str], read_script: ScriptReader | None,
            depth: int) -> Pid1Info:
    program = argv[0]
    base = posixpath.basename(program)
    if program in SYSTEMD_PATHS or base == "systemd":
        return Pid1Info(Pid1Kind.SYSTEMD, program)
    if base == "init" and looks_like_systemd_image(container):
        by_name = container.effective_stop_signal() is None
        return Pid1Info(Pid1Kind.SYSTEMD, program, (f"{program} is systemd in this image",),
                        assumed=(f"{program} is systemd (from the image's name)",) if by_name
                        else ())
    if program == "/init":
        return Pid1Info(Pid1Kind.S6_OVERLAY, program)
    if depth >= _MAX_DEPTH:
        return Pid1Info(Pid1Kind.PROGRAM, program)
    if base in INIT_SHIMS:
        return _shim(container, argv, read_script, depth)
    if base in SHELLS and not (base == "busybox" and argv[1:2] not in (["sh"], ["ash"])):
        return _shell(container, argv, read_script, depth)
    if read_script is not None and not program.startswith("-"):
        text = read_script(program)
        if text is not None and _is_shell_script(text):
            return _script(container, program, text, list(argv[1:]), read_script, depth)
    return Pid1Info(Pid1Kind.PROGRAM, program)


def _shim(container: Container, argv: Sequence[str], read_script: ScriptReader | None,
          depth: int) -> Pid1Info:
    shim = posixpath.basename(argv[0])
    rest = list(argv[1:])
    while rest and rest[0].startswith("-") and rest[0] != "--":
        option = rest.pop(0)
        if option in _SHIM_VALUE_OPTIONS and rest:
            rest.pop(0)
    if rest and rest[0] == "--":
        rest.pop(0)
    if not rest:
        return Pid1Info(Pid1Kind.INIT_SHIM, argv[0], shim=shim)
    child = _follow(container, rest, read_script, depth + 1)
    via = (f"{shim} forwards the stop signal unchanged to {rest[0]}", *child.via)
    if child.kind is Pid1Kind.SYSTEMD:
        return Pid1Info(Pid1Kind.SYSTEMD, child.program, via, shim=shim)
    # A shim is a correct PID 1: whatever runs under it gets the signal like any process.
    return Pid1Info(Pid1Kind.INIT_SHIM, child.program, via, shim=shim)


def _shell_name(container: Container, base: str, argv: Sequence[str]) -> str | None:
    if base == "busybox":
        return "busybox"
    if base in {"bash", "dash", "zsh", "ksh"}:
        return base
    if base == "ash":
        return "busybox"
    image = container.image_config
    if image is not None and image.sh:
        return image.sh  # read from the image itself
    family = image_family(container)
    return family.sh if family else None  # plain `sh`: whatever the image links it to


def _shell(container: Container, argv: Sequence[str], read_script: ScriptReader | None,
           depth: int) -> Pid1Info:
    info = _shell_run(container, argv, read_script, depth)
    if info.kind is Pid1Kind.SHELL and posixpath.basename(argv[0]) == "sh" and info.shell:
        image = container.image_config
        family = image_family(container)
        if not (image is not None and image.sh) and family is not None:
            return info._replace(assumed=(
                *info.assumed, f"/bin/sh in {family.evidence} is {family.sh} (from its name)"))
    return info


def _shell_run(container: Container, argv: Sequence[str], read_script: ScriptReader | None,
               depth: int) -> Pid1Info:
    base = posixpath.basename(argv[0])
    args = list(argv[2:] if base == "busybox" else argv[1:])
    shell = _shell_name(container, base, argv)
    label = shell or base
    command_string: str | None = None
    while args and args[0].startswith("-") and args[0] not in {"-", "--"}:
        option = args.pop(0)
        if "c" in option[1:] and not option.startswith("--"):
            command_string = args.pop(0) if args else ""
            break
    if args and args[0] in {"-", "--"}:
        args.pop(0)
    if command_string is not None:
        # After `sh -c STRING`, the next word is $0 and the rest are $1...
        positional = args[1:]
        return _command_string(container, argv[0], label, shell, command_string, positional,
                               read_script, depth)
    if args:
        script = args[0]
        text = read_script(script) if read_script else None
        if text is not None:
            return _script(container, script, text, args[1:], read_script, depth, shell=label)
        return Pid1Info(Pid1Kind.SHELL, argv[0], shell=label,
                        problem=f"runs the script {script} (not found in this repository)",
                        uncertain=True)
    # A bare shell (a distribution image's default CMD) reads commands from stdin: without
    # a terminal it exits at once, with one it is someone's session. Not a service to stop.
    return Pid1Info(Pid1Kind.SHELL, argv[0], shell=label)


def _command_string(container: Container, program: str, label: str, shell: str | None,
                    text: str, positional: Sequence[str], read_script: ScriptReader | None,
                    depth: int) -> Pid1Info:
    try:
        analysis = analyze(text, _env(container))
    except ShellSyntaxError:
        return Pid1Info(Pid1Kind.SHELL, program, shell=label, problem="runs a command string "
                        "stopsignal cannot parse", uncertain=True)
    if analysis.traps:
        return Pid1Info(Pid1Kind.SHELL, program, shell=label, traps=True)
    target = analysis.last_exec()
    if target is not None and (analysis.final_exec or not (
            analysis.loops or analysis.operators & {"|", "&"})):
        child_argv = _substitute(target, positional)
        if child_argv:
            return _exec(container, analysis, child_argv, read_script, depth,
                         f"{label} -c execs")
    commands = analysis.commands
    plain = not (analysis.loops or analysis.compound or analysis.operators & {"|", "&"})
    if plain and commands and all(_quick(command) for command in commands):
        # `date; echo hello`: a shell is PID 1 only for a moment; nothing to stop.
        return Pid1Info(Pid1Kind.PROGRAM, program, (f"{label} -c runs only short commands",))
    if plain and analysis.last and all(_quick(command) for command in commands[:-1]):
        what = "a single command" if len(commands) == 1 else "its last command"
        child_argv = _substitute(analysis.last, positional)
        if shell in _EXEC_SHELLS and child_argv:
            child = _follow(container, child_argv, read_script, depth + 1)
            return _via(child, f"{label} -c execs {what} ({child_argv[0]})")
        if shell != "dash":
            # zsh/ksh, or `sh` in an image we cannot identify: it depends on /bin/sh.
            child = _follow(container, child_argv or analysis.last, read_script, depth + 1)
            if child.kind is Pid1Kind.SYSTEMD:
                return _via(child, f"{label} -c runs systemd as {what}")
            return Pid1Info(Pid1Kind.SHELL, program, shell=label,
                            problem=f"runs {what}, which dash would not exec", uncertain=True)
        return Pid1Info(Pid1Kind.SHELL, program, shell=label,
                        problem=f"runs {what} without exec (dash does not exec it)")
    if plain and len(commands) > 1:
        main = next(command for command in commands[:-1] if not _quick(command))
        return Pid1Info(Pid1Kind.SHELL, program, shell=label,
                        problem=f"runs {len(commands)} commands and stays PID 1 while "
                        f"{main[0]} runs")
    return Pid1Info(Pid1Kind.SHELL, program, shell=label, problem=_problem(analysis))


#: Commands that finish at once: a shell running only these (or these before an exec'd
#: last command) is not PID 1 for long enough to matter.
_QUICK = frozenset({
    "date", "echo", "printf", "true", "false", ":", "mkdir", "chmod", "chown", "chgrp", "cp",
    "mv", "rm", "ln", "touch", "export", "set", "unset", "cd", "test", "[", "env", "printenv",
    "cat", "ls", "id", "whoami", "hostname", "umask", "ulimit", "uname", "pwd", "install",
    "source", ".", "sed", "envsubst", "cut", "tr", "basename", "dirname", "readlink",
})


def _quick(command: Sequence[str]) -> bool:
    return bool(command) and posixpath.basename(command[0]) in _QUICK


def _script(container: Container, path: str, text: str, args: Sequence[str],
            read_script: ScriptReader | None, depth: int, *, shell: str | None = None) -> Pid1Info:
    label = shell or _interpreter(text) or "sh"
    name = posixpath.basename(path)
    # The script's arguments are known ($1, $#): `if [ -n "$1" ]; then exec "$@"` is decided.
    positional = (*((str(index), arg) for index, arg in enumerate(args, 1)), ("#", str(len(args))))
    try:
        analysis = analyze(_body(text), (*_env(container), *positional))
    except ShellSyntaxError:
        return Pid1Info(Pid1Kind.SHELL, path, shell=label, problem=f"runs the script {name}, "
                        "which stopsignal cannot parse", uncertain=True)
    if analysis.traps:
        return Pid1Info(Pid1Kind.SHELL, path, shell=label, traps=True)
    target = analysis.last_exec()
    if target is not None:
        child_argv = _substitute(target, args)
        if child_argv:
            return _exec(container, analysis, child_argv, read_script, depth, f"{name} execs")
        return Pid1Info(Pid1Kind.PROGRAM, path, (f"{name} execs its arguments",))
    if analysis.exec_anywhere:
        # An exec inside a branch: which path runs depends on arguments and environment.
        return Pid1Info(Pid1Kind.PROGRAM, path, (f"{name} execs on some paths",))
    return Pid1Info(Pid1Kind.SHELL, path, shell=label,
                    problem=f"runs the entrypoint script {name}, which never execs "
                    f"(its last command is {' '.join(analysis.last or ('nothing',))[:60]!r})")


def _env(container: Container) -> tuple[tuple[str, str], ...]:
    """Variables whose values the script sees: the image's ENV, then the container's."""
    image = container.image_config
    if image is None or not image.env:
        return container.env
    return (*image.env, *container.env) if container.env else image.env


def _exec(container: Container, analysis: ShellAnalysis, argv: Sequence[str],
          read_script: ScriptReader | None, depth: int, step: str) -> Pid1Info:
    """Follow ``exec ARGV``; ``exec $init`` follows every literal value ``init`` is given."""
    candidates = list(analysis.values(argv[0]))
    name = variable_name(argv[0])
    if name is not None:
        known = dict(_env(container)).get(name)
        if known and known not in candidates:
            candidates.append(known)
    if not candidates:
        child = _follow(container, argv, read_script, depth + 1)
        return _via(child, f"{step} {argv[0]}")
    results = [(value, _follow(container, (value, *argv[1:]), read_script, depth + 1))
               for value in candidates]
    # systemd on any path is what the stop must be ready for; else the first assignment.
    value, child = next(((value, child) for value, child in results
                         if child.kind is Pid1Kind.SYSTEMD), results[0])
    return _via(child, f"{step} {argv[0]} ({value})")


def _via(child: Pid1Info, step: str) -> Pid1Info:
    return child._replace(via=(step, *child.via))


def _problem(analysis: ShellAnalysis) -> str:
    return analysis.problem()


def _substitute(words: Sequence[str], positional: Sequence[str]) -> tuple[str, ...]:
    """Expand ``$@``/``$*``/``$1`` in an exec's words with the script's arguments."""
    out: list[str] = []
    for word in words:
        if word in {"$@", "${@}", "$*", "${*}"}:
            out.extend(positional)
        elif len(word) == 2 and word[0] == "$" and word[1].isdigit() and word[1] != "0":
            index = int(word[1]) - 1
            if index < len(positional):
                out.append(positional[index])
        else:
            out.append(word)
    return tuple(out)


def _is_shell_script(text: str) -> bool:
    first = text.split("\n", 1)[0]
    if first.startswith("#!"):
        return posixpath.basename(first[2:].strip().split(" ")[-1]) in SHELLS \
            or any(posixpath.basename(word) in SHELLS for word in first[2:].split())
    return False


def _interpreter(text: str) -> str | None:
    first = text.split("\n", 1)[0]
    if not first.startswith("#!"):
        return None
    words = first[2:].split()
    if words and posixpath.basename(words[0]) == "env" and len(words) > 1:
        return posixpath.basename(words[1])
    return posixpath.basename(words[0]) if words else None


def _body(text: str) -> str:
    return text.split("\n", 1)[1] if text.startswith("#!") and "\n" in text else (
        "" if text.startswith("#!") else text)
