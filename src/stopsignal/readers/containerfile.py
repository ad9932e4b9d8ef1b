"""Containerfiles and Dockerfiles -> one ImageConfig per stage, and a Container for the
final stage (the one that runs) so a Containerfile can be linted alone.

Semantics follow BuildKit (moby/buildkit frontend/dockerfile/dockerfile2llb):
global ARGs (before the first FROM) are the only variables FROM sees;
``FROM <earlier stage>`` inherits that stage's whole config; ENTRYPOINT resets a
CMD inherited from the base (not one set in the same stage); shell form runs
``SHELL + [text]`` (default ``/bin/sh -c``).
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from stopsignal.model import Container, ImageConfig, Location, SourceKind
from stopsignal.readers.containerfile_lex import Instruction, lex
from stopsignal.readers.result import ReadError, ReadFailure, ReadResult
from stopsignal.signals import decimal

KNOWN = frozenset({
    "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
    "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
})
DEFAULT_SHELL = ("/bin/sh", "-c")
_VARIABLE = re.compile(r"\$(?:\{(\w+)(?:(:?[-+])([^}]*))?\}|(\w+))")
_FROM = re.compile(r"(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?\s*$", re.IGNORECASE)
_MUSL = re.compile(r"(?i)(?:^|[/:_-])alpine|musl")
_GLIBC = re.compile(
    r"(?i)(?:^|/)(?:debian|ubuntu|fedora|centos|rhel|ubi\d*(?:-\w+)?|rockylinux|almalinux|"
    r"amazonlinux|opensuse|archlinux|distroless|oraclelinux)\b"
)


@dataclass
class _Stage:
    index: int
    name: str | None
    base: str
    locations: dict[str, Location]
    entrypoint: tuple[str, ...] | None = None
    cmd: tuple[str, ...] | None = None
    entrypoint_shell: bool = False
    cmd_shell: bool = False
    cmd_set: bool = False
    stop_signal: str | None = None
    shell: tuple[str, ...] = DEFAULT_SHELL
    user: str | None = None
    workdir: str = "/"
    env: dict[str, str] = field(default_factory=dict)
    args: dict[str, str] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)
    scripts: dict[str, str] = field(default_factory=dict)
    inline: dict[str, str] = field(default_factory=dict)
    libc: str | None = None
    origin: str = ""  # the external image at the root of the FROM chain

    def inherit(self, index: int, name: str | None, base: str, where: Location) -> _Stage:
        return replace(
            self, index=index, name=name, base=base, cmd_set=False, args={},
            locations={**self.locations, "from": where}, env=dict(self.env),
            files=set(self.files), scripts=dict(self.scripts), inline=dict(self.inline),
        )

    def config(self, context: str) -> ImageConfig:
        shell_form = self.entrypoint_shell if self.entrypoint else self.cmd_shell
        return ImageConfig(
            entrypoint=self.entrypoint,
            cmd=self.cmd,
            stop_signal=self.stop_signal,
            shell_form=shell_form,
            shell=self.shell,
            user=self.user,
            env=tuple(self.env.items()),
            base=self.origin or self.base,
            libc=self.libc if self.libc in ("glibc", "musl") else None,  # type: ignore[arg-type]
            files=frozenset(self.files) if self.files else None,
            locations=tuple(self.locations.items()),
            scripts=tuple(self.scripts.items()),
            inline_files=tuple(self.inline.items()),
            context=context,
            name=self.name,
            entrypoint_shell_form=self.entrypoint_shell,
            cmd_shell_form=self.cmd_shell,
            # Only `scratch` has a config known without looking the base image up.
            base_known=self.origin.lower() == "scratch",
        )


def substitute(value: str, variables: dict[str, str]) -> str:
    """``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR:+alternative}`` (and without ``:``)."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(4)
        operator, word = match.group(2), match.group(3) or ""
        current = variables.get(name)
        if operator in (":-", "-"):
            empty = current is None or (operator == ":-" and current == "")
            return substitute(word, variables) if empty else str(current)
        if operator in (":+", "+"):
            present = current is not None and (operator == "+" or current != "")
            return substitute(word, variables) if present else ""
        return current or ""

    return _VARIABLE.sub(one, value) if "$" in value else value


