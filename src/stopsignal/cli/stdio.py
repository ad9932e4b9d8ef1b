"""stdin and stdout for `lint -` and `fix -`: bounded reads, writes that fail in one line.

A Helm post-renderer sits in a pipe: stdin may be closed, huge or binary, and
stdout may be a full device or a reader that went away. Each of these is a
one-line error and exit 2, never a traceback, and never exit 0 when the output
was not written.
"""

from __future__ import annotations

import contextlib
import os
import sys

from stopsignal.errors import StopSignalError, UsageError

# The readers' own limit (stopsignal.readers.read.MAX_BYTES), applied while reading.
MAX_STDIN = 20 * 1024 * 1024


class OutputError(StopSignalError):
    """stdout could not be written (a full device, a closed pipe)."""


def read_stdin(limit: int = MAX_STDIN) -> bytes:
    """All of stdin, or a UsageError once more than ``limit`` bytes have arrived."""
    stream = sys.stdin
    if stream is None:
        raise UsageError("<stdin>: stdin is closed: pipe a manifest stream into '-'")
    source = getattr(stream, "buffer", stream)
    try:
        data = source.read(limit + 1)  # stops after limit + 1 bytes: the rest is never held
    except (OSError, ValueError) as error:
        raise UsageError(f"<stdin>: cannot read: {getattr(error, 'strerror', None) or error}"
                         ) from error
    if isinstance(data, str):  # a text stream (tests swap sys.stdin)
        data = data.encode("utf-8", "surrogateescape")
    if len(data) > limit:
        raise UsageError(f"<stdin>: input too large (more than {limit // 2**20} MiB); "
                         "nothing was read")
    return bytes(data)


def decode_stdin(data: bytes) -> str:
    """UTF-8 text, or a UsageError naming the line of the first invalid byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        what = "binary input" if b"\x00" in data[:8192] else "not UTF-8 text"
        raise UsageError(f"{what} (invalid byte 0x{data[error.start]:02x}); nothing was read",
                         path="<stdin>", line=line) from error


def write_stdout(data: bytes) -> None:
    """Write and flush ``data`` to stdout; OutputError when it cannot be written."""
    stream = sys.stdout
    if stream is None:
        raise OutputError("cannot write the output: stdout is closed")
    try:
        stream.flush()
        stream.buffer.write(data)
        stream.buffer.flush()
    except OSError as error:
        _silence_stdout()
        raise OutputError(f"cannot write the output: {_reason(error)}") from error


def flush_stdout() -> None:
    """At exit: flush what the command wrote; a failure is one line and exit 2."""
    stream = sys.stdout
    if stream is None:
        return
    try:
        stream.flush()
    except OSError as error:
        _silence_stdout()
        sys.stderr.write(f"stopsignal: error: cannot write the output: {_reason(error)}\n")
        sys.exit(2)
    except ValueError:
        pass  # already closed by the command


def _reason(error: OSError) -> str:
    if isinstance(error, BrokenPipeError):
        return "the reader closed the pipe"
    return error.strerror or str(error)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's own flush at exit cannot fail
    again (and print "Exception ignored") with the bytes still buffered."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
