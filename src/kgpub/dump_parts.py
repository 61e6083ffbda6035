"""The dataset cut into segments, and the index that lets the next build reuse them.

A build keeps the dataset twice, sorted, in ``dump-parts/`` next to its database:

- **quads**, sorted by graph then by line, cut into *quad segments* of whole graphs;
- **distinct triples** (the union of the graphs), sorted by line, so by subject, cut into
  *triple segments* of whole subjects, each triple with how many graphs hold it.

Every dump file is one piece per segment, in order, between a header and a footer
(:mod:`kgpub.dump_packs`), kept as volumes of whole pieces (:mod:`kgpub.dump_volumes`). A
segment ends after a graph (or subject) whose key hashes to a boundary, so where segments end
depends on the data alone: the same data is cut the same way whichever build made it, and a
change touches the few segments around it. The next build keeps every other piece, linking
whole volumes of them, and renders only what changed.

``index.json`` records, per segment, its key range, its statement count, a digest of its
lines (a rebuilt segment equal to an old one reuses its pieces), where each of its pieces
lies in each file (an offset in the whole file), and for triple segments the counts that
differ from one graph and the figures of the VoID description it contributes; and each
file's volumes.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgpub.errors import StoreError

PARTS_FOLDER = "dump-parts"
INDEX_FILE = "index.json"
INDEX_VERSION = 2
"""2: each file is kept as volumes (:mod:`kgpub.dump_volumes`)."""
GRAPHS_PER_QUAD_SEGMENT = 128
"""Graphs per quad segment, on average: about 2,500 quads (18 per graph in a news corpus)."""
SUBJECTS_PER_TRIPLE_SEGMENT = 256
"""Subjects per triple segment, on average: about 1,800 triples."""

Range = tuple[int, int]
"""Where a piece lies in a file: start and end offsets."""


def ends_segment(key: bytes, spacing: int) -> bool:
    """Whether a segment ends after the graph or subject ``key`` (one key in ``spacing``)."""
    return zlib.crc32(key) % spacing == spacing - 1


def lines_digest(lines: bytes) -> str:
    """The digest naming a segment's content."""
    return hashlib.blake2b(lines, digest_size=16).hexdigest()


@dataclass
class Figures:
    """What one triple segment adds to the VoID figures (see :class:`kgpub.void.DatasetFigures`).

    Subjects never span segments, so counts of distinct subjects add up across segments.
    """

    entities: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    properties: dict[str, int] = field(default_factory=dict)
    examples: dict[str, str] = field(default_factory=dict)
    """Example class → its first entity (in IRI order) without a fragment."""

    def add(self, other: Figures) -> None:
        """Add ``other``'s figures to these."""
        self.entities += other.entities
        for name, count in other.classes.items():
            self.classes[name] = self.classes.get(name, 0) + count
        for name, count in other.properties.items():
            self.properties[name] = self.properties.get(name, 0) + count
        for name, entity in other.examples.items():
            self.examples[name] = min(entity, self.examples.get(name, entity))


@dataclass
class QuadSegment:
    """Whole graphs, from graph ``first`` to graph ``last`` (N-Quads terms, ``""``: default)."""

    first: str
    last: str
    quads: int
    digest: str
    pieces: dict[str, Range] = field(default_factory=dict)
    """Format name → where this segment's piece lies in the file of that format."""


@dataclass
class TripleSegment:
    """Whole subjects, from ``first`` to ``last`` (N-Triples terms followed by a space)."""

    first: str
    last: str
    triples: int
    digest: str
    counts: list[tuple[int, int, int]] = field(default_factory=list)
    """``(line, graphs, graphs counted as entities' graphs)`` for each triple not in exactly
    one graph that counts (named, not the ontology)."""
    figures: Figures = field(default_factory=Figures)
    pieces: dict[str, Range] = field(default_factory=dict)


@dataclass
class SegmentOutcome:
    """A segment of the new build, in order: its lines, an old segment's pieces, or both."""

    record: QuadSegment | TripleSegment
    """The new index entry (its pieces are filled in as they are written)."""
    lines: bytes | None
    """The segment's lines, or ``None`` for an untouched segment (read them if needed)."""
    reused: QuadSegment | TripleSegment | None
    """An old segment with exactly these lines, whose pieces can be copied."""


