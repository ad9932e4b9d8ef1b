"""Fault injection for `stopsignal fix`: what the file system refuses or loses never costs data,
never crashes the run, and is reported per file.

Read-only files and folders, a full disk, symlinks in and out of the tree, hard links,
setuid bits and extended attributes, alias bombs, and SIGKILL at random points over a
2,000-file tree.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import random
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_runner import invoke

CASE = Path(__file__).parent / "cases" / "pod-systemd-openshift49"
OLD = (CASE / "pod-stopsignal-systemd.yaml").read_bytes()
NEW = (CASE / "pod-stopsignal-systemd.yaml.expected").read_bytes()
ENGINE = ("--engine", "openshift@4.9")
STOPSIGNAL = [sys.executable, "-c", "from stopsignal.cli import main; main()"]


def _run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = invoke(["fix", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def _pod(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(OLD)
    return path


def _as_unprivileged() -> list[str]:
    """A prefix that runs a command without the power to ignore file permissions."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner",
            "--inh-caps=-dac_override,-dac_read_search,-fowner"]


def _fix_process(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*_as_unprivileged(), *STOPSIGNAL, "fix", *ENGINE, *args],
                          capture_output=True, text=True, timeout=300, check=False)


def test_a_read_only_folder_costs_one_line_and_the_other_files_are_fixed(tmp_path: Path) -> None:
    locked = _pod(tmp_path / "tree" / "a-locked" / "pod.yaml")
    files = [_pod(tmp_path / "tree" / f"b{index}" / "pod.yaml") for index in range(2)]
    locked.parent.chmod(0o555)
    try:
        done = _fix_process(str(tmp_path / "tree"))
    finally:
        locked.parent.chmod(0o755)
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("stopsignal: error:")]
    assert errors == [(f"stopsignal: error: {locked}: cannot write: Permission denied "
                       "(file left unchanged)")]
    assert "Traceback" not in done.stderr
    assert locked.read_bytes() == OLD
    assert all(path.read_bytes() == NEW for path in files)
    assert "Fixed 2 findings in 2 files; 1 remain." in done.stdout
    assert sorted(path.name for path in locked.parent.iterdir()) == ["pod.yaml"]


def test_a_read_only_file_in_a_writable_folder_is_replaced_with_its_mode(tmp_path: Path) -> None:
    # Replacing a file needs the folder's permission, not the file's (as sed -i does).
    pod = _pod(tmp_path / "pod.yaml")
    pod.chmod(0o444)
    done = _fix_process(str(pod))
    assert done.returncode == 0, done.stderr
    assert pod.read_bytes() == NEW
    assert stat.S_IMODE(pod.stat().st_mode) == 0o444


@contextlib.contextmanager
def _small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs when this process may mount one (root), else None."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        yield mount
        return
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "stopsignal-test", str(mount)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        yield mount
        return
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_costs_one_line_per_file_and_leaves_no_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with _small_disk(tmp_path) as disk:
        files = [_pod(disk / f"pod{index}.yaml") for index in range(3)]
        if os.path.ismount(disk):
            # Fill what is left: the fixed files are larger than the originals.
            filler = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
            with contextlib.suppress(OSError):
                while os.write(filler, b"x" * 4096):
                    pass
            os.close(filler)
        else:  # no tmpfs here: the kernel's answer, injected where it comes
            from stopsignal.fixing import atomic

            def full(descriptor: int) -> None:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            monkeypatch.setattr(atomic.os, "fsync", full)
        code, out, err = _run(*ENGINE, *map(str, files))
        assert code == 2
        assert err.splitlines() == [f"stopsignal: error: {path}: cannot write: No space left on "
                                    "device (file left unchanged)" for path in files]
        assert all(path.read_bytes() == OLD for path in files)
        assert "Fixed 0 findings in 0 files; 3 remain." in out
        assert sorted(path.name for path in disk.iterdir() if path.name != "filler") == [
            "pod0.yaml", "pod1.yaml", "pod2.yaml"]


def test_a_symlink_out_of_the_tree_is_skipped_and_one_inside_is_fixed_once(tmp_path: Path,
                                                                           ) -> None:
    victim = _pod(tmp_path / "outside" / "victim.yaml")
    repo = tmp_path / "repo"
    inside = _pod(repo / "real.yaml")
    (repo / "link.yaml").symlink_to("../outside/victim.yaml")
    (repo / "same.yaml").symlink_to("real.yaml")
    code, out, err = _run(*ENGINE, str(repo))
    assert code == 0, err
    assert victim.read_bytes() == OLD
    assert inside.read_bytes() == NEW
    assert f"{repo}/link.yaml is a symlink to {victim}, outside {repo}: skipped" in err
    assert "Fixed 1 finding in 1 file; 0 remain." in out
    assert (repo / "same.yaml").is_symlink()
    # Named on the command line, a symlink is the user's choice and is followed.
    code, _, _ = _run(*ENGINE, str(repo / "link.yaml"))
    assert code == 0 and victim.read_bytes() == NEW and (repo / "link.yaml").is_symlink()


