"""Linked Data: every published ``/id/…`` IRI, the ontology and the code lists dereference.

- ``GET /id/<rest>`` names the resource ``{base_iri}id/<rest>`` (an entity, article, claim or
  observation). It answers **303 See Other** to the document in the format negotiated from
  ``Accept`` (or ``format=``), and 404 with a page saying what IRIs look like when the IRI is
  the subject of nothing — unless it was merged into another entity (301 to the survivor,
  for documents in the same format) or removed (410), see
  :mod:`kgpub.web.linked_data_answers`. Without ``Accept``, and for ``*/*``, the document is
  Turtle.
- ``GET /doc/<rest>.<extension>`` is that document in one format, whatever ``Accept`` says:
  ``.ttl .nt .jsonld .rdf`` (the triples), ``.trig .nq`` (the quads, keeping which named
  graph, e.g. which claim, says what), ``.html`` (the page of :mod:`kgpub.web.entity_page`,
  showing who says what; for articles and claims
  :mod:`kgpub.web.article_page`). The extension is always there, so ``/doc/a/b.ttl.ttl`` is the
  Turtle of ``…/id/a/b.ttl`` without ambiguity.
- ``GET /ont``, ``/vocab/<scheme>`` and ``/vocab/<scheme>/<concept>`` are the paths of the
  fixed IRIs ``https://w3id.org/kgpub/ont`` (whose terms are ``…/ont#Term``),
  ``https://w3id.org/kgpub/vocab/<scheme>`` and ``…/<concept>``, so a w3id.org redirect to a
  deployment resolves them. They answer 303 the same way, to the same path plus the extension
  (``/ont.ttl``, ``/vocab/stance/affirms.html``); HTML is :mod:`kgpub.web.ontology_page`.
  :mod:`kgpub.web.addresses` maps paths to IRIs and back.

Documents carry ``Content-Location``, a strong ``ETag`` (the digest of the sorted N-Quads
plus the extension), ``Last-Modified`` (when it last changed, :mod:`kgpub.document_times`;
for pages, and where the build does not say, when the published data did) and the headers of
every answer about an IRI (alternates, caching, CORS); conditional requests get 304. HEAD
answers like GET without the body.

The IRI is found by pattern lookups with the IRI as a term, in the embedded store or in what
:mod:`kgpub.web.quad_sources` fetched from a remote server; request text never becomes
SPARQL. A remote server that fails answers 503, as a page for browsers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

import pyoxigraph
from flask import Blueprint, Response, request

from kgpub.backend import BuildManifest
from kgpub.errors import StoreError
from kgpub.formats import rdf_format
from kgpub.vocab import KG, ONTOLOGY_IRI, VOCAB_BASE
from kgpub.web.addresses import (
    Address,
    code_list_address,
    data_namespace,
    ontology_address,
    published_iri,
)
from kgpub.web.article_page import render_article_page, render_claim_page
from kgpub.web.context import published_context_url
from kgpub.web.document_cache import Representation, cached_representation
from kgpub.web.entity_documents import (
    EntityDocument,
    QuadSource,
    read_document,
    serialize_document,
)
from kgpub.web.entity_page import reader_languages, render_entity_page
from kgpub.web.fact_reader import CLAIM, TYPE
from kgpub.web.linked_data_answers import (
    OFFERS_BY_EXTENSION,
    add_document_headers,
    document_stem,
    explained,
    not_found,
    see_other,
    vocabulary_not_found,
)
from kgpub.web.ontology_page import render_vocabulary_page
from kgpub.web.page_quads import PageQuads
from kgpub.web.page_values import linked_term, once_per_argument
from kgpub.web.quad_sources import request_quads
from kgpub.web.state import web_state
from kgpub.web.vocabulary_documents import VOCABULARY_GRAPH, read_vocabulary_document

blueprint = Blueprint("linked_data", __name__)
blueprint.add_app_template_global(linked_term, "term")
blueprint.add_app_template_global(once_per_argument)

CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH")
"""The request headers that can turn a document into a 304 (or 412)."""
ARTICLE = pyoxigraph.NamedNode(str(KG.Article))


Database = TypeVar("Database", bound=pyoxigraph.Store | PageQuads)
"""What a page is read from: the store, or one page's view of it."""
Readable = TypeVar("Readable", bound=pyoxigraph.Store | PageQuads, contravariant=True)


