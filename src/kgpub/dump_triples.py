"""The triple segments of a new build: each distinct triple once, with how many graphs hold it.

Turtle and N-Triples dumps hold the union of the graphs, as ``/sparql`` queries it without
``GRAPH``: a triple two claims assert is written once. The triple segments keep, for every
distinct triple, how many graphs hold it, so a build only needs the triples of the graphs it
changed (:mod:`kgpub.dump_quads` sends them here as sorted changes): a triple whose count
falls to zero goes, one whose count rises from zero comes. No build ever remembers the whole
dataset's triples; a full build is the same walk from no segments, its changes sorted on disk.

Each new segment also counts what it adds to the VoID figures (:class:`~kgpub.dump_parts.Figures`):
statements per property (quads, as ``/sparql`` counts them over the union), and typed entities
in the URI space per class, counting only types stated in graphs other than the default graph
and the ontology. Subjects never span segments, so the figures of segments add up.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import replace
from itertools import chain

from rdflib.namespace import RDF

from kgpub.dump_parts import (
    SUBJECTS_PER_TRIPLE_SEGMENT,
    Figures,
    SegmentOutcome,
    TripleSegment,
    ends_segment,
    lines_digest,
)
from kgpub.dump_quads import DELTA_CODES
from kgpub.errors import StoreError
from kgpub.void import EXAMPLE_CLASSES, uri_space

Row = tuple[bytes, int, int]
"""A distinct triple's N-Triples line, the graphs holding it, and those counting for entities."""
_CHANGES = {
    code: (change, change if counted else 0) for (change, counted), code in DELTA_CODES.items()
}
_TYPE = f"<{RDF.type}>".encode()
_EXAMPLES = {f"<{cls}>".encode(): str(cls) for cls in EXAMPLE_CLASSES}


def subject_key(line: bytes) -> bytes:
    """A triple's subject and the space after it: ordered as the lines are."""
    return line[: line.index(b" ") + 1]


def new_triple_segments(
    previous: list[TripleSegment],
    read_previous: Callable[[TripleSegment], bytes],
    changes: Iterable[bytes],
    *,
    base_iri: str,
) -> Iterator[SegmentOutcome]:
    """The new build's triple segments, in order.

    :param read_previous: the lines of an old segment.
    :param changes: sorted ``line + NUL + code`` items from :mod:`kgpub.dump_quads`.
    :raises StoreError: when the changes do not fit the previous segments (a triple removed
        from more graphs than held it): those parts were not this data's.
    """
    space = f"<{uri_space(base_iri)}".encode()
    digests = {segment.digest: segment for segment in previous}
    pending: list[Row] = []
    rows = _Changes(changes)
    for index, old in enumerate(previous):
        touched: Iterable[Row]
        if index == len(previous) - 1:  # the last segment takes whatever sorts after it
            untouched = not pending and not rows.more
            touched = rows.rest()
        else:
            touched = rows.take_while(old.last.encode())
            untouched = not pending and not touched
        if untouched:
            yield SegmentOutcome(replace(old, pieces={}), None, old)
            continue
        merged = _merge(_rows_of(old, read_previous(old)), touched)
        pending = yield from _cut(chain(pending, merged), digests, space)
    if not previous:
        pending = yield from _cut(_merge([], rows.rest()), digests, space)
    if pending:
        yield _outcome(pending, digests, space)


def _merge(old_rows: list[Row], changes: Iterable[Row]) -> Iterator[Row]:
    """Old rows with the changes applied; triples no graph holds any more are left out."""
    rows = heapq.merge(old_rows, changes) if old_rows else changes
    current, graphs, counted = b"", 0, 0
    for line, more, more_counted in rows:  # one loop, no groupby: a full build's hot path
        if line == current:
            graphs += more
            counted += more_counted
            continue
        if graphs or counted:
            yield _checked(current, graphs, counted)
        current, graphs, counted = line, more, more_counted
    if graphs or counted:
        yield _checked(current, graphs, counted)


