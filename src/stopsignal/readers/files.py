"""Which files to read: directories expanded, files recognised by name and content."""

# os.path rather than pathlib: every lint runs this, and importing pathlib costs a few
# milliseconds of start-up (urllib.parse, ipaddress, fnmatch).
# ruff: noqa: PTH100, PTH112, PTH113, PTH118, PTH123

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator

from stopsignal.model import SourceKind

# Directories that hold tools' state, never manifests. Other hidden directories are
# read: .devcontainer holds Dockerfiles, policy repositories keep test workloads in
# .chainsaw-test/.kyverno-test.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".bzr", ".jj", "node_modules", "__pycache__", ".venv", "venv",
    ".tox", ".nox", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", ".idea",
    ".vscode", ".cache", ".terraform", ".eggs", ".direnv",
})
YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIXES = (".json",)
_CONTAINERFILE = re.compile(
    r"(?i)^(?:(?:container|docker)file(?:\..+)?|.+\.(?:container|docker)file)$"
)
_COMPOSE = re.compile(r"(?i)^(?:docker-)?compose(?:\.[\w.-]+)?\.ya?ml$")
_SNIFF_CONTAINERFILE = re.compile(
    rb"\A(?:\s*#[^\n]*\n)*\s*(?:FROM|ARG)[ \t]+\S", re.IGNORECASE
)
_SNIFF_YAML = re.compile(rb"^(?:apiVersion|services|kind)[ \t]*:", re.MULTILINE)


def kind_by_name(path: str) -> SourceKind | None:
    """The kind a file name promises: Containerfiles and compose files are named so."""
    name = path.rpartition("/")[2]
    if _CONTAINERFILE.match(name) and not name.lower().endswith(YAML_SUFFIXES + JSON_SUFFIXES):
        return SourceKind.CONTAINERFILE
    if _COMPOSE.match(name):
        return SourceKind.COMPOSE
    return None


def is_oci_layout(path: str) -> bool:
    return (os.path.isfile(os.path.join(path, "oci-layout"))
            and os.path.isfile(os.path.join(path, "index.json")))


class Globs:
    """ruff's ``exclude`` / ``per-file-ignores`` patterns, matched as ruff matches them.

    A pattern without ``/`` matches a file or directory name anywhere in the tree;
    one with ``/`` matches the path relative to ``root`` (an absolute pattern, the
    absolute path). ``*`` and ``?`` are fnmatch's (``*`` also crosses ``/``). Plain
    names are looked up in a set; the globs are compiled into one expression each.
    """

    def __init__(self, patterns: Iterable[str], root: str) -> None:
        import fnmatch

        self.root = os.path.abspath(root)
        names: set[str] = set()
        name_globs: list[str] = []
        path_globs: list[str] = []
        for pattern in patterns:
            pattern = pattern.rstrip("/")
            pattern = pattern.removeprefix("./")
            if "/" in pattern:
                if not pattern.startswith("/"):
                    pattern = f"{self.root.rstrip('/')}/{pattern}"
                path_globs.append(fnmatch.translate(pattern))
            elif any(char in pattern for char in "*?["):
                name_globs.append(fnmatch.translate(pattern))
            elif pattern:
                names.add(pattern)
        self.names = frozenset(names)
        self._name = re.compile("|".join(name_globs)).match if name_globs else None
        self._path = re.compile("|".join(path_globs)).match if path_globs else None

    def match(self, name: str, absolute: str) -> bool:
        """Whether an entry called ``name`` whose absolute path is ``absolute`` matches."""
        if name in self.names:
            return True
        if self._name is not None and self._name(name):
            return True
        return self._path is not None and self._path(absolute) is not None

    def match_path(self, path: str) -> bool:
        """Whether the file ``path`` (relative to the working directory, or absolute) matches,
        by its name or its whole path (as ruff's per-file-ignores)."""
        absolute = os.path.abspath(path)
        return self.match(absolute.rpartition("/")[2], absolute)


def is_rendered_input(path: str) -> bool:
    """A kustomization directory or a Helm chart: linted as rendered, when named."""
    return any(os.path.isfile(os.path.join(path, name)) for name in (
        "kustomization.yaml", "kustomization.yml", "Kustomization", "Chart.yaml"))


def iter_files(paths: Iterable[str], *, skip_hidden: bool = False,
               exclude: Globs | None = None) -> Iterator[str]:
    """Files worth reading under ``paths``; files named explicitly are always yielded.

    Directories are walked in sorted order without following symlinks; OCI layout
    directories are yielded whole, and so are kustomization and chart directories named
    in ``paths`` when their tool is installed (else their files follow); tools'
    directories (``SKIP_DIRS``, or what ``exclude`` matches instead) and the
    ``templates`` of Helm charts are skipped.
    ``skip_hidden`` also skips every hidden directory. A directory that cannot be
    listed is yielded itself, so that reading it reports why (never a silent skip).
    """
    for path in paths:
        if not os.path.isdir(path or ".") or is_oci_layout(path):  # Path("") is "."
            yield path
            continue
        if is_rendered_input(path):
            # A kustomization or chart named on the command line is rendered (met inside a
            # larger tree, its files are read as written: rendering costs a process each).
            yield path
            from stopsignal.readers.rendered import renderer

            if renderer(path) is not None:
                continue
        # `examples/seed/` names files `examples/seed/pod.yaml`, never `examples/seed//pod.yaml`.
        root = path.rstrip("/") or "/"
        unreadable: list[str] = []

        def note(error: OSError, found: list[str] = unreadable, top: str = root) -> None:
            found.append(error.filename or top)

        for directory, dirnames, filenames in os.walk(root, onerror=note):
            yield from unreadable
            unreadable.clear()
            directory = directory.rstrip("/")  # the root "/" joins as "/etc", not "//etc"
            kept = []
            # A Helm chart's templates are Go templates, not YAML: render them and lint
            # the output (``helm template ... | stopsignal lint -``).
            chart = "Chart.yaml" in filenames
            here = os.path.abspath(directory) if exclude is not None else ""
            for dirname in sorted(dirnames):
                if exclude is None:
                    if dirname in SKIP_DIRS:
                        continue
                elif exclude.match(dirname, f"{here}/{dirname}"):
                    continue
                if skip_hidden and dirname.startswith("."):
                    continue
                if chart and dirname == "templates":
                    continue
                full = f"{directory}/{dirname}"
                if is_oci_layout(full):
                    yield full
                else:
                    kept.append(dirname)
            dirnames[:] = kept
            for filename in sorted(filenames):
                full = f"{directory}/{filename}"
                if exclude is not None and exclude.match(filename, f"{here}/{filename}"):
                    continue
                if _recognised(full, filename):
                    yield full
        yield from unreadable


def _recognised(path: str, name: str) -> bool:
    lower = name.lower()
    if lower.endswith(YAML_SUFFIXES + JSON_SUFFIXES) or kind_by_name(name) is not None:
        return True
    if lower.endswith(".tar"):
        return _sniff(path, 512)[257:262] == b"ustar"
    if "." in name.lstrip("."):
        return False  # README.md, main.go, run.sh: a known kind of file that is not ours
    head = _sniff(path, 2048)
    if not head or b"\x00" in head:
        return False
    return bool(_SNIFF_CONTAINERFILE.match(head) or _SNIFF_YAML.search(head))


def _sniff(path: str, size: int) -> bytes:
    try:
        if not os.path.isfile(path):
            return b""
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError:
        return b""