class PageRenderer(Protocol[Readable]):
    """Renders the HTML page of a published IRI."""

    def __call__(
        self, database: Readable, iri: pyoxigraph.NamedNode, *, alternates: dict[str, str]
    ) -> str:
        """The page of ``iri``; ``alternates`` maps each other extension to its URL."""


@blueprint.errorhandler(StoreError)
def _unreadable(error: StoreError) -> Response:
    """503 when the store cannot be read (a remote server down or failing), shaped as a 404."""
    return explained(503, str(error))


@blueprint.route("/id/<path:rest>")
def resource(rest: str) -> Response:
    """Redirect (303) from a resource's IRI to the negotiated document about it."""
    iri = published_iri(data_namespace(), rest)
    if iri is None or not _describes(request_quads().presence(iri), iri):
        return not_found(rest)
    return see_other(Address(iri, document_stem(rest)))


@blueprint.route("/doc/<path:rest>")
def document(rest: str) -> Response:
    """A resource's document in the format its extension names."""
    stem, dot, extension = rest.rpartition(".")
    offer = OFFERS_BY_EXTENSION.get(extension) if dot else None
    iri = published_iri(data_namespace(), stem) if offer is not None else None
    if offer is None or iri is None:
        return not_found(rest)
    address = Address(iri, document_stem(stem))
    sources = request_quads()
    if extension == "html":  # the page reads again much of what its document read: kept
        representation = _representation(
            address, extension, lambda: sources.page_quads(iri), read_document, _data_page
        )
    else:
        representation = _representation(
            address, extension, lambda: sources.document(iri), read_document, _data_page,
            dated_by_content=True,
        )  # fmt: skip
    if representation is None:
        return not_found(stem, extension=extension)
    return _document_answer(representation, address, extension)


@blueprint.route("/ont")
def ontology() -> Response:
    """Redirect (303) from the ontology's IRI to the negotiated document about it."""
    return _vocabulary_resource(ontology_address(), ONTOLOGY_IRI)


@blueprint.route("/ont.<extension>")
def ontology_document(extension: str) -> Response:
    """The ontology's document in the format its extension names."""
    return _vocabulary_document(ontology_address(), extension, f"{ONTOLOGY_IRI}.{extension}")


@blueprint.route("/vocab/<path:rest>")
def vocabulary(rest: str) -> Response:
    """A code list or concept: 303 from its IRI, or its document when the path has an extension.

    No scheme or concept key holds a dot, so one in the last segment starts an extension.
    """
    stem, dot, extension = rest.rpartition(".")
    if dot and "/" not in extension:
        return _vocabulary_document(code_list_address(stem), extension, VOCAB_BASE + rest)
    return _vocabulary_resource(code_list_address(rest), VOCAB_BASE + rest)


def _vocabulary_resource(address: Address | None, asked: str) -> Response:
    if address is None or not _describes(
        request_quads().vocabulary(), address.iri, VOCABULARY_GRAPH
    ):
        return vocabulary_not_found(asked)
    return see_other(address)


def _vocabulary_document(address: Address | None, extension: str, asked: str) -> Response:
    if address is None or extension not in OFFERS_BY_EXTENSION:
        return vocabulary_not_found(asked)
    iri = address.iri
    sources = request_quads()
    source = sources.vocabulary_page if extension == "html" else lambda _iri: sources.vocabulary()
    representation = _representation(
        address, extension, lambda: source(iri), read_vocabulary_document, render_vocabulary_page
    )
    if representation is None:
        return vocabulary_not_found(asked)
    return _document_answer(representation, address, extension)


