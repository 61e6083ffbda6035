"""Linked Data: every published ``/id/…`` IRI dereferences to a document about it.

- ``GET /id/<rest>`` names the resource ``{base_iri}id/<rest>`` (an entity, article, claim or
  observation). It answers **303 See Other** to the document in the format negotiated from
  ``Accept`` (or ``format=``), and 404 with a page saying what IRIs look like when the IRI is
  the subject of nothing. Without ``Accept``, and for ``*/*``, the document is Turtle.
- ``GET /doc/<rest>.<extension>`` is that document in one format, whatever ``Accept`` says:
  ``.ttl .nt .jsonld .rdf`` (the triples), ``.trig .nq`` (the quads, keeping which named
  graph, e.g. which claim, says what), ``.html`` (the page of :mod:`kgpub.web.entity_page`,
  showing who says what). The extension is
  always there, so ``/doc/a/b.ttl.ttl`` is the Turtle of ``…/id/a/b.ttl`` without ambiguity.

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

from datetime import datetime

import pyoxigraph
from flask import Blueprint, Response, render_template, request, url_for

from kgpub.embedded import EmbeddedStore
from kgpub.errors import ServiceUnavailable
from kgpub.formats import rdf_format
from kgpub.web.answers import requested_format
from kgpub.web.entity_documents import (
    EntityDocument,
    QuadSource,
    read_document,
    serialize_document,
)
from kgpub.web.entity_page import reader_languages, render_entity_page
from kgpub.web.errors import TEXT_OFFER
from kgpub.web.negotiation import (
    HTML_OFFER,
    RDF_OFFERS,
    Offer,
    choose_by_accept,
    choose_offer,
    not_acceptable,
)
from kgpub.web.state import web_state

blueprint = Blueprint("linked_data", __name__)

DOCUMENT_OFFERS: tuple[Offer, ...] = (*RDF_OFFERS, HTML_OFFER)
"""Turtle first, so clients that accept anything get data; browsers ask for HTML by name."""
OFFERS_BY_EXTENSION: dict[str, Offer] = {
    **{rdf_format(offer.name).extension: offer for offer in RDF_OFFERS},
    "html": HTML_OFFER,
}
CACHE_SECONDS = 300
"""Short enough that a rebuild shows within minutes; ETags make revalidation cheap."""
EXPOSED_HEADERS = "ETag, Link, Content-Location"
"""Headers browser code on other sites may read (the rest of CORS is :mod:`kgpub.web.cors`)."""


@blueprint.route("/id/<path:rest>")
def resource(rest: str) -> Response:
    """Redirect (303) from a resource's IRI to the negotiated document about it."""
    iri = _published_iri(rest)
    if iri is None or not _describes(_quad_source(), iri):
        return _not_found(rest)
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
    response.location = _document_url(rest, _extension_of(offer))
    response.vary.add("Accept")
    _add_common_headers(response, rest)
    return response


@blueprint.route("/doc/<path:rest>")
def document(rest: str) -> Response:
    """A resource's document in the format its extension names."""
    stem, dot, extension = rest.rpartition(".")
    offer = OFFERS_BY_EXTENSION.get(extension) if dot else None
    iri = _published_iri(stem) if offer is not None else None
    if offer is None or iri is None:
        return _not_found(rest)
    found = read_document(_quad_source(), iri)
    if found.is_empty:
        return _not_found(stem)
    response = Response(_body(found, stem, extension), content_type=offer.content_type)
    response.set_etag(_entity_tag(found, extension))
    built_at = _published_at()
    if built_at is not None:
        response.last_modified = built_at
    response.headers["Content-Location"] = _document_url(stem, extension)
    _add_common_headers(response, stem)
    if extension == "html":  # labels follow Accept-Language, and the tag says which were used
        response.vary.add("Accept-Language")
    response.make_conditional(request)  # 304 when the client's copy is still current
    return response


def _published_iri(rest: str) -> pyoxigraph.NamedNode | None:
    """The IRI ``/id/<rest>`` names under the base IRI, or ``None`` if it cannot be one."""
    if any(segment in (".", "..") for segment in rest.split("/")):
        return None  # never an IRI kgpub mints; refused so no path tricks reach a lookup
    try:
        return pyoxigraph.NamedNode(f"{web_state().settings.base_iri}id/{rest}")
    except ValueError:  # spaces, angle brackets…: not an IRI, so certainly not published
        return None


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


def _describes(source: QuadSource, iri: pyoxigraph.NamedNode) -> bool:
    return next(iter(source.quads_for_pattern(iri, None, None, None)), None) is not None


def _published_at() -> datetime | None:
    manifest = web_state().store.manifest()
    return datetime.fromisoformat(manifest.built_at) if manifest else None


def _body(found: EntityDocument, stem: str, extension: str) -> bytes:
    if extension == "html":
        alternates = {
            other: _document_url(stem, other) for other in OFFERS_BY_EXTENSION if other != "html"
        }
        page = render_entity_page(
            _quad_source(),
            found.iri,
            base_iri=web_state().settings.base_iri,
            alternates=alternates,
        )
        return page.encode("utf-8")
    return serialize_document(found, rdf_format(OFFERS_BY_EXTENSION[extension].name))


def _extension_of(offer: Offer) -> str:
    return next(extension for extension, known in OFFERS_BY_EXTENSION.items() if known is offer)


def _document_url(rest: str, extension: str) -> str:
    return url_for("linked_data.document", rest=f"{rest}.{extension}")


def _add_common_headers(response: Response, rest: str) -> None:
    response.headers["Link"] = ", ".join(
        f'<{_document_url(rest, extension)}>; rel="alternate"; type="{offer.media_type}"'
        for extension, offer in OFFERS_BY_EXTENSION.items()
    )
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS


def _not_found(rest: str) -> Response:
    """404 as a page for browsers and plain text otherwise, saying what IRIs look like."""
    base = web_state().settings.base_iri
    message = (
        f"Nothing is published about {base}id/{rest}.\n"
        f"Published IRIs look like {base}id/<kind>/<key> (e.g. {base}id/organization/sdf), "
        f"{base}id/article/<article>, {base}id/claim/<article>/<digest> and "
        f"{base}id/observation/<article>/<digest>; their documents are at "
        f"/doc/<the same path>.<{'|'.join(OFFERS_BY_EXTENSION)}>.\n"
        "To look an IRI up by its label, query /sparql or browse /queries/."
    )
    offer = choose_by_accept(request.headers.get("Accept"), (TEXT_OFFER, HTML_OFFER))
    if offer is HTML_OFFER:
        body = render_template("error.html", status=404, message=message)
    else:
        offer, body = TEXT_OFFER, message + "\n"
    response = Response(body, status=404, content_type=offer.content_type)
    response.vary.add("Accept")
    return response
