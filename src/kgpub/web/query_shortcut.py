"""The short way for a plain SPARQL query: answered ahead of Flask, as the app answers it.

Most programmatic clients ``POST`` the query itself (``application/sparql-query``) to
``/sparql``, with nothing in the URL. For such a request, Flask's own work — the request
context, routing, hooks, building the response — costs about as much as handing the query to a
worker and back (0.27 ms of the 0.73 ms an 11-row lookup took in-process). This layer answers it
instead, with what the app's handler does (:func:`kgpub.web.sparql.checked_outline`,
:func:`~kgpub.web.sparql.negotiated_job`) and the same status, headers (row cap, time limit,
``Vary``, CORS) and body.

Everything else goes to the app: other methods, paths, media types or body parameters, a
URL with parameters, a body over ``max_request_bytes`` or not in its charset, a query too
deeply nested or federating beyond the allow-list, one no acceptable format fits, and a client
out of rate-limit tokens (the token is spent here otherwise, as the app would). The body read
here is handed on with the request, so the app sees it whole. A failure of the query itself
(malformed, too slow, no worker free) is turned into its response by the app's own error
handlers and ``after_request`` hooks, in a request context of the app.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.http import parse_options_header

from kgpub.errors import KgpubError, RequestError
from kgpub.web.answers import (
    ROW_COUNT_HEADER,
    ROW_LIMIT_HEADER,
    TIMEOUT_HEADER,
    TRUNCATED_HEADER,
    offer_named,
)
from kgpub.web.cors import EXPOSED_HEADERS
from kgpub.web.document_replay import RATE_LIMITER_KEY, UNKNOWN_CLIENT
from kgpub.web.inline_queries import run_query
from kgpub.web.query_pool import Answer
from kgpub.web.sparql import SPARQL_QUERY, checked_outline, negotiated_job
from kgpub.web.state import EXTENSION_KEY, WebState

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask

    from kgpub.web.rate_limit import ClientLimiter

PATH = "/sparql"


class QueryShortcut:
    """WSGI middleware answering plain ``application/sparql-query`` POSTs without Flask.

    :param app: the WSGI callable answering everything else (the app and its middleware).
    :param flask_app: the app itself, whose error handlers and hooks answer failures.
    """

    def __init__(self, app: WSGIApplication, *, flask_app: Flask) -> None:
        self.app = app
        self.flask_app = flask_app
        self.state: WebState = flask_app.extensions[EXTENSION_KEY]
        self.limiter: ClientLimiter | None = flask_app.extensions.get(RATE_LIMITER_KEY)
        settings = self.state.settings
        # The app refuses a URL longer than this; "/sparql?" is what it measures here.
        self.fits = len(PATH) + 1 <= settings.request_byte_limit

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer a plain query here; pass anything else to the app."""
        sparql = self._plain_query(environ)
        if sparql is None:
            return self.app(environ, start_response)
        settings = self.state.settings
        try:
            found = checked_outline(sparql, settings)
            job = negotiated_job(
                sparql,
                found,
                settings=settings,
                format_name=None,
                accept=environ.get("HTTP_ACCEPT"),
                dataset=None,
            )
        except RequestError:
            return self.app(environ, start_response)  # the app says what is wrong
        if not self._admitted(environ):
            return self.app(environ, start_response)  # the app says 429
        timeout = settings.query_timeout_seconds
        try:
            answer = run_query(self.state, job, found, timeout=timeout)
        except KgpubError as error:
            return self._failure(environ, start_response, error)
        start_response("200 OK", self._headers(answer, timeout))
        return answer.body

    def _plain_query(self, environ: WSGIEnvironment) -> str | None:
        """The query a plain query request sends, or ``None`` when the app must answer.

        A request read here keeps its body: it is put back for the app.
        """
        if (
            environ.get("REQUEST_METHOD") != "POST"
            or environ.get("PATH_INFO") != PATH
            or environ.get("QUERY_STRING")
            or not self.fits
        ):
            return None
        media_type, parameters = parse_options_header(environ.get("CONTENT_TYPE"))
        length = environ.get("CONTENT_LENGTH", "")
        if media_type != SPARQL_QUERY or set(parameters) - {"charset"} or not length.isdigit():
            return None
        if int(length) > self.state.settings.request_byte_limit:
            return None
        data = environ["wsgi.input"].read(int(length))
        environ["wsgi.input"] = io.BytesIO(data)
        if len(data) != int(length):
            return None
        try:
            return data.decode(parameters.get("charset", "utf-8"))  # type: ignore[no-any-return]
        except (LookupError, UnicodeDecodeError):
            return None

    def _admitted(self, environ: WSGIEnvironment) -> bool:
        """Spend the client's rate-limit token, as the app would; without one, the app says 429."""
        if self.limiter is None:
            return True
        client = environ.get("REMOTE_ADDR") or UNKNOWN_CLIENT
        return self.limiter.wait_seconds(client) == 0.0

    def _headers(self, answer: Answer, timeout: float) -> list[tuple[str, str]]:
        """The app's headers for ``answer``, in the app's order."""
        headers = [
            ("Content-Type", offer_named(answer.head.format_name).content_type),
            ("Vary", "Accept"),
            (TIMEOUT_HEADER, f"{timeout:g}"),
        ]
        if answer.head.rows is not None:
            headers += [
                (ROW_COUNT_HEADER, str(answer.head.rows)),
                (ROW_LIMIT_HEADER, str(self.state.settings.row_limit)),
                (TRUNCATED_HEADER, "true" if answer.head.truncated else "false"),
            ]
        headers += [
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
        ]
        if isinstance(answer.body, list):  # read whole: its length is known, as Flask sends it
            headers.append(("Content-Length", str(sum(len(chunk) for chunk in answer.body))))
        return headers

    def _failure(
        self, environ: WSGIEnvironment, start_response: StartResponse, error: KgpubError
    ) -> Iterable[bytes]:
        """The app's own response to ``error``: its error handler, then its hooks."""
        app = self.flask_app
        with app.request_context(environ):
            response = app.finalize_request(app.handle_user_exception(error))
        return response(environ, start_response)


def answer_queries_directly(flask_app: Flask) -> WSGIApplication:
    """``flask_app``'s WSGI callable behind a :class:`QueryShortcut`.

    Call it after the app is complete (its extensions and hooks), and before the proxy
    handling wraps the result, so the shortcut sees the request as the app would.
    """
    return QueryShortcut(flask_app.wsgi_app, flask_app=flask_app)