@dataclass(frozen=True)
class Volume:
    """A run of a dump file's bytes kept as a file of its own (see :mod:`kgpub.dump_volumes`)."""

    name: str
    """Its file's name: a digest of what it holds, so an equal volume is found by name."""
    bytes: int


@dataclass(frozen=True)
class PackInfo:
    """One written file: its size and SHA-256, so a file kept whole keeps its catalog entry."""

    bytes: int
    sha256: str
    layout: str
    """The :attr:`~kgpub.dump_packs.PackLayout.digest` its pieces were written under."""
    volumes: tuple[Volume, ...] = ()
    """The files holding its bytes, in order."""


@dataclass
class PartsIndex:
    """``index.json``: the segments of a build's dataset and the files holding their pieces."""

    build: str
    """The build these parts belong to (its folder name); any other build cannot use them."""
    quad_segments: list[QuadSegment] = field(default_factory=list)
    triple_segments: list[TripleSegment] = field(default_factory=list)
    packs: dict[str, PackInfo] = field(default_factory=dict)
    """Format name → the file written in it."""
    version: int = INDEX_VERSION

    @property
    def quads(self) -> int:
        """Quads in the dataset."""
        return sum(segment.quads for segment in self.quad_segments)

    @property
    def triples(self) -> int:
        """Distinct triples in the dataset."""
        return sum(segment.triples for segment in self.triple_segments)

    def write(self, folder: Path) -> None:
        """Write ``index.json`` into ``folder``."""
        data = {
            "version": self.version,
            "build": self.build,
            "quad_segments": [vars(segment) for segment in self.quad_segments],
            "triple_segments": [
                {**vars(segment), "figures": vars(segment.figures)}
                for segment in self.triple_segments
            ],  # vars, not asdict: asdict deep-copies every value, seconds at 100k articles
            "packs": {
                name: {**vars(info), "volumes": [[v.name, v.bytes] for v in info.volumes]}
                for name, info in self.packs.items()
            },
        }
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        partial = folder / f".{INDEX_FILE}.partial"  # replaced at once: the next build reads it
        partial.write_text(text, encoding="utf-8")
        partial.replace(folder / INDEX_FILE)

    @classmethod
    def read(cls, folder: Path) -> PartsIndex:
        """Read the index of the parts in ``folder``.

        :raises StoreError: when it is missing, malformed, or of another version.
        """
        path = folder / INDEX_FILE
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != INDEX_VERSION:
                raise ValueError(f"version {data.get('version')}, not {INDEX_VERSION}")
            return cls(
                build=data["build"],
                quad_segments=[_quad_segment(entry) for entry in data["quad_segments"]],
                triple_segments=[_triple_segment(entry) for entry in data["triple_segments"]],
                packs={name: _pack_info(info) for name, info in data["packs"].items()},
            )
        except (OSError, ValueError, TypeError, KeyError) as error:
            raise StoreError(
                f"cannot read the dump parts index {path}: {error}; the next build writes "
                "the dumps from the database instead"
            ) from None


def find_parts(build: Path) -> PartsIndex | None:
    """The parts a build kept for the next one, if they are there and its own."""
    folder = build / PARTS_FOLDER
    if not (folder / INDEX_FILE).is_file():
        return None  # no dumps, or a version made by a write through the web app
    try:
        index = PartsIndex.read(folder)
    except StoreError:
        return None
    return index if index.build == build.name else None


def _pack_info(entry: dict[str, Any]) -> PackInfo:
    volumes = tuple(Volume(name, size) for name, size in entry["volumes"])
    return PackInfo(**{**entry, "volumes": volumes})


def _ranges(pieces: dict[str, list[int]]) -> dict[str, Range]:
    return {name: (start, end) for name, (start, end) in pieces.items()}


def _quad_segment(entry: dict[str, Any]) -> QuadSegment:
    return QuadSegment(**{**entry, "pieces": _ranges(entry["pieces"])})


def _triple_segment(entry: dict[str, Any]) -> TripleSegment:
    return TripleSegment(
        **{
            **entry,
            "counts": [(line, graphs, counted) for line, graphs, counted in entry["counts"]],
            "figures": Figures(**entry["figures"]),
            "pieces": _ranges(entry["pieces"]),
        }
    )
