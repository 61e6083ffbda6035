"""The fast path: a document or page the app has answered before is sent again without Flask.

Once a document is in the per-build document cache (:mod:`kgpub.web.document_cache`), what
is left of a request is Flask's own work — routing, hooks, building the response — which is
most of its cost. So the first time the app answers a ``GET`` from that cache, this layer
records the whole answer (status, every header, body), and answers the same request again
from the record, as the app would: same bytes, same ``ETag``, ``Last-Modified``, ``Vary``,
``Link``, ``Content-Location``, CORS and caching headers.

A request is answered from a record only when it is the same request for the same build:

- the key holds the published build (the store's ``current`` link, read per request, so a
  new build or a write is seen at once), the method, the URL as the app sees it after the
  proxy handling of :mod:`kgpub.web.proxy` (scheme, host, port, path prefix, path, query)
  and the ``Accept`` and ``Accept-Language`` headers;
- conditional requests (``If-None-Match`` and the like) and every method but ``GET`` go to
  the app, which answers 304, 412 or ``HEAD`` itself;
- the rate limit applies as in the app: a replay spends the client's token, and a client
  without one is passed to the app, which answers 429;
- only answers the app marked as made from the document cache, with status 200, are recorded,
  within the document cache's bound and cleared with it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from kgpub.backend import Store
from kgpub.embedded import EmbeddedStore
from kgpub.embedded_layout import CURRENT_LINK
from kgpub.web.document_cache import (
    EXTENSION_KEY,
    REPLAYABLE_BUILD,
    DocumentCache,
    RecordedAnswer,
)
from kgpub.web.rate_limit import ClientLimiter

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask

RATE_LIMITER_KEY = "kgpub.rate_limiter"
"""Where the app keeps its rate limiter (absent when the limit is off)."""
CONDITIONAL_NAMES = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_RANGE",
)
KEY_NAMES = (
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "HTTP_ACCEPT",
    "HTTP_ACCEPT_LANGUAGE",
)
"""What a recorded answer is keyed by, besides the build: the URL and the negotiated headers."""
UNKNOWN_CLIENT = "an unknown address"
"""The client name the app's rate limit gives a request without an address."""


class DocumentReplay:
    """WSGI middleware answering repeated document requests from recorded answers.

    :param app: the Flask app's own WSGI callable, which answers everything else.
    :param store: the store whose published build keys the records.
    :param cache: where records are kept (the app's document cache).
    :param limiter: the app's rate limiter, or ``None`` when the limit is off.
    """

    def __init__(
        self,
        app: WSGIApplication,
        *,
        store: Store,
        cache: DocumentCache,
        limiter: ClientLimiter | None,
    ) -> None:
        self.app = app
        self.cache = cache
        self.limiter = limiter
        self._current_link = (
            os.path.join(store.store_dir, CURRENT_LINK) if isinstance(store, EmbeddedStore) else ""
        )

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer from a record when there is one for this request, else from the app."""
        if environ.get("REQUEST_METHOD") != "GET" or not self._current_link:
            return self.app(environ, start_response)
        if any(name in environ for name in CONDITIONAL_NAMES):
            return self.app(environ, start_response)
        try:
            build = os.readlink(self._current_link)
        except OSError:
            return self.app(environ, start_response)  # nothing published: the app says so
        recorded = self.cache.find_answer(_answer_key(build, environ))
        if recorded is None or not self._admitted(environ):
            return self._record(environ, start_response)
        start_response(recorded.status, list(recorded.headers))
        return [recorded.body]

    def _admitted(self, environ: WSGIEnvironment) -> bool:
        if self.limiter is None:
            return True
        client = environ.get("REMOTE_ADDR") or UNKNOWN_CLIENT
        return self.limiter.wait_seconds(client) == 0.0

    def _record(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Let the app answer; keep the answer when it is a cached document's 200."""
        head: list[tuple[str, list[tuple[str, str]]]] = []

        def remember_head(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
        ) -> Callable[[bytes], object]:
            head.append((status, headers))
            return start_response(status, headers, exc_info)

        answer = self.app(environ, remember_head)
        build = environ.get(REPLAYABLE_BUILD)
        if build is None or not head or not head[-1][0].startswith("200 "):
            return answer
        try:
            body = b"".join(answer)
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
        status, headers = head[-1]
        recorded = RecordedAnswer(status, tuple(headers), body)
        self.cache.keep_answer(_answer_key(build, environ), recorded)
        return [body]


def _answer_key(build: str, environ: WSGIEnvironment) -> tuple[str, ...]:
    return ("answer", build, *(str(environ.get(name, "")) for name in KEY_NAMES))


def replay_cached_documents(app: Flask) -> WSGIApplication:
    """``app``'s WSGI callable behind a :class:`DocumentReplay` using the app's own cache.

    Call it after :func:`kgpub.web.document_cache.register_document_cache`, and before the
    proxy handling wraps the result, so records are keyed by the public URL.
    """
    from kgpub.web.state import EXTENSION_KEY as STATE_KEY

    return DocumentReplay(
        app.wsgi_app,
        store=app.extensions[STATE_KEY].store,
        cache=app.extensions[EXTENSION_KEY],
        limiter=app.extensions.get(RATE_LIMITER_KEY),
    )
