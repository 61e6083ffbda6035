"""Linked Data: every published ``/id/…`` IRI, the ontology and the code lists dereference.

- ``GET /id/<rest>`` names the resource ``{base_iri}id/<rest>`` (an entity, article, claim or
  observation). It answers **303 See Other** to the document in the format negotiated from
  ``Accept`` (or ``format=``), and 404 with a page saying what IRIs look like when the IRI is
  the subject of nothing — unless it was merged into another entity (301 to the survivor,
  for documents in the same format) or removed (410), see :mod:`kgpub.web.retired_iris`.
  Without ``Accept``, and for ``*/*``, the document is Turtle.
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

Every answer carries ``Link: rel="alternate"`` for each format; negotiated ones ``Vary:
Accept``; documents ``Content-Location``, a strong ``ETag`` (the digest of the sorted N-Quads
plus the extension), ``Last-Modified`` (when the build was published: the data cannot have
changed since, whatever changed it — an article, the registry or kgpub itself) and
``Cache-Control: public, max-age=300``, and conditional requests get 304. CORS comes from
:mod:`kgpub.web.cors` like every read; HEAD answers like GET without the body.

The IRI is found by pattern lookups in the store with the IRI as a term; request text never
becomes SPARQL. Only the embedded store is read this way for now.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

import pyoxigraph
from flask import Blueprint, Response, render_template, request, url_for

from kgpub.embedded import EmbeddedStore
from kgpub.errors import ServiceUnavailable
from kgpub.formats import rdf_format
from kgpub.vocab import KG, ONTOLOGY_IRI, VOCAB_BASE
from kgpub.web.addresses import (
    Address,
    code_list_address,
    data_namespace,
    ontology_address,
    published_iri,
)
from kgpub.web.answers import requested_format
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
from kgpub.web.errors import TEXT_OFFER
from kgpub.web.fact_reader import CLAIM, TYPE
from kgpub.web.negotiation import (
    HTML_OFFER,
    RDF_OFFERS,
    Offer,
    choose_by_accept,
    choose_offer,
    not_acceptable,
)
from kgpub.web.ontology_page import render_vocabulary_page
from kgpub.web.retired_iris import find_removal, find_survivor, gone_message
from kgpub.web.state import web_state
from kgpub.web.vocabulary_documents import VOCABULARY_GRAPH, read_vocabulary_document

blueprint = Blueprint("linked_data", __name__)

DOCUMENT_OFFERS: tuple[Offer, ...] = (*RDF_OFFERS, HTML_OFFER)
"""Turtle first, so clients that accept anything get data; browsers ask for HTML by name."""
OFFERS_BY_EXTENSION: dict[str, Offer] = {
    **{rdf_format(offer.name).extension: offer for offer in RDF_OFFERS},
    "html": HTML_OFFER,
}
CACHE_SECONDS = 300
"""Short enough that a rebuild shows within minutes; ETags make revalidation cheap."""
CACHE_CONTROL = f"public, max-age={CACHE_SECONDS}"
CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH")
"""The request headers that can turn a document into a 304 (or 412)."""
EXPOSED_HEADERS = "ETag, Link, Content-Location"
"""Headers browser code on other sites may read (the rest of CORS is :mod:`kgpub.web.cors`)."""
ARTICLE = pyoxigraph.NamedNode(str(KG.Article))


class PageRenderer(Protocol):
    """Renders the HTML page of a published IRI."""

    def __call__(
        self, database: pyoxigraph.Store, iri: pyoxigraph.NamedNode, *, alternates: dict[str, str]
    ) -> str:
        """The page of ``iri``; ``alternates`` maps each other extension to its URL."""


@blueprint.route("/id/<path:rest>")
def resource(rest: str) -> Response:
    """Redirect (303) from a resource's IRI to the negotiated document about it."""
    iri = _published_iri(rest)
    if iri is None or not _describes(_quad_source(), iri):
        return _not_found(rest)
    return _see_other(Address(iri, _document_stem(rest)))


def _see_other(address: Address) -> Response:
    """303 to the document of ``address`` in the format ``Accept`` or ``format=`` asks for."""
    format_name = requested_format()
    offer = choose_offer(format_name, request.headers.get("Accept"), DOCUMENT_OFFERS)
    if offer is None:
        raise not_acceptable(
            "Documents",
            DOCUMENT_OFFERS,
            format_name=format_name,
            accept=request.headers.get("Accept"),
        )
    response = Response(status=303)
    response.location = address.document_url(_extension_of(offer))
    response.vary.add("Accept")
    _add_document_headers(response, address.document_stem)
    return response


