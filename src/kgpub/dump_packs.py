"""Writing one dump file from its pieces: new ones, and ranges of the previous build's file.

A dump file is a header, one piece per segment joined by a separator, and a footer (for
JSON-LD ``[``, ``,`` and ``]``; for Turtle and TriG the ``@prefix`` lines, nothing and
nothing; for the gzipped files nothing at all, each piece being a gzip member of its own,
which gzip readers join). :class:`PackWriter` writes them in order, counting and hashing the
bytes as they go:

- a piece that did not change is copied from the previous build's file, and runs of them are
  copied as one range, so an incremental build writes most of each file at disk speed;
- when every piece of the previous file comes back, unchanged and in order, the file is
  hard-linked instead, with its size and checksum, and nothing is copied.
"""

from __future__ import annotations

import hashlib
import os
import queue
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kgpub.dump_parts import PackInfo, Range

COPY_CHUNK_BYTES = 1 << 20
SINK_QUEUE = 32
"""Writes and copies a file's thread may be behind by: bounds the pieces held in memory."""


@dataclass(frozen=True)
class PackLayout:
    """What surrounds and separates the pieces of a file of one format."""

    header: bytes
    separator: bytes
    footer: bytes
    empty: bytes
    """The whole file when the dataset is empty."""
    digest: str
    """Names the layout and the renderer: pieces are only reused under the same one."""


@dataclass(frozen=True)
class PreviousPack:
    """The previous build's file of the same format, to copy unchanged pieces from."""

    path: Path
    info: PackInfo
    span: Range
    """From the start of its first piece to the end of its last."""
    pieces: int


class PackWriter:
    """Writes one dump file, piece by piece, in order.

    The bytes are written, copied and hashed by a thread of the writer's own, so the files of
    a build are written side by side (hashing and file I/O let go of the GIL) while the
    caller goes on with the next segment.
    """

    def __init__(self, path: Path, layout: PackLayout, previous: PreviousPack | None) -> None:
        self.path = path
        self.layout = layout
        self.previous = previous
        self.pieces = 0
        self._position = len(layout.header)
        self._pending: list[int] | None = None
        self._sink: _Sink | None = None
        self._linked: PackInfo | None = None

    @property
    def seconds(self) -> float:
        """Time spent writing, copying and hashing, for the benchmark."""
        return self._sink.seconds if self._sink is not None else 0.0

    def reuse(self, piece: Range) -> Range:
        """Take a piece of the previous file unchanged; where it lies in this one."""
        start, end = piece
        separator = self.layout.separator
        pending = self._pending
        if pending is not None and pending[1] + len(separator) == start:
            pending[1] = end  # contiguous there too: the separator between comes along
        else:
            self._flush_pending()
            if self.pieces:
                self._emit(separator)
            self._pending = [start, end]
        return self._advance(end - start)

    def write(self, piece: bytes) -> Range:
        """Add a newly rendered piece; where it lies in this file."""
        self._flush_pending()
        if self.pieces:
            self._emit(self.layout.separator)
        self._emit(piece)
        return self._advance(len(piece))

    def end(self) -> None:
        """Send the last bytes: what is left to copy, and the footer (see :meth:`result`)."""
        previous = self.previous
        if (
            previous is not None
            and self._sink is None
            and self._pending == list(previous.span)
            and self.pieces == previous.pieces
        ):  # every piece of the previous file, in order: the same file
            self._pending = None
            _link_or_copy(previous.path, self.path)
            self._linked = previous.info
            return
        self._flush_pending()
        if self.pieces:
            self._emit(self.layout.footer)
        else:
            self._sink_started().write(self.layout.empty)

    def result(self) -> PackInfo:
        """Wait for the file to be written; its size and SHA-256.

        :raises OSError: when it could not be written.
        """
        if self._linked is not None:
            return self._linked
        sink = self._sink_started()
        sink.finish()
        return PackInfo(sink.size, sink.digest.hexdigest(), self.layout.digest)

    def abort(self) -> None:
        """Stop writing (the file is left as it is, for the caller to delete)."""
        if self._sink is not None:
            try:
                self._sink.finish()
            except OSError:
                pass  # the caller is already failing for a reason of its own

    def _advance(self, size: int) -> Range:
        if self.pieces:
            self._position += len(self.layout.separator)
        start = self._position
        self._position += size
        self.pieces += 1
        return start, self._position

    def _sink_started(self) -> _Sink:
        if self._sink is None:
            source = self.previous.path if self.previous is not None else None
            self._sink = _Sink(self.path, source)
        return self._sink

    def _emit(self, data: bytes) -> None:
        if self._sink is None:
            self._sink_started().write(self.layout.header)
        self._sink_started().write(data)

    def _flush_pending(self) -> None:
        if self._pending is None:
            return
        start, end = self._pending
        self._pending = None
        if self._sink is None:
            self._sink_started().write(self.layout.header)
        self._sink_started().copy(start, end)


class _Sink:
    """One file written on a thread of its own: bytes to write, ranges to copy, in order."""

    def __init__(self, path: Path, source: Path | None) -> None:
        self.path = path
        self.source = source
        self.size = 0
        self.digest = hashlib.sha256()
        self.seconds = 0.0
        self._failure: OSError | None = None
        self._queue: queue.Queue[bytes | tuple[int, int] | None] = queue.Queue(SINK_QUEUE)
        self._thread = threading.Thread(target=self._run, name=f"writing {path.name}")
        self._thread.start()

    def write(self, data: bytes) -> None:
        """Append these bytes."""
        self._queue.put(data)

    def copy(self, start: int, end: int) -> None:
        """Append these bytes of the source file."""
        self._queue.put((start, end))

    def finish(self) -> None:
        """Wait until everything is written.

        :raises OSError: when something could not be.
        """
        self._queue.put(None)
        self._thread.join()
        if self._failure is not None:
            raise self._failure

    def _run(self) -> None:
        output: IO[bytes] | None = None
        source: IO[bytes] | None = None
        try:
            while (task := self._queue.get()) is not None:
                if self._failure is not None:
                    continue  # keep taking tasks, so the caller never waits on a full queue
                started = time.perf_counter()
                try:
                    if output is None:
                        output = self.path.open("wb")
                    if isinstance(task, bytes):
                        self._write(output, task)
                    else:
                        if source is None:
                            source = self._open_source()
                        self._copy(source, output, *task)
                except OSError as error:
                    self._failure = error
                self.seconds += time.perf_counter() - started
        finally:
            for handle in (output, source):
                if handle is None:
                    continue
                try:
                    handle.close()
                except OSError as error:  # its last buffered bytes did not fit on the disk
                    self._failure = self._failure or error

    def _open_source(self) -> IO[bytes]:
        if self.source is None:
            raise ValueError("a piece was reused without a previous file")  # a caller's bug
        return self.source.open("rb")

    def _write(self, output: IO[bytes], data: bytes) -> None:
        output.write(data)
        self.digest.update(data)
        self.size += len(data)

    def _copy(self, source: IO[bytes], output: IO[bytes], start: int, end: int) -> None:
        source.seek(start)
        remaining = end - start
        while remaining > 0:
            data = source.read(min(COPY_CHUNK_BYTES, remaining))
            if not data:
                raise OSError(f"{self.source} ends before byte {end}")
            self._write(output, data)
            remaining -= len(data)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, say
        shutil.copyfile(source, target)
