"""Which Containerfile of the linted tree builds which image name.

A repository that builds its own base image says so in one of a few places:
the Containerfile sits in a folder named for the image (``images/base/Containerfile``
builds ``org/base``), a compose service pairs ``build:`` with ``image:``, a
``docker-bake.hcl`` target lists ``tags``, or a Makefile or shell script runs
``docker build -t org/base ...`` (podman, buildah and ``buildx build`` alike).
This module collects those pairs; the linter joins ``FROM org/base:tag`` with
them (``stopsignal.engine.inherit``).

Exact references are joined as written; a folder name or a tag written with
variables (``$(REGISTRY)/base:$(VERSION)``) joins by the last part of the
repository name only, and never an official image name to a folder that
builds on that same image.
"""

from __future__ import annotations

import os
import posixpath
import re
import shlex
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from stopsignal.model import SourceKind
from stopsignal.readers.files import kind_by_name

_BUILD_FILES = ("makefile", "gnumakefile")
_BUILD_SUFFIXES = (".mk", ".sh", ".bash")
_BAKE = ("docker-bake.hcl", "docker-bake.json", "docker-bake.override.hcl")
_SCAN_LIMIT = 2000  # directory entries looked at, per tree
_FILE_LIMIT = 256 * 1024
_BUILD_COMMAND = re.compile(
    r"\b(?:docker|podman|buildah|nerdctl)\s+(?:buildx\s+)?(?:build|bud)\b[^\n]*")
_VARIABLE = re.compile(r"\$\(([^)]*)\)|\$\{([^}]*)\}|\$(\w+)")
_CONTAINERFILE_NAMES = ("Containerfile", "Dockerfile")


class Build(NamedTuple):
    """``ref`` is built from the Containerfile at ``path``; ``loose`` refs join by name."""

    ref: str
    path: str
    loose: bool = False


def repository_name(ref: str) -> tuple[str, str | None]:
    """``quay.io/org/base:1.0@sha256:..`` -> (``base``, ``1.0``)."""
    ref = ref.split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    name, colon, tag = last.partition(":")
    return name.lower(), (tag if colon else None)


def folder_builds(files: Iterable[str]) -> list[Build]:
    """Containerfiles named for their image by their folder (or ``Containerfile.NAME``)."""
    from stopsignal.engine.images import built_name

    found: list[Build] = []
    for path in files:
        if kind_by_name(path) is not SourceKind.CONTAINERFILE:
            continue
        named = built_name(path)
        if named:
            found.append(Build(named, path, loose=True))
            continue
        parts = [part for part in path.replace("\\", "/").split("/")[:-1]
                 if part not in ("", ".")]
        if parts:
            found.append(Build(parts[-1], path, loose=True))
        if len(parts) >= 2:  # images/base/1.0/Containerfile builds base:1.0
            found.append(Build(f"{parts[-2]}:{parts[-1]}", path, loose=True))
    return found


def scan_tree(roots: Sequence[str]) -> list[Build]:
    """``build -t`` commands in Makefiles and scripts, and docker-bake targets, under ``roots``."""
    found: list[Build] = []
    seen = 0
    for root in roots:
        if not os.path.isdir(root):  # noqa: PTH112 - os.path: pathlib is not on lint's start-up path
            continue
        for directory, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames
                                 if not d.startswith(".") and d not in _SKIP_DIRS)
            seen += len(filenames)
            for filename in filenames:
                lower = filename.lower()
                path = posixpath.join(directory, filename)
                if lower in _BAKE:
                    found.extend(_bake(path))
                elif lower in _BUILD_FILES or lower.endswith(_BUILD_SUFFIXES):
                    found.extend(_commands(path))
            if seen > _SCAN_LIMIT:
                return found
    return found


_SKIP_DIRS = {"node_modules", "vendor", "__pycache__", "venv", "site-packages", "templates"}


