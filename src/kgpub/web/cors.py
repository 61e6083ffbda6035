"""Cross-origin access: every read is open to browser code on any site, writes are not.

Reads get ``Access-Control-Allow-Origin: *`` and expose kgpub's answer headers (row count,
truncation), so a page elsewhere can run queries and tell a cut answer from a whole one. A
preflight (``OPTIONS`` with ``Access-Control-Request-Method``) allows ``GET``, ``HEAD`` and
``POST`` with ``Accept`` and ``Content-Type``, which covers ``application/sparql-query``
bodies. It never allows ``Authorization``, so a browser will not send the update token from
another site; write responses carry no CORS header at all.
"""

from __future__ import annotations

from flask import Flask, Response, g, request

from kgpub.web.answers import ANSWER_HEADERS

ALLOWED_METHODS = "GET, HEAD, POST"
ALLOWED_HEADERS = "Accept, Accept-Language, Content-Type"
PREFLIGHT_MAX_AGE_SECONDS = 86400
EXPOSED_HEADERS = ", ".join((*ANSWER_HEADERS, "Retry-After"))
"""Readable by scripts on other sites: the row-cap headers and how long a 429 asks to wait."""


def keep_same_origin() -> None:
    """Mark the current request as a write: its response gets no CORS headers."""
    g.kgpub_same_origin = True


def _preflight() -> Response | None:
    if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
        return None
    response = Response(status=204)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
    response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE_SECONDS)
    return response


def _allow_reads(response: Response) -> Response:
    if not g.get("kgpub_same_origin", False):
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response.headers.setdefault("Access-Control-Expose-Headers", EXPOSED_HEADERS)
    return response


def register_cors(app: Flask) -> None:
    """Answer preflights and mark read responses on ``app``."""
    app.before_request(_preflight)
    app.after_request(_allow_reads)