def _checked(line: bytes, graphs: int, counted: int) -> Row:
    if graphs < 0 or not 0 <= counted <= graphs:  # more graphs lost it than held it
        raise StoreError(
            f"the kept dump parts do not match the data: {line.decode()!r} would be in "
            f"{graphs} graphs; the dumps are written from the database instead"
        )
    return line, graphs, counted


def _cut(
    rows: Iterable[Row], digests: dict[str, TripleSegment], space: bytes
) -> Generator[SegmentOutcome, None, list[Row]]:
    """Segments of ``rows`` up to the last subject ending one; returns the rows after it."""
    current: list[Row] = []
    subject = b""
    for row in rows:
        key = subject_key(row[0])
        if key != subject:
            if current and ends_segment(subject, SUBJECTS_PER_TRIPLE_SEGMENT):
                yield _outcome(current, digests, space)
                current = []
            subject = key
        current.append(row)
    if current and ends_segment(subject, SUBJECTS_PER_TRIPLE_SEGMENT):
        yield _outcome(current, digests, space)
        current = []
    return current


def _outcome(rows: list[Row], digests: dict[str, TripleSegment], space: bytes) -> SegmentOutcome:
    lines = b"".join(line + b"\n" for line, _, _ in rows)
    digest = lines_digest(lines)
    record = TripleSegment(
        first=subject_key(rows[0][0]).decode(),
        last=subject_key(rows[-1][0]).decode(),
        triples=len(rows),
        digest=digest,
        counts=[
            (index, graphs, counted)
            for index, (_, graphs, counted) in enumerate(rows)
            if graphs != 1 or counted != 1
        ],
        figures=_figures(rows, space),
    )
    return SegmentOutcome(record, lines, digests.get(digest))


def _figures(rows: list[Row], space: bytes) -> Figures:
    figures = Figures()
    properties: dict[bytes, int] = {}
    classes: dict[bytes, int] = {}
    entities: set[bytes] = set()
    for line, graphs, counted in rows:
        subject, predicate, rest = line.split(b" ", 2)
        properties[predicate] = properties.get(predicate, 0) + graphs
        if counted and predicate == _TYPE and subject.startswith(space) and rest[0] == 60:
            kind = rest[:-2]  # "<class> ." without " ."
            classes[kind] = classes.get(kind, 0) + 1
            entities.add(subject)
            example = _EXAMPLES.get(kind)
            if example is not None and b"#" not in subject:
                name = subject[1:-1].decode()
                figures.examples[example] = min(name, figures.examples.get(example, name))
    figures.entities = len(entities)
    figures.classes = {kind[1:-1].decode(): count for kind, count in classes.items()}
    figures.properties = {name[1:-1].decode(): count for name, count in properties.items()}
    return figures


def _rows_of(segment: TripleSegment, lines: bytes) -> list[Row]:
    rows: list[Row] = [(line, 1, 1) for line in lines.split(b"\n") if line]
    for index, graphs, counted in segment.counts:
        rows[index] = (rows[index][0], graphs, counted)
    return rows


class _Changes:
    """The sorted changes as rows of ``(line, ±1, ±1 or 0)``, taken up to a subject or all."""

    def __init__(self, items: Iterable[bytes]) -> None:
        self._items = iter(items)
        self._next = self._read()

    @property
    def more(self) -> bool:
        return self._next is not None

    def take_while(self, upper: bytes) -> list[Row]:
        taken = []
        while self._next is not None and subject_key(self._next[0]) <= upper:
            taken.append(self._next)
            self._next = self._read()
        return taken

    def rest(self) -> Iterator[Row]:
        while self._next is not None:
            yield self._next
            self._next = self._read()

    def _read(self) -> Row | None:
        item = next(self._items, None)
        if item is None:
            return None
        line, _, code = item.rpartition(b"\0")
        graphs, counted = _CHANGES[code]
        return line, graphs, counted
