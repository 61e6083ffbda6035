"""``/search``: the page and the JSON API over the examples, escaping, refusals and CORS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from tests.remote_server import free_port

from kgpub.web.query_page import asset_url

from .test_web_fixtures import build_examples, running_app
from .test_web_remote_quads import remote_settings

TOKEN = "search-test-token"  # noqa: S105 - a test value
SOHR = "https://kg.example.org/id/organization/sohr"
SOHR_PAGE = "/doc/organization/sohr.html"
MARKUP = "<script>window.pwned=1</script>"
JSON_TYPE = "application/json"


@pytest.fixture(scope="module")
def search_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app over a private build of the examples that accepts writes (one test adds a name)."""
    root: Path = build_examples(tmp_path_factory.mktemp("search"))
    with running_app(root, query_workers="1", update_token=TOKEN) as app:
        yield app


@pytest.fixture
def client(search_app: Flask) -> FlaskClient:
    """A test client of :func:`search_app`."""
    return search_app.test_client()


def hits_for(client: FlaskClient, text: str, **parameters: str) -> list[dict[str, str]]:
    """The JSON hits for ``text``."""
    response = client.get("/search.json", query_string={"q": text, **parameters})
    assert response.status_code == 200, response.text
    hits: list[dict[str, str]] = json.loads(response.data)["hits"]
    return hits


def test_the_page_lists_osdh_as_the_syrian_observatory_linking_to_its_page(
    client: FlaskClient,
) -> None:
    response = client.get("/search", query_string={"q": "OSDH"})
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    page = response.text
    assert (
        f'<a href="{SOHR_PAGE}" class="hit-label">Syrian Observatory for Human Rights</a>' in page
    )
    assert "alias\n      “OSDH”" in page
    assert client.get(SOHR_PAGE).status_code == 200


def test_the_json_answer_gives_each_hits_iri_page_label_match_and_type(
    client: FlaskClient,
) -> None:
    (hit,) = hits_for(client, "osdh")
    assert hit == {
        "iri": SOHR,
        "url": SOHR_PAGE,
        "label": "Syrian Observatory for Human Rights",
        "matched": "OSDH",
        "language": "fr",
        "match": "alias",
        "rank": "exact-alias",
        "type": "https://w3id.org/kgpub/ont#Organization",
        "kind": "organization",
    }


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/search?q=hassake", {"Accept": JSON_TYPE}),
        ("/search?q=hassake&format=json", {"Accept": "text/html"}),
        ("/search.json?q=hassake", {"Accept": "text/html"}),
    ],
)
def test_json_is_sent_for_search_json_format_json_and_accept_json(
    client: FlaskClient, path: str, headers: dict[str, str]
) -> None:
    response = client.get(path, headers=headers)
    assert response.content_type == JSON_TYPE
    labels = [hit["label"] for hit in json.loads(response.data)["hits"]]
    assert labels[0] == "Al-Hasakah"
    assert "Accept" in response.vary and "Accept-Language" in response.vary


def test_hit_labels_follow_lang_then_accept_language(client: FlaskClient) -> None:
    french = {"Accept-Language": "fr"}
    (by_header,) = json.loads(client.get("/search.json?q=osdh", headers=french).data)["hits"]
    (by_lang,) = json.loads(client.get("/search.json?q=osdh&lang=ar", headers=french).data)["hits"]
    assert by_header["label"] == "Observatoire syrien des droits de l'Homme"
    assert by_lang["label"] == "المرصد السوري لحقوق الإنسان"


def test_aliases_labels_and_misspellings_in_every_language_are_searched(
    client: FlaskClient,
) -> None:
    assert hits_for(client, "Daech")[0]["label"] == "Islamic State"
    assert hits_for(client, "تنظيم داعش")[0]["label"] == "Islamic State"
    assert hits_for(client, "obs")[0]["iri"] == SOHR
    assert {hit["kind"] for hit in hits_for(client, "ghwayran", limit="100")} >= {
        "facility",
        "event",
        "article",
    }


@pytest.mark.attack
def test_markup_in_the_search_text_is_shown_escaped(client: FlaskClient) -> None:
    page = client.get("/search", query_string={"q": MARKUP}).text
    assert MARKUP not in page
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page


