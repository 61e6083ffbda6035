"""Rendering a segment's pieces in each format, and the frame the pieces go in.

A quad segment (sorted N-Quads of whole graphs) becomes a gzip member of its lines, a TriG
piece and a JSON-LD piece; a triple segment (sorted N-Triples of whole subjects) a gzip member
and a Turtle piece. Turtle, TriG and JSON-LD are rewritten from the lines as text
(:mod:`kgpub.dump_syntax`), TriG and JSON-LD in one pass, as Oxigraph's serialisers would write
them with kgpub's prefixes; parsing the lines into Python terms first cost more than all the
writing. The ``@prefix`` lines are the file's header, written once (:func:`pack_layout`), and
JSON-LD pieces come without their ``[`` and ``]``. :class:`PieceRenderer` renders in worker
processes (``forkserver``) when there is much to render, here otherwise.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import time
from concurrent.futures import Future, ProcessPoolExecutor
from functools import cache
from typing import NamedTuple

import pyoxigraph

from kgpub.dump_packs import PackLayout
from kgpub.dump_syntax import SYNTAX_NAMES, piece_prefixes, render_segments
from kgpub.export import deterministic_gzip
from kgpub.formats import rdf_format

DUMP_STEM = "kgpub"
PIECES_VERSION = "2"
"""Part of every layout's digest: change it when pieces are rendered differently."""
COMPRESSED = ("nquads", "ntriples")
"""Gzipped: line formats repeat every IRI in full, so they shrink tenfold."""
QUAD_FORMATS = ("nquads", "trig", "jsonld")
TRIPLE_FORMATS = ("ntriples", "turtle")
_HEADER_PROBE = pyoxigraph.NamedNode("urn:kgpub:header-probe")


class Rendered(NamedTuple):
    """A segment's pieces by format name, and the seconds each format (and parsing) took."""

    pieces: dict[str, bytes]
    seconds: dict[str, float]


def file_name(name: str) -> str:
    """The file of the dump in format ``name``: ``kgpub.<extension>``, plus ``.gz`` if gzipped."""
    return f"{DUMP_STEM}.{rdf_format(name).extension}{'.gz' if name in COMPRESSED else ''}"


def render_pieces(lines: bytes, formats: tuple[str, ...]) -> Rendered:
    """Render the pieces of a quad or triple segment in ``formats``.

    The seconds of the one pass that writes TriG and JSON-LD are counted whole against each.

    :param lines: the segment, sorted N-Quads (for quad formats) or N-Triples lines.
    """
    pieces: dict[str, bytes] = {}
    seconds: dict[str, float] = {}
    rewritten = tuple(name for name in formats if name in SYNTAX_NAMES)
    if rewritten:
        started = time.perf_counter()
        pieces.update(render_segments(lines, rewritten))
        spent = time.perf_counter() - started
        seconds.update(dict.fromkeys(rewritten, spent))
    for name in formats:
        if name in COMPRESSED:
            started = time.perf_counter()
            pieces[name] = gzip_member(lines)
            seconds[name] = time.perf_counter() - started
    return Rendered(pieces, seconds)


def gzip_member(data: bytes) -> bytes:
    """``data`` as one gzip member with no time or file name in its header."""
    buffer = io.BytesIO()
    with deterministic_gzip(buffer) as zipped:
        zipped.write(data)
    return buffer.getvalue()


@cache
def pack_layout(name: str) -> PackLayout:
    """The header, separator and footer of a dump file in format ``name``."""
    if name in COMPRESSED:
        header, separator, footer, empty = b"", b"", b"", gzip_member(b"")
    elif name == "jsonld":
        header, separator, footer, empty = b"[", b",", b"]", b"[]"
    else:
        header, separator, footer = _prefix_header(name), b"", b""
        empty = header
    signature = b"\0".join(
        [name.encode(), header, separator, footer, pyoxigraph.__version__.encode()]
    )
    digest = hashlib.blake2b(signature + PIECES_VERSION.encode(), digest_size=16).hexdigest()
    return PackLayout(header, separator, footer, empty, digest)


def _prefix_header(name: str) -> bytes:
    probe = pyoxigraph.Quad(_HEADER_PROBE, _HEADER_PROBE, _HEADER_PROBE)
    rdf, prefixes = rdf_format(name).oxigraph, piece_prefixes(name)
    if name == "trig":
        written = pyoxigraph.serialize([probe], format=rdf, prefixes=prefixes)
    else:
        written = pyoxigraph.serialize([probe.triple], format=rdf, prefixes=prefixes)
    written = bytes(written or b"")
    return written[: written.index(str(_HEADER_PROBE).encode())]


class PieceRenderer:
    """Renders pieces in worker processes, or in this one (``workers`` ≤ 1)."""

    def __init__(self, *, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, lines: bytes, formats: tuple[str, ...]) -> Future[Rendered]:
        """Start rendering a segment; its pieces once the future is done."""
        if self.workers <= 1:
            done: Future[Rendered] = Future()
            done.set_result(render_pieces(lines, formats))
            return done
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("forkserver")
            )
        return self._pool.submit(render_pieces, lines, formats)

    @property
    def window(self) -> int:
        """Segments worth having in flight: enough to keep every worker busy."""
        return 1 if self.workers <= 1 else 3 * self.workers

    def close(self) -> None:
        """Stop the worker processes, if any."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