def test_a_file_with_hard_links_is_refused_with_a_note(tmp_path: Path) -> None:
    pod = _pod(tmp_path / "repo" / "pod.yaml")
    other = tmp_path / "elsewhere.yaml"
    os.link(pod, other)
    code, out, err = _run(*ENGINE, str(tmp_path / "repo"))
    assert code == 1
    assert "has 2 hard links" in err and "not written" in err
    assert pod.read_bytes() == OLD and pod.samefile(other)
    assert "Fixed 0 findings in 0 files; 1 remain." in out
    assert "--unsafe-fixes" not in out  # it is a safe fix, refused for the file's sake


def test_setuid_setgid_owner_and_extended_attributes_are_kept(tmp_path: Path) -> None:
    pod = _pod(tmp_path / "pod.yaml")
    if os.geteuid() == 0:
        os.chown(pod, 65534, 65534)
    pod.chmod(0o6750)  # after chown, which clears the bits
    try:
        os.setxattr(pod, "user.stopsignal-test", b"kept")
    except OSError:
        pytest.skip("this file system has no user extended attributes")
    before = pod.stat()
    code, _, err = _run(*ENGINE, str(pod))
    assert code == 0, err
    after = pod.stat()
    assert pod.read_bytes() == NEW
    assert stat.S_IMODE(after.st_mode) == 0o6750
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    assert os.getxattr(pod, "user.stopsignal-test") == b"kept"


def test_stale_temporary_files_are_removed_unless_a_live_run_holds_them(tmp_path: Path) -> None:
    pod = _pod(tmp_path / "pod.yaml")
    stale = tmp_path / ".pod.yaml.a1b2c3d4.stopsignal-tmp"
    stale.write_bytes(OLD[:10])
    live = tmp_path / ".pod.yaml.live0000.stopsignal-tmp"
    live.write_bytes(b"")
    unrelated = tmp_path / ".notes.stopsignal-tmp"
    unrelated.write_bytes(b"mine")
    with live.open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        code, _, err = _run("--diff", *ENGINE, str(pod))
        assert code == 1 and stale.exists()
        assert f"{stale} was left by an interrupted fix" in err
        code, _, err = _run(*ENGINE, str(pod))
    assert code == 0
    assert f"removed {stale}, left by an interrupted fix" in err
    assert not stale.exists() and live.exists() and unrelated.exists()


def test_an_alias_bomb_is_refused_quickly_in_files_and_on_stdin(tmp_path: Path) -> None:
    lines = ["apiVersion: v1", "kind: Pod", "metadata: {name: p}", "spec:", "  containers:",
             "  - name: c", "    image: quay.io/x/systemd", '    command: ["/sbin/init"]',
             "  bomb:", '    a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"    a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n")
    code, out, err = _run(*ENGINE, str(bomb))
    assert code == 1 and "once YAML aliases are expanded" in err
    assert "1 remain." in out
    assert bomb.read_text() == "\n".join(lines) + "\n"
    code, out, err = _run(*ENGINE, "-", stdin=bomb.read_bytes())
    assert code == 1 and out == "" and "once YAML aliases are expanded" in err


def test_a_fix_that_cannot_apply_is_counted_as_remaining_and_not_called_fixable(
        tmp_path: Path) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                   "  - name: c\n    image: quay.io/x/systemd\n    command: [/sbin/init]\n"
                   '    lifecycle: "oops"\n')
    for extra in ((), ("--unsafe-fixes",)):
        code, out, err = _run(*ENGINE, *extra, str(pod))
        assert code == 1, err
        assert "lifecycle is not a mapping" in out
        assert "fixable" not in out
        assert "Fixed 0 findings in 0 files; 1 remain." in out


def test_sigkill_at_random_points_over_2000_files(tmp_path: Path) -> None:
    """Every file is wholly old or wholly new after each kill; the next run finishes the job
    and leaves no temporary file behind."""
    tree = tmp_path / "tree"
    files = [_pod(tree / f"d{index % 20:02d}" / f"pod{index:04d}.yaml") for index in range(2000)]
    chooser = random.Random(os.environ.get("PYTEST_SEED", "stopsignal"))
    killed = 0
    for _ in range(3):
        with subprocess.Popen([*STOPSIGNAL, "fix", *ENGINE, str(tree)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as child:
            time.sleep(chooser.uniform(0.8, 4.0))
            child.kill()
            killed += child.wait(timeout=60) == -9
        contents = [path.read_bytes() for path in files]
        assert all(content in (OLD, NEW) for content in contents)
    assert killed >= 1  # at least one run was interrupted mid-tree
    done = subprocess.run([*STOPSIGNAL, "fix", *ENGINE, str(tree)], capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert all(path.read_bytes() == NEW for path in files)
    strays = [name for _, _, names in os.walk(tree) for name in names
              if not name.endswith(".yaml")]
    assert strays == []
