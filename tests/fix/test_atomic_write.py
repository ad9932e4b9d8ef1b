"""Atomic writes: a process killed at any point of the write leaves either the original
file or the complete new one, never a mixture; file modes survive."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from stopsignal.fixing.atomic import write_atomic

CASE = Path(__file__).parent / "cases" / "pod-systemd-openshift49"
SOURCE = CASE / "pod-stopsignal-systemd.yaml"
EXPECTED = CASE / "pod-stopsignal-systemd.yaml.expected"

# Run `stopsignal fix` in a child whose chosen step announces itself on stderr and
# then blocks, so the test can SIGKILL it exactly there.
CHILD = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    step, path = sys.argv[1], sys.argv[2]

    def pause(name, real):
        def wrapper(*args, **kwargs):
            if name == step:
                sys.stderr.write("PAUSED\\n"); sys.stderr.flush(); time.sleep(120)
            return real(*args, **kwargs)
        return wrapper

    os.fsync = pause("fsync", os.fsync)
    Path.replace = pause("replace", Path.replace)
    import stopsignal.fixing.atomic as atomic
    atomic._sync_folder = pause("sync-folder", atomic._sync_folder)
    from stopsignal.cli import main
    main(["fix", "--engine", "openshift@4.9", path])
""")


def _kill_at(step: str, tmp_path: Path) -> Path:
    target = tmp_path / SOURCE.name
    target.write_bytes(SOURCE.read_bytes())
    with subprocess.Popen([sys.executable, "-c", CHILD, step, str(target)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as child:
        assert child.stderr is not None
        line = child.stderr.readline()
        child.send_signal(signal.SIGKILL)
        rest = child.stderr.read()
        child.wait(timeout=30)
    assert line.strip() == "PAUSED", line + rest
    assert child.returncode == -signal.SIGKILL
    return target


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_killed_before_the_rename_leaves_the_original(step: str, tmp_path: Path) -> None:
    target = _kill_at(step, tmp_path)
    assert target.read_bytes() == SOURCE.read_bytes()
    leftovers = [path.name for path in tmp_path.iterdir() if path != target]
    # The temporary file may remain (nothing can clean up after SIGKILL); it is hidden
    # and named for what it is.
    assert all(name.startswith(f".{target.name}.") and name.endswith(".stopsignal-tmp")
               for name in leftovers)


def test_killed_after_the_rename_leaves_the_complete_new_file(tmp_path: Path) -> None:
    target = _kill_at("sync-folder", tmp_path)
    assert target.read_bytes() == EXPECTED.read_bytes()
    assert [path for path in tmp_path.iterdir() if path != target] == []


def test_mode_is_kept_and_symlinks_are_followed(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    write_atomic(str(link), b"new\n")
    assert link.is_symlink()
    assert real.read_text() == "new\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(path.name for path in tmp_path.iterdir()) == ["link.yaml", "real.yaml"]


def test_a_failed_write_leaves_the_original(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "pod.yaml"
    target.write_text("old\n")

    def broken(descriptor: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(str(target), b"new\n")
    assert target.read_text() == "old\n"
    assert [path.name for path in tmp_path.iterdir()] == ["pod.yaml"]