def _text(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:  # noqa: PTH123 - as above
            data = handle.read(_FILE_LIMIT)
    except OSError:
        return None
    return data.decode("utf-8", "replace") if b"\0" not in data else None


def _commands(path: str) -> Iterator[Build]:
    """``docker build -t REF [-f FILE] CONTEXT`` lines of a Makefile or script."""
    text = _text(path)
    if not text or "build" not in text:
        return
    here = posixpath.dirname(path) or "."
    for match in _BUILD_COMMAND.finditer(text.replace("\\\n", " ")):
        words = _words(match.group(0))
        tags: list[str] = []
        dockerfile: str | None = None
        positional: list[str] = []
        index = 0
        while index < len(words):
            word = words[index]
            value: str | None = None
            for option in ("-t", "--tag", "-f", "--file"):
                if word == option and index + 1 < len(words):
                    value = words[index + 1]
                    index += 1
                elif word.startswith(option + "=") and option.startswith("--"):
                    value = word.split("=", 1)[1]
                elif option in ("-t", "-f") and word.startswith(option) and len(word) > 2:
                    value = word[2:].removeprefix("=")  # pflag reads -tREF and -t=REF
                if value is not None:
                    if option in ("-t", "--tag"):
                        tags.append(value)
                    else:
                        dockerfile = value
                    break
            else:
                if word in (";", "&&", "||", "|"):
                    break
                if not word.startswith("-"):
                    positional.append(word)
            index += 1
        context = positional[-1] if len(positional) > 2 else None  # docker build CONTEXT
        for file in _containerfile(here, context, dockerfile):
            for tag in tags:
                yield _build(tag, file)


def _words(command: str) -> list[str]:
    try:
        return shlex.split(command, comments=True)
    except ValueError:
        return command.split()


def _containerfile(here: str, context: str | None, dockerfile: str | None) -> list[str]:
    context_dir = posixpath.normpath(posixpath.join(here, _plain(context or ".")))
    if dockerfile is not None:
        path = _plain(dockerfile)
        # docker resolves -f against the working directory (the script's or Makefile's).
        candidates = [posixpath.normpath(posixpath.join(here, path))]
    else:
        candidates = [posixpath.join(context_dir, name) for name in _CONTAINERFILE_NAMES]
    return [path for path in candidates if os.path.isfile(path)][:1]  # noqa: PTH113


def _plain(text: str) -> str:
    """A path with its variables dropped: ``$(DIR)/base`` is looked for as ``base``."""
    return _VARIABLE.sub("", text).lstrip("/") or "."


def _build(tag: str, path: str) -> Build:
    if "$" in tag:
        return Build(_VARIABLE.sub("", tag).rsplit("/", 1)[-1] or tag, path, loose=True)
    return Build(tag, path)


def _bake(path: str) -> Iterator[Build]:
    """docker-bake targets: ``tags`` built from ``context``/``dockerfile``."""
    text = _text(path)
    if not text:
        return
    targets: dict[str, object] = {}
    try:
        if path.endswith(".json"):
            import json

            data = json.loads(text)
            targets = data.get("target", {}) if isinstance(data, dict) else {}
        else:
            import hcl2

            data = hcl2.loads(text)
            for block in data.get("target", []):
                for name, body in block.items():
                    targets[name.strip('"')] = body
    except Exception:  # noqa: BLE001 - a bake file we cannot read only loses the join
        return
    here = posixpath.dirname(path) or "."
    for body in targets.values():
        if not isinstance(body, dict):
            continue
        context = _unquote(body.get("context")) or "."
        dockerfile = _unquote(body.get("dockerfile"))
        tags = body.get("tags")
        if not isinstance(tags, list):
            continue
        context_dir = posixpath.join(here, _plain(context))
        for file in _containerfile(context_dir, None, dockerfile):
            for tag in tags:
                if isinstance(tag, str):
                    yield _build(_unquote(tag) or tag, file)


def _unquote(value: object) -> str | None:
    return value.strip('"') if isinstance(value, str) else None
