"""Writing a build's dump files from its segments, keeping what the previous build rendered.

:class:`PartsWriter` takes the segments of the new build in order (:mod:`kgpub.dump_quads`,
:mod:`kgpub.dump_triples`), and for each format either takes the segment's piece from the
previous build's file (linking whole volumes of them, :mod:`kgpub.dump_packs`) or has it
rendered (:mod:`kgpub.dump_pieces`, in worker processes when
there are many). Rendering runs a few segments ahead of writing, so the workers stay busy while
the files are written in order.

The gzipped N-Quads and N-Triples are always written, whatever the ``dump_formats`` setting:
they are where the next build reads the segments it changes from.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future
from pathlib import Path

from kgpub.dump_packs import PackWriter, PreviousPack
from kgpub.dump_parts import (
    PackInfo,
    PartsIndex,
    QuadSegment,
    SegmentOutcome,
    TripleSegment,
)
from kgpub.dump_pieces import PieceRenderer, Rendered, file_name, pack_layout
from kgpub.dump_quads import read_member
from kgpub.dump_volumes import VolumeFiles, ends_volume, volumes_folder

log = logging.getLogger(__name__)

Segment = QuadSegment | TripleSegment
LINES_PACK = {"quads": "nquads", "triples": "ntriples"}
"""The file a side's segments are read back from."""


class PartsWriter:
    """Writes the files of a new parts folder, segment by segment."""

    def __init__(
        self,
        parts: Path,
        renderer: PieceRenderer,
        previous: tuple[Path, PartsIndex] | None = None,
    ) -> None:
        self.parts = parts
        self.renderer = renderer
        self.previous = previous
        self.packs: dict[str, PackInfo] = {}
        self.seconds: dict[str, float] = {}
        """Seconds spent on each format (rendering and writing) and on parsing, for the
        benchmark; CPU time of the workers when they render."""
        self.rendered: dict[str, int] = {}
        """Segments rendered anew (rather than copied), per side."""
        self._previous_files: dict[str, VolumeFiles] = {}
        self._finishing: dict[str, PackWriter] = {}

    def read_previous(self, segment: Segment) -> bytes:
        """The lines of one of the previous build's segments."""
        if self.previous is None:
            raise ValueError("there is no previous build to read")  # a caller's bug
        name = LINES_PACK["quads" if isinstance(segment, QuadSegment) else "triples"]
        return read_member(self._previous_file(name).read(segment.pieces[name]))

    def _previous_file(self, name: str) -> VolumeFiles:
        """The previous build's file in format ``name``, through its volumes (made once)."""
        files = self._previous_files.get(name)
        if files is None:
            assert self.previous is not None  # noqa: S101 - the callers check
            folder, index = self.previous
            files = VolumeFiles(volumes_folder(folder, file_name(name)), index.packs[name].volumes)
            self._previous_files[name] = files
        return files

    def write(
        self, side: str, outcomes: Iterable[SegmentOutcome], formats: tuple[str, ...]
    ) -> list[Segment]:
        """Write the files of ``formats`` from one side's segments; the new index entries.

        :param side: ``quads`` or ``triples``; ``formats`` must start with its lines' format.
        """
        old_segments = self._previous_segments(side)
        writers = {
            name: PackWriter(
                volumes_folder(self.parts, file_name(name)),
                pack_layout(name),
                self._previous_pack(name, old_segments),
            )
            for name in formats
        }
        copyable = {name for name, writer in writers.items() if writer.previous is not None}
        records: list[Segment] = []
        queue: deque[tuple[SegmentOutcome, Future[Rendered] | None]] = deque()
        self.rendered.setdefault(side, 0)
        try:
            for outcome in outcomes:
                records.append(outcome.record)
                missing = tuple(
                    name for name in formats if outcome.reused is None or name not in copyable
                )
                future = None
                if missing:
                    lines = outcome.lines
                    if lines is None and outcome.reused is not None:
                        lines = self.read_previous(outcome.reused)  # untouched; a new format
                    future = self.renderer.submit(lines or b"", missing)
                    self.rendered[side] += 1
                queue.append((outcome, future))
                while len(queue) > self.renderer.window:
                    self._place(*queue.popleft(), writers)
            while queue:
                self._place(*queue.popleft(), writers)
            for writer in writers.values():
                writer.end()  # each file is finished and hashed on its thread: see finish()
        except BaseException:
            for writer in writers.values():
                writer.abort()
            raise
        self._finishing.update(writers)
        return records

    def finish(self) -> None:
        """Wait until every file is written and hashed; their figures go in :attr:`packs`.

        The files of both sides are hashed at once, each on its own thread.

        :raises OSError: when one could not be written.
        """
        try:
            for name, writer in self._finishing.items():
                self.packs[name] = writer.result()
                self._spent(name, writer.seconds)
        except BaseException:
            self.abort()
            raise
        self._finishing = {}

    def abort(self) -> None:
        """Stop the threads of any file not finished (after a failure)."""
        writers, self._finishing = self._finishing, {}
        for writer in writers.values():
            writer.abort()

    def _place(
        self,
        outcome: SegmentOutcome,
        future: Future[Rendered] | None,
        writers: dict[str, PackWriter],
    ) -> None:
        rendered = future.result() if future is not None else None
        if rendered is not None:
            for name, seconds in rendered.seconds.items():
                self._spent(name, seconds)
        record = outcome.record
        last_of_volume = ends_volume(record)
        for name, writer in writers.items():
            if rendered is not None and name in rendered.pieces:
                placed = writer.write(rendered.pieces[name], record.digest)
            else:
                assert outcome.reused is not None  # noqa: S101 - else it was rendered
                placed = writer.reuse(outcome.reused.pieces[name], record.digest)
            record.pieces[name] = placed
            if last_of_volume:
                writer.end_volume()

    def _spent(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def _previous_segments(self, side: str) -> list[Segment]:
        if self.previous is None:
            return []
        index = self.previous[1]
        return list(index.quad_segments if side == "quads" else index.triple_segments)

    def _previous_pack(self, name: str, old_segments: list[Segment]) -> PreviousPack | None:
        """The previous build's file of this format, if its pieces can be copied."""
        if self.previous is None or not old_segments:
            return None
        info = self.previous[1].packs.get(name)
        if info is None or info.layout != pack_layout(name).digest:
            return None  # not written, or under another layout or renderer: render anew
        if any(name not in segment.pieces for segment in old_segments):
            return None
        return PreviousPack(info, self._previous_file(name))