@blueprint.route("/doc/<path:rest>")
def document(rest: str) -> Response:
    """A resource's document in the format its extension names."""
    stem, dot, extension = rest.rpartition(".")
    offer = OFFERS_BY_EXTENSION.get(extension) if dot else None
    iri = _published_iri(stem) if offer is not None else None
    if offer is None or iri is None:
        return _not_found(rest)
    address = Address(iri, _document_stem(stem))
    representation = _representation(
        address, extension, lambda: read_document(_quad_source(), iri), _data_page
    )
    if representation is None:
        return _not_found(stem, extension=extension)
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
    if address is None or not _describes(_quad_source(), address.iri, VOCABULARY_GRAPH):
        return _vocabulary_not_found(asked)
    return _see_other(address)


def _vocabulary_document(address: Address | None, extension: str, asked: str) -> Response:
    if address is None or extension not in OFFERS_BY_EXTENSION:
        return _vocabulary_not_found(asked)
    iri = address.iri
    representation = _representation(
        address,
        extension,
        lambda: read_vocabulary_document(_quad_source(), iri),
        render_vocabulary_page,
    )
    if representation is None:
        return _vocabulary_not_found(asked)
    return _document_answer(representation, address, extension)


def _representation(
    address: Address,
    extension: str,
    read: Callable[[], EntityDocument],
    render_page: PageRenderer,
) -> Representation | None:
    """The finished document or page (``None`` if empty), made once per build and reader."""
    variant = tuple(reader_languages()) if extension == "html" else ()

    def make() -> Representation | None:
        found = read()
        if found.is_empty:
            return None
        body = _body(found, address, extension, render_page)
        return Representation(body, _entity_tag(found, extension), _published_at())

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
    _add_document_headers(response, address.document_stem)
    if extension == "html":  # labels follow Accept-Language, and the tag says which were used
        response.vary.add("Accept-Language")
    if any(name in request.environ for name in CONDITIONAL_HEADERS):  # else a costly no-op
        response.make_conditional(request)  # 304 when the client's copy is still current
    return response


def _published_iri(rest: str) -> pyoxigraph.NamedNode | None:
    """The IRI ``/id/<rest>`` names under the base IRI, or ``None`` if it cannot be one."""
    return published_iri(data_namespace(), rest)


def _entity_tag(found: EntityDocument, extension: str) -> str:
    if extension != "html":
        return f"{found.content_tag()}-{extension}"
    # The page also shows other resources' labels, claims and inverse links, which can change
    # without this document changing: tag it with the build and the reader's languages too.
    manifest = web_state().store.manifest()
    build = manifest.built_at if manifest else ""
    return f"{found.content_tag()}-html-{build}-{','.join(reader_languages())}"


def _quad_source() -> pyoxigraph.Store:
    store = web_state().store
    if not isinstance(store, EmbeddedStore):
        raise ServiceUnavailable(
            f"Linked Data documents are served from the embedded store only, and this app "
            f"serves {store.description}; query it at /sparql instead"
        )
    return store.database()


def _describes(
    source: QuadSource, iri: pyoxigraph.NamedNode, graph: pyoxigraph.NamedNode | None = None
) -> bool:
    return next(iter(source.quads_for_pattern(iri, None, None, graph)), None) is not None


def _published_at() -> datetime | None:
    manifest = web_state().store.manifest()
    return datetime.fromisoformat(manifest.built_at) if manifest else None


def _body(
    found: EntityDocument, address: Address, extension: str, render_page: PageRenderer
) -> bytes:
    if extension == "html":
        alternates = {
            other: address.document_url(other) for other in OFFERS_BY_EXTENSION if other != "html"
        }
        return render_page(_quad_source(), found.iri, alternates=alternates).encode("utf-8")
    chosen = rdf_format(OFFERS_BY_EXTENSION[extension].name)
    return serialize_document(found, chosen, context_url=published_context_url())


