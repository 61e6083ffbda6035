"""The quad segments of a new build: the previous build's, with its changes merged in.

Walks the previous build's quad segments (:mod:`kgpub.dump_parts`) in graph order alongside
the sorted additions. A segment no drop or addition falls in is passed on untouched (its
pieces are copied, never read). A touched one is read back from the previous gzipped N-Quads
(a few thousand quads), its dropped graphs removed and the new quads merged in, and cut again
where segments end; a new segment equal to an old one (same digest) reuses its pieces.

Every graph whose content changes sends its triples' changes on to the triple side, as
``N-Triples line + NUL + code`` (:data:`DELTA_CODES`): each graph holding a triple counts once
for it, and graphs other than the default and the ontology graph count towards the VoID
entity figures too. A full build is the same walk with no previous segments.
"""

from __future__ import annotations

import heapq
import zlib
from bisect import bisect_right
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import replace
from itertools import chain, groupby
from operator import itemgetter

from kgpub.dump_changes import DEFAULT_GRAPH, graph_token, triple_line
from kgpub.dump_parts import (
    GRAPHS_PER_QUAD_SEGMENT,
    QuadSegment,
    SegmentOutcome,
    ends_segment,
    lines_digest,
)
from kgpub.dump_sorting import ExternalSort
from kgpub.vocab import ONTOLOGY_IRI

ONTOLOGY_GRAPH = f"<{ONTOLOGY_IRI}>".encode()
DELTA_CODES = {(1, True): b"a", (1, False): b"b", (-1, True): b"c", (-1, False): b"d"}
"""(one graph more or less, the graph counts for entities) → the byte after a triple's NUL."""

Block = tuple[bytes, list[bytes]]
"""A graph token and its lines, sorted and distinct."""


def counts_for_entities(graph: bytes) -> bool:
    """Whether triples of this graph count towards the VoID entities and classes."""
    return graph != DEFAULT_GRAPH and graph != ONTOLOGY_GRAPH


def new_quad_segments(
    previous: list[QuadSegment],
    read_previous: Callable[[QuadSegment], bytes],
    additions: Iterable[bytes],
    dropped: Iterable[bytes],
    deltas: ExternalSort,
) -> Iterator[SegmentOutcome]:
    """The new build's quad segments, in order.

    :param read_previous: the lines of an old segment.
    :param additions: sorted ``graph token + NUL + line`` items (repeats allowed): by
        graph, then by line.
    :param dropped: the graphs whose old content is gone (a later addition may refill them).
    :param deltas: receives each changed triple, for the triple segments.
    """
    old_digests = {segment.digest: segment for segment in previous}
    drops = sorted(set(dropped))
    dropped_set = set(drops)
    added = _Peekable(_grouped(additions))
    pending: list[Block] = []
    lower = b""
    for index, old in enumerate(previous):
        upper = old.last.encode()
        if index == len(previous) - 1:  # the last segment takes whatever sorts after it
            touched = bool(pending) or added.more or _any_between(drops, lower, None)
            new_blocks: Iterable[Block] = added.rest()
        else:
            new_blocks = added.take_while(upper)
            touched = bool(pending or new_blocks) or _any_between(drops, lower, upper)
        lower = upper
        if not touched:
            yield SegmentOutcome(replace(old, pieces={}), None, old)
            continue
        merged = _merge(_blocks_of(read_previous(old)), new_blocks, dropped_set, deltas)
        pending = yield from _cut(chain(pending, merged), old_digests)
    if not previous:
        pending = yield from _cut(_merge([], added.rest(), dropped_set, deltas), old_digests)
    if pending:
        yield _outcome(pending, old_digests)


