"""A SPARQL 1.1 server as the store: publish with SPARQL Update, read with the SPARQL Protocol.

Works with any server that speaks both protocols (Oxigraph server, Apache Jena Fuseki, Virtuoso,
GraphDB); docs/remote.md gives the settings for each. The server must do two things kgpub
cannot do for it: make its default graph the union of all named graphs, so queries without
``GRAPH`` see everything as they do on the embedded store, and run each SPARQL Update request
atomically.

This module holds the store: queries, dumps, and reading back the manifest and build state
that :mod:`kgpub.remote_bookkeeping` lays out. The HTTP requests themselves, credentials and
the server's failures are :mod:`kgpub.sparql_client`'s; how a change is sent — spooled,
batched, bookkeeping switched in last — is in :mod:`kgpub.remote_publish`.
"""

from __future__ import annotations

import http.client
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph

from kgpub.backend import WHOLE_STORE, BuildManifest, Dataset, QueryResult
from kgpub.errors import StoreError
from kgpub.remote_bookkeeping import (
    BOOKKEEPING_GRAPHS,
    BUILD_GRAPH,
    MANIFEST,
    PUBLISHING,
    STATE_BYTES,
    STATE_DIGEST,
    Publication,
    unpack_state,
)
from kgpub.remote_publish import RemoteTransaction
from kgpub.sparql_client import (
    basic_authorization,
    check_endpoint_url,
    media_type,
    open_query,
    post_update,
    read_body,
    shown_url,
    unreachable,
)

if TYPE_CHECKING:
    from kgpub.config import Settings

READABLE_RESULTS = (
    pyoxigraph.QueryResultsFormat.JSON,
    pyoxigraph.QueryResultsFormat.XML,
    pyoxigraph.QueryResultsFormat.TSV,
)


