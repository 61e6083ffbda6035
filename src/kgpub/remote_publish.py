"""Publishing to a SPARQL server: a change spooled on disk, then sent in batched updates.

A commit replaces every graph it writes as a whole (``DROP SILENT GRAPH`` and ``INSERT DATA``
in one request), so publishing the same build twice gives the same data. A large commit takes
several requests. The manifest and the build state are staged last and switched in by one
small ``MOVE`` request, so a commit that fails halfway leaves the previous manifest in place.
Both live in the named graph ``<urn:kgpub:build>``, laid out by :mod:`kgpub.remote_bookkeeping`.

Before its first change, a commit adds ``<urn:kgpub:build> <urn:kgpub:publishing> "<built_at>"``
to that graph, and its last request (the ``MOVE``) removes it. While the mark is there, readers
may see graphs of the new build next to graphs of the previous one, under the previous
manifest. If it stays (the commit failed, or was killed), the graphs on the server may mix the
two builds in a way the previous build state does not describe (an edit sent, then undone
before the next build), so the next build replaces everything instead of building on that
state.
"""

from __future__ import annotations

import shutil
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pyoxigraph

from kgpub.backend import BuildManifest
from kgpub.errors import StoreError
from kgpub.remote_bookkeeping import (
    BOOKKEEPING_GRAPHS,
    BUILD_GRAPH,
    NEXT_BUILD_GRAPH,
    PUBLISHING,
    bookkeeping_triples,
    check_union_default_graph,
)

if TYPE_CHECKING:  # kgpub.remote imports this module; the store is only passed in
    from kgpub.remote import RemoteStore


