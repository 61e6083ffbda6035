"""The answers about one IRI besides its documents: 303, 301, 404 and 410, and their headers.

- **303 See Other** from an IRI's address to its document in the format negotiated from
  ``Accept`` (or ``format=``); :data:`DOCUMENT_OFFERS` lists them, Turtle first.
- **301 Moved Permanently** from a merged entry's IRI (or document) to its survivor's, and
  **410 Gone** for a removed IRI, saying what it was and when it went
  (:mod:`kgpub.web.retired_iris`); both are looked up only once an IRI is found to be
  described by nothing.
- **404**, for browsers a page and otherwise plain text, saying what published IRIs look like.

Every answer about an IRI carries ``Link: rel="alternate"`` for each format, the
``Cache-Control`` of documents and the CORS headers scripts need (:func:`add_document_headers`);
the routes are :mod:`kgpub.web.linked_data`'s.
"""

from __future__ import annotations

from flask import Response, render_template, request, url_for

from kgpub.formats import rdf_format
from kgpub.vocab import ONTOLOGY_IRI, VOCAB_BASE
from kgpub.web.addresses import Address, data_namespace, published_iri
from kgpub.web.answers import requested_format
from kgpub.web.errors import TEXT_OFFER
from kgpub.web.negotiation import (
    HTML_OFFER,
    RDF_OFFERS,
    Offer,
    choose_by_accept,
    choose_offer,
    not_acceptable,
)
from kgpub.web.quad_sources import request_quads
from kgpub.web.retired_iris import find_removal, find_survivor, gone_message
from kgpub.web.state import web_state

DOCUMENT_OFFERS: tuple[Offer, ...] = (*RDF_OFFERS, HTML_OFFER)
"""Turtle first, so clients that accept anything get data; browsers ask for HTML by name."""
OFFERS_BY_EXTENSION: dict[str, Offer] = {
    **{rdf_format(offer.name).extension: offer for offer in RDF_OFFERS},
    "html": HTML_OFFER,
}
CACHE_SECONDS = 300
"""Short enough that a rebuild shows within minutes; ETags make revalidation cheap."""
CACHE_CONTROL = f"public, max-age={CACHE_SECONDS}"
EXPOSED_HEADERS = "ETag, Link, Content-Location"
"""Headers browser code on other sites may read (the rest of CORS is :mod:`kgpub.web.cors`)."""


def see_other(address: Address) -> Response:
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
    response.location = address.document_url(extension_of(offer))
    response.vary.add("Accept")
    add_document_headers(response, address.document_stem)
    return response


def extension_of(offer: Offer) -> str:
    """The extension of the documents in ``offer``'s format."""
    return next(extension for extension, known in OFFERS_BY_EXTENSION.items() if known is offer)


def document_stem(rest: str) -> str:
    """The URL of the documents of ``/id/<rest>``, without their extension."""
    return url_for("linked_data.document", rest=rest)


def add_document_headers(response: Response, stem: str) -> None:
    """Alternates, caching and CORS headers of every answer about one IRI."""
    response.headers["Link"] = ", ".join(
        f'<{stem}.{extension}>; rel="alternate"; type="{offer.media_type}"'
        for extension, offer in OFFERS_BY_EXTENSION.items()
    )
    response.headers["Cache-Control"] = CACHE_CONTROL  # werkzeug's setters cost 10 % of a hit
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS


def not_found(rest: str, *, extension: str | None = None) -> Response:
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
    return explained(404, message)


def vocabulary_not_found(asked: str) -> Response:
    """404 for a path of the fixed namespace that names no term, code list or concept."""
    message = (
        f"Nothing is published about {asked}.\n"
        f"The ontology is {ONTOLOGY_IRI}, its terms {ONTOLOGY_IRI}#<Term> (served at /ont), "
        f"and the code lists are {VOCAB_BASE}<scheme> and {VOCAB_BASE}<scheme>/<concept> "
        f"(served at /vocab/<scheme> and /vocab/<scheme>/<concept>); their documents are at "
        f"the same path plus .<{'|'.join(OFFERS_BY_EXTENSION)}>.\n"
        "The ontology page, /ont.html, lists every term and code list."
    )
    return explained(404, message)


def explained(status: int, message: str) -> Response:
    """An answer saying ``message``: a page for browsers, plain text otherwise."""
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
    iri = published_iri(data_namespace(), rest)
    if iri is None:
        return None
    base = web_state().settings.base_iri
    survivor = find_survivor(request_quads().presence(iri), iri, base_iri=base)
    if survivor is not None:
        response = Response(status=301)
        if extension is None:
            response.location = url_for("linked_data.resource", rest=survivor)
        else:
            response.location = f"{document_stem(survivor)}.{extension}"
        if request.query_string:  # keeps ?format= for the survivor's own negotiation
            response.location += "?" + request.query_string.decode("latin-1")
        add_document_headers(response, document_stem(survivor))
        return response
    removal = find_removal(web_state().store.state_dir(), iri.value, base_iri=base)
    if removal is None:
        return None
    response = explained(410, gone_message(removal))
    add_document_headers(response, document_stem(rest))
    return response
