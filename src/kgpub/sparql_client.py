"""HTTP to a SPARQL 1.1 server: query and update requests, credentials, and the server's failures.

Queries go through SPARQLWrapper, updates are plain ``POST`` requests. Every failure becomes a
:class:`~kgpub.errors.StoreError` (or a :class:`~kgpub.errors.QueryError` for a query the
server rejects) naming the URL and the setting to check, and never the password: URLs are shown
without credentials (:func:`shown_url`), which are sent in an ``Authorization`` header instead.
:class:`kgpub.remote.RemoteStore` is built on these requests.
"""

from __future__ import annotations

import base64
import http.client
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from SPARQLWrapper import JSON, POST, SELECT, URLENCODED, SPARQLWrapper

from kgpub import __version__
from kgpub.backend import Dataset
from kgpub.errors import ConfigError, KgpubError, QueryError, StoreError

QUERY_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
"""One Accept header for every query form, so kgpub never has to guess a query's form: the
server picks SPARQL JSON for SELECT and ASK, N-Triples (or Turtle) for CONSTRUCT and DESCRIBE."""
SERVER_MESSAGE_CHARS = 1000


def check_endpoint_url(setting: str, url: str) -> None:
    """Accept ``url`` as the endpoint of ``setting`` only if it is http(s) without credentials.

    :raises ConfigError: when it is not, naming the setting.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ConfigError(f"{setting} must be an http(s) URL, not {shown_url(url)!r}")
    # urllib would not send them, and would quote them in its errors.
    if "@" in parts.netloc:
        raise ConfigError(
            f"{setting} must not hold a user or password ({shown_url(url)}); set "
            "remote_user and the KGPUB_REMOTE_PASSWORD variable instead"
        )


def basic_authorization(user: str, password: str) -> str:
    """The ``Authorization`` header value of HTTP Basic authentication, or ``""`` without a user."""
    if not user:
        return ""
    credentials = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return f"Basic {credentials}"


def open_query(
    query_url: str,
    sparql: str,
    *,
    dataset: Dataset,
    headers: dict[str, str],
    timeout: float,
) -> Any:
    """Send a query (a form-encoded ``POST``) and return the open HTTP response.

    :raises QueryError: when the server rejects the query (with the server's message).
    :raises StoreError: when the server cannot be reached or fails.
    """
    shown = shown_url(query_url)
    client = _QueryClient(query_url, timeout=timeout)
    client.setQuery(sparql)
    for graph in dataset.default_graphs:
        client.addParameter("default-graph-uri", graph)
    for graph in dataset.named_graphs:
        client.addParameter("named-graph-uri", graph)
    for name, value in {**headers, "Accept": QUERY_ACCEPT}.items():
        client.addCustomHttpHeader(name, value)
    try:
        return client.query().response
    except urllib.error.HTTPError as error:
        raise _http_error(error, url=shown, query=True) from None
    except (OSError, http.client.HTTPException) as error:
        raise unreachable(error, shown, "remote_query_url") from None


def post_update(update_url: str, update: bytes, *, headers: dict[str, str], timeout: float) -> None:
    """POST one SPARQL Update request.

    :raises StoreError: when the server cannot be reached or refuses the update.
    """
    request = urllib.request.Request(  # noqa: S310 - check_endpoint_url allows http(s) only
        update_url,
        data=update,
        method="POST",
        headers={**headers, "Content-Type": "application/sparql-update"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as error:
        raise _http_error(error, url=shown_url(update_url), query=False) from None
    except (OSError, http.client.HTTPException) as error:
        raise unreachable(error, shown_url(update_url), "remote_update_url") from None


def read_body(response: Any, *, url: str) -> bytes:
    """The whole body of a query's response.

    :raises StoreError: when the connection fails while it is read.
    """
    try:
        return bytes(response.read())
    except (OSError, http.client.HTTPException) as error:
        raise unreachable(error, url, "remote_query_url") from None


def media_type(response: Any) -> str:
    """The media type of a response, lower case, without parameters."""
    return str(response.headers.get("Content-Type", "")).partition(";")[0].strip().lower()


class _QueryClient(SPARQLWrapper):
    """SPARQLWrapper sending form-encoded POSTs, with two changes.

    It does not guess a query's form with a regular expression (which warns on queries it
    cannot classify); the Accept header covers every form and the server decides. And it
    raises urllib's own HTTP errors with a float timeout, so the server's message is kept.
    """

    def __init__(self, endpoint: str, *, timeout: float) -> None:
        super().__init__(endpoint, returnFormat=JSON, agent=f"kgpub/{__version__}")
        self.setMethod(POST)
        self.setRequestMethod(URLENCODED)
        self.setOnlyConneg(True)
        self.kgpub_timeout = timeout

    def _parseQueryType(self, query: str) -> str:  # noqa: N802 - SPARQLWrapper's name
        return str(SELECT)

    def _query(self) -> tuple[Any, str]:
        request = self._createRequest()
        response = urllib.request.urlopen(request, timeout=self.kgpub_timeout)  # noqa: S310
        return response, str(self.returnFormat)


def shown_url(url: str) -> str:
    """``url`` without any ``user:password@`` part, for messages.

    >>> shown_url("https://kgpub:secret@example.org:3030/ds/query")
    'https://example.org:3030/ds/query'
    """
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=host))


def _http_error(error: urllib.error.HTTPError, *, url: str, query: bool) -> KgpubError:
    try:
        message = " ".join(error.read(SERVER_MESSAGE_CHARS).decode("utf-8", "replace").split())
    except (OSError, http.client.HTTPException):
        message = ""
    finally:
        error.close()
    setting = "remote_query_url" if query else "remote_update_url"
    if error.code == 400 and query:
        return QueryError(f"the SPARQL server rejected the query: {message or error.reason}")
    if error.code == 400:
        return StoreError(
            f"{url} rejected an update kgpub sent: {message or error.reason}; the server may "
            "not support SPARQL 1.1 Update fully (see docs/remote.md)"
        )
    if error.code in (401, 403):
        role = "" if query else ", and that this user may run SPARQL Update"
        return StoreError(
            f"{url} refused access (HTTP {error.code}); check remote_user and the "
            f"KGPUB_REMOTE_PASSWORD variable{role}"
        )
    if error.code == 404:
        return StoreError(f"{url} does not exist (HTTP 404); check {setting}")
    return StoreError(
        f"{url} answered HTTP {error.code} {error.reason}: {message}; check {setting} and "
        "the server's log"
    )


def unreachable(error: BaseException, url: str, setting: str) -> StoreError:
    """The error for a server that cannot be reached (or broke the connection) at ``url``."""
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    return StoreError(
        f"cannot reach the SPARQL server at {url}: {reason}; check that the server is running "
        f"and {setting} is right (raise remote_timeout for a slow server)"
    )