def _data_page(
    database: pyoxigraph.Store, iri: pyoxigraph.NamedNode, *, alternates: dict[str, str]
) -> str:
    """An article's or a claim's own page, or the entity page for any other resource."""
    types = {quad.object for quad in database.quads_for_pattern(iri, TYPE, None, None)}
    if ARTICLE in types:
        return render_article_page(database, iri, alternates=alternates)
    if CLAIM in types:
        return render_claim_page(database, iri, alternates=alternates)
    return render_entity_page(database, iri, alternates=alternates)


def _extension_of(offer: Offer) -> str:
    return next(extension for extension, known in OFFERS_BY_EXTENSION.items() if known is offer)


def _document_stem(rest: str) -> str:
    """The URL of the documents of ``/id/<rest>``, without their extension."""
    return url_for("linked_data.document", rest=rest)


def _document_url(rest: str, extension: str) -> str:
    return f"{_document_stem(rest)}.{extension}"


def _add_common_headers(response: Response, rest: str) -> None:
    _add_document_headers(response, _document_stem(rest))


def _add_document_headers(response: Response, document_stem: str) -> None:
    """Alternates, caching and CORS headers of every answer about one IRI."""
    response.headers["Link"] = ", ".join(
        f'<{document_stem}.{extension}>; rel="alternate"; type="{offer.media_type}"'
        for extension, offer in OFFERS_BY_EXTENSION.items()
    )
    response.headers["Cache-Control"] = CACHE_CONTROL  # werkzeug's setters cost 10 % of a hit
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS


def _not_found(rest: str, *, extension: str | None = None) -> Response:
    """404 as a page for browsers and plain text otherwise, saying what IRIs look like.

    An IRI merged into another answers 301 instead, and a removed one 410 (``extension`` is
    the document's, for ``/doc/`` addresses).
    """
    if request.endpoint == "linked_data.resource" or extension is not None:
        retired = _retired(rest, extension)
        if retired is not None:
            return retired
    base = web_state().settings.base_iri
    message = (
        f"Nothing is published about {base}id/{rest}.\n"
        f"Published IRIs look like {base}id/<kind>/<key> (e.g. {base}id/organization/sdf), "
        f"{base}id/article/<article>, {base}id/claim/<article>/<digest> and "
        f"{base}id/observation/<article>/<digest>; their documents are at "
        f"/doc/<the same path>.<{'|'.join(OFFERS_BY_EXTENSION)}>.\n"
        "To look an IRI up by its label, query /sparql or browse /queries/."
    )
    return _explained(404, message)


def _vocabulary_not_found(asked: str) -> Response:
    """404 for a path of the fixed namespace that names no term, code list or concept."""
    message = (
        f"Nothing is published about {asked}.\n"
        f"The ontology is {ONTOLOGY_IRI}, its terms {ONTOLOGY_IRI}#<Term> (served at /ont), "
        f"and the code lists are {VOCAB_BASE}<scheme> and {VOCAB_BASE}<scheme>/<concept> "
        f"(served at /vocab/<scheme> and /vocab/<scheme>/<concept>); their documents are at "
        f"the same path plus .<{'|'.join(OFFERS_BY_EXTENSION)}>.\n"
        "The ontology page, /ont.html, lists every term and code list."
    )
    return _explained(404, message)


def _explained(status: int, message: str) -> Response:
    offer = choose_by_accept(request.headers.get("Accept"), (TEXT_OFFER, HTML_OFFER))
    if offer is HTML_OFFER:
        body = render_template("error.html", status=status, message=message)
    else:
        offer, body = TEXT_OFFER, message + "\n"
    response = Response(body, status=status, content_type=offer.content_type)
    response.vary.add("Accept")
    return response


def _retired(rest: str, extension: str | None) -> Response | None:
    """301 to the survivor of a merged IRI, 410 for a removed one, else ``None``."""
    iri = _published_iri(rest)
    if iri is None:
        return None
    base = web_state().settings.base_iri
    survivor = find_survivor(_quad_source(), iri, base_iri=base)
    if survivor is not None:
        response = Response(status=301)
        if extension is None:
            response.location = url_for("linked_data.resource", rest=survivor)
        else:
            response.location = _document_url(survivor, extension)
        if request.query_string:  # keeps ?format= for the survivor's own negotiation
            response.location += "?" + request.query_string.decode("latin-1")
        _add_common_headers(response, survivor)
        return response
    removal = find_removal(web_state().store.state_dir(), iri.value, base_iri=base)
    if removal is None:
        return None
    response = _explained(410, gone_message(removal))
    _add_common_headers(response, rest)
    return response
