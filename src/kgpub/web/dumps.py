"""Bulk downloads and the dataset's description: ``/dumps/`` and ``/.well-known/void``.

- ``GET /dumps/`` lists the dumps of the published build (name, format, size, statements,
  SHA-256): a page, or JSON for ``Accept: application/json`` and ``/dumps/index.json``.
  Without dumps it says why and how to make them.
- ``GET /dumps/<name>`` streams one file from disk, its volumes joined
  (:mod:`kgpub.dump_catalog`). Only names in the build's catalog are served (anything else is
  a 404, so no path reaches the file system from the request). The ``ETag`` is the file's
  SHA-256; ``Range``, ``If-None-Match`` and ``If-Modified-Since`` work;
  ``Last-Modified`` is the build's time. Gzipped dumps are sent as ``application/gzip``
  attachments without ``Content-Encoding``, so clients keep the bytes the checksum is for.
- ``GET /dumps/articles/<article-key>.trig`` (or ``.nq``) is one article's graphs: its
  metadata graph and the graph of each of its claims, read by pattern lookups (on a remote
  server, fetched with one query first); the key is checked against the key syntax and only
  ever becomes an IRI term, never SPARQL text.
- ``GET /.well-known/void`` is the VoID and DCAT description (:mod:`kgpub.void`), negotiated
  over the RDF formats, Turtle by default.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import IO, cast

import pyoxigraph
from flask import (
    Blueprint,
    Response,
    render_template,
    request,
    url_for,
)
from werkzeug.wsgi import wrap_file

from kgpub.dump_catalog import READ_CHUNK_BYTES, DumpCatalog
from kgpub.dump_publication import published_dumps_folder
from kgpub.errors import NotFound, ServiceUnavailable
from kgpub.field_types import KEY_PATTERN
from kgpub.formats import rdf_format
from kgpub.vocab import PREFIXES
from kgpub.void import ServedAt, describe_dataset, serialize_description
from kgpub.web.answers import cacheable, offer_named, requested_format
from kgpub.web.errors import JSON_OFFER
from kgpub.web.fact_reader import CLAIM, TYPE
from kgpub.web.negotiation import (
    HTML_OFFER,
    RDF_OFFERS,
    choose_by_accept,
    choose_offer,
    not_acceptable,
)
from kgpub.web.quad_sources import request_quads
from kgpub.web.state import web_state

blueprint = Blueprint("dumps", __name__)

CACHE_SECONDS = 300
"""As for documents: a new build shows within minutes, and revalidating costs a 304."""
ARTICLE_FORMATS = {"trig": rdf_format("trig"), "nq": rdf_format("nquads")}
NO_DUMPS = (
    "This publication has no dumps. Each `kgpub build` writes them (unless the dump_formats "
    "setting is 'none'); a change made through the web app (SPARQL Update, Graph Store) "
    "publishes a version without them until the next build. Run `kgpub build` on the "
    "collection to write them, or `kgpub export --dumps DIR` to write them elsewhere."
)
NOTHING_PUBLISHED = "Nothing is published yet: run `kgpub build` on the collection."


@blueprint.route("/dumps/")
def listing() -> Response:
    """The dumps of the published build: a page, or JSON for clients that ask for it."""
    offer = choose_by_accept(request.headers.get("Accept"), (HTML_OFFER, JSON_OFFER))
    response = _listing(as_json=offer is JSON_OFFER)
    response.vary.add("Accept")
    return response


@blueprint.route("/dumps/index.json")
def listing_json() -> Response:
    """The dumps of the published build, as JSON."""
    return _listing(as_json=True)


def _listing(*, as_json: bool) -> Response:
    _, catalog = _published()
    dumps = [
        {
            **{key: value for key, value in asdict(dump).items() if key != "volumes"},
            "url": url_for("dumps.download", name=dump.name),
            "counts": "quads" if rdf_format(dump.format).holds_graphs else "triples",
        }
        for dump in (catalog.files if catalog else ())
    ]
    note = None
    if not dumps:
        note = NO_DUMPS if web_state().store.manifest() is not None else NOTHING_PUBLISHED
    article_url = _article_url("{key}")
    if as_json:
        data = {
            "built_at": catalog.built_at if catalog else None,
            "dumps": dumps,
            "article_graphs": article_url,
            "void": url_for("dumps.void_description"),
            **({"note": note} if note else {}),
        }
        body = json.dumps(data, indent=2, ensure_ascii=False)
        return Response(body, content_type=JSON_OFFER.content_type)
    page = render_template(
        "dumps.html", catalog=catalog, dumps=dumps, note=note, article_url=article_url
    )
    return Response(page, content_type=HTML_OFFER.content_type)


@blueprint.route("/dumps/<name>")
def download(name: str) -> Response:
    """One dump file, streamed from disk, with its checksum as ``ETag``."""
    folder, catalog = _published()
    dump = catalog.file(name) if catalog else None
    if folder is None or catalog is None or dump is None:
        known = ", ".join(d.name for d in catalog.files) if catalog else "none"
        raise NotFound(
            f"there is no dump called {name!r}; the dumps of this build are: {known} "
            f"(listed at {url_for('dumps.listing')})"
        )
    try:
        source = catalog.open(folder, name)
    except FileNotFoundError:  # two builds were published since the catalog was read
        raise ServiceUnavailable(
            "a new build was published while this request was read; ask again", retry_after=1
        ) from None
    response = Response(
        wrap_file(request.environ, cast("IO[bytes]", source), READ_CHUNK_BYTES),
        mimetype="application/gzip" if dump.compressed else dump.media_type,
        direct_passthrough=True,
    )
    response.headers.set("Content-Disposition", "attachment", filename=dump.name)
    response.content_length = source.size
    if dump.sha256:  # else it is being made, just after the build was published
        response.set_etag(dump.sha256)
    response.last_modified = datetime.fromisoformat(catalog.built_at)
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    response.make_conditional(request.environ, accept_ranges=True, complete_length=source.size)
    return response


@blueprint.route("/dumps/articles/<name>")
def article_graphs(name: str) -> Response:
    """One article's metadata graph and claim graphs, as TriG or N-Quads."""
    key, dot, extension = name.rpartition(".")
    rdf = ARTICLE_FORMATS.get(extension) if dot else None
    quads = _article_quads(key) if rdf is not None and re.fullmatch(KEY_PATTERN, key) else []
    if rdf is None or not quads:
        raise NotFound(
            f"no article graphs at {request.path}: the address is "
            f"{_article_url('<article-key>')} (or .nq), where <article-key> is the key of a "
            "published article"
        )
    output = pyoxigraph.serialize(
        quads, format=rdf.oxigraph, prefixes=PREFIXES if extension == "trig" else None
    )
    answer = Response(output, content_type=offer_named(rdf.name).content_type)
    return cacheable(answer, max_age=CACHE_SECONDS)


