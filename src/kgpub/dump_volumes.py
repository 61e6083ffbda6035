"""A dump file kept as volumes: runs of whole pieces, each a file named by what it holds.

At 100k articles the dump files weigh 1.2 GB. Kept as single files, a build that changed one
article copied all of them into new files and then flushed them to disk: two of the three
seconds such a build took. Kept as volumes of about :data:`SEGMENTS_PER_VOLUME` segments, a
build writes only the volumes holding a changed piece and hard-links every other one from
the previous build, so it writes megabytes, not the whole set. A file is its volumes joined
in order (:meth:`kgpub.dump_catalog.DumpCatalog.open`); ``kgpub export --dumps`` joins them
into plain files (:func:`kgpub.dump_catalog.join_volumes`).

Where a volume ends depends on the data alone (a digest of a segment's last key), as where a
segment ends does: a change touches the volume around it, and the others keep their names.
A volume's name is a digest of the layout, of whether it opens the file, and of its pieces'
lines: a volume of the next build with the same name holds the same bytes.

:class:`VolumeSink` writes, links and (for a file written afresh) hashes one file's volumes,
in order, on a thread of its own, so the files of a build are written side by side while the
caller goes on with the next segment.
"""

from __future__ import annotations

import hashlib
import os
import queue
import shutil
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from kgpub.dump_parts import QuadSegment, Range, TripleSegment, Volume
from kgpub.joined_files import JoinedFile, hash_parts

SEGMENTS_PER_VOLUME = 16
"""About 4 MB of JSON-LD and 2 MB of Turtle per volume at 100k articles; 600 files in all."""
COPY_CHUNK_BYTES = 1 << 20
SINK_QUEUE = 64
"""Tasks a file's thread may be behind by: bounds the pieces held in memory."""
WRITING = ".writing"
"""The volume being written, renamed to its name once whole."""


