"""``/``: the home page, saying what is published and where to go from here.

It shows the dataset's figures (articles, claims, entities per type, quads, when it was
built), the search box of :mod:`kgpub.web.search`, and links to the query page, the canned
queries, the SPARQL endpoint, the dumps and the VoID description. The figures come from
:func:`kgpub.stats.collect_stats`, counted once per publication (a count over every quad
takes a while on a large store) and shared by the app's threads. Before anything is
published the page says how to publish.

Like every page it is rendered on the server, needs no JavaScript and loads nothing from
other hosts; the search script only adds suggestions to a form that works without it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, request

from kgpub.errors import StoreError
from kgpub.stats import Stats, collect_stats
from kgpub.web.negotiation import HTML_OFFER
from kgpub.web.per_build import PerBuild
from kgpub.web.quad_sources import request_quads
from kgpub.web.query_page import CONTENT_SECURITY_POLICY, asset_url
from kgpub.web.search import MAX_QUERY_CHARACTERS, asked_language
from kgpub.web.state import web_state

blueprint = Blueprint("home", __name__)

STATS_KEY = "kgpub.home_stats"
ENTITY_TYPES = ("organizations", "persons", "places", "countries", "facilities", "events")
"""The :data:`kgpub.stats.COUNTED_TYPES` shown as entities; articles, claims and
observations are shown on their own."""
CACHE_SECONDS = 60
"""The figures change only with a publication; a minute lets a new one show soon."""


@blueprint.record_once
def _keep_figures(state: Any) -> None:
    app: Flask = state.app
    app.extensions[STATS_KEY] = PerBuild[Stats]()


@blueprint.route("/")
def page() -> Response:
    """The home page."""
    stats, unpublished = _figures()
    body = render_template(
        "home.html",
        stats=stats,
        unpublished=unpublished,
        entity_types=ENTITY_TYPES,
        base_iri=web_state().settings.base_iri,
        script_root=request.script_root,
        query="",
        language=asked_language(),
        max_characters=MAX_QUERY_CHARACTERS,
        asset_url=asset_url,
    )
    response = Response(body, content_type=HTML_OFFER.content_type)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response


def _figures() -> tuple[Stats | None, str]:
    """The published figures, or ``None`` and why there are none."""
    store = web_state().store
    cache: PerBuild[Stats] = current_app.extensions[STATS_KEY]
    try:
        build = request_quads().build_key()
        if build is None:
            return None, f"nothing is published in {store.description} yet"
        return cache.get(build, lambda: collect_stats(store)), ""
    except StoreError as error:
        return None, str(error)
