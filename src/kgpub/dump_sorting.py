"""Sorting more lines than fit in memory: sorted runs on disk, merged as they are read.

The dump set is kept sorted (quads by graph, triples by subject, see :mod:`kgpub.dump_parts`).
A full build hands it every quad at once (4M at 100k articles), which as Python byte strings
would take well over a gigabyte; :class:`ExternalSort` keeps at most ``budget_bytes`` of them
in memory, writes each full buffer out as a sorted run, and merges the runs while they are
read back. An incremental build's few changes never leave memory.

Items are byte strings holding no newline (N-Quads lines and keys built from them), sorted as
bytes. Equal items are all kept: callers decide whether a repeat is a duplicate or a count.
"""

from __future__ import annotations

import heapq
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import IO

SORT_BUDGET_BYTES = 96 * 1024 * 1024
"""Bytes of items held before a run is written: with Python's overhead per byte string (about
50 bytes on a line of 250), some 120 MB of memory, whatever the size of the dataset."""
RUN_BUFFER_BYTES = 1 << 20
EXTEND_BATCH = 4096


class ExternalSort:
    """Byte strings in, the same byte strings out in sorted order; bounded memory."""

    def __init__(self, scratch: Path, *, budget_bytes: int | None = None) -> None:
        self.scratch = scratch
        self.budget_bytes = SORT_BUDGET_BYTES if budget_bytes is None else budget_bytes
        self.count = 0
        self._items: list[bytes] = []
        self._held_bytes = 0
        self._runs: list[IO[bytes]] = []

    def add(self, item: bytes) -> None:
        """Take one item (it must not contain a newline)."""
        self._items.append(item)
        self._held_bytes += len(item)
        self.count += 1
        if self._held_bytes >= self.budget_bytes:
            self._write_run()

    def extend(self, items: Iterable[bytes]) -> None:
        """Take every item of ``items``."""
        remaining = iter(items)
        while batch := list(islice(remaining, EXTEND_BATCH)):
            self._items.extend(batch)
            self._held_bytes += sum(map(len, batch))
            self.count += len(batch)
            if self._held_bytes >= self.budget_bytes:
                self._write_run()

    def sorted_items(self) -> Iterator[bytes]:
        """Every item taken, in byte order; the sort is used up once this is read."""
        self._items.sort()
        if not self._runs:
            items, self._items = self._items, []
            yield from items
            return
        self._write_run()
        yield from heapq.merge(*(_read_run(run) for run in self._runs))

    def close(self) -> None:
        """Delete the runs on disk and drop what is held."""
        for run in self._runs:
            run.close()  # a temporary file: closing deletes it
        self._runs.clear()
        self._items.clear()

    def __enter__(self) -> ExternalSort:
        return self

    def __exit__(self, *failure: object) -> None:
        self.close()

    def _write_run(self) -> None:
        if not self._items:
            return
        self._items.sort()
        run = tempfile.TemporaryFile(dir=self.scratch, buffering=RUN_BUFFER_BYTES)
        try:
            run.write(b"\n".join(self._items))
            run.write(b"\n")
            run.seek(0)
        except OSError:
            run.close()
            raise
        self._runs.append(run)
        self._items = []
        self._held_bytes = 0


def _read_run(run: IO[bytes]) -> Iterator[bytes]:
    for line in run:
        yield line[:-1]
