"""Run the command line in this process, as ``stopsignal ARGS`` would, with captured streams.

``invoke(["lint", "pod.yaml"])`` calls ``stopsignal.cli.main`` with stdin, stdout and stderr
replaced by in-memory text streams over byte buffers (stopsignal writes some output to
``sys.stdout.buffer``), and returns the exit code and what was written: ``stdout``,
``stderr``, and ``output``, both in the order they were written, as a terminal shows them.
An exception other than SystemExit is a bug and propagates to the test.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from stopsignal.cli import main


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout_bytes: bytes
    stderr_bytes: bytes
    output_bytes: bytes

    @property
    def stdout(self) -> str:
        return self.stdout_bytes.decode("utf-8", "replace")

    @property
    def stderr(self) -> str:
        return self.stderr_bytes.decode("utf-8", "replace")

    @property
    def output(self) -> str:
        return self.output_bytes.decode("utf-8", "replace")


class _Tee(io.BytesIO):
    """A stream's own bytes, also appended to the shared ``output``."""

    def __init__(self, output: io.BytesIO) -> None:
        super().__init__()
        self.output = output

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.output.write(data)
        return super().write(data)


def invoke(args: Sequence[str], input: str | bytes | None = None,
           env: Mapping[str, str | None] | None = None) -> Result:
    """Run ``stopsignal ARGS``; ``input`` is stdin, ``env`` is set (None: unset) meanwhile."""
    data = input.encode("utf-8") if isinstance(input, str) else (input or b"")
    output = io.BytesIO()
    out, err = _Tee(output), _Tee(output)
    streams = (io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"),
               io.TextIOWrapper(out, encoding="utf-8", write_through=True),
               io.TextIOWrapper(err, encoding="utf-8", write_through=True))
    code: int = 0
    with _environment(env or {}), _streams(*streams):
        try:
            main(list(args))
        except SystemExit as exit_:
            if isinstance(exit_.code, str):
                sys.stderr.write(exit_.code + "\n")
                code = 1
            else:
                code = exit_.code or 0
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
    return Result(code, out.getvalue(), err.getvalue(), output.getvalue())


@contextlib.contextmanager
def _streams(stdin: io.TextIOWrapper, stdout: io.TextIOWrapper,
             stderr: io.TextIOWrapper) -> Iterator[None]:
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
    try:
        yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


@contextlib.contextmanager
def _environment(env: Mapping[str, str | None]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in env}
    try:
        for name, value in env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
