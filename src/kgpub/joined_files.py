"""Files read, and hashed, one after the other as one.

A dump file kept as volumes (:mod:`kgpub.dump_volumes`) is its volumes joined: the web app
streams them as one file, with ranges (:meth:`kgpub.dump_catalog.DumpCatalog.open`); a build
copies byte ranges of the previous build's file from them; and the file's SHA-256 is that of
its volumes joined. Each part is given with its size, as the catalog or the parts index
records it, so a part that is not that size is an error rather than a silent short read.
"""

from __future__ import annotations

import bisect
import fcntl
import hashlib
import io
import mmap
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO


def hash_parts(digest: hashlib._Hash, parts: Iterable[tuple[Path, int]]) -> None:
    """Add these files to ``digest``, each checked against its size.

    Mapped rather than read: on our 2-core machine hashing a 1.2 GB set from the page cache
    took 0.91 s mapped against 1.11 s read into a buffer.
    """
    for path, size in parts:
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size != size:
                raise OSError(f"{path} is not the size its catalog says")
            if size:
                with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                    digest.update(mapped)


def sha256_of_parts(parts: Iterable[tuple[Path, int]]) -> str:
    """The SHA-256 of these files joined, each checked against its size."""
    digest = hashlib.sha256()
    hash_parts(digest, parts)
    return digest.hexdigest()


class JoinedFile(io.RawIOBase):
    """Files read one after the other as one, with ``seek`` (for ranges) and ``tell``."""

    def __init__(self, parts: list[tuple[Path, int]], *, hold: Path | None = None) -> None:
        super().__init__()
        self._parts = parts
        self._starts = []
        position = 0
        for _, size in parts:
            self._starts.append(position)
            position += size
        self.size = position
        self._position = 0
        self._current: tuple[int, io.FileIO] | None = None
        self._hold: IO[bytes] | None = None
        if hold is not None:
            try:
                self._hold = hold.open("ab")
                fcntl.flock(self._hold, fcntl.LOCK_SH)
            except OSError:  # a folder that cannot be written: read without the lock
                self._hold = None
        if parts:  # a file removed since the catalog was read fails here, not midway
            self._current = (0, io.FileIO(parts[0][0], "rb"))

    def readable(self) -> bool:  # noqa: D102 - io's own
        return True

    def seekable(self) -> bool:  # noqa: D102
        return True

    def tell(self) -> int:  # noqa: D102
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:  # noqa: D102
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self.size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        """Fill ``buffer`` from as many parts as it takes; short only at the end."""
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view) and self._position < self.size:
            index = bisect.bisect_right(self._starts, self._position) - 1
            if self._current is None or self._current[0] != index:
                self._close_part()
                self._current = (index, io.FileIO(self._parts[index][0], "rb"))
            handle = self._current[1]
            offset = self._position - self._starts[index]
            handle.seek(offset)
            wanted = min(len(view) - filled, self._parts[index][1] - offset)
            read = handle.readinto(view[filled : filled + wanted]) or 0
            if read == 0:
                raise OSError(f"{self._parts[index][0]} is shorter than its catalog says")
            self._position += read
            filled += read
        return filled

    def close(self) -> None:  # noqa: D102
        self._close_part()
        if self._hold is not None:
            self._hold.close()  # closing lets go of the lock
            self._hold = None
        super().close()

    def _close_part(self) -> None:
        if self._current is not None:
            self._current[1].close()
            self._current = None
