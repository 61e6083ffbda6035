"""The one place web errors become responses, with a pinned shape.

- The SPARQL endpoint and the Graph Store answer ``text/plain``: the message, e.g. the
  parser's, as SPARQL clients show it to their users.
- Canned queries and search answer by negotiation: ``{"ok": false, "error": "...", "status":
  404}`` for JSON clients (and always for ``/search.json``), a small page for browsers,
  plain text otherwise.

Each kgpub error maps to one status: :class:`~kgpub.errors.RequestError` subclasses carry
theirs; a query that failed while running is a 500, an unreadable store a 503. Werkzeug's own
errors (405 with ``Allow``, 413 for a body over ``max_request_bytes``) get the same shape.
Only these specific exception types are caught; anything else is a bug and stays a 500 with
a traceback in the log.
"""

from __future__ import annotations

import json

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from kgpub.errors import ConfigError, QueryError, RequestError, StoreError
from kgpub.web.negotiation import HTML_OFFER, Offer, choose_by_accept
from kgpub.web.state import web_state

TEXT_OFFER = Offer("text", "text/plain", textual=True)
JSON_OFFER = Offer("json", "application/json")
NEGOTIATED_BLUEPRINTS = ("queries", "search")
JSON_ENDPOINTS = ("search.suggestions",)
"""Addresses that always answer JSON, so their errors are JSON whatever ``Accept`` says."""


def error_response(
    status: int, message: str, headers: tuple[tuple[str, str], ...] = ()
) -> Response:
    """An error response in the shape the current request's surface uses."""
    offer = TEXT_OFFER
    if request.blueprint in NEGOTIATED_BLUEPRINTS:
        wanted = request.args.get("format", "").lower()
        if wanted == "json" or request.endpoint in JSON_ENDPOINTS:
            offer = JSON_OFFER
        else:
            chosen = choose_by_accept(
                request.headers.get("Accept"), (TEXT_OFFER, JSON_OFFER, HTML_OFFER)
            )
            offer = chosen or TEXT_OFFER
    if offer is JSON_OFFER:
        body = json.dumps({"ok": False, "error": message, "status": status}, ensure_ascii=False)
    elif offer is HTML_OFFER:
        body = render_template("error.html", status=status, message=message)
    else:
        body = message.rstrip("\n") + "\n"
    response = Response(body, status=status, content_type=offer.content_type)
    for name, value in headers:
        response.headers[name] = value
    response.vary.add("Accept")  # every address negotiates, so its errors (406) depend on it
    return response


def _request_error(error: RequestError) -> Response:
    return error_response(error.status, str(error), error.headers)


def _query_error(error: QueryError) -> Response:
    return error_response(500, str(error))


def _store_error(error: StoreError) -> Response:
    return error_response(503, str(error))


def _config_error(error: ConfigError) -> Response:
    return error_response(500, f"the server is misconfigured: {error}")


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    message = error.description or error.name
    headers: list[tuple[str, str]] = []
    if isinstance(error, MethodNotAllowed):
        allowed = ", ".join(error.valid_methods or ())
        message = f"{request.method} is not allowed on {request.path}; use {allowed}"
        headers.append(("Allow", allowed))
    elif isinstance(error, RequestEntityTooLarge):
        limit = web_state().settings.request_byte_limit
        message = (
            f"the request body is larger than this server's limit of {limit} bytes "
            "(the max_request_bytes setting)"
        )
    return error_response(status, message, tuple(headers))


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on ``app``."""
    app.register_error_handler(RequestError, _request_error)
    app.register_error_handler(QueryError, _query_error)
    app.register_error_handler(StoreError, _store_error)
    app.register_error_handler(ConfigError, _config_error)
    app.register_error_handler(HTTPException, _http_error)
