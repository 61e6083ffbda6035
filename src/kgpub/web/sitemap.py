"""``/sitemap.xml``: the pages search engines should crawl.

It lists the page (``/doc/<path>.html``) of every published entity and article, and the dump
listing ``/dumps/``. Claims and observations are left out: they have no page worth finding
on its own (they are shown on the pages of what they are about), and there are hundreds of
thousands of them. A sitemap holds at most 50,000 URLs, so past that ``/sitemap.xml`` is a
sitemap index pointing at ``/sitemaps/1.xml``, ``/sitemaps/2.xml`` …, each a slice of the
same sorted list.

The list is read once per publication (one query for every typed resource, with no request
text in it) and shared by the app's threads; the URLs are made per request, from the address
the server is reached at.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from flask import Blueprint, Flask, Response, current_app, url_for

from kgpub.errors import NotFound
from kgpub.web.answers import cacheable
from kgpub.web.per_build import PerBuild
from kgpub.web.quad_sources import request_quads
from kgpub.web.state import web_state

blueprint = Blueprint("sitemap", __name__)

PAGE_URLS = 50_000
"""The most URLs one sitemap may list (sitemaps.org)."""
PATHS_KEY = "kgpub.sitemap_paths"
NOT_PAGES = ("claim", "observation")
"""Kinds of resource under ``id/`` that get no sitemap entry."""
SITEMAP_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
CACHE_SECONDS = 3600
"""Crawlers come rarely; an hour keeps repeated fetches cheap."""


@blueprint.record_once
def _keep_paths(state: Any) -> None:
    app: Flask = state.app
    app.extensions[PATHS_KEY] = PerBuild[list[str]]()


@blueprint.route("/sitemap.xml")
def sitemap() -> Response:
    """Every entity and article page and the dump listing, or an index of sitemap pages."""
    urls = _urls()
    if len(urls) <= PAGE_URLS:
        return _xml("urlset", "url", urls)
    pages = math.ceil(len(urls) / PAGE_URLS)
    return _xml(
        "sitemapindex",
        "sitemap",
        [url_for("sitemap.page", number=n, _external=True) for n in range(1, pages + 1)],
    )


@blueprint.route("/sitemaps/<int:number>.xml")
def page(number: int) -> Response:
    """Page ``number`` (from 1) of a sitemap too long for one file."""
    urls = _urls()
    start = (number - 1) * PAGE_URLS
    if len(urls) <= PAGE_URLS or number < 1 or start >= len(urls):
        raise NotFound(f"there is no sitemap page {number}; start from /sitemap.xml")
    return _xml("urlset", "url", urls[start : start + PAGE_URLS])


def _urls() -> list[str]:
    kept: PerBuild[list[str]] = current_app.extensions[PATHS_KEY]
    paths = kept.get(request_quads().build_key(), _page_paths)
    # One url_for with a placeholder, instead of one per page: the same URL rule for all.
    document = url_for("linked_data.document", rest="PATH.html", _external=True)
    prefix, _, suffix = document.rpartition("PATH")
    listing = url_for("dumps.listing", _external=True)
    return [listing, *(f"{prefix}{path}{suffix}" for path in paths)]


def _page_paths() -> list[str]:
    """The ``/doc/`` paths (without extension) of every published entity and article, sorted."""
    namespace = f"{web_state().settings.base_iri}id/"
    rows = web_state().store.query("SELECT DISTINCT ?resource WHERE { ?resource a ?type }")
    paths = set()
    for row in rows:  # type: ignore[union-attr]
        iri = row[0].value
        rest = iri[len(namespace) :]
        if iri.startswith(namespace) and "#" not in rest and rest.split("/")[0] not in NOT_PAGES:
            paths.add(rest)
    return sorted(paths)


def _xml(root: str, entry: str, urls: Sequence[str]) -> Response:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<{root} xmlns="{SITEMAP_NAMESPACE}">',
        *(f"<{entry}><loc>{escape(url)}</loc></{entry}>" for url in urls),
        f"</{root}>",
    ]
    response = Response("\n".join(lines) + "\n", content_type="application/xml")
    return cacheable(response, max_age=CACHE_SECONDS)
