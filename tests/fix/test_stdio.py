"""`fix -` and `lint -` in a pipe: closed, huge or binary stdin, a full or closed stdout.

Each is one line on stderr and a non-zero exit (2), never a traceback. These run the
real executable: pipes and file descriptors are the point.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CASE = Path(__file__).parent / "cases" / "pod-systemd-openshift49"
POD = (CASE / "pod-stopsignal-systemd.yaml").read_bytes()
STOPSIGNAL = [sys.executable, "-c", "from stopsignal.cli import main; main()"]
COMMANDS = [("fix", "--engine", "openshift@4.9", "-"), ("lint", "--engine", "openshift@4.9", "-")]


def _one_error(stderr: str, expected: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("stopsignal: error: "), stderr
    assert expected in lines[0], stderr


@pytest.mark.parametrize("data", [b"kind: Pod\n\xff\xfe\n", b"\x00\x01\x02binary\xff"])
def test_fix_rejects_invalid_utf8_and_binary_input(data: bytes) -> None:
    done = subprocess.run([*STOPSIGNAL, "fix", "-"], input=data, capture_output=True,
                          timeout=60, check=False)
    assert done.returncode == 2 and done.stdout == b""
    _one_error(done.stderr.decode(), "<stdin>:")


@pytest.mark.parametrize("command", COMMANDS, ids=["fix", "lint"])
def test_a_closed_stdin_is_one_line(command: tuple[str, ...]) -> None:
    done = subprocess.run([*STOPSIGNAL, *command], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=60, check=False, close_fds=True,
                          preexec_fn=lambda: __import__("os").close(0))
    assert done.returncode == 2
    _one_error(done.stderr, "stdin is closed")


@pytest.mark.parametrize("command", COMMANDS, ids=["fix", "lint"])
def test_the_size_limit_applies_while_reading(command: tuple[str, ...]) -> None:
    """100 MiB offered: the reader stops after its 20 MiB limit (the writer sees the pipe
    close) and says so; it never holds the rest."""
    with subprocess.Popen([*STOPSIGNAL, *command], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdin is not None
        chunk = b"# padding\n" * 104857
        written = 0
        try:
            for _ in range(100):
                child.stdin.write(chunk)
                written += len(chunk)
            child.stdin.close()
        except BrokenPipeError:
            pass
        _, err = child.communicate(timeout=120)
    assert child.returncode == 2
    assert written < 100 * len(chunk)  # the pipe closed before everything was sent
    _one_error(err.decode(), "input too large")


@pytest.mark.parametrize("command", COMMANDS, ids=["fix", "lint"])
def test_a_full_device_on_stdout_is_one_line_and_exit_2(command: tuple[str, ...],
                                                        tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    pod = tmp_path / "pod.yaml"
    pod.write_bytes(POD)
    with pod.open("rb") as source, open("/dev/full", "wb") as full:  # noqa: PTH123
        done = subprocess.run([*STOPSIGNAL, *command], stdin=source, stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120, check=False)
    assert done.returncode == 2
    _one_error(done.stderr, "cannot write the output: No space left on device")


@pytest.mark.parametrize("command", COMMANDS, ids=["fix", "lint"])
def test_a_reader_that_went_away_is_not_success(command: tuple[str, ...],
                                                tmp_path: Path) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_bytes(b"---\n".join([POD] * 200))  # more than a pipe buffer of output
    with pod.open("rb") as source:
        child = subprocess.Popen([*STOPSIGNAL, *command], stdin=source,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert child.stdout is not None and child.stderr is not None
        child.stdout.close()  # the reader goes away before anything is written
        err = child.stderr.read().decode()
        child.stderr.close()
        assert child.wait(timeout=120) == 2
    _one_error(err, "cannot write the output: the reader closed the pipe")
