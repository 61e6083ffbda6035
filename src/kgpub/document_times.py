"""When each published document last changed, so ``Last-Modified`` moves only with its content.

The document of an IRI (:mod:`kgpub.web.entity_documents`) holds the quads whose subject is the
IRI or one of its fragment nodes (``<iri#participation-1>``), in any graph. So it can only
change when a quad with such a subject is added or removed, and the *base* of a subject (the
IRI without its fragment) names the one document it belongs to.

An embedded build sees every change it makes (:class:`kgpub.embedded_transaction.
EmbeddedTransaction`): the N-Quads it adds, and the graphs it drops, whose quads are read just
before they go. :class:`ChangedDocuments` keeps them and, at the end, gives the documents of
those whose presence differs from the published build's (a graph published again as it was
changes nothing). The build records those documents with its time in :class:`DocumentTimes`,
a SQLite file in the build's state folder, published with the build and copied into the next
one. A document with no row last changed when everything last did: the last full build, or
the last write through the app, whose SPARQL Update may have changed anything. So one new
article moves ``Last-Modified`` of its own resources and of the entities its claims are
about, and leaves every other document's alone: a crawler revalidating with
``If-Modified-Since`` gets 304 for those.

Whatever is not known for sure counts as a change: that only makes a time later than needed,
never earlier, so ``If-Modified-Since`` is never answered 304 for a changed document. Nothing
here imports Flask.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph

from kgpub.errors import StoreError

TIMES_FILE = "document-times.sqlite"
"""In a build's state folder."""
EVERYTHING_SINCE = "everything_since"
"""The meta entry holding when every document last changed together."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (iri TEXT PRIMARY KEY, changed_at TEXT NOT NULL)
    WITHOUT ROWID;
"""


def document_of(subject: str) -> str:
    """The IRI whose document holds the quads of ``subject``: itself, without its fragment.

    >>> document_of("https://kg.example.org/id/claim/a/1#participation-2")
    'https://kg.example.org/id/claim/a/1'
    """
    return subject.partition("#")[0]


class ChangedDocuments:
    """The documents one transaction changes, from the quads it adds and drops.

    It keeps the N-Quads lines it is shown, and :meth:`documents` then compares each one's
    presence in the published build with its presence in the new one: a graph published again
    as it was changes nothing. Past :data:`LINES_KEPT` lines it keeps only the documents the
    lines are about, each then counted as changed.
    """

    def __init__(self) -> None:
        self._lines: set[bytes] | None = set()
        self._touched: set[str] = set()
        """Documents counted as changed, once lines are no longer kept."""

    def added(self, chunk: bytes) -> None:
        """Note these N-Quads (one statement per line, as Oxigraph writes them)."""
        for line in chunk.splitlines():
            if line.startswith(b"<"):
                self._note(line)

    def dropping(self, database: pyoxigraph.Store, names: Iterable[str]) -> None:
        """Note the quads of these graphs, read from ``database`` before they are dropped."""
        for name in names:
            for quad in database.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(name)):
                self._note(f"{quad} .".encode())

    def documents(self, before: pyoxigraph.Store, after: pyoxigraph.Store) -> set[str]:
        """The IRIs of the documents whose quads differ between ``before`` and ``after``.

        :param before: the published build's database.
        :param after: the new build's.
        """
        changed = set(self._touched)
        if self._lines:
            noted = pyoxigraph.parse(b"\n".join(self._lines), format=pyoxigraph.RdfFormat.N_QUADS)
            for quad in noted:
                if (quad in before) != (quad in after):
                    changed.add(document_of(str(quad.subject.value)))
        return changed

    def _note(self, line: bytes) -> None:
        if self._lines is not None and len(self._lines) < LINES_KEPT:
            self._lines.add(line)
            return
        if self._lines is not None:
            self._touched.update(document_of(_subject(kept)) for kept in self._lines)
            self._lines = None
        self._touched.add(document_of(_subject(line)))


LINES_KEPT = 500_000
"""Lines kept to compare, some 100 MB at most. A change of more lines (thousands of articles at
once) changes about as many documents anyway."""


def _subject(line: bytes) -> str:
    """The subject IRI of an N-Quads line: the store holds no blank nodes, no IRI holds ``>``."""
    return line[1 : line.index(b">")].decode("utf-8")


def record_document_times(
    state_dir: Path,
    changed: ChangedDocuments | None,
    *,
    before: Path | None,
    after: pyoxigraph.Store,
    at: str,
) -> None:
    """Record in ``state_dir`` that the documents ``changed`` names changed ``at``.

    :param changed: what a transaction noted; ``None`` when any document may have changed.
    :param before: the database of the build it started from (``None``: there was none, and
        every document is new).
    :param after: the database it made.
    """
    documents = None
    if changed is not None and before is not None:
        try:
            published = pyoxigraph.Store.read_only(str(before))
        except OSError as error:
            raise StoreError(f"cannot read the published build {before}: {error}") from None
        documents = changed.documents(published, after)
        del published  # pyoxigraph has no close: dropping the store lets go of its files
    times = DocumentTimes(state_dir)
    try:
        times.record(documents, at)
    finally:
        times.close()


class DocumentTimes:
    """The times kept in a state folder: a row per document changed since everything was."""

    def __init__(self, state_dir: Path, *, read_only: bool = False) -> None:
        path = state_dir / TIMES_FILE
        self._lock = threading.Lock()
        try:
            if read_only:
                # A published build's state never changes again: no locking is needed.
                uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
                self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            else:
                self._db = sqlite3.connect(path)
                self._db.executescript(_SCHEMA)
        except sqlite3.Error as error:
            raise StoreError(f"cannot open the document times {path}: {error}") from None

    @classmethod
    def published(cls, state_dir: Path | None) -> DocumentTimes | None:
        """The times of a published build, or ``None`` if it has none (built before them)."""
        if state_dir is None or not (state_dir / TIMES_FILE).is_file():
            return None
        return cls(state_dir, read_only=True)

    def changed_at(self, iri: str) -> str | None:
        """When the document of ``iri`` last changed (ISO 8601), or ``None`` if never said."""
        with self._lock:
            row = self._db.execute(
                "SELECT changed_at FROM documents WHERE iri = ?", (iri,)
            ).fetchone()
            if row is None:
                row = self._db.execute(
                    "SELECT value FROM meta WHERE name = ?", (EVERYTHING_SINCE,)
                ).fetchone()
        return None if row is None else str(row[0])

    def record(self, changed: Iterable[str] | None, at: str) -> None:
        """Record that the documents of ``changed`` changed ``at``; ``None``: every document."""
        try:
            with self._db:
                if changed is None:
                    self._db.execute("DELETE FROM documents")
                    self._db.execute(
                        "INSERT OR REPLACE INTO meta VALUES (?, ?)", (EVERYTHING_SINCE, at)
                    )
                else:
                    self._db.executemany(
                        "INSERT OR REPLACE INTO documents VALUES (?, ?)",
                        ((iri, at) for iri in changed),
                    )
                    # A state from before these times knows nothing of what changed when: all
                    # its documents are given this time, later than their true one, never earlier.
                    self._db.execute(
                        "INSERT OR IGNORE INTO meta VALUES (?, ?)", (EVERYTHING_SINCE, at)
                    )
        except sqlite3.Error as error:
            raise StoreError(f"cannot record when documents changed: {error}") from None

    def close(self) -> None:
        """Let go of the file."""
        self._db.close()
