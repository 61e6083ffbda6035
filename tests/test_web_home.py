"""``/``: the home page's figures, search box and links, and the shared navigation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kgpub.stats import collect_stats
from kgpub.web import home

from .conftest import write_collection
from .test_web_fixtures import app, built_examples, client, running_app

__all__ = ["app", "built_examples", "client"]  # fixtures, imported for pytest


def figure(page: str, name: str) -> str:
    """The value shown in the figures table for the row headed ``name``."""
    found = re.search(rf'<th scope="row">{name}</th><td>(.*?)</td>', page, re.DOTALL)
    assert found, f"no row {name!r} in the figures"
    return found.group(1)


def test_the_home_page_shows_the_published_figures(client: FlaskClient, app: Flask) -> None:
    stats = collect_stats(app.extensions["kgpub"].store)
    response = client.get("/")
    assert response.status_code == 200
    page = response.text
    assert figure(page, "Articles") == "5"
    assert figure(page, "Claims") == f"{stats.instances['claims']:,}"
    assert figure(page, "Organizations") == f"{stats.instances['organizations']:,}"
    assert figure(page, "Countries") == f"{stats.instances['countries']:,}"
    assert figure(page, "Quads").startswith(f"{stats.quads:,} in {stats.graphs:,} named graphs")
    assert stats.last_build is not None
    assert f'<time datetime="{stats.last_build.built_at}">' in figure(page, "Last build")


def test_the_home_page_links_to_the_query_page_queries_endpoint_dumps_and_void(
    client: FlaskClient,
) -> None:
    page = client.get("/").text
    for address in ("/query", "/queries/", "/sparql", "/dumps/", "/.well-known/void"):
        assert f'<a href="{address}">' in page


def test_the_home_page_search_box_submits_to_search_and_suggests_from_json(
    client: FlaskClient,
) -> None:
    response = client.get("/?lang=fr")
    page = response.text
    assert '<form class="search-form" role="search" method="get" action="/search">' in page
    assert 'name="q"' in page and 'data-suggest="/search.json"' in page
    assert '<input type="hidden" name="lang" value="fr">' in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_a_language_that_is_not_a_tag_is_not_echoed_into_the_form(client: FlaskClient) -> None:
    page = client.get('/?lang="><b>x').text
    assert 'name="lang"' not in page and "<b>x" not in page


def test_the_figures_are_counted_once_per_build(
    built_examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: list[object] = []

    def counting(store: object) -> object:
        counted.append(store)
        return collect_stats(store)  # type: ignore[arg-type]

    monkeypatch.setattr(home, "collect_stats", counting)
    with running_app(built_examples, query_workers="1") as application:
        fresh = application.test_client()
        assert figure(fresh.get("/").text, "Articles") == "5"
        assert figure(fresh.get("/").text, "Articles") == "5"
    assert len(counted) == 1


def test_before_anything_is_published_the_home_page_says_how_to_publish(tmp_path: Path) -> None:
    root = write_collection(tmp_path / "unbuilt")
    with running_app(root, query_workers="1") as application:
        response = application.test_client().get("/")
    assert response.status_code == 200
    assert 'id="unpublished"' in response.text
    assert "nothing is published in" in response.text and "kgpub build" in response.text


@pytest.mark.parametrize("address", ["/", "/search", "/query", "/queries/"])
def test_pages_share_a_navigation_to_home_search_query_queries_and_dumps(
    client: FlaskClient, address: str
) -> None:
    page = client.get(address, headers={"Accept": "text/html"}).text
    navigation = re.search(r'<nav class="site".*?</nav>', page, re.DOTALL)
    assert navigation, f"{address} has no navigation"
    links = re.findall(r'href="([^"]*)"', navigation.group(0))
    assert links == ["/", "/search", "/query", "/queries/", "/dumps/"]