def _argv(arguments: str) -> tuple[tuple[str, ...], bool]:
    """(argv, shell_form) of CMD/ENTRYPOINT/SHELL arguments; invalid JSON is shell form."""
    if arguments.startswith("["):
        try:
            value = json.loads(arguments)
        except ValueError:
            value = None
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value), False
    return (arguments,), True


def _pairs(arguments: str) -> list[tuple[str, str | None]]:
    """``A=1 B="two words"`` (or the legacy ``A value`` form) as pairs."""
    import shlex

    try:
        tokens = shlex.split(arguments, posix=True)
    except ValueError:
        tokens = arguments.split()
    if tokens and "=" not in tokens[0]:
        return [(tokens[0], " ".join(tokens[1:]) if len(tokens) > 1 else None)]
    pairs: list[tuple[str, str | None]] = []
    for token in tokens:
        key, equals, value = token.partition("=")
        pairs.append((key, value if equals else None))
    return pairs


def read(data: bytes, path: str) -> ReadResult:
    failures: list[ReadFailure] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        failures.append(ReadFailure("not valid UTF-8", line, column))
        text = data.decode("utf-8", "replace")
    text = text.removeprefix("\ufeff")
    lexed = lex(text)
    failures.extend(lexed.errors)
    context = str(PurePosixPath(path).parent)
    reader = _Reader(path, failures)
    for instruction in lexed.instructions:
        try:
            reader.instruction(instruction)
        except ReadFailure as failure:
            failures.append(failure)
    if not reader.stages:
        failures.append(ReadFailure("no FROM instruction", 1))
    images = tuple(stage.config(context) for stage in reader.stages)
    containers: tuple[Container, ...] = ()
    if reader.stages:
        final, image = reader.stages[-1], images[-1]
        name = final.name or str(final.index)
        where = final.locations["from"]
        containers = (Container(
            name=name,
            source=SourceKind.CONTAINERFILE,
            location=where,
            object=f"Containerfile stage {name}",
            image=final.origin,
            image_config=image,
            locations=(("container", where), *image.locations),
        ),)
    return ReadResult(
        path,
        containers=containers,
        errors=tuple(ReadError(path, f.line, f.column, f.message) for f in failures),
        kind=SourceKind.CONTAINERFILE,
        images=images,
        comments=lexed.comments,
    )


