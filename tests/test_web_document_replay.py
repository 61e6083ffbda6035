"""The fast path: a repeated document request is answered from its record, exactly as the app."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from kgpub.web.document_replay import DocumentReplay

from .test_web_fixtures import build_examples, running_app

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

PRISON = "/doc/facility/ghwayran-prison"
ARTICLE = "/doc/article/lemonde-2022-01-ghwayran"
ESCAPE = "/doc/event/lemonde-2022-01-ghwayran/prisoner-escape"
FORWARDED = {
    "X-Forwarded-For": "203.0.113.9",
    "X-Forwarded-Host": "facts.example.org",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Prefix": "/kg",
}
CASES: list[tuple[str, str, dict[str, str], str]] = [
    # (app, path, request headers, base URL)
    ("plain", f"{PRISON}.ttl", {}, "http://localhost/"),
    ("plain", f"{PRISON}.nt", {"Accept": "application/n-triples"}, "http://localhost/"),
    ("plain", f"{PRISON}.nq", {}, "http://localhost/"),
    ("plain", f"{PRISON}.trig", {}, "http://localhost/"),
    ("plain", f"{PRISON}.jsonld", {}, "http://localhost/"),
    ("plain", f"{PRISON}.jsonld", {}, "https://other.example:8443/"),
    ("plain", f"{PRISON}.rdf", {"Origin": "https://elsewhere.example"}, "http://localhost/"),
    ("plain", f"{PRISON}.html", {"Accept": "text/html"}, "http://localhost/"),
    ("plain", f"{PRISON}.html", {"Accept-Language": "fr, en;q=0.5"}, "http://localhost/"),
    ("plain", f"{PRISON}.html?lang=fr", {}, "http://localhost/"),
    ("plain", f"{ARTICLE}.html", {}, "http://localhost/"),
    ("plain", f"{ESCAPE}.ttl", {"Accept": "*/*"}, "http://localhost/"),
    ("plain", f"{PRISON}.ttl", {}, "http://localhost/kg/"),
    ("plain", "/ont.ttl", {}, "http://localhost/"),
    ("plain", "/vocab/event-type.html", {}, "http://localhost/"),
    ("plain", "/vocab/event-type/prison-escape.jsonld", {}, "http://localhost/"),
    ("mounted", f"/kg{PRISON}.html", {}, "http://localhost/"),
    ("mounted", f"{PRISON}.ttl", {}, "http://localhost/"),
    ("proxied", f"{PRISON}.jsonld", FORWARDED, "http://localhost/"),
    ("proxied", f"{PRISON}.html", FORWARDED, "http://localhost/"),
    ("limited", f"{PRISON}.ttl", {}, "http://localhost/"),
]
SETTINGS = {
    "plain": {"rate_limit": "0"},
    "mounted": {"script_name": "/kg"},
    "proxied": {"proxy_hops": "1"},
    "limited": {"rate_limit": "0.01", "rate_burst": "3"},  # a token back every 100 s
}


class CountingApp:
    """Stands for the Flask app behind the replay layer, counting the requests it gets."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.calls = 0

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        self.calls += 1
        result: Iterable[bytes] = self.app(environ, start_response)
        return result


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_examples(tmp_path_factory.mktemp("replay"))


@pytest.fixture(scope="module")
def apps(root: Path) -> Iterator[dict[str, Flask]]:
    with (
        running_app(root, **SETTINGS["plain"]) as plain,
        running_app(root, **SETTINGS["mounted"]) as mounted,
        running_app(root, **SETTINGS["proxied"]) as proxied,
    ):
        yield {"plain": plain, "mounted": mounted, "proxied": proxied}


@pytest.fixture
def limited_app(root: Path) -> Iterator[Flask]:
    """A fresh app per test, so each starts with a full token bucket."""
    with running_app(root, **SETTINGS["limited"]) as app:
        yield app


def counting(app: Flask, monkeypatch: pytest.MonkeyPatch) -> CountingApp:
    """Count what reaches Flask from behind ``app``'s replay layer from now on."""
    layer: Any = app.wsgi_app
    while not isinstance(layer, DocumentReplay):
        layer = layer.app  # the proxy layers in front each keep the app they wrap
    counter = CountingApp(layer.app)
    monkeypatch.setattr(layer, "app", counter)
    return counter