@pytest.mark.attack
def test_the_index_follows_a_write_and_markup_in_a_label_is_shown_escaped(
    client: FlaskClient,
) -> None:
    assert hits_for(client, "Zorba") == []
    update = (
        "PREFIX kg: <https://w3id.org/kgpub/ont#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "INSERT DATA { GRAPH <https://kg.example.org/graph/notes> { "
        "<https://kg.example.org/id/organization/zorba> a kg:Organization ; "
        f'skos:prefLabel "Zorba {MARKUP}"@en }} }}'
    )
    written = client.post(
        "/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert written.status_code == 200, written.text
    (hit,) = hits_for(client, "zorba")
    assert hit["label"] == f"Zorba {MARKUP}"  # JSON is data; the script inserts it as text
    page = client.get("/search?q=zorba").text
    assert MARKUP not in page
    assert "Zorba &lt;script&gt;window.pwned=1&lt;/script&gt;" in page


def test_an_empty_search_shows_the_form_and_the_json_api_says_what_to_send(
    client: FlaskClient,
) -> None:
    page = client.get("/search?q=")
    assert page.status_code == 200
    assert 'name="q"' in page.text and "hits" not in page.text
    answer = client.get("/search.json")
    assert answer.status_code == 400
    assert json.loads(answer.data) == {
        "ok": False,
        "error": "give the text to search for as q=, e.g. q=OSDH",
        "status": 400,
    }


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"q": "a" * 201}, "201 characters long, over the limit of 200"),
        ({"q": "?!*"}, "has no letter or digit"),
        ({"q": "osdh", "limit": "0"}, "limit='0' is not a number of hits"),
        ({"q": "osdh", "limit": "ten"}, "give a whole number from 1 to 100"),
    ],
)
def test_searches_that_cannot_be_answered_are_400_saying_why(
    client: FlaskClient, parameters: dict[str, str], message: str
) -> None:
    answer = client.get("/search.json", query_string=parameters)
    assert answer.status_code == 400
    assert message in json.loads(answer.data)["error"]
    page = client.get("/search", query_string=parameters)
    assert page.status_code == 400
    assert message.replace("'", "&#39;") in page.text


def test_a_limit_caps_the_hits_and_a_large_one_is_cut_to_100(client: FlaskClient) -> None:
    assert len(hits_for(client, "a", limit="3")) == 3
    answer = json.loads(client.get("/search.json?q=a&limit=5000").data)
    assert answer["limit"] == 100
    assert 3 < len(answer["hits"]) <= 100


def test_search_answers_are_open_to_other_sites(client: FlaskClient) -> None:
    response = client.get("/search.json?q=osdh", headers={"Origin": "https://elsewhere.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/search.json",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


@pytest.mark.attack
def test_the_page_loads_its_script_from_this_server_only(
    client: FlaskClient, search_app: Flask
) -> None:
    response = client.get("/search?q=osdh")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    with search_app.test_request_context():
        script = asset_url("search.js")
    assert f'<script src="{script}" defer></script>' in response.text
    asset = client.get(script)
    assert asset.status_code == 200
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    asset.close()


def test_a_search_the_store_cannot_answer_is_a_503_in_the_shape_asked_for(
    search_app: Flask,
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    root = search_app.extensions["kgpub"].collection_root
    with running_app(root, query_workers="1", **remote_settings(dead)) as app:
        client = app.test_client()
        page = client.get("/search?q=osdh", headers={"Accept": "text/html"})
        assert (page.status_code, page.mimetype) == (503, "text/html")
        assert "<h1>503</h1>" in page.text and f"{dead}/query" in page.text
        answer = client.get("/search.json?q=osdh", headers={"Accept": "text/html"})
        assert (answer.status_code, answer.mimetype) == (503, JSON_TYPE)
        error = json.loads(answer.data)
        assert (error["ok"], error["status"]) == (False, 503)
        assert f"cannot reach the SPARQL server at {dead}/query" in error["error"]
        plain = client.get("/search?q=osdh", headers={"Accept": "text/plain"})
        assert (plain.status_code, plain.mimetype) == (503, "text/plain")
