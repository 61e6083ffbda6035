"""The embedded store: an on-disk Oxigraph database per build, switched into place atomically.

:class:`EmbeddedStore` reads the published build — its manifest, its state folder, SPARQL over
its database, dumps of it — through the ``current`` link, so it sees a new build as soon as one
is switched in. It holds a shared lock on the build it reads, so no build deletes that one
meanwhile. The store folder's layout and the link are :mod:`kgpub.embedded_layout`; staging
and publishing a build is :mod:`kgpub.embedded_transaction`.
"""

from __future__ import annotations

import fcntl
import os
import weakref
from pathlib import Path
from typing import IO

import pyoxigraph

from kgpub.backend import WHOLE_STORE, BuildManifest, Dataset, QueryResult
from kgpub.embedded_layout import (
    CURRENT_LINK,
    DATABASE_FOLDER,
    MANIFEST_FILE,
    READERS_FILE,
    STATE_FOLDER,
)
from kgpub.embedded_transaction import EmbeddedTransaction
from kgpub.errors import QueryError, StoreError
from kgpub.sparql_tokens import outline


class EmbeddedStore:
    """Oxigraph on disk in a store folder; reads always see the current build."""

    def __init__(self, store_dir: Path) -> None:
        self.store_dir = store_dir
        self.description = str(store_dir)
        self._reader: pyoxigraph.Store | None = None
        self._reader_build: Path | None = None
        self._reader_lock: weakref.finalize[[], EmbeddedStore] | None = None
        self._resolved_dir = store_dir.resolve()
        self._manifest: tuple[Path, BuildManifest] | None = None

    def current_build(self) -> Path | None:
        """The folder of the published build, or ``None``.

        Asked on every web request, so it costs one ``readlink``: the link always names
        ``builds/<id>`` inside the store folder (see
        :func:`~kgpub.embedded_layout.switch_current_link`), whose own resolution is kept.
        """
        try:
            target = os.readlink(os.path.join(self.store_dir, CURRENT_LINK))
        except OSError:
            return None
        return self._resolved_dir / target

    def manifest(self) -> BuildManifest | None:
        """The published build's manifest (read once per build: a build never changes)."""
        build = self.current_build()
        if build is None:
            return None
        kept = self._manifest
        if kept is None or kept[0] != build:
            kept = (build, BuildManifest.read(build / MANIFEST_FILE))
            self._manifest = kept
        return kept[1]

    def state_dir(self) -> Path | None:
        """The published build's state folder."""
        build = self.current_build()
        return build / STATE_FOLDER if build else None

    def begin(self, *, replace_all: bool) -> EmbeddedTransaction:
        """Lock the store and stage a new build (from a checkpoint unless ``replace_all``)."""
        return EmbeddedTransaction(self, replace_all=replace_all)

    def database(self) -> pyoxigraph.Store:
        """The published database, reopened when a build has been switched in since."""
        build = self.current_build()
        if build is None:
            raise StoreError(
                f"nothing is published in {self.store_dir} yet; run `kgpub build` on the collection"
            )
        if self._reader is None or build != self._reader_build:
            self.close()
            try:
                # A shared lock tells builds not to delete this build while we read it; it
                # is released when the handle closes, by close() or when the store is dropped.
                handle = (build / READERS_FILE).open("a+")
                self._reader_lock = weakref.finalize(self, handle.close)
                fcntl.flock(handle, fcntl.LOCK_SH)
                self._reader = pyoxigraph.Store.read_only(str(build / DATABASE_FOLDER))
            except OSError as error:
                self.close()
                raise StoreError(f"cannot open the store in {build}: {error}") from None
            self._reader_build = build
        return self._reader

    def query(self, sparql: str, *, dataset: Dataset = WHOLE_STORE) -> QueryResult:
        """Run SPARQL on the published build (the union of all graphs by default)."""
        found = outline(sparql)
        if found.too_deep is not None:
            raise QueryError(found.too_deep)
        database = self.database()
        try:
            if not dataset.is_whole_store:
                return database.query(
                    sparql,
                    default_graph=[pyoxigraph.NamedNode(g) for g in dataset.default_graphs],
                    named_graphs=[pyoxigraph.NamedNode(g) for g in dataset.named_graphs],
                )
            if found.has_dataset_clause:  # the union option would override FROM
                return database.query(sparql)
            return database.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as error:
            raise QueryError(f"malformed SPARQL: {error}") from None
        except (OSError, ValueError) as error:
            raise QueryError(f"the query failed: {error}") from None

    def dump(self, output: IO[bytes], rdf_format: pyoxigraph.RdfFormat) -> None:
        """Write the published dataset; for triple formats, each distinct triple once."""
        database = self.database()
        if rdf_format.supports_datasets:
            database.dump(output, format=rdf_format)
            return
        # A triple asserted in several graphs (two claims saying the same) is written once.
        solutions = database.query(
            "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }", use_default_graph_as_union=True
        )
        assert isinstance(solutions, pyoxigraph.QuerySolutions)  # noqa: S101 - a SELECT
        triples = (pyoxigraph.Triple(row[0], row[1], row[2]) for row in solutions)
        pyoxigraph.serialize(triples, output, format=rdf_format)

    def close(self) -> None:
        """Forget the open reader, letting builds remove its build once it is old."""
        self._reader = None
        self._reader_build = None
        if self._reader_lock is not None:
            self._reader_lock()  # closing the handle releases the flock
            self._reader_lock = None
