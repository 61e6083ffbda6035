"""The query shortcut: a plain query POST answered ahead of Flask exactly as the app answers it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder

from kgpub.web import query_pool
from kgpub.web.answer_frames import CHUNK_BYTES
from kgpub.web.query_shortcut import QueryShortcut

from .test_web_fixtures import CROSS_JOIN, KG, SKOS, built_examples, running_app

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["built_examples"]

LABELS = f"PREFIX skos: <{SKOS}> SELECT ?label {{ ?x skos:prefLabel ?label }} ORDER BY ?label"
FACILITIES = f"CONSTRUCT WHERE {{ ?facility a <{KG}Facility> }}"
Reply = tuple[str, list[tuple[str, str]], bytes]


@pytest.fixture(scope="module")
def app(built_examples: Path) -> Iterator[Flask]:
    """An app whose answers are cut at 5 rows, with an allow-list and a small body limit."""
    with running_app(
        built_examples,
        query_workers="1",
        max_rows="5",
        max_request_bytes="4096",
        federation_allowlist="query.wikidata.org",
    ) as application:
        yield application


@pytest.fixture
def shortcut(app: Flask) -> QueryShortcut:
    assert isinstance(app.wsgi_app, QueryShortcut)
    return app.wsgi_app


def _call(wsgi: Any, body: bytes, **options: Any) -> Reply:
    headers = {"Content-Type": "application/sparql-query", **options.pop("headers", {})}
    environ = EnvironBuilder(
        path=options.pop("path", "/sparql"),
        method=options.pop("method", "POST"),
        data=body,
        headers=headers,
        **options,
    ).get_environ()
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, head: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started.append((status, head))

    answer = wsgi(environ, start_response)
    try:
        data = b"".join(answer)
    finally:
        getattr(answer, "close", lambda: None)()
    status, head = started[-1]
    return status, head, data


CASES = {
    "json": (LABELS, {"Accept": "application/sparql-results+json"}),
    "xml": (LABELS, {"Accept": "application/sparql-results+xml"}),
    "csv": (LABELS, {"Accept": "text/csv"}),
    "tsv": (LABELS, {"Accept": "text/tab-separated-values"}),
    "no Accept": (LABELS, {}),
    "any type": (LABELS, {"Accept": "*/*"}),
    "weighted Accept": (LABELS, {"Accept": "text/csv;q=0.5, application/sparql-results+xml"}),
    "ask": ("ASK { ?s ?p ?o }", {}),
    "construct as turtle": (FACILITIES, {"Accept": "text/turtle"}),
    "construct as n-triples": (FACILITIES, {"Accept": "application/n-triples"}),
    "construct as JSON-LD": (FACILITIES, {"Accept": "application/ld+json"}),
    "cut at the row cap": ("SELECT * { ?s ?p ?o }", {}),
    "malformed, found by the worker": ("SELECT WHERE {", {}),
    "not acceptable": (LABELS, {"Accept": "text/html"}),
    "federating beyond the allow-list": (
        "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        {},
    ),
    "nested too deeply": ("SELECT * { " + "{ " * 300 + "}" * 300 + " }", {}),
    "latin-1": ("SELECT ?x { ?x ?p 'Hassaké' }", {"charset": "ISO-8859-1"}),
    "unknown charset": (LABELS, {"charset": "no-such-charset"}),
    "not in its charset": ("SELECT ?x { ?x ?p 'Hassaké' }", {"charset": "ascii-bytes"}),
    "a media type parameter": (LABELS, {"Content-Type": "application/sparql-query; x=y"}),
}


def _body_and_headers(sparql: str, given: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    headers = dict(given)
    charset = headers.pop("charset", None)
    if charset == "ascii-bytes":
        return sparql.encode("latin-1"), headers  # é is not UTF-8 this way
    if charset is not None:
        headers["Content-Type"] = f"application/sparql-query; charset={charset}"
        encoding = charset if charset != "no-such-charset" else "utf-8"
        return sparql.encode(encoding), headers
    return sparql.encode(), headers


def test_the_cases_cover_answers_failures_and_requests_passed_on() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", list(CASES))
def test_each_plain_query_gets_exactly_the_apps_answer(shortcut: QueryShortcut, case: str) -> None:
    body, headers = _body_and_headers(*CASES[case])
    assert _call(shortcut, body, headers=headers) == _call(shortcut.app, body, headers=headers)


def test_an_answer_streamed_from_its_worker_is_sent_as_the_app_sends_it(
    built_examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query_pool, "READ_AHEAD_BYTES", 100)
    query = b"SELECT * { ?s ?p ?o FILTER (BOUND(?s)) }"  # not one pattern: a worker answers
    headers = {"Accept": "text/tab-separated-values"}
    with running_app(built_examples, query_workers="1") as app:
        shortcut = app.wsgi_app
        assert isinstance(shortcut, QueryShortcut)
        streamed = _call(shortcut, query, headers=headers)
        assert streamed == _call(shortcut.app, query, headers=headers)
        assert len(shortcut.state.pool.worker_pids()) == 1
    assert "Content-Length" not in dict(streamed[1]) and len(streamed[2]) > CHUNK_BYTES


def test_a_plain_query_is_answered_without_the_app(shortcut: QueryShortcut) -> None:
    def no_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        raise AssertionError("the shortcut passed a plain query on")

    alone = QueryShortcut(no_app, flask_app=shortcut.flask_app)
    status, headers, body = _call(alone, LABELS.encode())
    assert status == "200 OK" and ("X-KGPub-Truncated", "true") in headers
    assert body.startswith(b'{"head":{"vars":["label"]}')


@pytest.mark.parametrize(
    "request_options",
    [
        {"query_string": "timeout=5"},
        {"path": "/sparql/"},
        {"method": "PUT"},
        {"headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    ],
    ids=["URL parameters", "trailing slash", "another method", "a form"],
)
def test_anything_but_a_plain_query_is_passed_to_the_app(
    shortcut: QueryShortcut, request_options: dict[str, Any]
) -> None:
    passed: list[bytes] = []

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        passed.append(environ["wsgi.input"].read())
        start_response("204 No Content", [])
        return []

    _call(QueryShortcut(app, flask_app=shortcut.flask_app), b"ASK {}", **request_options)
    assert passed == [b"ASK {}"]


def test_a_body_over_the_limit_is_refused_by_the_app(shortcut: QueryShortcut) -> None:
    query = f"ASK {{ FILTER(STRLEN('{'x' * 5000}') > 0) }}".encode()
    status, _, body = _call(shortcut, query)
    assert status.startswith("413") and b"max_request_bytes" in body


def test_a_query_past_its_time_limit_is_answered_as_the_app_answers_it(
    built_examples: Path,
) -> None:
    with running_app(built_examples, query_workers="1", query_timeout="0.5") as slow:
        shortcut = slow.wsgi_app
        assert isinstance(shortcut, QueryShortcut)
        status, headers, body = _call(shortcut, CROSS_JOIN.encode())
    assert status.startswith("503") and b"0.5 s limit" in body
    assert ("Vary", "Accept") in headers and ("Access-Control-Allow-Origin", "*") in headers


def test_a_client_out_of_tokens_is_told_to_wait_by_the_app(built_examples: Path) -> None:
    with running_app(built_examples, query_workers="1", rate_limit="0.01", rate_burst="2") as app:
        statuses = [_call(app.wsgi_app, b"ASK {}")[0] for _ in range(3)]
        refused = _call(app.wsgi_app, b"ASK {}")
    assert statuses == ["200 OK", "200 OK", "429 TOO MANY REQUESTS"]
    assert any(name == "Retry-After" for name, _ in refused[1])


def test_the_app_has_no_hook_the_short_way_does_not_reproduce(app: Flask) -> None:
    """A hook added to the app would be skipped by plain queries: reproduce it, then list it."""
    before = sorted(getattr(hook, "func", hook).__name__ for hook in app.before_request_funcs[None])
    after = sorted(getattr(hook, "func", hook).__name__ for hook in app.after_request_funcs[None])
    assert before == ["_limit_rate", "_preflight", "_refuse_long_urls"]
    assert after == ["_allow_reads", "_cache_versioned_assets"]  # the second: /static/ only
    assert not app.before_request_funcs.keys() - {None}, "a blueprint's own hooks"
    assert not app.url_value_preprocessors and not app.teardown_request_funcs
