"""Finished documents and pages kept in memory: bounded, per build, per reader and prefix."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kgpub.web.document_cache import EXTENSION_KEY, DocumentCache, RecordedAnswer, Representation

from .test_web_fixtures import build_examples, running_app

TOKEN = "cache-test-token"  # noqa: S105 - a test value
AUTHORIZED = {"Authorization": f"Bearer {TOKEN}"}
PRISON = "https://kg.example.org/id/facility/ghwayran-prison"
NOTES = "https://kg.example.org/graph/cache-notes"


@pytest.fixture(scope="module")
def writable_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = build_examples(tmp_path_factory.mktemp("cache"))
    with running_app(root, query_workers="1", update_token=TOKEN) as app:
        yield app


@pytest.fixture
def client(writable_app: Flask) -> FlaskClient:
    return writable_app.test_client()


def _cache(app: Flask) -> DocumentCache:
    cache = app.extensions[EXTENSION_KEY]
    assert isinstance(cache, DocumentCache)
    return cache


def _write(client: FlaskClient, subject: str, value: str) -> None:
    update = f"INSERT DATA {{ GRAPH <{NOTES}> {{ <{subject}> <urn:note> '{value}' }} }}"
    response = client.post("/sparql", data={"update": update}, headers=AUTHORIZED)
    assert response.status_code in (200, 204), response.text


def test_a_repeated_document_is_answered_from_the_cache(
    writable_app: Flask, client: FlaskClient
) -> None:
    first = client.get("/doc/facility/ghwayran-prison.nt")
    kept = len(_cache(writable_app))
    again = client.get("/doc/facility/ghwayran-prison.nt")
    assert again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Last-Modified"] == first.headers["Last-Modified"]
    assert len(_cache(writable_app)) == kept > 0


def test_a_new_publication_is_seen_at_once_despite_the_cache(client: FlaskClient) -> None:
    before = client.get("/doc/facility/ghwayran-prison.nt")
    _write(client, PRISON, "first note")
    after = client.get("/doc/facility/ghwayran-prison.nt")
    assert "first note" not in before.text
    assert "first note" in after.text
    assert after.headers["ETag"] != before.headers["ETag"]


def test_a_missing_document_is_not_kept_so_it_appears_once_published(
    client: FlaskClient,
) -> None:
    address = "/doc/event/cache-test-new-event.ttl"
    assert client.get(address).status_code == 404
    _write(client, "https://kg.example.org/id/event/cache-test-new-event", "now described")
    published = client.get(address)
    assert published.status_code == 200
    assert "now described" in published.text


def test_pages_are_kept_per_reader_language(client: FlaskClient) -> None:
    english = client.get("/doc/facility/ghwayran-prison.html?lang=en")
    french = client.get("/doc/facility/ghwayran-prison.html?lang=fr")
    english_again = client.get("/doc/facility/ghwayran-prison.html?lang=en")
    assert english.headers["ETag"] != french.headers["ETag"]
    assert english_again.data == english.data
    assert english_again.headers["ETag"] == english.headers["ETag"]


def test_pages_are_kept_per_public_prefix(client: FlaskClient) -> None:
    plain = client.get("/doc/facility/ghwayran-prison.html").text
    prefixed = client.get("/doc/facility/ghwayran-prison.html", base_url="http://localhost/kg/")
    assert 'href="/kg/id/' in prefixed.text
    assert 'href="/kg/id/' not in plain


def test_a_conditional_request_gets_304_from_a_kept_document(client: FlaskClient) -> None:
    first = client.get("/doc/facility/ghwayran-prison.ttl")
    again = client.get(
        "/doc/facility/ghwayran-prison.ttl", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.headers["ETag"] == first.headers["ETag"]


def test_the_cache_is_bounded_by_the_bytes_it_holds() -> None:
    cache = DocumentCache(max_bytes=100_000)
    document = Representation(b"d" * 5_000, "tag", None)
    for number in range(1_000):
        cache.remember(number, lambda: document)
    assert cache.size_bytes <= 100_000
    assert len(cache) == 100_000 // 5_403
    assert cache.find(999) is document and cache.find(0) is None


def test_a_representation_over_a_tenth_of_the_cache_is_served_but_not_kept() -> None:
    cache = DocumentCache(max_bytes=100_000)
    small = Representation(b"s" * 100, "small", None)
    cache.remember("small", lambda: small)
    huge = Representation(b"h" * 20_000, "huge", None)
    assert cache.remember("huge", lambda: huge) is huge
    assert cache.find("huge") is None
    assert cache.find("small") is small


def test_reading_a_kept_representation_makes_it_the_last_to_go() -> None:
    document = Representation(b"d" * 1_500, "tag", None)
    cache = DocumentCache(max_bytes=20_000)  # ten fit
    for number in range(10):
        cache.remember(number, lambda: document)
    cache.find(0)
    cache.remember("new", lambda: document)
    assert cache.find(0) is document
    assert cache.find(1) is None


def test_clearing_the_cache_forgets_everything() -> None:
    cache = DocumentCache(max_bytes=100_000)
    cache.remember("a", lambda: Representation(b"a", "a", None))
    cache.clear()
    assert (len(cache), cache.size_bytes, cache.find("a")) == (0, 0, None)


def test_recorded_answers_share_the_bound_with_representations() -> None:
    cache = DocumentCache(max_bytes=20_000)
    document = Representation(b"d" * 1_500, "tag", None)
    answer = RecordedAnswer("200 OK", (("Content-Type", "text/turtle"),), b"a" * 1_500)
    for number in range(10):
        cache.remember(("document", number), lambda: document)
        cache.keep_answer(("answer", number), answer)
    assert cache.size_bytes <= 20_000
    assert cache.find_answer(("answer", 9)) is answer
    assert cache.find(("document", 0)) is None  # pushed out by the answers kept after it
    cache.clear()
    assert (len(cache), cache.find_answer(("answer", 9))) == (0, None)


def test_a_representation_and_an_answer_are_never_taken_for_each_other() -> None:
    cache = DocumentCache(max_bytes=20_000)
    cache.remember("representation", lambda: Representation(b"r", "r", None))
    cache.keep_answer("answer", RecordedAnswer("200 OK", (), b"a"))
    assert cache.find("answer") is None
    assert cache.find_answer("representation") is None
