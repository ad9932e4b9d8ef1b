"""Rendered inputs: a kustomization directory (``kubectl kustomize`` or ``kustomize build``)
and a Helm chart (``helm template``), linted as the cluster would receive them.

Findings point into the files a user edits where that can be told: a rendered container
is matched, by kind, object name (kustomize adds prefixes and suffixes) and container
name, with the container of the same name in the resource files the kustomization
lists (followed through its bases); its positions are then that file's. A container
only a patch or a template creates keeps the kustomization file (or Chart.yaml) as its
place. Without the tool the directory's files are linted as written, with a note.
"""

# ruff: noqa: PTH112, PTH113, PTH118, PTH123

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING, Any

from stopsignal.model import Container, Location
from stopsignal.readers.result import ReadError, ReadResult

if TYPE_CHECKING:
    from collections.abc import Iterator

KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")
TIMEOUT = 120.0
_MAX_DEPTH = 8


def kustomization_file(directory: str) -> str | None:
    for name in KUSTOMIZATIONS:
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    return None


def chart_file(directory: str) -> str | None:
    path = os.path.join(directory, "Chart.yaml")
    return path if os.path.isfile(path) else None


def renderer(directory: str) -> tuple[list[str], str] | None:
    """The command that renders ``directory`` and the tool's name, or None if none is
    installed (or the directory is neither a kustomization nor a chart)."""
    if kustomization_file(directory):
        kubectl = shutil.which("kubectl")
        if kubectl:
            return [kubectl, "kustomize", directory], "kubectl kustomize"
        kustomize = shutil.which("kustomize")
        if kustomize:
            return [kustomize, "build", directory], "kustomize build"
        return None
    if chart_file(directory):
        helm = shutil.which("helm")
        if helm:
            return [helm, "template", "stopsignal-lint", directory], "helm template"
    return None


def missing_tool_note(directory: str) -> str | None:
    """Why ``directory`` cannot be rendered here, or None when it can (or needs not)."""
    if renderer(directory) is not None:
        return None
    if kustomization_file(directory):
        return ("a kustomization, but neither kubectl nor kustomize is installed: its files "
                "are linted as written, without patches")
    if chart_file(directory):
        return ("a Helm chart, but helm is not installed: its templates are not linted "
                "(helm template CHART | stopsignal lint -)")
    return None


def read_rendered(directory: str) -> ReadResult:
    """Render ``directory`` and read the output, positions mapped back where possible."""
    import subprocess

    from stopsignal.readers.read import read_text

    found = renderer(directory)
    origin = kustomization_file(directory) or chart_file(directory) or directory
    if found is None:
        note = missing_tool_note(directory)
        return ReadResult(directory, notes=(note,) if note else (), skipped=None if note else
                          "a directory")
    command, tool = found
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT,
                              check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return _failed(origin, f"{tool} did not finish within {TIMEOUT:g} s")
    except OSError as error:
        return _failed(origin, f"{tool} could not run: {error.strerror}")
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        return _failed(origin, f"{tool} failed: {lines[-1] if lines else 'no output'}")
    rendered = read_text(done.stdout, f"{origin} ({tool})")
    sources = _source_containers(directory) if tool != "helm template" else {}
    containers = tuple(_mapped(container, sources, origin) for container in rendered.containers)
    errors = tuple(error._replace(path=origin) for error in rendered.errors)
    return rendered._replace(path=origin, containers=containers, errors=errors, comments={})


def _failed(path: str, message: str) -> ReadResult:
    return ReadResult(path, errors=(ReadError(path, 1, 1, message),))


def _mapped(container: Container, sources: dict[tuple[str, str], list[Container]],
            origin: str) -> Container:
    kind, _, name = container.object.partition("/")
    for source in sources.get((kind, container.name), ()):
        source_name = source.object.partition("/")[2]
        if source_name and source_name in name:
            return container._replace(location=source.location, locations=source.locations)
    where = Location(origin)
    return container._replace(location=where,
                              locations=tuple((key, where) for key, _ in container.locations))


def _source_containers(directory: str) -> dict[tuple[str, str], list[Container]]:
    """(kind, container name) -> the containers of the kustomization's resource files."""
    from stopsignal.readers.read import read_path

    found: dict[tuple[str, str], list[Container]] = {}
    for path in sorted(set(_resource_files(directory, 0, set()))):
        for container in read_path(path).containers:
            kind = container.object.partition("/")[0]
            found.setdefault((kind, container.name), []).append(container)
    return found


def _resource_files(directory: str, depth: int, seen: set[str]) -> Iterator[str]:
    real = os.path.realpath(directory)
    if depth > _MAX_DEPTH or real in seen:
        return
    seen.add(real)
    path = kustomization_file(directory)
    if path is None:
        return
    document = _load(path)
    for key in ("resources", "bases", "components"):
        entries = document.get(key) if isinstance(document, dict) else None
        for entry in entries if isinstance(entries, list) else ():
            if not isinstance(entry, str) or "://" in entry or entry.startswith("github.com"):
                continue  # remote bases are not read
            target = os.path.normpath(os.path.join(directory, entry))
            if os.path.isdir(target):
                yield from _resource_files(target, depth + 1, seen)
            elif os.path.isfile(target):
                yield target


def _load(path: str) -> Any:
    import yaml

    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
