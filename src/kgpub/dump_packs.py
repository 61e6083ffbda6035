"""Writing one dump file from its pieces: new ones, and pieces of the previous build's file.

A dump file is a header, one piece per segment joined by a separator, and a footer (for
JSON-LD ``[``, ``,`` and ``]``; for Turtle and TriG the ``@prefix`` lines, nothing and
nothing; for the gzipped files nothing at all, each piece being a gzip member of its own,
which gzip readers join). It is kept as volumes (:mod:`kgpub.dump_volumes`): the header, runs
of whole pieces, and the footer. :class:`PackWriter` takes the pieces in order:

- a volume whose pieces all come back unchanged, in the same order, is the previous build's
  volume of the same name: it is hard-linked, and nothing is copied or written;
- any other volume is written: new pieces as they come, unchanged ones copied from the
  previous build's volumes, runs of them as one range.

A file written afresh (no previous build) is hashed volume by volume as it is written. A file
written from the previous build's keeps that build's SHA-256 if every volume came back; if
not, its checksum is left to be made once the build is published
(:func:`kgpub.dump_publication.complete_checksums`): hashing the whole of a 1.2 GB set takes
0.8–0.9 s on our 2-core machine, threads or processes alike, more than all else a build of
one changed article does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kgpub.dump_parts import PackInfo, Range, Volume
from kgpub.dump_volumes import VolumeFiles, VolumeSink, volume_name


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
    """The previous build's file of the same format, to take unchanged pieces from."""

    info: PackInfo
    volumes: VolumeFiles


@dataclass
class _OpenVolume:
    """The volume being filled: its pieces' digests, and what it holds until it is written."""

    opens_file: bool
    digests: list[str] = field(default_factory=list)
    size: int = 0
    held: list[bytes | Range] = field(default_factory=list)
    """Separators and reused ranges, while the volume may still be an old one."""
    writing: bool = False
    """Whether it has a new piece, so it is being written (and ``held`` went to the sink)."""
    tail: Range | None = None
    """The last reused range, which the next reused piece may extend."""


class PackWriter:
    """Writes one dump file as volumes, piece by piece, in order (see the module's docs).

    The caller says where volumes end (:meth:`end_volume`), so every file of a build is cut
    at the same segments. Positions returned are offsets in the whole file.
    """

    def __init__(self, folder: Path, layout: PackLayout, previous: PreviousPack | None) -> None:
        self.folder = folder
        self.layout = layout
        self.previous = previous
        self.pieces = 0
        self.volumes: list[Volume] = []
        self._position = 0
        self._open: _OpenVolume | None = None
        self._sink: VolumeSink | None = None

    @property
    def seconds(self) -> float:
        """Time spent writing, copying, linking and hashing, for the benchmark."""
        return self._sink.seconds if self._sink is not None else 0.0

    def write(self, piece: bytes, digest: str) -> Range:
        """Add a newly rendered piece, whose lines have ``digest``; where it lies in the file."""
        volume = self._volume()
        if not volume.writing:
            volume.writing = True
            self._sink_started().begin()
            for held in volume.held:
                self._send(held)
            volume.held.clear()
        self._settle_tail(volume)
        if self.pieces:
            self._send(self.layout.separator)
        self._send(piece)
        return self._advance(volume, len(piece), digest)

    def reuse(self, piece: Range, digest: str) -> Range:
        """Take a piece of the previous file unchanged; where it lies in this one."""
        volume = self._volume()
        start, end = piece
        separator = self.layout.separator
        if volume.tail is not None and volume.tail[1] + len(separator) == start and self.pieces:
            volume.tail = (volume.tail[0], end)  # contiguous there too: the separator comes along
        else:
            self._settle_tail(volume)
            if self.pieces and separator:
                self._hold(volume, separator)
            volume.tail = piece
        return self._advance(volume, end - start, digest)

    def end_volume(self) -> None:
        """End the volume being filled, if any: link the previous build's equal, or write it."""
        volume, self._open = self._open, None
        if volume is None:
            return
        self._settle_tail(volume)
        name = volume_name(self.layout.digest, str(volume.opens_file), *volume.digests)
        sink = self._sink_started()
        if not volume.writing and self.previous is not None and name in self.previous.volumes.names:
            sink.link(name)
        else:
            if not volume.writing:
                sink.begin()
                for held in volume.held:
                    self._send(held)
            sink.end(name)
        self._add_volume(Volume(name, volume.size))

    def end(self) -> None:
        """End the file: its last volume, the footer, and its checksum (see :meth:`result`)."""
        self.end_volume()
        if self.pieces:
            self._fixed_volume("footer", self.layout.footer)
        else:
            self._fixed_volume("empty", self.layout.empty)

    def result(self) -> PackInfo:
        """Wait for the file to be written; its size, SHA-256 and volumes.

        The SHA-256 is empty when it is yet to be made (see the module's docs).

        :raises OSError: when it could not be written.
        """
        sink = self._sink_started()
        sink.finish()
        sha256 = sink.sha256
        previous = self.previous
        if previous is not None and tuple(self.volumes) == previous.info.volumes:
            sha256 = previous.info.sha256  # the same file (its checksum may still be pending)
        return PackInfo(self._position, sha256, self.layout.digest, tuple(self.volumes))

    def abort(self) -> None:
        """Stop writing (what was written is left for the caller to delete)."""
        if self._sink is not None:
            try:
                self._sink.finish()
            except OSError:
                pass  # the caller is already failing for a reason of its own

    def _volume(self) -> _OpenVolume:
        if self._open is None:
            if not self.volumes:
                self._fixed_volume("header", self.layout.header)
            self._open = _OpenVolume(opens_file=self.pieces == 0)
        return self._open

    def _fixed_volume(self, kind: str, content: bytes) -> None:
        """A volume of fixed bytes: the header, the footer, or the whole of an empty file."""
        if not content:
            return
        name = volume_name(self.layout.digest, kind)
        sink = self._sink_started()
        if self.previous is not None and name in self.previous.volumes.names:
            sink.link(name)
        else:
            sink.begin()
            sink.write(content)
            sink.end(name)
        self._add_volume(Volume(name, len(content)))
        self._position += len(content)

    def _add_volume(self, volume: Volume) -> None:
        self.volumes.append(volume)
        if self.previous is None:  # written afresh: hashed on the file's thread as it goes
            self._sink_started().hash([volume])

    def _advance(self, volume: _OpenVolume, size: int, digest: str) -> Range:
        if self.pieces:
            self._position += len(self.layout.separator)
            volume.size += len(self.layout.separator)
        start = self._position
        self._position += size
        volume.size += size
        volume.digests.append(digest)
        self.pieces += 1
        return start, self._position

    def _settle_tail(self, volume: _OpenVolume) -> None:
        if volume.tail is not None:
            tail, volume.tail = volume.tail, None
            self._hold(volume, tail)

    def _hold(self, volume: _OpenVolume, item: bytes | Range) -> None:
        if volume.writing:
            self._send(item)
        else:
            volume.held.append(item)

    def _send(self, item: bytes | Range) -> None:
        sink = self._sink_started()
        if isinstance(item, bytes):
            if item:
                sink.write(item)
        else:
            sink.copy(item)

    def _sink_started(self) -> VolumeSink:
        if self._sink is None:
            previous = self.previous.volumes if self.previous is not None else None
            self._sink = VolumeSink(self.folder, previous)
        return self._sink
