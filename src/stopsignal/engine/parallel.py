"""Lint files chunk by chunk, on one core or several, with the result of ``lint_results``.

Reading YAML is most of lint's time and every file is independent, so files are
cut into chunks and each file is linted as soon as it is read: no read result
outlives its chunk, which keeps memory flat and the garbage collector idle. With
several workers, chunks go to forked processes (the parent is one of them),
handed out through a pipe that holds every chunk's number, so a worker slowed down
by other load simply takes fewer. Results come back per chunk and are merged in
file order, then folded and sorted as ``lint_results`` does.

One thing crosses files: images. ``lint_results`` registers every image config
among the inputs (and every Containerfile named for the image it builds) before it
joins any container. A chunk cannot know the images of the chunks after it (or of
another worker's), so chunks report the images they read and the image references
of the containers they could not join; the chunks with a container whose reference
one of those images matches are linted again, with every image registered first.
The result is that of ``lint_results``, chunk for chunk.

A chunk a worker did not report (the worker died) is linted by the parent.
Without ``os.fork`` lint runs in one process.

Why not ``concurrent.futures.ProcessPoolExecutor``: ``benchmarks/own_vs_library.py``
runs the same chunks through one (fork context, results merged by the same code).
Linting the kyverno corpus with 2 workers on 2 cores it took 1.08x the wall time of
this pool (3.48 s against 3.21 s, medians of 5): its parent only dispatches and
unpickles, so two workers are three processes and the parent's core idles, while
here the parent is a worker. A pool also turns a dead worker into
``BrokenProcessPool`` (here its chunks are redone) and has no way to start fewer
workers when ``fork`` fails for lack of processes (here the workers started do the
work).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from stopsignal.config import Config
from stopsignal.engine import ImageBinding, Linter, LintResult
from stopsignal.engine.duplicates import fold
from stopsignal.engine.images import ImageEvent, image_events, normalize_ref
from stopsignal.engine.lookup import ImageLookup
from stopsignal.readers import read_path

if TYPE_CHECKING:
    from stopsignal.engine.builds import Build

#: Auto (``--jobs`` not given): below this many files, forking costs more than it saves
#: (measured: 200 corpus files take 18 ms on one core and on two; 400 take 29 and 27 ms).
MIN_FILES = 300
#: Auto: at most this many processes (peak RSS adds up: each takes 15-20 MiB on the corpus).
MAX_AUTO_JOBS = 4
_CHUNK_MAX = 64  # files per chunk: small enough to balance, large enough to be cheap
_MAX_CHUNKS = 4096  # chunk numbers (4 bytes each) must fit in one pipe buffer (64 KiB)


class Part(NamedTuple):
    """What one chunk produced: its lint result, images it read, references it left unjoined."""

    result: LintResult
    events: list[ImageEvent]
    unjoined: set[str]


def workers_for(jobs: int | None, files: int) -> int:
    """How many processes to use for ``files`` files; ``jobs`` None means auto."""
    if not hasattr(os, "fork") or files < 2:
        return 1
    if jobs is None:
        if files < MIN_FILES:
            return 1
        jobs = min(_cpus(), MAX_AUTO_JOBS)
    return max(1, min(jobs, files))


def _cpus() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)


def lint_files(files: Sequence[str], config: Config, images: Sequence[ImageBinding],
               workers: int, builds: Sequence[Build] = (),
               lookup: ImageLookup | None = None) -> LintResult:
    """``lint_results`` over ``files``, read and checked by ``workers`` processes."""
    size = max(1, min(_CHUNK_MAX, -(-len(files) // (workers * 8))))
    size = max(size, -(-len(files) // _MAX_CHUNKS))
    chunks = [files[start:start + size] for start in range(0, len(files), size)]

    def linter(events: Iterable[ImageEvent]) -> Linter:
        made = Linter(config, images=images, builds=builds, lookup=lookup)
        made.register(events)
        return made

    first = linter(())
    parts = _run(chunks, range(len(chunks)), first, workers, collect=True)
    events = [event for part in parts for event in part.events]
    if events:
        keys = {normalize_ref(ref) for _, ref, _ in events if ref}
        again = [index for index, part in enumerate(parts)
                 if any(normalize_ref(ref) in keys for ref in part.unjoined)]
        if again:
            redone = _run(chunks, again, linter(events), min(workers, len(again)),
                          collect=False)
            for index, part in zip(again, redone, strict=True):
                parts[index] = part
    outcome = LintResult()
    outcome.warnings.extend(first.warnings)
    for part in parts:
        result = part.result
        outcome.findings.extend(result.findings)
        outcome.errors.extend(result.errors)
        outcome.skipped.extend(result.skipped)
        outcome.notes.extend(note for note in result.notes if note not in outcome.notes)
        outcome.files += result.files
        outcome.containers += result.containers
        outcome.suppressed += result.suppressed
        outcome.warnings.extend(result.warnings)
    outcome.findings = fold(outcome.findings)
    return outcome


def _lint_chunk(files: Sequence[str], linter: Linter, collect: bool) -> Part:
    into = LintResult()
    events: list[ImageEvent] = []
    unjoined: set[str] = set()
    for path in files:
        result = read_path(path)
        if collect:
            events.extend(image_events(result))
            unjoined.update(container.image for container in result.containers
                            if container.image and (container.image_config is None
                                                    or not container.image_config.base_known))
        linter.lint_result(result, into)
    return Part(into, events, unjoined)


def _run(chunks: Sequence[Sequence[str]], wanted: Sequence[int], linter: Linter, workers: int,
         *, collect: bool) -> list[Part]:
    """Lint the chunks numbered ``wanted`` on ``workers`` processes; parts in ``wanted`` order."""
    done: dict[int, Part] = {}
    if workers > 1:
        done = _forked(chunks, wanted, linter, workers, collect)
    return [done[index] if index in done else _lint_chunk(chunks[index], linter, collect)
            for index in wanted]


def _forked(chunks: Sequence[Sequence[str]], wanted: Sequence[int], linter: Linter,
            workers: int, collect: bool) -> dict[int, Part]:
    import contextlib
    import pickle
    import signal

    queue_read, queue_write = os.pipe()
    os.write(queue_write, b"".join(index.to_bytes(4, "little") for index in wanted))
    os.close(queue_write)  # written whole before any worker starts: a read gets 4 bytes or EOF
    children: list[tuple[int, int]] = []  # (pid, fd of its result pipe, -1 once closed)
    done: dict[int, Part] = {}
    try:
        for _ in range(workers - 1):
            result_read, result_write = os.pipe()
            try:
                pid = os.fork()
            except OSError:  # no process or memory to spare: the workers started will do
                os.close(result_read)
                os.close(result_write)
                break
            if pid == 0:  # the worker: lint until the queue is empty, send the parts, exit
                os.close(result_read)
                _child(chunks, queue_read, result_write, linter, collect)
            os.close(result_write)
            children.append((pid, result_read))
        done.update(_work(chunks, queue_read, linter, collect))
        while children:
            pid, result_read = children[0]
            children[0] = (pid, -1)
            with os.fdopen(result_read, "rb") as pipe:
                data = pipe.read()
            os.waitpid(pid, 0)
            children.pop(0)
            # Our own child wrote it; cut short (killed while writing), its chunks are redone.
            with contextlib.suppress(Exception):
                done.update(pickle.loads(data) if data else {})
    finally:
        os.close(queue_read)
        for pid, result_read in children:  # interrupted: do not leave workers behind
            if result_read >= 0:
                os.close(result_read)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    return done


def _work(chunks: Sequence[Sequence[str]], queue: int, linter: Linter,
          collect: bool) -> dict[int, Part]:
    done: dict[int, Part] = {}
    while len(record := os.read(queue, 4)) == 4:
        index = int.from_bytes(record, "little")
        done[index] = _lint_chunk(chunks[index], linter, collect)
    return done


def _child(chunks: Sequence[Sequence[str]], queue: int, out: int, linter: Linter,
           collect: bool) -> None:
    import pickle

    code = 0
    try:
        done = _work(chunks, queue, linter, collect)
        with os.fdopen(out, "wb") as pipe:
            pickle.dump(done, pipe, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:  # noqa: BLE001 - the parent lints what a worker did not report
        code = 1
    finally:
        os._exit(code)
