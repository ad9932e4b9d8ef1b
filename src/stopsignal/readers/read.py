"""read_path / read_text: pick the reader for a file and never let an exception escape."""

from __future__ import annotations

import os
import re
import stat
from typing import TYPE_CHECKING, Any

from stopsignal.model import Container, ImageConfig, SourceKind
from stopsignal.readers import compose, kubernetes
from stopsignal.readers.files import is_oci_layout, is_rendered_input, kind_by_name
from stopsignal.readers.result import UNKNOWN_FILE, ReadError, ReadFailure, ReadResult
from stopsignal.readers.walk import Walk
from stopsignal.readers.yamlnodes import comments, documents

if TYPE_CHECKING:
    from stopsignal.readers.jsonwalk import JsonWalk

_FIRST_TOKEN = re.compile(rb"\s*(\S)")
MAX_BYTES = 20 * 1024 * 1024  # far above any manifest; bounds time and memory
_LOOKS_CONTAINERFILE = re.compile(
    rb"\A(?:\s*#[^\n]*\n|\s*\n)*[ \t]*(?:FROM|ARG)[ \t]+\S", re.IGNORECASE
)


def read_path(path: str) -> ReadResult:
    """Read one file (or OCI layout directory); problems come back as ``errors``."""
    try:
        return _read_path(path)
    except Exception as error:  # noqa: BLE001 - a reader bug must cost one file, not the run
        return failed(path, f"internal error while reading ({type(error).__name__}: {error})")


def read_text(text: str, path: str, kind: SourceKind | None = None) -> ReadResult:
    """Read ``text`` as if it were the file ``path``; ``kind`` skips recognition."""
    try:
        return read_bytes(text.encode("utf-8", "surrogateescape"), path, kind)
    except UnicodeEncodeError:
        return read_bytes(text.encode("utf-8", "replace"), path, kind)
    except Exception as error:  # noqa: BLE001 - as in read_path
        return failed(path, f"internal error while reading ({type(error).__name__}: {error})")


def failed(path: str, message: str, line: int = 1, column: int = 1) -> ReadResult:
    return ReadResult(path, errors=(ReadError(path, line, column, message),))


def _read_path(path: str) -> ReadResult:
    try:
        status = os.stat(path)  # noqa: PTH116 - one stat on the hot path
    except OSError as error:
        return failed(path, f"cannot read: {error.strerror or error}")
    if stat.S_ISDIR(status.st_mode):
        if is_oci_layout(path):
            from stopsignal.readers import image_config

            return image_config.read_oci_layout(path)
        try:
            with os.scandir(path):
                pass
        except OSError as error:
            return failed(path, f"cannot read the directory: {error.strerror or error}")
        if is_rendered_input(path):
            from stopsignal.readers import rendered

            return rendered.read_rendered(path)
        return ReadResult(path, skipped="a directory")
    if not stat.S_ISREG(status.st_mode):
        return failed(path, "not a regular file")
    if path.lower().endswith(".tar"):
        from stopsignal.readers import image_config

        return image_config.read_docker_archive(path)
    if status.st_size > MAX_BYTES:
        return failed(
            path, f"file too large ({status.st_size / 2**20:.1f} MiB; the limit is 20 MiB)"
        )
    try:
        with open(path, "rb") as handle:  # noqa: PTH123 - the hot path; Path costs 10%
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        return failed(path, f"cannot read: {error.strerror or error}")
    return read_bytes(data, path, None)


