"""A read-only reader of bbolt files (go.etcd.io/bbolt, file format version 2).

Podman 4 keeps its containers' configs in BoltDB (newer podman may use SQLite), and no
maintained Python library reads that format; what ``inspect`` needs is a few lookups, so this is the
part of bbolt's ``page.go``, ``node.go`` and ``db.go`` that reading takes. Anything not
understood (magic, version, checksum, page kind) raises ``BoltError``; the caller then
asks the engine instead, so a layout guess never decides a result.

The file is read whole under a shared ``flock``, as bbolt's own read-only open does: a
writer (podman opens the file read-write, exclusively, per operation) cannot change it
meanwhile, so the two meta pages and the tree are one consistent snapshot.
"""

from __future__ import annotations

import fcntl
import os
import struct
import time
from collections.abc import Iterator

MAGIC = 0xED0CDAED
VERSION = 2
PAGE_HEADER = struct.Struct("<QHHI")  # id, flags, count, overflow
META = struct.Struct("<IIIIQQQQQQ")  # magic, version, page size, flags, root, sequence,
#                                      freelist, high water mark, txid, checksum
ELEMENT = struct.Struct("<IIII")  # leaf: flags, pos, ksize, vsize; branch: pos, ksize, pgid
BRANCH, LEAF = 0x01, 0x02
BUCKET_FLAG = 0x01  # a leaf element whose value is a bucket header (root, sequence)
MAX_DEPTH = 32  # a B+tree of 4 kB pages is a few levels deep; more means a loop


class BoltError(Exception):
    """The file is not a bbolt database this reader understands, or it is locked."""


class Bucket:
    """A bucket of a snapshot: its keys, values and nested buckets."""

    def __init__(self, db: BoltFile, root: int, inline: bytes | None = None) -> None:
        self.db, self.root, self.inline = db, root, inline

    def items(self) -> Iterator[tuple[bytes, bytes, bool]]:
        """(key, value, is a bucket) in key order."""
        try:
            if self.inline is not None:
                yield from self.db.leaf_items(self.inline, 0)
            else:
                yield from self.db.walk(self.root)
        except struct.error as error:  # an offset past the end: a damaged file
            raise BoltError(f"a page runs past the end of the file ({error})") from None

    def values(self) -> dict[bytes, bytes]:
        """The keys that hold values (not buckets)."""
        return {key: value for key, value, is_bucket in self.items() if not is_bucket}

    def buckets(self) -> dict[bytes, Bucket]:
        """The nested buckets, by key."""
        return {key: self.db.bucket_of(value) for key, value, is_bucket in self.items()
                if is_bucket}


class BoltFile:
    """One consistent snapshot of a bbolt file."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        metas = [meta for meta in (self._meta(0), self._meta(1)) if meta]
        if not metas:
            raise BoltError("no valid meta page (not a bbolt file, or another version)")
        self.page_size, root, _txid = max(metas, key=lambda meta: meta[2])
        self.root = Bucket(self, root)

    @classmethod
    def read(cls, path: str, lock_timeout: float = 1.0) -> BoltFile:
        """Read ``path`` under a shared lock; BoltError when a writer holds it too long."""
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            deadline = time.monotonic() + lock_timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise BoltError(f"{path} stayed locked by a writer") from None
                    time.sleep(0.005)
            with os.fdopen(os.dup(fd), "rb") as handle:
                data = handle.read()
        finally:
            os.close(fd)  # closing the last descriptor releases the lock
        return cls(data)

    def _meta(self, number: int) -> tuple[int, int, int] | None:
        """(page size, root, txid) of meta page 0 or 1; None when it is not valid."""
        if len(self.data) < PAGE_HEADER.size + META.size:
            return None
        size = META.unpack_from(self.data, PAGE_HEADER.size)[2]  # page 0 says the page size
        offset = number * size + PAGE_HEADER.size
        if not size or offset + META.size > len(self.data):
            return None
        magic, version, page_size, _flags, root, _seq, _free, _hwm, txid, checksum = \
            META.unpack_from(self.data, offset)
        if magic != MAGIC or version != VERSION or checksum != _fnv64a(
                self.data[offset:offset + META.size - 8]):
            return None
        return page_size, root, txid

    def page(self, pgid: int) -> tuple[bytes, int]:
        offset = pgid * self.page_size
        if offset + PAGE_HEADER.size > len(self.data):
            raise BoltError(f"page {pgid} lies past the end of the file")
        return self.data, offset

    def walk(self, pgid: int, depth: int = 0) -> Iterator[tuple[bytes, bytes, bool]]:
        if depth > MAX_DEPTH:
            raise BoltError(f"the tree is deeper than {MAX_DEPTH} pages (a damaged file)")
        data, offset = self.page(pgid)
        _id, flags, count, _overflow = PAGE_HEADER.unpack_from(data, offset)
        if flags & LEAF:
            yield from self.leaf_items(data, offset)
        elif flags & BRANCH:
            for index in range(count):
                at = offset + PAGE_HEADER.size + index * ELEMENT.size
                _pos, _ksize, child = struct.unpack_from("<IIQ", data, at)
                yield from self.walk(child, depth + 1)
        else:
            raise BoltError(f"page {pgid} is neither a branch nor a leaf (flags {flags:#x})")

    def leaf_items(self, data: bytes, offset: int) -> Iterator[tuple[bytes, bytes, bool]]:
        _id, flags, count, _overflow = PAGE_HEADER.unpack_from(data, offset)
        if not flags & LEAF:
            raise BoltError(f"expected a leaf page, found flags {flags:#x}")
        for index in range(count):
            at = offset + PAGE_HEADER.size + index * ELEMENT.size
            element_flags, pos, ksize, vsize = ELEMENT.unpack_from(data, at)
            key = data[at + pos:at + pos + ksize]
            value = data[at + pos + ksize:at + pos + ksize + vsize]
            if len(key) != ksize or len(value) != vsize:
                raise BoltError("a leaf element runs past the end of the file")
            yield key, value, bool(element_flags & BUCKET_FLAG)

    def bucket_of(self, header: bytes) -> Bucket:
        root, _sequence = struct.unpack_from("<QQ", header, 0)
        # root 0: an inline bucket, its one leaf page stored in the value after the header
        return Bucket(self, root, header[16:] if root == 0 else None)


def _fnv64a(data: bytes) -> int:
    value = 0xCBF29CE484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value