class RemoteStore:
    """A SPARQL 1.1 server kgpub publishes into and serves from.

    :param query_url: the SPARQL query endpoint, e.g. ``http://localhost:7878/query``.
    :param update_url: the SPARQL Update endpoint, e.g. ``http://localhost:7878/update``.
    :param user: sends HTTP Basic authentication with ``password`` when not empty.
    :param timeout: seconds to wait for each request.
    :param max_request_bytes: N-Triples bytes per update request, roughly.
    :param max_request_quads: quads per update request, at most.
    :raises ConfigError: when a URL is not http(s) or holds credentials.
    """

    def __init__(
        self,
        query_url: str,
        update_url: str,
        *,
        user: str = "",
        password: str = "",
        timeout: float = 60.0,
        max_request_bytes: int = 2_000_000,
        max_request_quads: int = 5_000,
    ) -> None:
        for setting, url in (("remote_query_url", query_url), ("remote_update_url", update_url)):
            check_endpoint_url(setting, url)
        self.query_url = query_url
        self.update_url = update_url
        self.description = shown_url(query_url)
        self.timeout = timeout
        self.max_request_bytes = max_request_bytes
        self.max_request_quads = max_request_quads
        self._authorization = basic_authorization(user, password)
        self._state_cache: tuple[str, Path] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteStore:
        """The remote store the ``remote_*`` settings describe."""
        return cls(
            settings.remote_query_url,
            settings.remote_update_url,
            user=settings.remote_user,
            password=settings.remote_password,
            timeout=settings.remote_timeout_seconds,
        )

    def __repr__(self) -> str:  # the password stays out of logs and tracebacks
        return f"RemoteStore({self.description!r})"

    def manifest(self) -> BuildManifest | None:
        """The published manifest, read from ``<urn:kgpub:build>``."""
        text = self._bookkeeping(MANIFEST).get(BUILD_GRAPH)
        source = f"<{BUILD_GRAPH}> on {self}"
        return None if text is None else BuildManifest.from_json(text, source=source)

    def publication(self) -> Publication:
        """The manifest, any unfinished publication's mark and the state's digest, in one query.

        What a reader keeps per build is keyed by this: every publication changes it, and so
        does one that starts or is repaired, whose graphs are then being replaced.
        """
        marks = f"<{MANIFEST}> <{PUBLISHING}> <{STATE_DIGEST}>"
        sparql = (
            f"SELECT ?p ?o WHERE {{ VALUES ?p {{ {marks} }} "
            f"GRAPH <{BUILD_GRAPH}> {{ <{BUILD_GRAPH}> ?p ?o }} }}"
        )
        found = {_text(row, "p"): _text(row, "o") for row in self._select(sparql)}
        text = found.get(MANIFEST)
        source = f"<{BUILD_GRAPH}> on {self}"
        manifest = None if text is None else BuildManifest.from_json(text, source=source)
        return Publication(manifest, found.get(PUBLISHING), found.get(STATE_DIGEST))

    def unfinished_publication(self) -> str | None:
        """The build time of a publication that started changing graphs and did not finish.

        ``None`` when the last publication finished. Otherwise the server's graphs may mix that
        build with the published one, which the published build state does not describe.
        """
        return self._bookkeeping(PUBLISHING).get(BUILD_GRAPH)

    def state_dir(self) -> Path | None:
        """The published state folder, downloaded into a temporary folder kept until close."""
        digest = self._bookkeeping(STATE_DIGEST).get(BUILD_GRAPH)
        if digest is None:
            return None
        if self._state_cache is None or self._state_cache[0] != digest:
            folder = Path(tempfile.mkdtemp(prefix="kgpub-remote-state-"))
            try:
                self.download_state(folder)
            except StoreError:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            self._forget_state()
            self._state_cache = (digest, folder)
        return self._state_cache[1]

    def begin(self, *, replace_all: bool) -> RemoteTransaction:
        """Start spooling a change; nothing reaches the server before :meth:`commit`.

        There is no lock: two builds publishing at once into one server interleave.
        """
        return RemoteTransaction(self, replace_all=replace_all)

    def query(self, sparql: str, *, dataset: Dataset = WHOLE_STORE) -> QueryResult:
        """Run a query on the server; without a dataset its default graph must be the union.

        :raises QueryError: when the server rejects the query (with the server's message).
        :raises StoreError: when the server cannot be reached or fails.
        """
        with self._open_query(sparql, dataset=dataset) as response:
            content_type = media_type(response)
            body = read_body(response, url=self.description)
        results_format = pyoxigraph.QueryResultsFormat.from_media_type(content_type)
        try:
            if results_format in READABLE_RESULTS:
                return pyoxigraph.parse_query_results(body, results_format)
            rdf_format = pyoxigraph.RdfFormat.from_media_type(content_type)
            if rdf_format is None:
                raise StoreError(f"{self} answered in {content_type}, which kgpub cannot read")
            # pyoxigraph cannot build QueryTriples from Python; a throwaway in-memory store
            # answering CONSTRUCT gives a genuine one, the type the embedded store returns.
            graph = pyoxigraph.Store()
            graph.load(body, rdf_format)
            return graph.query("CONSTRUCT WHERE { ?s ?p ?o }")
        except SyntaxError as error:
            raise StoreError(f"{self} sent {content_type} kgpub cannot read: {error}") from None

    def dump(self, output: IO[bytes], rdf_format: pyoxigraph.RdfFormat) -> None:
        """Write every quad outside kgpub's bookkeeping; for triple formats, each triple once.

        :raises StoreError: when the server sent fewer rows than it holds (a result limit).
        """
        quads = rdf_format.supports_datasets
        outside = f"FILTER(?g NOT IN ({', '.join(BOOKKEEPING_GRAPHS)}))"
        pattern = f"WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {outside} }}"
        sparql = f"SELECT ?s ?p ?o ?g {pattern}" if quads else f"SELECT DISTINCT ?s ?p ?o {pattern}"
        names = ("s", "p", "o", "g") if quads else ("s", "p", "o")
        written = 0

        def rows() -> Iterator[Any]:
            nonlocal written
            for row in self._stream_select(sparql):
                terms: list[Any] = [row[name] for name in names]
                written += 1
                yield pyoxigraph.Quad(*terms) if quads else pyoxigraph.Triple(*terms)

        pyoxigraph.serialize(rows(), output, format=rdf_format)
        counted = f"SELECT (COUNT(*) AS ?n) WHERE {{ {sparql} }}"
        expected = next((int(_text(row, "n")) for row in self._select(counted)), 0)
        if written != expected:
            raise StoreError(
                f"the dump of {self} is incomplete: the server sent {written} of {expected} rows; "
                "raise its result size limit (Virtuoso: ResultSetMaxRows in virtuoso.ini)"
            )

    def close(self) -> None:
        """Delete the downloaded state folder."""
        self._forget_state()

    def named_graphs(self) -> set[str]:
        """Every named graph on the server, as N-Triples IRIs (``<…>``)."""
        rows = self._stream_select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return {str(row["g"]) for row in rows if isinstance(row["g"], pyoxigraph.NamedNode)}

    def download_state(self, folder: Path) -> None:
        """Unpack the published state folder into ``folder`` (left empty when there is none).

        :raises StoreError: when the state changed while it was read, or is damaged.
        """
        digest = self._bookkeeping(STATE_DIGEST).get(BUILD_GRAPH)
        if digest is None:
            return
        parts = self._bookkeeping(STATE_BYTES)
        unpack_state(parts, digest=digest, folder=folder, source=str(self))

    def send_update(self, update: bytes) -> None:
        """POST one SPARQL Update request.

        :raises StoreError: when the server cannot be reached or refuses the update.
        """
        post_update(self.update_url, update, headers=self._headers(), timeout=self.timeout)

    def record_change(self, changed_at: str) -> None:
        """Write ``changed_at`` into the published manifest, after a write changed the data.

        Readers key what they keep by the manifest (:meth:`publication`), so they serve the
        write at once, and ``Last-Modified`` moves on. The manifest is replaced only if it is
        still the one read here: a publication that replaced it meanwhile is left as it is,
        since its own manifest already tells readers that the data changed.

        :raises StoreError: when the server cannot be reached or refuses the update.
        """
        published = self.manifest()
        if published is None:
            return
        before = pyoxigraph.Literal(published.to_json())
        after = pyoxigraph.Literal(replace(published, changed_at=changed_at).to_json())
        build, manifest = f"<{BUILD_GRAPH}>", f"<{MANIFEST}>"
        update = (
            f"DELETE {{ GRAPH {build} {{ {build} {manifest} ?manifest }} }} "
            f"INSERT {{ GRAPH {build} {{ {build} {manifest} {after} }} }} "
            f"WHERE {{ GRAPH {build} {{ {build} {manifest} ?manifest }} "
            f"FILTER (?manifest = {before}) }}"
        )
        self.send_update(update.encode("utf-8"))

    def _headers(self) -> dict[str, str]:
        return {"Authorization": self._authorization} if self._authorization else {}

    def _bookkeeping(self, predicate: str) -> dict[str, str]:
        """``{subject: value}`` of one predicate in ``<urn:kgpub:build>``."""
        sparql = f"SELECT ?s ?o WHERE {{ GRAPH <{BUILD_GRAPH}> {{ ?s <{predicate}> ?o }} }}"
        return {_text(row, "s"): _text(row, "o") for row in self._select(sparql)}

    def _forget_state(self) -> None:
        if self._state_cache is not None:
            shutil.rmtree(self._state_cache[1], ignore_errors=True)
            self._state_cache = None

    def _select(self, sparql: str) -> pyoxigraph.QuerySolutions:
        results = self.query(sparql)
        if not isinstance(results, pyoxigraph.QuerySolutions):
            raise StoreError(f"{self} did not answer a SELECT query with solutions")
        return results

    def _stream_select(self, sparql: str) -> Iterator[pyoxigraph.QuerySolution]:
        """Solutions read from the response as they arrive, for results too large to hold."""
        with self._open_query(sparql) as response:
            content_type = media_type(response)
            results_format = pyoxigraph.QueryResultsFormat.from_media_type(content_type)
            if results_format not in READABLE_RESULTS:
                raise StoreError(f"{self} answered a SELECT query in {content_type}")
            try:
                results = pyoxigraph.parse_query_results(response, results_format)
                if not isinstance(results, pyoxigraph.QuerySolutions):
                    raise StoreError(f"{self} did not answer a SELECT query with solutions")
                yield from results
            except SyntaxError as error:
                raise StoreError(f"{self} sent results kgpub cannot read: {error}") from None
            except (OSError, http.client.HTTPException) as error:
                raise unreachable(error, self.description, "remote_query_url") from None

    def _open_query(self, sparql: str, *, dataset: Dataset = WHOLE_STORE) -> Any:
        return open_query(
            self.query_url, sparql, dataset=dataset, headers=self._headers(), timeout=self.timeout
        )


def _text(row: pyoxigraph.QuerySolution, name: str) -> str:
    term = row[name]
    if term is None:
        raise StoreError(f"the server left ?{name} unbound in a bookkeeping query")
    return str(term.value)