def _merge(
    old_blocks: list[Block], new_blocks: Iterable[Block], dropped: set[bytes], deltas: ExternalSort
) -> Iterator[Block]:
    """The blocks of old and new merged by graph, less the old content of dropped graphs."""
    sides = heapq.merge(
        ((graph, 0, lines) for graph, lines in old_blocks),
        ((graph, 1, lines) for graph, lines in new_blocks),
    )
    for graph, group in groupby(sides, key=itemgetter(0)):
        before: list[bytes] = []
        adding: list[bytes] | None = None
        for _, side, lines in group:
            if side:
                adding = lines
            else:
                before = lines
        kept = [] if graph in dropped else before
        if adding is None:
            after = kept
        else:
            after = sorted(set(kept).union(adding)) if kept else adding
        if after != before:
            _send_deltas(graph, before, after, deltas)
        if after:
            yield graph, after


def _send_deltas(
    graph: bytes, before: list[bytes], after: list[bytes], deltas: ExternalSort
) -> None:
    counted = counts_for_entities(graph)
    gone: Iterable[bytes] = ()
    came: Iterable[bytes] = after  # a new graph, as every graph of a full build
    if before:
        gone, came = set(before).difference(after), set(after).difference(before)
    for change, lines in ((-1, gone), (1, came)):
        code = b"\0" + DELTA_CODES[change, counted]
        deltas.extend(triple_line(graph, line) + code for line in lines)


def _cut(
    blocks: Iterable[Block], old_digests: dict[str, QuadSegment]
) -> Generator[SegmentOutcome, None, list[Block]]:
    """Segments of ``blocks`` up to the last boundary; returns the blocks after it."""
    current: list[Block] = []
    for block in blocks:
        current.append(block)
        if ends_segment(block[0], GRAPHS_PER_QUAD_SEGMENT):
            yield _outcome(current, old_digests)
            current = []
    return current


def _outcome(blocks: list[Block], old_digests: dict[str, QuadSegment]) -> SegmentOutcome:
    lines = b"".join(line + b"\n" for _, block in blocks for line in block)
    digest = lines_digest(lines)
    quads = sum(len(block) for _, block in blocks)
    first, last = blocks[0][0].decode(), blocks[-1][0].decode()
    record = QuadSegment(first=first, last=last, quads=quads, digest=digest)
    return SegmentOutcome(record, lines, old_digests.get(digest))


def _blocks_of(lines: bytes) -> list[Block]:
    blocks: list[Block] = []
    for line in lines.split(b"\n"):
        if not line:
            continue
        graph = graph_token(line)
        if blocks and blocks[-1][0] == graph:
            blocks[-1][1].append(line)
        else:
            blocks.append((graph, [line]))
    return blocks


def _grouped(items: Iterable[bytes]) -> Iterator[Block]:
    """Sorted quad items as blocks of distinct lines, one per graph."""
    graph: bytes | None = None
    lines: list[bytes] = []
    previous = None
    for item in items:
        if item == previous:
            continue
        previous = item
        name, _, line = item.partition(b"\0")
        if name != graph:
            if graph is not None:
                yield graph, lines
            graph, lines = name, []
        lines.append(line)
    if graph is not None:
        yield graph, lines


def _any_between(keys: list[bytes], lower: bytes, upper: bytes | None) -> bool:
    """Whether a sorted key lies after ``lower`` and up to ``upper`` (``None``: no end)."""
    start = bisect_right(keys, lower) if lower else 0
    end = len(keys) if upper is None else bisect_right(keys, upper)
    return end > start


def read_member(data: bytes) -> bytes:
    """The lines in one gzip member of a previous build's file."""
    return zlib.decompress(data, wbits=31)


class _Peekable:
    """Blocks taken in graph order, up to a graph or all the rest."""

    def __init__(self, blocks: Iterator[Block]) -> None:
        self._blocks = blocks
        self._next: Block | None = next(blocks, None)

    @property
    def more(self) -> bool:
        return self._next is not None

    def take_while(self, upper: bytes) -> list[Block]:
        taken: list[Block] = []
        while self._next is not None and self._next[0] <= upper:
            taken.append(self._next)
            self._next = next(self._blocks, None)
        return taken

    def rest(self) -> Iterator[Block]:
        if self._next is not None:
            yield self._next
            self._next = None
        yield from self._blocks
