"""Where a request reads the published quads: the embedded database or a remote server.

Pages, documents, redirects, search and an article's graphs all read the published data by
pattern lookups (:class:`kgpub.web.entity_documents.QuadSource`). :class:`QuadSources` gives
each the store to read, whatever the backend:

- on the **embedded** store, the published database itself, for every purpose;
- on a **remote** server, an in-memory store holding exactly what that reader looks up,
  fetched in a few queries (:mod:`kgpub.web.neighbourhoods`) once per request and IRI. What
  stays the same for a whole build — the vocabulary graph with its labels — is fetched once
  per publication and kept for every thread of the app.

A data page is read through its own :class:`~kgpub.web.page_quads.PageQuads`
(:meth:`QuadSources.page_quads`); on the embedded store it shares with every other page of the
build the labels they showed (:class:`~kgpub.web.build_labels.BuildLabels`), kept per build.

A remote publication is identified by its manifest and the mark of a publication under way
(:meth:`kgpub.remote.RemoteStore.publication`), read once per request: documents kept in
:mod:`kgpub.web.document_cache` are keyed by it (:meth:`QuadSources.cache_variant`), so a
republication, even one that has not finished, is never answered from the previous one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph
from flask import current_app, g

from kgpub.backend import BuildManifest, Store
from kgpub.document_times import DocumentTimes
from kgpub.embedded import EmbeddedStore
from kgpub.embedded_layout import STATE_FOLDER
from kgpub.errors import ServiceUnavailable, StoreError
from kgpub.remote import RemoteStore
from kgpub.remote_bookkeeping import Publication
from kgpub.web import neighbourhoods
from kgpub.web.build_labels import BuildLabels
from kgpub.web.ontology_terms import vocabulary_kind
from kgpub.web.page_quads import PageQuads
from kgpub.web.per_build import PerBuild, build_key
from kgpub.web.state import web_state

VOCABULARY_KEY = "kgpub.remote_vocabulary"
LABELS_KEY = "kgpub.build_labels"
TIMES_KEY = "kgpub.document_times"
REQUEST_KEY = "kgpub_quad_sources"
Fetch = Callable[[], pyoxigraph.Store]


class QuadSources:
    """The published data one request reads, from either backend.

    :param store: the store the app serves.
    :param vocabulary: where the remote vocabulary is kept between requests.
    :param labels: where the embedded build's labels are kept between requests.
    """

    def __init__(
        self,
        store: Store,
        vocabulary: PerBuild[pyoxigraph.Store],
        labels: PerBuild[BuildLabels] | None = None,
        times: PerBuild[DocumentTimes | None] | None = None,
    ) -> None:
        self.store = store
        self._vocabulary = vocabulary
        self._labels = labels if labels is not None else PerBuild()
        self._times = times if times is not None else PerBuild()
        self._publication: Publication | None = None
        self._fetched: dict[tuple[str, pyoxigraph.NamedNode], pyoxigraph.Store] = {}

    def manifest(self) -> BuildManifest | None:
        """The published manifest (read once per request from a remote server)."""
        if isinstance(self.store, RemoteStore):
            return self._remote_publication(self.store).manifest
        return self.store.manifest()

    def build_key(self) -> object:
        """:func:`kgpub.web.per_build.build_key`, from what this request already read."""
        if isinstance(self.store, RemoteStore):
            publication = self._remote_publication(self.store)
            return publication if publication.manifest is not None else None
        return build_key(self.store)

    def cache_variant(self) -> tuple[str, ...]:
        """What documents kept in memory must be keyed by besides the embedded build folder."""
        if not isinstance(self.store, RemoteStore):
            return ()
        publication = self._remote_publication(self.store)
        changed_at = publication.manifest.last_changed if publication.manifest else ""
        marks = f"{changed_at} {publication.state_digest or ''} {publication.unfinished or ''}"
        return (f"remote-build {marks}",)

    def document_changed_at(self, iri: pyoxigraph.NamedNode, build: object) -> str | None:
        """When the document of ``iri`` last changed, if ``build`` (a :meth:`build_key`) says.

        Only the embedded store's builds, named by their folder, keep it
        (:mod:`kgpub.document_times`); ``None`` means ask the manifest.
        """
        if not isinstance(build, Path):
            return None
        times = self._times.get(build, lambda: DocumentTimes.published(build / STATE_FOLDER))
        return times.changed_at(iri.value) if times is not None else None

    def presence(self, iri: pyoxigraph.NamedNode) -> pyoxigraph.Store:
        """Enough to tell whether ``iri`` is described, and what replaces it."""
        remote = self._remote()
        if remote is None:
            return self._database()
        for purpose in ("page", "document", "presence"):  # a fuller answer serves as well
            if (purpose, iri) in self._fetched:
                return self._fetched[(purpose, iri)]
        return self._fetch("presence", iri, lambda: neighbourhoods.presence(remote, iri))

    def document(self, iri: pyoxigraph.NamedNode) -> pyoxigraph.Store:
        """What the document of ``iri`` is read from."""
        remote = self._remote()
        if remote is None:
            return self._database()
        if ("page", iri) in self._fetched:
            return self._fetched[("page", iri)]
        return self._fetch("document", iri, lambda: neighbourhoods.document(remote, iri))

    def data_page(self, iri: pyoxigraph.NamedNode) -> pyoxigraph.Store:
        """What the page (and the document) of a data IRI is read from."""
        remote = self._remote()
        if remote is None:
            return self._database()
        return self._fetch("page", iri, lambda: neighbourhoods.data_page(remote, iri))

    def page_quads(self, iri: pyoxigraph.NamedNode) -> PageQuads:
        """What the page of a data IRI (and its document) is read from, seen by that page.

        On the embedded store it comes with the labels the build's other pages showed; a
        remote server's page has only the labels fetched for it, so none is kept.
        """
        if self._remote() is not None:
            return PageQuads(self.data_page(iri))
        build = self.build_key()  # before the data, so no label is kept under a newer build
        return PageQuads(self.data_page(iri), self._labels.get(build, BuildLabels))

    def vocabulary(self) -> pyoxigraph.Store:
        """What the ontology's and code lists' documents are read from."""
        remote = self._remote()
        if remote is None:
            return self._database()
        build = self._remote_publication(remote)
        return self._vocabulary.get(build, lambda: neighbourhoods.vocabulary(remote))

    def vocabulary_page(self, iri: pyoxigraph.NamedNode) -> pyoxigraph.Store:
        """What the page of the ontology, a code list or a concept is read from."""
        remote = self._remote()
        if remote is None:
            return self._database()
        kind = vocabulary_kind(self.vocabulary(), iri)
        if kind == "ontology":
            return self.vocabulary()
        if kind is None:  # shown as an entity page
            return self.data_page(iri)
        return self._fetch(
            "concept page",
            iri,
            lambda: neighbourhoods.concept_page(
                remote, self.vocabulary(), iri, is_scheme=kind == "scheme"
            ),
        )

    def article_graphs(
        self, graph: pyoxigraph.NamedNode, claims: pyoxigraph.NamedNode
    ) -> pyoxigraph.Store:
        """What an article's graphs are read from (its claims' IRIs start with ``claims``)."""
        remote = self._remote()
        if remote is None:
            return self._database()
        return neighbourhoods.article_graphs(remote, graph, claims)

    def searchable_names(self, namespace: pyoxigraph.NamedNode) -> pyoxigraph.Store:
        """What the search index of resources under ``namespace`` is read from."""
        remote = self._remote()
        if remote is None:
            return self._database()
        return neighbourhoods.searchable_names(remote, namespace)

    def _remote(self) -> RemoteStore | None:
        """The remote server, once it is known to publish something; ``None`` if embedded."""
        if not isinstance(self.store, RemoteStore):
            return None
        if self._remote_publication(self.store).manifest is None:
            raise StoreError(
                f"nothing is published in {self.store.description} yet; run `kgpub build` on "
                "the collection"
            )
        return self.store

    def _remote_publication(self, remote: RemoteStore) -> Publication:
        if self._publication is None:
            self._publication = remote.publication()
        return self._publication

    def _database(self) -> pyoxigraph.Store:
        if not isinstance(self.store, EmbeddedStore):
            raise ServiceUnavailable(
                f"pages and documents are read from the embedded store or a remote SPARQL "
                f"server, and this app serves {self.store.description}; query it at /sparql"
            )
        return self.store.database()

    def _fetch(self, purpose: str, iri: pyoxigraph.NamedNode, read: Fetch) -> pyoxigraph.Store:
        key = (purpose, iri)
        if key not in self._fetched:
            self._fetched[key] = read()
        return self._fetched[key]


def request_quads() -> QuadSources:
    """The :class:`QuadSources` of the current request, made on first use."""
    found = g.get(REQUEST_KEY)
    if isinstance(found, QuadSources):
        return found
    vocabulary = current_app.extensions.setdefault(VOCABULARY_KEY, PerBuild())
    labels = current_app.extensions.setdefault(LABELS_KEY, PerBuild())
    times = current_app.extensions.setdefault(TIMES_KEY, PerBuild())
    made = QuadSources(web_state().store, vocabulary, labels, times)
    setattr(g, REQUEST_KEY, made)
    return made