def read_bytes(data: bytes, path: str, kind: SourceKind | None) -> ReadResult:
    if len(data) > MAX_BYTES:
        return failed(path, "file too large (the limit is 20 MiB)")
    kind = kind or kind_by_name(path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as error:
            return failed(path, f"invalid UTF-16: {error.reason}")
    nul = data.find(b"\x00", 0, 8192)
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        return failed(path, "binary file (contains NUL bytes); not read", line)
    name = path.rpartition("/")[2]
    if kind is SourceKind.CONTAINERFILE or (
        kind is None and "." not in name.lstrip(".") and _LOOKS_CONTAINERFILE.match(data)
    ):
        from stopsignal.readers import containerfile

        return containerfile.read(data, path)
    result = _read_yaml(data, path, kind)
    extension = name.rpartition(".")[2].lower() if "." in name.lstrip(".") else ""
    if kind is None and result.kind is None and extension not in ("", "yaml", "yml", "json"):
        # README.md, notes.txt: a file named explicitly that is not YAML is not ours.
        # (Without an extension, like stdin, a YAML error is still reported.)
        return ReadResult(path, skipped=UNKNOWN_FILE)
    return result


def _read_yaml(data: bytes, path: str, kind: SourceKind | None) -> ReadResult:
    first = _FIRST_TOKEN.match(data)
    if path.lower().endswith(".json") or (first is not None and first.group(1) in b"{["):
        result = _read_json(data, path, kind)
        if result is not None:
            return result
    failures: list[ReadFailure] = []
    found = _Found()

    everything = kind is SourceKind.IMAGE_CONFIG

    def want(chunk: bytes) -> bool:
        return everything or kubernetes.wanted(chunk) or compose.wanted(chunk)

    for document in documents(data, want, failures):
        if document.root is None:
            continue
        try:
            found.read(Walk(path, document), document.root, kind, is_json=False)
        except ReadFailure as failure:
            failures.append(failure)
    return found.result(data, path, kind, failures)


class _Found:
    """What the documents of one file hold, gathered document by document."""

    def __init__(self) -> None:
        self.containers: list[Container] = []
        self.images: list[ImageConfig] = []
        self.kinds: set[SourceKind] = set()

    def read(self, walk: Walk | JsonWalk, root: Any, kind: SourceKind | None, *,
             is_json: bool) -> None:
        """One document: Kubernetes, compose or (JSON only, or when asked) image configs."""
        fields = walk.fields(root)
        if "kind" in fields and kind in (None, SourceKind.KUBERNETES):
            self.kinds.add(SourceKind.KUBERNETES)
            self.containers.extend(kubernetes.read_document(walk, root, fields))
            return
        if (
            "services" in fields
            and kind in (None, SourceKind.COMPOSE)
            and compose.is_compose(walk, root, named=kind is SourceKind.COMPOSE)
        ):
            self.kinds.add(SourceKind.COMPOSE)
            self.containers.extend(compose.read_document(walk, root))
            return
        if (is_json and kind is None) or kind is SourceKind.IMAGE_CONFIG:
            from stopsignal.readers import image_config

            found = image_config.read_json_document(walk, root)
            if found is not None:
                self.kinds.add(SourceKind.IMAGE_CONFIG)
                self.images.extend(found[0])
                self.containers.extend(found[1])

    def result(self, data: bytes, path: str, kind: SourceKind | None,
               failures: list[ReadFailure]) -> ReadResult:
        kinds = self.kinds
        if not kinds and kind is None and b"apiVersion" in data and b"kind" in data:
            kinds.add(SourceKind.KUBERNETES)  # objects that were only syntax-checked
        found_kind = kind or _first(kinds)
        errors = tuple(ReadError(path, f.line, f.column, f.message) for f in failures)
        skipped = UNKNOWN_FILE if found_kind is None and not errors else None
        return ReadResult(
            path,
            containers=tuple(self.containers),
            errors=errors,
            kind=found_kind,
            skipped=skipped,
            images=tuple(self.images),
            comments=comments(data),
        )


def _read_json(data: bytes, path: str, kind: SourceKind | None) -> ReadResult | None:
    """JSON is read as JSON (``jsonwalk``), positions included.

    Returns None when the text is not JSON after all and the file is not named ``.json``
    (``{a: b}`` is a YAML flow mapping): it is then read as YAML.
    """
    from stopsignal.readers import jsonwalk

    named = path.lower().endswith(".json") or kind is SourceKind.IMAGE_CONFIG
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a BOM is not a column (as for YAML)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        if not named:
            return None
        line = data.count(b"\n", 0, error.start) + 1
        column = len(data[data.rfind(b"\n", 0, error.start) + 1:error.start]
                     .decode("utf-8", "replace")) + 1
        return _json_failure(path, kind, ReadFailure(
            f"invalid JSON: not UTF-8 (byte 0x{data[error.start]:02x})", line, column))
    try:
        jsonwalk.validate(text)
    except RecursionError:
        return _json_failure(path, kind, ReadFailure("invalid JSON: nested too deeply"))
    except ValueError as error:  # JSONDecodeError, or a number of more than 4,300 digits
        if not named:
            return None
        line, column = getattr(error, "lineno", 1), getattr(error, "colno", 1)
        reason = getattr(error, "msg", None) or str(error).split(":")[0]
        return _json_failure(path, kind, ReadFailure(f"invalid JSON: {reason}", line, column))
    found = _Found()
    failures: list[ReadFailure] = []
    try:
        found.read(jsonwalk.JsonWalk(path, text), jsonwalk.root(text), kind, is_json=True)
    except ReadFailure as failure:
        failures.append(failure)
    except RecursionError:  # a value nested too deeply for the C scanner's own stack
        failures.append(ReadFailure("invalid JSON: nested too deeply"))
    return found.result(data, path, kind, failures)


def _json_failure(path: str, kind: SourceKind | None, failure: ReadFailure) -> ReadResult:
    return ReadResult(path, errors=(ReadError(path, failure.line, failure.column,
                                              failure.message),), kind=kind)


def _first(kinds: set[SourceKind]) -> SourceKind | None:
    for kind in (SourceKind.KUBERNETES, SourceKind.COMPOSE, SourceKind.IMAGE_CONFIG):
        if kind in kinds:
            return kind
    return None