class RemoteTransaction:
    """A change spooled to a temporary folder, sent to the server by :meth:`commit`."""

    def __init__(self, store: RemoteStore, *, replace_all: bool) -> None:
        self._store = store
        self._replace_all = replace_all
        self._work_dir = Path(tempfile.mkdtemp(prefix="kgpub-remote-"))
        self._spool_path = self._work_dir / "spool.nq"
        self.state_dir = self._work_dir / "state"
        self._dropped: set[str] = set()
        self._spool: BinaryIO | None = None
        try:
            self.state_dir.mkdir()
            if not replace_all:
                store.download_state(self.state_dir)
            self._spool = self._spool_path.open("wb")
        except OSError as error:
            self._discard()
            raise StoreError(f"cannot spool a change in {self._work_dir}: {error}") from None
        except StoreError:
            self._discard()
            raise

    def drop_graphs(self, names: Iterable[str]) -> None:
        """Drop these graphs at commit, unless the change adds quads to them again."""
        self._dropped.update(graph_token(name) for name in names)

    def add_nquads(self, chunk: bytes) -> None:
        """Spool N-Quads to disk; they are checked and grouped by graph at commit."""
        if self._spool is None:
            raise StoreError("this change is already committed or aborted; begin a new one")
        try:
            self._spool.write(chunk)
            if chunk and not chunk.endswith(b"\n"):
                self._spool.write(b"\n")
        except OSError as error:
            raise StoreError(f"cannot spool the change in {self._work_dir}: {error}") from None

    def commit(self, manifest: BuildManifest) -> None:
        """Send the change, graph by graph, then the manifest and state in a last request.

        :raises StoreError: when the data is not publishable (blank nodes, quads outside a
            named graph) — before anything is sent — or when the server fails; then the
            previous manifest is still published and running the build again repairs it.
        """
        if self._spool is None:
            raise StoreError("this change is already committed or aborted; begin a new one")
        store = self._store
        sender = _MarkingSender(store, built_at=manifest.built_at)
        batches = UpdateBatcher(
            sender.send, max_bytes=store.max_request_bytes, max_quads=store.max_request_quads
        )
        try:
            self._spool.close()
            written: set[str] = set()
            for graphs in _group_by_graph(self._spool_path, self._work_dir):
                for token in sorted(graphs):
                    batches.replace_graph(token.encode(), _ntriples_lines(graphs[token]))
                    written.add(token)
            stale = self._dropped - written
            if self._replace_all:
                stale |= store.named_graphs() - written
            for token in sorted(stale.difference(BOOKKEEPING_GRAPHS)):
                batches.drop_graph(token.encode())
            staging = f"<{NEXT_BUILD_GRAPH}>".encode()
            bookkeeping = _ntriples_lines(bookkeeping_triples(manifest, self.state_dir))
            batches.replace_graph(staging, bookkeeping)
            batches.flush()
            # The new manifest appears in one small request, once every graph is in place.
            sender.send(b"MOVE SILENT GRAPH %s TO GRAPH <%s>" % (staging, BUILD_GRAPH.encode()))
        except StoreError as error:
            if sender.requests:
                raise StoreError(
                    f"{error}\n{sender.requests} update request(s) went through before the "
                    f"failure, so {store} may be partly updated: its manifest is still the "
                    f"previous one, marked by <{BUILD_GRAPH}> <{PUBLISHING}> as a publication "
                    "that did not finish. Run the build again: it republishes everything."
                ) from None
            raise
        finally:
            self._discard()
        check_union_default_graph(store)

    def abort(self) -> None:
        """Delete the spool; nothing was sent."""
        self._discard()

    def _discard(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None
        shutil.rmtree(self._work_dir, ignore_errors=True)


class _MarkingSender:
    """Sends a commit's requests, marking the publication as unfinished before the first."""

    def __init__(self, store: RemoteStore, *, built_at: str) -> None:
        self._store = store
        self._built_at = built_at
        self.requests = 0
        """Requests the server accepted, the mark included."""

    def send(self, update: bytes) -> None:
        """Send ``update``, after the mark if nothing was sent yet."""
        if self.requests == 0:
            mark = pyoxigraph.Triple(
                pyoxigraph.NamedNode(BUILD_GRAPH),
                pyoxigraph.NamedNode(PUBLISHING),
                pyoxigraph.Literal(self._built_at),
            )
            self._store.send_update(
                b"INSERT DATA { GRAPH <%s> { %s } }" % (BUILD_GRAPH.encode(), str(mark).encode())
            )
            self.requests += 1
        self._store.send_update(update)
        self.requests += 1


class UpdateBatcher:
    """Gathers graph replacements into SPARQL Update requests of bounded size.

    A graph that fits in a request is dropped and refilled in that one request, so a reader
    of an atomic server sees its old or its new content, never a mix. A larger graph is
    dropped in its first request and refilled over the next ones.
    """

    def __init__(self, send: Callable[[bytes], None], *, max_bytes: int, max_quads: int) -> None:
        self._send = send
        self._max_bytes = max_bytes
        self._max_quads = max_quads
        self._drops: list[bytes] = []
        self._inserts: list[tuple[bytes, list[bytes]]] = []
        self._size = 0
        self._count = 0
        self.requests = 0
        """Requests sent so far."""

    def replace_graph(self, graph: bytes, lines: list[bytes]) -> None:
        """Replace the content of ``graph`` (``<iri>``) by these N-Triples lines."""
        dropped = False
        for line in lines:
            self._make_room(len(line))
            if not self._inserts or self._inserts[-1][0] != graph:
                self._inserts.append((graph, []))
                if not dropped:
                    self._drops.append(graph)
                    self._size += len(graph)
                    dropped = True
            self._inserts[-1][1].append(line)
            self._size += len(line)
            self._count += 1

    def drop_graph(self, graph: bytes) -> None:
        """Drop ``graph`` (``<iri>``)."""
        self._make_room(len(graph))
        self._drops.append(graph)
        self._size += len(graph)
        self._count += 1

    def flush(self) -> None:
        """Send what is gathered."""
        if not self._drops and not self._inserts:
            return
        operations = [b"DROP SILENT GRAPH " + graph for graph in self._drops]
        if self._inserts:
            insert = [b"INSERT DATA {\n"]
            for graph, lines in self._inserts:
                insert += [b"GRAPH ", graph, b" {\n", *lines, b"}\n"]
            operations.append(b"".join([*insert, b"}"]))
        self._send(b" ;\n".join(operations))
        self.requests += 1
        self._drops, self._inserts, self._size, self._count = [], [], 0, 0

    def _make_room(self, size: int) -> None:
        if self._count and (self._count >= self._max_quads or self._size + size > self._max_bytes):
            self.flush()


SPOOL_BUCKET_BYTES = 32 * 1024 * 1024
"""Spooled N-Quads per bucket: a bucket's graphs are held in memory at once at commit."""
BUCKET_FLUSH_QUADS = 2_000


def graph_token(name: str) -> str:
    """A graph name as written in SPARQL and N-Quads: ``<iri>``.

    :raises StoreError: when ``name`` is not an absolute IRI.
    """
    try:
        return str(pyoxigraph.NamedNode(name))
    except ValueError as error:
        raise StoreError(f"cannot use {name!r} as a graph name: {error}") from None


def _group_by_graph(spool: Path, work_dir: Path) -> Iterator[dict[str, list[pyoxigraph.Triple]]]:
    """The spooled quads as ``{graph: triples}`` groups, each holding whole graphs.

    A graph's quads may be anywhere in the spool, so a large spool is first spread over
    bucket files by a hash of the graph name; each bucket then fits in memory. Every quad is
    checked before the first group is yielded, so bad data stops a commit before it starts.
    """
    count = spool.stat().st_size // SPOOL_BUCKET_BYTES + 1
    buckets = [spool] if count == 1 else _spread(spool, work_dir, count)
    for bucket in buckets:
        graphs: dict[str, list[pyoxigraph.Triple]] = {}
        for quad in _checked_quads(bucket):
            triple = pyoxigraph.Triple(quad.subject, quad.predicate, quad.object)
            graphs.setdefault(str(quad.graph_name), []).append(triple)
        yield graphs


def _spread(spool: Path, work_dir: Path, count: int) -> list[Path]:
    buckets = [work_dir / f"bucket-{index}.nq" for index in range(count)]
    pending: list[list[pyoxigraph.Quad]] = [[] for _ in buckets]
    with ExitStack() as stack:
        files = [stack.enter_context(bucket.open("wb")) for bucket in buckets]
        for quad in _checked_quads(spool):
            index = zlib.crc32(str(quad.graph_name).encode()) % count
            pending[index].append(quad)
            if len(pending[index]) >= BUCKET_FLUSH_QUADS:
                pyoxigraph.serialize(pending[index], files[index], pyoxigraph.RdfFormat.N_QUADS)
                pending[index].clear()
        for index, quads in enumerate(pending):
            pyoxigraph.serialize(quads, files[index], pyoxigraph.RdfFormat.N_QUADS)
    spool.unlink()
    return buckets


def _checked_quads(path: Path) -> Iterator[pyoxigraph.Quad]:
    try:
        for quad in pyoxigraph.parse(path=path, format=pyoxigraph.RdfFormat.N_QUADS):
            if not isinstance(quad.graph_name, pyoxigraph.NamedNode):
                raise StoreError(
                    f"kgpub publishes named graphs only, and this quad has none: {quad}"
                )
            if any(
                isinstance(term, pyoxigraph.BlankNode | pyoxigraph.Triple)
                for term in (quad.subject, quad.object)
            ):
                # A blank node label means a new node in each update request, so a graph
                # sent in two requests would split one node in two.
                raise StoreError(
                    f"blank nodes and triple terms cannot be published to a SPARQL server: {quad}"
                )
            yield quad
    except SyntaxError as error:
        raise StoreError(f"the change is not valid N-Quads: {error}") from None


def _ntriples_lines(triples: list[pyoxigraph.Triple]) -> list[bytes]:
    # One triple per line: N-Triples escapes line breaks inside literals.
    text = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""
    return text.splitlines(keepends=True)
