"""Requests as the client sent them: no process environment, bodies of unknown length bounded."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from kgpub.web.request_guard import RequestGuard

LIMIT = 100


class SeenRequest:
    """Stands for the app: keeps the environment and body it was given."""

    def __init__(self) -> None:
        self.environ: dict[str, Any] = {}
        self.body = b""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.environ = dict(environ)
        self.body = environ["wsgi.input"].read()
        start_response("204 No Content", [])
        return []


def _send(guard: RequestGuard, **environ: Any) -> None:
    request = {"REQUEST_METHOD": "POST", "PATH_INFO": "/sparql", "wsgi.input": io.BytesIO()}
    guard({**request, **environ}, lambda status, headers, exc_info=None: None)


def test_variables_of_the_process_environment_are_not_taken_for_headers() -> None:
    app = SeenRequest()
    environment = {"HTTP_AUTHORIZATION": "Bearer secret", "HTTP_ACCEPT": "text/csv", "HOME": "/"}
    guard = RequestGuard(app, body_limit=LIMIT, environment=environment)
    _send(guard, **environment)
    assert "HTTP_AUTHORIZATION" not in app.environ and "HTTP_ACCEPT" not in app.environ
    assert app.environ["HOME"] == "/"  # not request data: left alone


def test_headers_the_client_sent_are_kept_even_when_a_variable_has_their_name() -> None:
    app = SeenRequest()
    guard = RequestGuard(app, body_limit=LIMIT, environment={"HTTP_ACCEPT": "text/csv"})
    _send(guard, HTTP_ACCEPT="text/turtle")
    assert app.environ["HTTP_ACCEPT"] == "text/turtle"


def test_a_chunked_body_within_the_limit_reaches_the_app_whole_with_its_length() -> None:
    app = SeenRequest()
    guard = RequestGuard(app, body_limit=LIMIT, environment={})
    body = b"ASK {}" * 10
    _send(guard, HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input": io.BytesIO(body)})
    assert (app.body, app.environ["CONTENT_LENGTH"]) == (body, str(len(body)))
    assert "HTTP_TRANSFER_ENCODING" not in app.environ


def test_a_chunked_body_over_the_limit_reaches_the_app_sized_one_byte_over() -> None:
    app = SeenRequest()
    guard = RequestGuard(app, body_limit=LIMIT, environment={})
    _send(guard, HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input": io.BytesIO(b"x" * 10_000)})
    assert app.environ["CONTENT_LENGTH"] == str(LIMIT + 1)  # so the app answers 413
    assert len(app.body) == LIMIT + 1


def test_a_body_of_announced_length_is_left_to_the_app() -> None:
    app = SeenRequest()
    guard = RequestGuard(app, body_limit=LIMIT, environment={})
    stream = io.BytesIO(b"x" * 500)
    _send(guard, CONTENT_LENGTH="500", **{"wsgi.input": stream})
    assert app.environ["wsgi.input"] is stream and app.environ["CONTENT_LENGTH"] == "500"