class _Reader:
    def __init__(self, path: str, failures: list[ReadFailure]) -> None:
        self.path = path
        self.failures = failures
        self.global_args: dict[str, str] = {}
        self.stages: list[_Stage] = []

    def where(self, instruction: Instruction) -> Location:
        return Location(self.path, instruction.line, instruction.column,
                        end_line=instruction.end_line)

    def instruction(self, instruction: Instruction) -> None:
        keyword, arguments = instruction.keyword, instruction.arguments
        if keyword not in KNOWN:
            raise ReadFailure(f"unknown instruction {keyword}", instruction.line,
                              instruction.column)
        if keyword == "FROM":
            self.from_(instruction)
            return
        if not self.stages:
            if keyword == "ARG":
                for key, value in _pairs(arguments):
                    self.global_args[key] = substitute(value or "", self.global_args)
                return
            raise ReadFailure(f"{keyword} before the first FROM", instruction.line,
                              instruction.column)
        stage = self.stages[-1]
        variables = {**stage.args, **stage.env}
        where = self.where(instruction)
        if keyword == "ARG":
            for key, value in _pairs(arguments):
                default = self.global_args.get(key, "")
                stage.args[key] = substitute(value, variables) if value is not None else default
        elif keyword == "ENV":
            for key, value in _pairs(arguments):
                stage.env[key] = substitute(value or "", {**stage.args, **stage.env})
        elif keyword == "STOPSIGNAL":
            stage.stop_signal = substitute(arguments, variables).strip()
            stage.locations["stop_signal"] = where
        elif keyword == "ENTRYPOINT":
            argv, shell_form = _argv(arguments)
            stage.entrypoint = stage.shell + argv if shell_form else argv
            stage.entrypoint_shell = shell_form
            if not stage.cmd_set:  # BuildKit drops a CMD inherited from the base image
                stage.cmd, stage.cmd_shell = None, False
                stage.locations.pop("cmd", None)
            stage.locations["entrypoint"] = where
        elif keyword == "CMD":
            argv, shell_form = _argv(arguments)
            stage.cmd = stage.shell + argv if shell_form else argv
            stage.cmd_shell, stage.cmd_set = shell_form, True
            stage.locations["cmd"] = where
        elif keyword == "SHELL":
            argv, shell_form = _argv(arguments)
            if shell_form or not argv:
                raise ReadFailure("SHELL needs a JSON array", instruction.line,
                                  instruction.column)
            stage.shell = argv
            stage.locations["shell"] = where
        elif keyword == "USER":
            stage.user = substitute(arguments, variables).strip()
            stage.locations["user"] = where
        elif keyword == "WORKDIR":
            workdir = substitute(arguments, variables).strip()
            stage.workdir = posixpath.normpath(posixpath.join(stage.workdir, workdir))
        elif keyword in ("COPY", "ADD"):
            self.copy(stage, instruction, variables)

    def from_(self, instruction: Instruction) -> None:
        match = _FROM.match(instruction.arguments)
        if match is None:
            raise ReadFailure("FROM needs an image", instruction.line, instruction.column)
        base = substitute(match.group(1), self.global_args)
        name = match.group(2).lower() if match.group(2) else None
        where = self.where(instruction)
        index = len(self.stages)
        parent = next((s for s in reversed(self.stages) if s.name == base.lower()), None)
        number = decimal(base) if parent is None else None
        if number is not None and number < index:
            parent = self.stages[number]
        if parent is not None:
            stage = parent.inherit(index, name, base, where)
        else:
            libc = "musl" if _MUSL.search(base) else "glibc" if _GLIBC.search(base) else None
            stage = _Stage(index, name, base, {"from": where}, libc=libc, origin=base)
        self.stages.append(stage)

    def copy(self, stage: _Stage, instruction: Instruction, variables: dict[str, str]) -> None:
        tokens = _copy_tokens(instruction.arguments)
        flags = {}
        while tokens and tokens[0].startswith("--"):
            key, _, value = tokens.pop(0)[2:].partition("=")
            flags[key] = value
        if len(tokens) < 2:
            return
        *sources, destination = (substitute(token, variables) for token in tokens)
        directory = destination.endswith("/") or len(sources) > 1
        destination = posixpath.normpath(posixpath.join(stage.workdir, destination))
        bodies = dict(instruction.heredocs)
        origin = flags.get("from")
        source_stage = None
        if origin is not None:
            source_stage = next((s for s in self.stages[:-1] if s.name == origin.lower()), None)
        for source in sources:
            heredoc = source[2:].lstrip("-").strip("\"'") if source.startswith("<<") else None
            if heredoc is not None:
                target = posixpath.join(destination, heredoc) if directory else destination
                stage.files.add(target)
                stage.inline[target] = bodies.get(heredoc, "")
                continue
            if origin is None and "://" not in source and not any(
                    char in source for char in "*?[") and (source in (".", "./")
                                                           or source.endswith("/")):
                # A directory (`COPY rootfs/ /`): its files land under the destination;
                # recorded as ("/dest/", "rootfs/") so a script's source can be found.
                folder = posixpath.normpath(source.lstrip("/"))
                stage.scripts[destination.rstrip("/") + "/"] = \
                    "" if folder == "." else folder + "/"
                continue
            if any(char in source for char in "*?[") or source in (".", "./") \
                    or source.endswith("/") or "://" in source:
                continue  # a glob, a directory or a URL: the files it makes are not known
            name = posixpath.basename(source)
            target = posixpath.join(destination, name) if directory else destination
            stage.files.add(target)
            if origin is None:
                stage.scripts[target] = posixpath.normpath(source.lstrip("/"))
            elif source_stage is not None:
                found = source_stage.scripts.get(posixpath.normpath(source))
                if found is not None:
                    stage.scripts[target] = found
                inline = source_stage.inline.get(posixpath.normpath(source))
                if inline is not None:
                    stage.inline[target] = inline


def _copy_tokens(arguments: str) -> list[str]:
    flags = []
    rest = arguments
    while rest.startswith("--"):
        flag, _, rest = rest.partition(" ")
        flags.append(flag)
        rest = rest.lstrip()
    if rest.startswith("["):
        argv, shell_form = _argv(rest)
        if not shell_form:
            return flags + list(argv)
    return flags + rest.split()
