"""``--output FILE``: a report replaces FILE atomically, so CI never uploads half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from stopsignal.errors import UsageError


def write_report(path: str, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``.

    A new file gets the usual mode (0666 less the umask), an existing one keeps its
    own. Any failure is one line naming the file; the old content stays whole.
    """
    target = Path(path)
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    except OSError as error:
        raise UsageError(f"{path}: cannot write the report: {error.strerror}") from None
    temporary: Path | None = None
    try:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                        suffix=".tmp")
        temporary = Path(name)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.chmod(mode)
        temporary.replace(target)
    except OSError as error:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()
        raise UsageError(f"{path}: cannot write the report: {error.strerror or error}") from None
