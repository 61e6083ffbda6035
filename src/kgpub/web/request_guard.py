"""What waitress does for the app and granian does not: requests as the client sent them.

Two differences matter, and :class:`RequestGuard` makes up for both in granian's server
processes (:mod:`kgpub.web.granian_serving`):

- **The process environment.** granian builds each request's WSGI environment on top of the
  process environment, so a variable such as ``HTTP_AUTHORIZATION`` or
  ``HTTP_X_FORWARDED_FOR`` set where the server was started would reach the app as if every
  client had sent that header. The guard removes such values.
- **Bodies of unknown length.** A chunked body comes without ``Content-Length``; Werkzeug
  then stops reading at ``max_request_bytes`` *without saying so*, and the app would act on
  the truncated text (a cut SPARQL update is still an update). Waitress reads such a body
  whole first and refuses it past its limit. The guard does the same: it reads the body up
  to one byte past the limit and hands the app that, with its length, so the app answers
  413 to an oversized body whether or not its size was announced.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

REQUEST_DATA_NAMES = ("CONTENT_TYPE", "CONTENT_LENGTH", "REMOTE_USER", "REQUEST_URI", "RAW_URI")
"""WSGI names besides ``HTTP_*`` that carry what the client sent."""


class RequestGuard:
    """WSGI middleware giving the app only what the client sent, bodies read to the limit.

    :param app: the app to guard.
    :param body_limit: the largest body the app accepts (``max_request_bytes``).
    :param environment: the process environment granian builds requests on.

    A request value equal to an environment variable's is taken to be the variable's: a
    client sending exactly that header loses it, which can only refuse something, never
    grant it.
    """

    def __init__(
        self,
        app: WSGIApplication,
        *,
        body_limit: int,
        environment: Mapping[str, str] = os.environ,
    ) -> None:
        self.app = app
        self.body_limit = body_limit
        self.leaked = {
            name: value
            for name, value in environment.items()
            if name.startswith("HTTP_") or name in REQUEST_DATA_NAMES
        }

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Clean the request, read a body of unknown length, then run the app."""
        for name, value in self.leaked.items():
            if environ.get(name) == value:
                del environ[name]
        if (
            "CONTENT_LENGTH" not in environ
            and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        ):
            body = _read_at_most(environ["wsgi.input"], self.body_limit + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))  # past the limit: the app's 413
            del environ["HTTP_TRANSFER_ENCODING"]  # else the length is ignored, as HTTP says
        return self.app(environ, start_response)


def _read_at_most(stream: io.BufferedIOBase, size: int) -> bytes:
    """Up to ``size`` bytes of ``stream``: fewer only when it ends first."""
    pieces, remaining = [], size
    while remaining > 0:
        piece = stream.read(remaining)
        if not piece:
            break
        pieces.append(piece)
        remaining -= len(piece)
    return b"".join(pieces)
