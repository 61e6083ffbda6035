"""``/search``: find entities and articles by name, as a page or as JSON for autocomplete.

- ``GET /search?q=…`` is a page listing the hits, each linking to its ``/doc/….html`` page.
  It is a plain form, so it works without JavaScript; with it, ``static/search.js`` suggests
  names as the reader types (in the same box on the home page too).
- ``GET /search.json?q=…`` (or ``/search`` with ``Accept: application/json`` or
  ``format=json``) answers ``{"query", "limit", "hits": [{"iri", "url", "label", "matched",
  "language", "match", "rank", "type", "kind"}]}``, open to other sites like every read.

``limit`` (default 20) is capped at 100; ``lang`` and ``Accept-Language`` pick each hit's
label as on entity pages. An empty search gets the bare form on the page and a 400 from the
JSON API, which is also the answer to a text over 200 characters (no name is that long).

The index (:mod:`kgpub.web.search_index`) is built on the first search after each
publication and shared by the app's threads, from the embedded store or, on a remote server,
from one query for the names. The text is matched in Python against those names; it never
reaches SPARQL, and the page escapes everything shown.
"""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph
from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for

from kgpub.web.entity_page import LANGUAGE_TAG, reader_languages
from kgpub.web.errors import JSON_OFFER
from kgpub.web.negotiation import HTML_OFFER, choose_by_accept
from kgpub.web.per_build import PerBuild
from kgpub.web.quad_sources import request_quads
from kgpub.web.query_page import CONTENT_SECURITY_POLICY, asset_url
from kgpub.web.search_index import SearchHit, SearchIndex
from kgpub.web.state import web_state

blueprint = Blueprint("search", __name__)

INDEX_KEY = "kgpub.search_index"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_QUERY_CHARACTERS = 200
CACHE_SECONDS = 60
"""Answers change only with a build; a minute keeps typing cheap without hiding a new one."""


@blueprint.record_once
def _keep_an_index(state: Any) -> None:
    app: Flask = state.app
    app.extensions[INDEX_KEY] = PerBuild[SearchIndex]()


@blueprint.route("/search")
def page() -> Response:
    """The search page, or JSON when the client asks for it."""
    wanted = request.args.get("format", "").lower()
    offer = choose_by_accept(request.headers.get("Accept"), (HTML_OFFER, JSON_OFFER))
    if wanted == "json" or (wanted != "html" and offer is JSON_OFFER):
        return suggestions()
    text = request.args.get("q", "").strip()
    problem = _problem(text)
    hits = [] if problem else _search(text)
    body = render_template(
        "search.html",
        query=text,
        problem=problem,
        hits=hits,
        document_url=document_url,
        language=asked_language(),
        max_characters=MAX_QUERY_CHARACTERS,
        asset_url=asset_url,
    )
    status = 400 if text and problem else 200
    response = Response(body, status=status, content_type=HTML_OFFER.content_type)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return _vary(response)


@blueprint.route("/search.json")
def suggestions() -> Response:
    """The hits as JSON, for autocomplete and other programs."""
    text = request.args.get("q", "").strip()
    problem = _problem(text) or ("" if text else "give the text to search for as q=, e.g. q=OSDH")
    if problem:
        return _json({"ok": False, "error": problem, "status": 400}, status=400)
    hits = _search(text)
    return _json(
        {
            "query": text,
            "limit": _limit(),
            "hits": [
                {
                    "iri": hit.iri,
                    "url": document_url(hit.iri),
                    "label": hit.label,
                    "matched": hit.matched,
                    "language": hit.language,
                    "match": hit.name_kind.name.lower(),
                    "rank": hit.rank.name.lower().replace("_", "-"),
                    "type": hit.type_iri,
                    "kind": hit.kind,
                }
                for hit in hits
            ],
        }
    )


def search_index() -> SearchIndex:
    """The index of the published build, built now if it is the first search since.

    On a remote server the names are fetched with one query (:mod:`kgpub.web.neighbourhoods`).

    :raises StoreError: when the store cannot be read (503).
    """
    state = web_state()
    cache: PerBuild[SearchIndex] = current_app.extensions[INDEX_KEY]
    build = request_quads().build_key()  # before reading, see build_key
    base_iri = state.settings.base_iri

    def read() -> SearchIndex:
        names = request_quads().searchable_names(pyoxigraph.NamedNode(f"{base_iri}id/"))
        return SearchIndex.from_database(names, base_iri=base_iri)

    return cache.get(build, read)


def document_url(iri: str) -> str:
    """The page of a published IRI on this server, as :mod:`kgpub.web.linked_data` links it."""
    rest = iri.removeprefix(f"{web_state().settings.base_iri}id/")
    return url_for("linked_data.document", rest=f"{rest}.html")


def asked_language() -> str:
    """The ``lang=`` the reader asked for, when it is a language tag, to keep in the form."""
    asked = request.args.get("lang", "").strip()
    return asked if LANGUAGE_TAG.fullmatch(asked) else ""


def _search(text: str) -> list[SearchHit]:
    return search_index().search(text, languages=reader_languages(), limit=_limit())


def _limit() -> int:
    asked = request.args.get("limit", "")
    return min(int(asked), MAX_LIMIT) if _is_count(asked) else DEFAULT_LIMIT


def _is_count(text: str) -> bool:
    return text.isascii() and text.isdigit() and int(text) > 0


def _problem(text: str) -> str:
    """Why the request cannot be answered, or ``""``."""
    if len(text) > MAX_QUERY_CHARACTERS:
        return (
            f"the search text is {len(text)} characters long, over the limit of "
            f"{MAX_QUERY_CHARACTERS}; search for a shorter part of the name"
        )
    if text and not any(char.isalnum() for char in text):
        return f"the search text {text!r} has no letter or digit; type part of a name"
    asked = request.args.get("limit", "")
    if asked and not _is_count(asked):
        return (
            f"limit={asked!r} is not a number of hits; give a whole number from 1 to "
            f"{MAX_LIMIT} (larger ones are cut to {MAX_LIMIT})"
        )
    return ""


def _json(data: dict[str, Any], *, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False)
    response = Response(body, status=status, content_type=JSON_OFFER.content_type)
    return _vary(response)


def _vary(response: Response) -> Response:
    response.vary.add("Accept")
    response.vary.add("Accept-Language")  # the hits' labels follow it
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response
