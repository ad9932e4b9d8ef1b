"""Replace a file atomically: a reader sees the old content or the new, never a mixture.

The new content goes to a temporary file in the same folder (so the rename stays
on one filesystem), is flushed and fsynced, gets the old file's owner, then its
mode (in that order: chown clears the setuid and setgid bits) and its extended
attributes, and is renamed over the old name; then the folder is fsynced so the
rename itself survives a crash. A symlink is followed: its target is replaced,
the link stays.

What is refused (``UnsafeWrite``, nothing is touched):

* a target outside ``within`` (a symlink in a tree pointing out of it);
* a file with several hard links: a rename would split them (the other names
  would keep the old content), and writing in place cannot be atomic, so the
  file is left for the user (``fix --diff`` shows the change).

While it is written, the temporary file is locked (``flock``). A run killed with
SIGKILL leaves it behind; ``stale_temporaries`` finds such files in a folder (the
lock of a dead process is gone, so a file still locked belongs to a live run and
is never touched) and the caller removes them.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
import tempfile
from pathlib import Path

SUFFIX = ".stopsignal-tmp"
# mkstemp's names: the prefix, eight random characters, the suffix.
_TEMPORARY = re.compile(r"\A\.(?P<name>.+)\.[A-Za-z0-9_]{8}" + re.escape(SUFFIX) + r"\Z")


class UnsafeWrite(Exception):
    """A write that would reach outside the tree or split hard links; nothing was written."""


def write_atomic(path: str, data: bytes, *, within: str | None = None) -> None:
    """Replace ``path`` with ``data``; ``within`` bounds where a followed symlink may lead.

    Raises ``UnsafeWrite`` (nothing touched) or ``OSError`` (nothing changed, no
    temporary file left).
    """
    target = Path(path).resolve()
    if within is not None and not _inside(target, Path(within).resolve()):
        raise UnsafeWrite(f"{path} is a symlink to {target}, outside {within}: not written")
    info = target.stat()
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeWrite(f"{path} is not a regular file: not written")
    if info.st_nlink > 1:
        raise UnsafeWrite(f"{path} has {info.st_nlink} hard links; replacing it would split "
                          "them and an in-place write is not atomic: not written "
                          "(fix --diff shows the change)")
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=SUFFIX)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            fcntl.flock(stream.fileno(), fcntl.LOCK_EX)
            stream.write(data)
            stream.flush()
            _copy_metadata(stream.fileno(), target, info)
            os.fsync(stream.fileno())
            temporary.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _sync_folder(target.parent)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _copy_metadata(descriptor: int, source: Path, info: os.stat_result) -> None:
    # Owner first: chown (even to the same owner) clears setuid/setgid, chmod restores them.
    with contextlib.suppress(OSError):  # only root may give a file away; keep what we can
        os.fchown(descriptor, info.st_uid, info.st_gid)
    os.fchmod(descriptor, stat.S_IMODE(info.st_mode))
    try:
        names = os.listxattr(source)
    except OSError:
        return  # a filesystem without xattrs
    for name in names:
        try:
            os.setxattr(descriptor, name, os.getxattr(source, name))
        except OSError as error:
            # security.* (SELinux labels, capabilities) may be root's to set; the file
            # keeps its content and mode, and the folder's default label applies.
            if error.errno not in (errno.EPERM, errno.EACCES, errno.ENOTSUP):
                raise


def stale_temporaries(folder: str) -> list[str]:
    """Temporary files a killed run left in ``folder`` (not locked by a live one)."""
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if not entry.name.endswith(SUFFIX) or not _TEMPORARY.match(entry.name):
            continue
        with contextlib.suppress(OSError):
            if not entry.is_file(follow_symlinks=False):
                continue
            descriptor = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live run is writing it
            finally:
                os.close(descriptor)
            found.append(entry.path)
    return sorted(found)


def _sync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some filesystems cannot fsync a directory; the rename is still atomic
    finally:
        os.close(descriptor)