def ends_volume(segment: QuadSegment | TripleSegment) -> bool:
    """Whether a volume ends after this segment: one segment key in :data:`SEGMENTS_PER_VOLUME`.

    A digest of its own, as the segments' own cut uses the key's CRC: the two must not agree.
    """
    digest = hashlib.blake2b(segment.last.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % SEGMENTS_PER_VOLUME == 0


def volume_name(layout: str, *parts: bytes | str) -> str:
    """The name of a volume of a file under ``layout`` holding what ``parts`` name."""
    digest = hashlib.blake2b(layout.encode(), digest_size=16)
    for part in parts:
        digest.update(b"\0" + (part.encode() if isinstance(part, str) else part))
    return digest.hexdigest()


def volumes_folder(parts: Path, file_name: str) -> Path:
    """Where the volumes of the file ``file_name`` lie in a parts folder."""
    return parts / f"{file_name}.volumes"


class VolumeFiles:
    """The volumes of one written file, to read byte ranges of the file from."""

    def __init__(self, folder: Path, volumes: Sequence[Volume]) -> None:
        self.folder = folder
        self.volumes = tuple(volumes)
        self.names = {volume.name for volume in volumes}

    def parts(self) -> list[tuple[Path, int]]:
        """The files of the volumes, in order, with their sizes."""
        return [(self.folder / volume.name, volume.bytes) for volume in self.volumes]

    def open(self) -> JoinedFile:
        """The file, its volumes read as one."""
        return JoinedFile(self.parts())

    def read(self, piece: Range) -> bytes:
        """The file's bytes ``start:end``."""
        start, end = piece
        with self.open() as joined:
            joined.seek(start)
            data = joined.read(end - start)
        if len(data) != end - start:
            raise OSError(f"the volumes in {self.folder} end before byte {end}")
        return data


class VolumeSink:
    """Writes, links and hashes the volumes of one file, in order, on a thread of its own."""

    def __init__(self, folder: Path, previous: VolumeFiles | None) -> None:
        self.folder = folder
        self.previous = previous
        self._digest: hashlib._Hash | None = None
        self.seconds = 0.0
        self._failure: OSError | None = None
        self._output: IO[bytes] | None = None
        self._source: JoinedFile | None = None
        self._queue: queue.Queue[tuple[str, object] | None] = queue.Queue(SINK_QUEUE)
        self._thread = threading.Thread(target=self._run, name=f"writing {folder.name}")
        self._thread.start()

    def begin(self) -> None:
        """Start a new volume."""
        self._queue.put(("begin", None))

    def write(self, data: bytes) -> None:
        """Add these bytes to the volume being written."""
        self._queue.put(("write", data))

    def copy(self, piece: Range) -> None:
        """Add these bytes of the previous build's file to the volume being written."""
        self._queue.put(("copy", piece))

    def end(self, name: str) -> None:
        """Finish the volume being written, under ``name``."""
        self._queue.put(("end", name))

    def link(self, name: str) -> None:
        """Take the previous build's volume called ``name`` as it is."""
        self._queue.put(("link", name))

    def hash(self, volumes: Sequence[Volume]) -> None:
        """Add these volumes, once written, to the file's checksum (see :attr:`sha256`)."""
        self._queue.put(("hash", tuple(volumes)))

    @property
    def sha256(self) -> str:
        """The SHA-256 of the volumes hashed, once finished; empty when none was."""
        return self._digest.hexdigest() if self._digest is not None else ""

    def finish(self) -> None:
        """Wait until everything is done.

        :raises OSError: when something could not be.
        """
        self._queue.put(None)
        self._thread.join()
        if self._failure is not None:
            raise self._failure

    def _run(self) -> None:
        try:
            while (task := self._queue.get()) is not None:
                if self._failure is not None:
                    continue  # keep taking tasks, so the caller never waits on a full queue
                started = time.perf_counter()
                try:
                    self._do(*task)
                except OSError as error:
                    self._failure = error
                self.seconds += time.perf_counter() - started
        finally:
            for handle in (self._output, self._source):
                if handle is None:
                    continue
                try:
                    handle.close()
                except OSError as error:  # its last buffered bytes did not fit on the disk
                    self._failure = self._failure or error

    def _do(self, action: str, argument: object) -> None:
        if action == "begin":
            self.folder.mkdir(parents=True, exist_ok=True)
            self._output = (self.folder / WRITING).open("wb")
        elif action == "write":
            assert isinstance(argument, bytes) and self._output is not None  # noqa: S101
            self._output.write(argument)
        elif action == "copy":
            assert isinstance(argument, tuple) and self._output is not None  # noqa: S101
            self._copy(*argument)
        elif action == "end":
            assert isinstance(argument, str) and self._output is not None  # noqa: S101
            output, self._output = self._output, None
            output.close()
            os.replace(self.folder / WRITING, self.folder / argument)
        elif action == "link":
            assert isinstance(argument, str) and self.previous is not None  # noqa: S101
            self.folder.mkdir(parents=True, exist_ok=True)
            link_or_copy(self.previous.folder / argument, self.folder / argument)
        elif action == "hash":
            assert isinstance(argument, tuple)  # noqa: S101
            if self._digest is None:
                self._digest = hashlib.sha256()
            hash_parts(self._digest, [(self.folder / v.name, v.bytes) for v in argument])

    def _copy(self, start: int, end: int) -> None:
        if self.previous is None:
            raise ValueError("a piece was reused without a previous file")  # a caller's bug
        assert self._output is not None  # noqa: S101
        if self._source is None:
            self._source = self.previous.open()
        self._source.seek(start)
        remaining = end - start
        while remaining > 0:
            data = self._source.read(min(COPY_CHUNK_BYTES, remaining))
            if not data:
                raise OSError(f"the volumes in {self.previous.folder} end before byte {end}")
            self._output.write(data)
            remaining -= len(data)


def link_or_copy(source: Path, target: Path) -> None:
    """Hard-link ``source`` as ``target``, or copy it where links cannot be made."""
    try:
        os.link(source, target)
    except FileExistsError:
        target.unlink()
        os.link(source, target)
    except OSError:  # another file system, say
        shutil.copyfile(source, target)