def fetch(app: Flask, path: str, headers: dict[str, str], base_url: str) -> TestResponse:
    return app.test_client().get(path, headers=headers, base_url=base_url)


def answer_of(response: TestResponse) -> tuple[str, list[tuple[str, str]], bytes]:
    return response.status, response.headers.to_wsgi_list(), response.data


@pytest.mark.parametrize(
    ("app_name", "path", "headers", "base_url"),
    CASES,
    ids=[f"{name}:{base}:{path}:{','.join(sent)}" for name, path, sent, base in CASES],
)
def test_a_replayed_answer_is_the_apps_own_header_by_header(
    apps: dict[str, Flask],
    limited_app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    app_name: str,
    path: str,
    headers: dict[str, str],
    base_url: str,
) -> None:
    app = limited_app if app_name == "limited" else apps[app_name]
    app.extensions["kgpub.document_cache"].clear()
    flask = counting(app, monkeypatch)
    from_the_app = fetch(app, path, headers, base_url)
    assert (from_the_app.status_code, flask.calls) == (200, 1), from_the_app.text
    replayed = fetch(app, path, headers, base_url)
    assert flask.calls == 1, "the second request reached Flask"
    status, sent, body = answer_of(from_the_app)
    assert replayed.status == status
    assert replayed.headers.to_wsgi_list() == sent  # every header, its value and its place
    assert replayed.data == body


def test_requests_differing_in_a_keyed_header_never_get_each_others_answer(
    apps: dict[str, Flask],
) -> None:
    app = apps["plain"]
    local = fetch(app, f"{PRISON}.jsonld", {}, "http://localhost/")
    other = fetch(app, f"{PRISON}.jsonld", {}, "https://other.example/")
    assert '"http://localhost/context.jsonld"' in local.text
    assert '"https://other.example/context.jsonld"' in other.text
    english = fetch(app, f"{PRISON}.html", {"Accept-Language": "en"}, "http://localhost/")
    french = fetch(app, f"{PRISON}.html", {"Accept-Language": "fr"}, "http://localhost/")
    assert english.headers["ETag"] != french.headers["ETag"]
    assert fetch(app, f"{PRISON}.html", {"Accept-Language": "fr"}, "http://localhost/").data == (
        french.data
    )


def test_conditional_and_head_requests_are_answered_by_the_app(
    apps: dict[str, Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = apps["plain"]
    first = fetch(app, f"{PRISON}.ttl", {}, "http://localhost/")
    flask = counting(app, monkeypatch)
    conditional = {"If-None-Match": first.headers["ETag"]}
    unchanged = fetch(app, f"{PRISON}.ttl", conditional, "http://localhost/")
    head = app.test_client().head(f"{PRISON}.ttl")
    assert (unchanged.status_code, head.status_code, head.data) == (304, 200, b"")
    assert head.headers["ETag"] == first.headers["ETag"]
    assert flask.calls == 2


@pytest.mark.parametrize(
    "path", ["/sparql?query=ASK%7B%7D", f"{PRISON}.xyz", "/doc/facility/nowhere.ttl", "/"]
)
def test_answers_not_made_from_the_document_cache_are_never_replayed(
    apps: dict[str, Flask], monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    app = apps["plain"]
    flask = counting(app, monkeypatch)
    statuses = {fetch(app, path, {}, "http://localhost/").status_code for _ in range(2)}
    assert flask.calls == 2
    assert len(statuses) == 1


def test_replayed_answers_spend_the_clients_rate_limit_tokens(
    limited_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    flask = counting(limited_app, monkeypatch)
    client = limited_app.test_client()
    statuses = [client.get(f"{PRISON}.ttl").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # a burst of 3, then nothing left
    assert flask.calls == 2  # the first answer and the 429 came from Flask
    refused = client.get(f"{PRISON}.ttl")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    other_client = client.get(f"{PRISON}.ttl", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other_client.status_code == 200


def test_clearing_the_document_cache_forgets_the_recorded_answers(
    apps: dict[str, Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = apps["plain"]
    fetch(app, f"{PRISON}.nt", {}, "http://localhost/")
    app.extensions["kgpub.document_cache"].clear()
    flask = counting(app, monkeypatch)
    assert fetch(app, f"{PRISON}.nt", {}, "http://localhost/").status_code == 200
    assert flask.calls == 1