def _representation(
    address: Address,
    extension: str,
    source: Callable[[], Database],
    read: Callable[[QuadSource, pyoxigraph.NamedNode], EntityDocument],
    render_page: PageRenderer[Database],
    *,
    dated_by_content: bool = False,
) -> Representation | None:
    """The finished document or page (``None`` if empty), made once per build and reader.

    :param source: what the document and the page are read from (fetched only when needed).
    :param dated_by_content: date it by its own last change (:mod:`kgpub.document_times`),
        not the data's (pages, which show other resources too).
    """
    sources = request_quads()
    languages = tuple(reader_languages()) if extension == "html" else ()
    variant = (*languages, *sources.cache_variant())

    def make() -> Representation | None:
        for _ in range(3):
            made = make_once(build := sources.build_key())
            if sources.build_key() == build:  # else its data and dates may be two builds'
                return made
        return made

    def make_once(build: object) -> Representation | None:
        database = source()
        found = read(database, address.iri)
        if found.is_empty:
            return None
        body = _body(found, address, extension, render_page, database)
        manifest = sources.manifest()
        changed_at = sources.document_changed_at(address.iri, build) if dated_by_content else None
        if changed_at is None and manifest is not None:
            changed_at = manifest.last_changed
        published_at = datetime.fromisoformat(changed_at) if changed_at else None
        tag = _entity_tag(found, extension, manifest, languages)
        return Representation(body, tag, published_at)

    store = web_state().store
    return cached_representation(store, address.iri.value, extension, make, variant=variant)


def _document_answer(representation: Representation, address: Address, extension: str) -> Response:
    """The document in the format ``extension`` names, with its headers; 304 if unchanged."""
    content_type = OFFERS_BY_EXTENSION[extension].content_type
    response = Response(representation.body, content_type=content_type)
    response.set_etag(representation.etag)
    if representation.last_modified is not None:
        response.last_modified = representation.last_modified
    response.headers["Content-Location"] = address.document_url(extension)
    add_document_headers(response, address.document_stem)
    if extension == "html":  # labels follow Accept-Language, and the tag says which were used
        response.vary.add("Accept-Language")
    if any(name in request.environ for name in CONDITIONAL_HEADERS):  # else a costly no-op
        response.make_conditional(request)  # 304 when the client's copy is still current
    return response


def _entity_tag(
    found: EntityDocument,
    extension: str,
    manifest: BuildManifest | None,
    languages: tuple[str, ...],
) -> str:
    if extension != "html":
        return f"{found.content_tag()}-{extension}"
    # The page also shows other resources' labels, claims and inverse links, which can change
    # without this document changing: tag it with the build and the reader's languages too.
    build = manifest.last_changed if manifest else ""
    return f"{found.content_tag()}-html-{build}-{','.join(languages)}"


def _describes(
    source: QuadSource, iri: pyoxigraph.NamedNode, graph: pyoxigraph.NamedNode | None = None
) -> bool:
    return next(iter(source.quads_for_pattern(iri, None, None, graph)), None) is not None


def _body(
    found: EntityDocument,
    address: Address,
    extension: str,
    render_page: PageRenderer[Database],
    database: Database,
) -> bytes:
    if extension == "html":
        alternates = {
            other: address.document_url(other) for other in OFFERS_BY_EXTENSION if other != "html"
        }
        return render_page(database, found.iri, alternates=alternates).encode("utf-8")
    chosen = rdf_format(OFFERS_BY_EXTENSION[extension].name)
    # Only JSON-LD names the context, and making its URL costs as much as writing Turtle.
    context_url = published_context_url() if extension == "jsonld" else ""
    return serialize_document(found, chosen, context_url=context_url)


def _data_page(
    database: pyoxigraph.Store | PageQuads,
    iri: pyoxigraph.NamedNode,
    *,
    alternates: dict[str, str],
) -> str:
    """An article's or a claim's own page, or the entity page for any other resource."""
    database = PageQuads.of(database)
    types = database.objects(iri, TYPE)
    if ARTICLE in types:
        return render_article_page(database, iri, alternates=alternates)
    if CLAIM in types:
        return render_claim_page(database, iri, alternates=alternates)
    return render_entity_page(database, iri, alternates=alternates)