def _article_url(key: str) -> str:
    """The URL of an article's graphs in TriG, for a key or a placeholder such as ``{key}``."""
    return url_for("dumps.article_graphs", name="KEY.trig").replace("KEY", key)


def _article_quads(key: str) -> list[pyoxigraph.Quad]:
    """The quads of the article's graph, then of each of its claims' graphs, in IRI order.

    Within a graph the quads are sorted, so both backends give the same bytes.
    """
    iris = web_state().settings.iris
    graph = pyoxigraph.NamedNode(str(iris.article_graph(key)))
    own_claims = pyoxigraph.NamedNode(str(iris.claim(key, "")))  # {base}id/claim/{key}/
    database = request_quads().article_graphs(graph, own_claims)
    claims = sorted(
        {
            quad.subject
            for quad in database.quads_for_pattern(None, TYPE, CLAIM, graph)
            if isinstance(quad.subject, pyoxigraph.NamedNode)
            and quad.subject.value.startswith(own_claims.value)
        },
        key=str,
    )
    return [
        quad
        for name in (graph, *claims)
        for quad in sorted(database.quads_for_pattern(None, None, None, name), key=str)
    ]


@blueprint.route("/.well-known/void")
def void_description() -> Response:
    """The VoID and DCAT description of the dataset, in the RDF format asked for."""
    format_name = requested_format()
    accept = request.headers.get("Accept")
    offer = choose_offer(format_name, accept, RDF_OFFERS)
    if offer is None:
        raise not_acceptable(
            "The VoID description", RDF_OFFERS, format_name=format_name, accept=accept
        )
    state = web_state()
    _, catalog = _published()
    served_at = ServedAt(
        description=url_for("dumps.void_description", _external=True),
        sparql_endpoint=url_for("sparql.endpoint", _external=True),
        dumps=url_for("dumps.listing", _external=True),
        queries=[
            (url_for("queries.run", name=name, _external=True), query.title)
            for name, query in sorted(state.canned_queries.items())
        ],
    )
    triples = describe_dataset(
        served_at,
        base_iri=state.settings.base_iri,
        manifest=state.store.manifest(),
        catalog=catalog,
    )
    body = serialize_description(triples, rdf_format(offer.name).oxigraph)
    response = Response(body, content_type=offer.content_type)
    response.vary.add("Accept")
    return cacheable(response, max_age=CACHE_SECONDS)


def _published() -> tuple[Path | None, DumpCatalog | None]:
    """The published dumps' folder and catalog, or ``(None, None)`` when there are none."""
    state = web_state()
    folder = published_dumps_folder(state.store, state.settings.store_path(state.collection_root))
    return (folder, DumpCatalog.read(folder)) if folder is not None else (None, None)
