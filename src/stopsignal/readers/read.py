"""read_path / read_text: pick the reader for a file and never let an exception escape."""

from __future__ import annotations

import os
import re
import stat

from stopsignal.model import Container, ImageConfig, SourceKind
from stopsignal.readers import compose, kubernetes
from stopsignal.readers.files import is_oci_layout, is_rendered_input, kind_by_name
from stopsignal.readers.result import UNKNOWN_FILE, ReadError, ReadFailure, ReadResult
from stopsignal.readers.walk import Walk
from stopsignal.readers.yamlnodes import NODE_BUDGET, comments, documents

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
    is_json = path.lower().endswith(".json") or (first is not None and first.group(1) in b"{[")
    if is_json:
        checked = _check_json(data, path, kind)
        if isinstance(checked, ReadFailure):
            return ReadResult(path, errors=(ReadError(path, checked.line, checked.column,
                                                      checked.message),), kind=kind)
        if checked is not None:
            data = checked
    if is_json and b"\t" in data:
        # JSON allows tabs between tokens, YAML does not; a raw tab cannot sit inside a
        # JSON string, so replacing them changes no value and no position.
        data = data.replace(b"\t", b" ")
    failures: list[ReadFailure] = []
    containers: list[Container] = []
    images: list[ImageConfig] = []
    kinds: set[SourceKind] = set()

    everything = is_json or kind is SourceKind.IMAGE_CONFIG

    def want(chunk: bytes) -> bool:
        return everything or kubernetes.wanted(chunk) or compose.wanted(chunk)

    for document in documents(data, want, failures):
        if document.root is None:
            continue
        walk = Walk(path, document)
        try:
            fields = walk.fields(document.root)
            if "kind" in fields and kind in (None, SourceKind.KUBERNETES):
                kinds.add(SourceKind.KUBERNETES)
                containers.extend(kubernetes.read_document(walk, document.root, fields))
                continue
            if (
                "services" in fields
                and kind in (None, SourceKind.COMPOSE)
                and compose.is_compose(walk, document.root, named=kind is SourceKind.COMPOSE)
            ):
                kinds.add(SourceKind.COMPOSE)
                containers.extend(compose.read_document(walk, document.root))
                continue
            if (is_json and kind is None) or kind is SourceKind.IMAGE_CONFIG:
                from stopsignal.readers import image_config

                found = image_config.read_json_document(walk, document.root)
                if found is not None:
                    kinds.add(SourceKind.IMAGE_CONFIG)
                    images.extend(found[0])
                    containers.extend(found[1])
                    continue
        except ReadFailure as failure:
            failures.append(failure)
    if not kinds and kind is None and b"apiVersion" in data and b"kind" in data:
        kinds.add(SourceKind.KUBERNETES)  # objects that were only syntax-checked
    found_kind = kind or _first(kinds)
    errors = tuple(ReadError(path, f.line, f.column, f.message) for f in failures)
    skipped = UNKNOWN_FILE if found_kind is None and not errors else None
    return ReadResult(
        path,
        containers=tuple(containers),
        errors=errors,
        kind=found_kind,
        skipped=skipped,
        images=tuple(images),
        comments=comments(data),
    )


# A JSON escape of a UTF-16 surrogate (pair): libyaml rejects them in quoted scalars.
_SURROGATES = re.compile(
    rb"(?<!\\)((?:\\\\)*)\\u([dD][89abAB][0-9a-fA-F]{2})(?:\\u([dD][c-fC-F][0-9a-fA-F]{2}))?"
    rb"|(?<!\\)((?:\\\\)*)\\u([dD][c-fC-F][0-9a-fA-F]{2})"
)


def _check_json(data: bytes, path: str, kind: SourceKind | None) -> bytes | ReadFailure | None:
    """JSON is read as JSON first: syntax errors and size are the json module's to judge.

    Then the same text is composed by libyaml for positions (JSON is YAML, but for
    escapes of UTF-16 surrogates, which are rewritten here). Returns the text to
    compose, a failure, or None when the text is not JSON after all (``{a: b}`` is a
    YAML flow mapping) and is read as YAML.
    """
    import json

    try:
        value = json.loads(data)
    except RecursionError:
        return ReadFailure("invalid JSON: nested too deeply")
    except ValueError as error:  # JSONDecodeError, or a number of more than 4,300 digits
        if not (path.lower().endswith(".json") or kind is SourceKind.IMAGE_CONFIG):
            return None
        line, column = getattr(error, "lineno", 1), getattr(error, "colno", 1)
        reason = getattr(error, "msg", None) or str(error).split(":")[0]
        return ReadFailure(f"invalid JSON: {reason}", line, column)
    count = _count_values(value, NODE_BUDGET)
    if count > NODE_BUDGET:
        return ReadFailure(f"JSON too large to read: more than {NODE_BUDGET:,} values in one "
                           "document (the reader's limit per document); split the List")
    if b"\\u" in data and _SURROGATES.search(data):
        return _SURROGATES.sub(_yaml_escape, data)
    return data


def _count_values(value: object, budget: int) -> int:
    """Values in parsed JSON, counted up to ``budget + 1`` (no aliases: a plain tree)."""
    count = 0
    stack = [value]
    while stack and count <= budget:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
            count += len(item)  # the keys
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _yaml_escape(match: re.Match[bytes]) -> bytes:
    """A surrogate pair as YAML's 8-digit escape; a lone surrogate (valid JSON, no
    character) as U+FFFD, the replacement character, as a UTF-8 decoder would."""
    if match.group(5) is not None:
        return match.group(4) + b"\\uFFFD"
    high, low = match.group(2), match.group(3)
    if low is None:
        return match.group(1) + b"\\uFFFD"
    code = 0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00)
    return match.group(1) + b"\\U%08X" % code


def _first(kinds: set[SourceKind]) -> SourceKind | None:
    for kind in (SourceKind.KUBERNETES, SourceKind.COMPOSE, SourceKind.IMAGE_CONFIG):
        if kind in kinds:
            return kind
    return None
