"""Query answers over HTTP: how a request asks for one, and how it is sent back.

Every surface that runs queries (``/sparql``, ``/queries/<name>``, the Graph Store) reads the
same request options and sends answers with the same headers:

- ``format=``/``output=`` and ``Accept`` choose the representation
  (:mod:`kgpub.web.negotiation`); the response says ``Vary: Accept``.
- ``timeout=`` asks for a time limit in seconds, capped at ``query_timeout_max``; the limit
  applied is sent back in ``X-KGPub-Timeout``.
- ``X-KGPub-Row-Count`` says how many rows (or triples) were sent and ``X-KGPub-Truncated``
  whether the ``max_rows`` cap (sent in ``X-KGPub-Row-Limit``) cut the answer. A cut answer
  is never silent.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from datetime import datetime

from flask import Response, request

from kgpub.config import Settings
from kgpub.errors import BadRequest
from kgpub.web.negotiation import (
    HTML_OFFER,
    RDF_OFFERS,
    RESULTS_OFFERS,
    Offer,
    check_format_name,
    choose_offer,
    requested_format_name,
)
from kgpub.web.query_pool import Answer
from kgpub.web.state import web_state

TRUNCATED_HEADER = "X-KGPub-Truncated"
ROW_COUNT_HEADER = "X-KGPub-Row-Count"
ROW_LIMIT_HEADER = "X-KGPub-Row-Limit"
TIMEOUT_HEADER = "X-KGPub-Timeout"
ANSWER_HEADERS = (TRUNCATED_HEADER, ROW_COUNT_HEADER, ROW_LIMIT_HEADER, TIMEOUT_HEADER)
KNOWN_OFFERS = (*RESULTS_OFFERS, *RDF_OFFERS, HTML_OFFER)


def requested_format() -> str | None:
    """The format the request names with ``format=`` or ``output=``, checked to exist.

    :raises BadRequest: for an unknown name, or two different ones.
    """
    pairs = [(key, value) for key, values in request.values.lists() for value in values]
    name = requested_format_name(pairs)
    check_format_name(name, KNOWN_OFFERS)
    return name


def chosen_offer(offers: Sequence[Offer], format_name: str | None) -> Offer | None:
    """The representation to send among ``offers``, or ``None`` when none is acceptable."""
    return choose_offer(format_name, request.headers.get("Accept"), offers)


def requested_timeout(settings: Settings) -> float:
    """The time limit for this request's query: ``timeout=`` capped, or the server's default.

    :raises BadRequest: when ``timeout=`` is not a positive number of seconds.
    """
    values = [v for v in request.values.getlist("timeout") if v.strip()]
    if not values:
        return settings.query_timeout_seconds
    try:
        asked = float(values[-1])
        if not (asked > 0 and math.isfinite(asked)):
            raise ValueError
    except ValueError:
        raise BadRequest(
            f"timeout must be a positive number of seconds, not {values[-1]!r}"
        ) from None
    return min(asked, settings.query_timeout_max_seconds)


def answer_response(
    answer: Answer, offer: Offer, *, settings: Settings, timeout: float
) -> Response:
    """The HTTP response carrying a query answer, streamed as the worker sends it."""
    response = Response(answer.body, content_type=offer.content_type)
    describe_answer(response, answer, settings=settings, timeout=timeout)
    return response


def describe_answer(
    response: Response, answer: Answer, *, settings: Settings, timeout: float
) -> None:
    """Add the negotiation, row count, truncation and time-limit headers to ``response``."""
    response.vary.add("Accept")
    response.headers[TIMEOUT_HEADER] = f"{timeout:g}"
    if answer.head.rows is not None:
        response.headers[ROW_COUNT_HEADER] = str(answer.head.rows)
        response.headers[ROW_LIMIT_HEADER] = str(settings.row_limit)
        response.headers[TRUNCATED_HEADER] = "true" if answer.head.truncated else "false"


def offer_named(name: str) -> Offer:
    """The offer called ``name`` (a format name a worker answered in)."""
    return next(offer for offer in KNOWN_OFFERS if offer.name == name)


def cacheable(response: Response, *, max_age: int) -> Response:
    """Strong ``ETag`` (the body's digest), the build's time, and conditional answers."""
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    manifest = web_state().store.manifest()
    if manifest is not None:
        response.last_modified = datetime.fromisoformat(manifest.last_changed)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.make_conditional(request)
    return response
