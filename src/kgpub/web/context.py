"""The published JSON-LD context: ``GET /context.jsonld``.

Every compact JSON-LD document names this address as its ``@context``, so a JSON-LD
processor (jsonld.js, PyLD, rdflib) can turn the short keys back into the triples of the
Turtle. The context is derived from the ontology and the shapes by
:mod:`kgpub.jsonld_context`; it changes only with kgpub itself, so it is cached for a day and
revalidated with a strong ``ETag`` (304). CORS comes from :mod:`kgpub.web.cors`, so scripts on
other sites can load it.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, request, url_for

from kgpub.formats import rdf_format
from kgpub.jsonld_context import CONTEXT_PATH, context_document

blueprint = Blueprint("context", __name__)

CACHE_SECONDS = 86400
"""A day: the context changes only when kgpub is upgraded, and the ETag makes checks cheap."""


@blueprint.route(f"/{CONTEXT_PATH}")
def published_context() -> Response:
    """The context document, as ``application/ld+json``."""
    body = context_document()
    response = Response(body, content_type=rdf_format("jsonld").media_type)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    response.make_conditional(request)
    return response


def published_context_url() -> str:
    """The absolute URL of the context, as clients reach this app (proxy prefix included)."""
    return url_for("context.published_context", _external=True)
