"""The query page: its HTML, its static assets, and that it needs nothing from other hosts."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kgpub.vocab import PREFIXES
from kgpub.web.negotiation import RDF_OFFERS, RESULTS_OFFERS
from kgpub.web.query_page import GRAPH_DOWNLOADS, IMMUTABLE, RESULT_DOWNLOADS, asset_url

from .conftest import EXAMPLES
from .test_web_fixtures import running_app

MARKUP_QUERY = """\
# <b>Bold</b> & "quoted" titles stay text
# A description with <i>markup</i>.
SELECT ("</textarea><script>alert(1)</script>" AS ?x) {}
"""
STATIC = Path(__file__).resolve().parents[1] / "src" / "kgpub" / "web" / "static"


class _Page(HTMLParser):
    """The start tags of a page, with their attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def find(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        return [
            attrs
            for name, attrs in self.tags
            if name == tag and all(attrs.get(key) == value for key, value in wanted.items())
        ]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app over an unbuilt copy of the examples (the page runs no query) plus a query
    whose title and text are markup."""
    root = tmp_path_factory.mktemp("page") / "examples"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns(".kgpub"))
    (root / "queries" / "99-markup.rq").write_text(MARKUP_QUERY, encoding="utf-8")
    with running_app(root, query_workers="1") as application:
        yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_the_page_lists_every_canned_query_with_its_text_and_stable_url(
    client: FlaskClient, app: Flask
) -> None:
    response = client.get("/query")
    page = _Page(response.text)
    canned = app.extensions["kgpub"].canned_queries
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert len(canned) > 10
    for name, query in canned.items():
        (button,) = page.find("button", **{"data-name": name})
        assert button["data-sparql"] == query.sparql
        assert page.find("a", href=f"/queries/{name}")


def test_the_page_offers_the_datasets_prefixes_to_insert(client: FlaskClient) -> None:
    page = _Page(client.get("/query").text)
    (button,) = page.find("button", id="insert-prefixes")
    lines = (button["data-prefixes"] or "").splitlines()
    assert lines == [f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items()]


def test_without_javascript_the_form_posts_to_the_endpoint_with_a_format_choice(
    client: FlaskClient,
) -> None:
    page = _Page(client.get("/query").text)
    (form,) = page.find("form", id="query-form")
    assert (form["method"], form["action"]) == ("post", "/sparql")
    assert page.find("textarea", name="query")
    assert page.find("select", name="format")
    options = re.findall(r"<option>(\w+)</option>", client.get("/query").text)
    assert options == [*RESULT_DOWNLOADS, *GRAPH_DOWNLOADS]


def test_the_download_names_cover_every_results_and_rdf_format() -> None:
    assert {offer.name for offer in RESULTS_OFFERS} == set(RESULT_DOWNLOADS)
    named = [next(o for o in RDF_OFFERS if o.is_called(name)) for name in GRAPH_DOWNLOADS]
    assert set(named) == set(RDF_OFFERS)


def test_a_query_in_the_url_fills_the_editor_and_run_1_asks_to_run_it(
    client: FlaskClient,
) -> None:
    query = "ASK { ?s ?p 'é' }"
    shared = client.get("/query", query_string={"query": query, "run": "1"}).text
    opened = client.get("/query", query_string={"query": query}).text
    assert re.search(r"<textarea[^>]*>ASK \{ \?s \?p &#39;é&#39; \}</textarea>", shared)
    assert 'data-run-now="true"' in shared
    assert 'data-run-now="false"' in opened


@pytest.mark.attack
def test_markup_in_a_query_or_a_canned_query_is_escaped(client: FlaskClient) -> None:
    html = client.get("/query", query_string={"query": "</textarea><script>alert(2)</script>"}).text
    assert "<script>alert" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;alert(2)" in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &#34;quoted&#34; titles stay text" in html
    assert "<b>" not in html and "<i>" not in html


@pytest.mark.attack
def test_the_page_forbids_scripts_and_requests_to_other_origins(client: FlaskClient) -> None:
    policy = client.get("/query").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy
    assert "default-src 'self'" in policy


def test_the_page_loads_nothing_from_other_hosts(client: FlaskClient) -> None:
    page = _Page(client.get("/query").text)
    loaded = [
        attrs.get("src") or attrs.get("href") or attrs.get("action") or ""
        for tag, attrs in page.tags
        if tag in ("script", "link", "img", "iframe", "form", "a", "source", "object")
    ]
    assert loaded
    assert [url for url in loaded if re.match(r"(?i)([a-z]+:)?//", url)] == []
    assert [attrs for tag, attrs in page.tags if tag == "script" and not attrs.get("src")] == []


@pytest.mark.parametrize(
    ("name", "loads_from_elsewhere"),
    [
        ("query.js", r"https?://|\bimport\b|importScripts"),
        ("query.css", r"https?://|url\(|@import"),
    ],
)
def test_the_static_assets_load_nothing_from_other_hosts(
    name: str, loads_from_elsewhere: str
) -> None:
    text = (STATIC / name).read_text(encoding="utf-8")
    assert re.findall(loads_from_elsewhere, text, flags=re.IGNORECASE) == []


@pytest.mark.parametrize(
    ("name", "media_type"), [("query.js", "text/javascript"), ("query.css", "text/css")]
)
def test_versioned_assets_are_served_with_their_type_and_cached_for_good(
    client: FlaskClient, app: Flask, name: str, media_type: str
) -> None:
    with app.test_request_context():
        url = asset_url(name)
    versioned = client.get(url)
    plain = client.get(f"/static/{name}")
    assert url in client.get("/query").text.replace("&amp;", "&")
    assert versioned.status_code == plain.status_code == 200
    assert versioned.mimetype == plain.mimetype == media_type
    assert versioned.headers["Cache-Control"] == IMMUTABLE
    assert "immutable" not in plain.headers.get("Cache-Control", "")
    assert plain.headers["ETag"]
    versioned.close()
    plain.close()


def test_an_old_version_of_an_asset_is_not_cached_for_good(client: FlaskClient) -> None:
    response = client.get("/static/query.js", query_string={"v": "0000000000000000"})
    assert response.status_code == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")
    response.close()


def test_the_other_pages_link_to_the_query_page(client: FlaskClient) -> None:
    assert 'href="/query"' in client.get("/queries/", headers={"Accept": "text/html"}).text
    missing = client.get("/queries/nope", headers={"Accept": "text/html"})
    assert 'href="/query"' in missing.text
