"""What a build changed, kept for its dumps: the graphs it dropped and the N-Quads it added.

An embedded build hands every change to the store through
:meth:`~kgpub.embedded_transaction.EmbeddedTransaction.drop_graphs` and
:meth:`~kgpub.embedded_transaction.EmbeddedTransaction.add_nquads`; a :class:`ChangeLog` set on
the transaction sees the same calls. Added chunks go to a spool file (a full build adds the
whole dataset), drops stay in memory. The dumps are then made from the previous build's sorted
parts and this log, without reading the new database back (:mod:`kgpub.dump_quads`).

Order matters: a graph dropped after a chunk added it loses that chunk's quads. Every call
gets a sequence number, and a quad survives if no drop of its graph came after its chunk.

The N-Quads are Oxigraph's (:func:`kgpub.quads.nquads_of`, ``Store.dump``, or a remote
store's dump written by pyoxigraph), one statement per line with single spaces, so the graph
of a line is read from its text (:func:`graph_token`), parsing only lines it cannot be sure of.
"""

from __future__ import annotations

import shutil
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pyoxigraph

SPOOL_FILE = "added.spool"
_RECORD = struct.Struct(">QQ")
"""Before each spooled chunk: its sequence number and its length."""
FILE_CHUNK_BYTES = 16 * 1024 * 1024
DEFAULT_GRAPH = b""
"""The graph token of a quad in the default graph (it sorts before every named graph)."""


class ChangeLog:
    """The drops and additions of one build, in the order they were made."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.drops: dict[bytes, int] = {}
        """Graph token → sequence number of its last drop."""
        self.added_bytes = 0
        self._sequence = 0
        self._spool: IO[bytes] | None = None

    def dropped(self, names: list[str]) -> None:
        """Record that the graphs named by these IRIs were removed."""
        self._sequence += 1
        for name in names:
            self.drops[b"<" + name.encode() + b">"] = self._sequence

    def added(self, chunk: bytes) -> None:
        """Record N-Quads added to the store."""
        if not chunk:
            return
        self._sequence += 1
        if self._spool is None:
            self.scratch.mkdir(parents=True, exist_ok=True)
            self._spool = (self.scratch / SPOOL_FILE).open("wb")
        self._spool.write(_RECORD.pack(self._sequence, len(chunk)))
        self._spool.write(chunk)
        self.added_bytes += len(chunk)

    @property
    def changed(self) -> bool:
        """Whether anything was dropped or added."""
        return self._sequence > 0

    def surviving_lines(self) -> Iterator[tuple[bytes, bytes]]:
        """``(graph token, line)`` of every added quad no later drop removed."""
        if self._spool is None:
            return
        self._spool.flush()
        with (self.scratch / SPOOL_FILE).open("rb") as spool:
            while header := spool.read(_RECORD.size):
                sequence, size = _RECORD.unpack(header)
                for graph, line in graph_lines(spool.read(size)):
                    if self.drops.get(graph, 0) < sequence:
                        yield graph, line

    def close(self) -> None:
        """Delete the spool and its folder."""
        if self._spool is not None:
            self._spool.close()
            self._spool = None
        shutil.rmtree(self.scratch, ignore_errors=True)


def file_lines(path: Path) -> Iterator[tuple[bytes, bytes]]:
    """``(graph token, line)`` of every quad of an N-Quads file written by Oxigraph."""
    with path.open("rb") as handle:
        rest = b""
        while block := handle.read(FILE_CHUNK_BYTES):
            block = rest + block
            end = block.rfind(b"\n") + 1
            rest = block[end:]
            yield from graph_lines(block[:end])
        yield from graph_lines(rest)


def graph_lines(nquads: bytes) -> Iterator[tuple[bytes, bytes]]:
    """``(graph token, line)`` of each statement of Oxigraph N-Quads (no newline at their ends)."""
    for line in nquads.split(b"\n"):
        if line:
            yield graph_token(line), line


def graph_token(line: bytes) -> bytes:
    """The graph of an N-Quads line as written there (``<iri>``, ``_:id``), or ``b""``.

    >>> graph_token(b'<http://e/s> <http://e/p> "a b"@en <http://e/g> .')
    b'<http://e/g>'
    >>> graph_token(b'<http://e/s> <http://e/p> <http://e/o> .')
    b''
    """
    head, _, last = line[:-2].rpartition(b" ")  # without " ."
    if b'"' in last:  # the end of a literal object: IRIs and blank nodes hold no quote
        return DEFAULT_GRAPH
    if last.startswith((b"<", b"_:")):  # the graph, or the object if only S and P come before
        return last if head.count(b" ") > 1 else DEFAULT_GRAPH
    return _parsed_graph_token(line)  # a triple term, say: ask the parser


def triple_line(graph: bytes, line: bytes) -> bytes:
    """The N-Triples line of an N-Quads line of ``graph``: the same text, without the graph.

    >>> triple_line(b"<http://e/g>", b"<http://e/s> <http://e/p> 1 <http://e/g> .")
    b'<http://e/s> <http://e/p> 1 .'
    """
    return line[: -len(graph) - 3] + b" ." if graph else line


def _parsed_graph_token(line: bytes) -> bytes:
    quad = next(pyoxigraph.parse(line, format=pyoxigraph.RdfFormat.N_QUADS))
    if isinstance(quad.graph_name, pyoxigraph.DefaultGraph):
        return DEFAULT_GRAPH
    return str(quad.graph_name).encode()
