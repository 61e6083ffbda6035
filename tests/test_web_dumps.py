"""``/dumps/``, the dump files, one article's graphs, ``/.well-known/void`` and the sitemap."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pyoxigraph
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from kgpub import dump_publication
from kgpub.build import build_collection
from kgpub.config_loading import load_settings
from kgpub.dump_catalog import DumpCatalog
from kgpub.dumps import DUMP_KINDS
from kgpub.web import sitemap

from .conftest import write_collection
from .test_web_fixtures import app, build_examples, built_examples, client, running_app

__all__ = ["app", "built_examples", "client"]  # fixtures, imported for pytest

BASE = "https://kg.example.org/"
ARTICLE_KEY = "lemonde-2022-01-ghwayran"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
TOKEN = "correct-horse-battery-staple"  # noqa: S105 - a test value
AUTHORIZED = {"Authorization": f"Bearer {TOKEN}"}
VOID_FORMATS = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
    "application/trig": pyoxigraph.RdfFormat.TRIG,
}


@pytest.fixture(scope="module")
def catalog(app: Flask) -> DumpCatalog:
    """The catalog of the dumps the app serves, read from the build's folder."""
    build = app.extensions["kgpub"].store.current_build()
    return DumpCatalog.read(build / "dumps")


def fetch(client: FlaskClient, path: str, **headers: str) -> TestResponse:
    """GET ``path``, read whole and closed (files are streamed from disk)."""
    response = client.get(path, headers=headers)
    response.get_data()
    response.close()
    return response


def sparql(client: FlaskClient, query: str, accept: str) -> bytes:
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    body = response.get_data()
    response.close()
    assert response.status_code == 200, body
    assert response.headers["X-KGPub-Truncated"] == "false"
    return body


def served_quads(client: FlaskClient, where: str = "") -> set[pyoxigraph.Quad]:
    """Every quad ``/sparql`` serves (in graphs ``where`` allows), read from SPARQL results."""
    query = f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {where} }}"
    body = sparql(client, query, "application/sparql-results+json")
    results = pyoxigraph.parse_query_results(body, pyoxigraph.QueryResultsFormat.JSON)
    assert isinstance(results, pyoxigraph.QuerySolutions)
    return {pyoxigraph.Quad(row["s"], row["p"], row["o"], row["g"]) for row in results}


def served_triples(client: FlaskClient) -> set[pyoxigraph.Triple]:
    """The default graph ``/sparql`` serves (the union of the graphs), by CONSTRUCT."""
    body = sparql(client, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    return {quad.triple for quad in pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.N_TRIPLES)}


def sitemap_urls(client: FlaskClient, path: str) -> tuple[str, list[str]]:
    """The root element's tag and the URLs of a sitemap (or sitemap index) kgpub serves."""
    response = fetch(client, path)
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.get_data())  # noqa: S314 - our own server's answer
    return root.tag.removeprefix(SITEMAP), [loc.text or "" for loc in root.iter(f"{SITEMAP}loc")]


def test_the_listing_shows_every_dump_with_its_size_count_and_checksum(
    client: FlaskClient, catalog: DumpCatalog
) -> None:
    page = fetch(client, "/dumps/", Accept="text/html")
    assert page.status_code == 200
    assert page.headers["Vary"] == "Accept"
    text = page.get_data(as_text=True)
    for dump in catalog.files:
        assert f'href="/dumps/{dump.name}"' in text
        assert dump.sha256 in text
        assert f"{dump.triples:,}" in text
        assert f'title="{dump.bytes} bytes"' in text


@pytest.mark.parametrize(
    ("path", "accept"), [("/dumps/", "application/json"), ("/dumps/index.json", "*/*")]
)
def test_the_listing_in_json_matches_the_catalog(
    client: FlaskClient, catalog: DumpCatalog, path: str, accept: str
) -> None:
    response = fetch(client, path, Accept=accept)
    assert response.content_type == "application/json"
    data = json.loads(response.get_data())
    assert data["built_at"] == catalog.built_at
    assert [(d["name"], d["sha256"], d["bytes"], d["triples"]) for d in data["dumps"]] == [
        (d.name, d.sha256, d.bytes, d.triples) for d in catalog.files
    ]
    assert [d["url"] for d in data["dumps"]] == [f"/dumps/{d.name}" for d in catalog.files]
    assert [d["counts"] for d in data["dumps"]] == ["triples", "triples", "quads", "quads", "quads"]
    assert data["article_graphs"] == "/dumps/articles/{key}.trig"


@pytest.mark.parametrize("name", [kind.file_name for kind in DUMP_KINDS.values()])
def test_each_dump_is_served_whole_with_its_checksum_as_etag(
    client: FlaskClient, catalog: DumpCatalog, name: str
) -> None:
    dump = catalog.file(name)
    assert dump is not None
    response = fetch(client, f"/dumps/{name}")
    assert response.status_code == 200
    body = response.get_data()
    assert hashlib.sha256(body).hexdigest() == dump.sha256
    assert response.headers["Content-Length"] == str(dump.bytes)
    assert response.headers["ETag"] == f'"{dump.sha256}"'
    assert "Content-Encoding" not in response.headers
    expected_type = "application/gzip" if name.endswith(".gz") else dump.media_type
    assert response.mimetype == expected_type
    assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
    assert "public" in response.headers["Cache-Control"]
    assert "max-age=300" in response.headers["Cache-Control"]
    assert response.last_modified is not None
    assert response.last_modified.strftime("%Y-%m-%dT%H:%M:%SZ") == catalog.built_at
    assert response.headers["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize("name", ["kgpub.nq.gz", "kgpub.ttl"])
def test_dumps_answer_conditional_and_range_requests(
    client: FlaskClient, catalog: DumpCatalog, name: str
) -> None:
    dump = catalog.file(name)
    assert dump is not None
    unchanged = fetch(client, f"/dumps/{name}", **{"If-None-Match": f'"{dump.sha256}"'})
    assert (unchanged.status_code, unchanged.get_data()) == (304, b"")
    assert unchanged.headers["ETag"] == f'"{dump.sha256}"'
    stale = fetch(client, f"/dumps/{name}", **{"If-None-Match": '"an-older-build"'})
    assert stale.status_code == 200
    whole = stale.get_data()
    part = fetch(client, f"/dumps/{name}", Range="bytes=10-109")
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 10-109/{dump.bytes}"
    assert part.get_data() == whole[10:110]
    resumed = fetch(client, f"/dumps/{name}", Range="bytes=10-", **{"If-Range": f'"{dump.sha256}"'})
    assert (resumed.status_code, resumed.get_data()) == (206, whole[10:])
    beyond = fetch(client, f"/dumps/{name}", Range=f"bytes={dump.bytes + 10}-")
    assert beyond.status_code == 416
    boundaries = list(itertools.accumulate(dump.volumes))[:-1]
    assert boundaries or name.endswith(".gz"), "Turtle's header is a volume of its own"
    for boundary in boundaries:
        across = fetch(client, f"/dumps/{name}", Range=f"bytes={boundary - 5}-{boundary + 4}")
        assert (across.status_code, across.get_data()) == (206, whole[boundary - 5 : boundary + 5])


def test_every_dump_parses_to_the_dataset_the_sparql_endpoint_serves(
    client: FlaskClient, catalog: DumpCatalog
) -> None:
    quads = served_quads(client)
    triples = served_triples(client)
    assert len(triples) < len(quads)  # claims repeat triples: the union holds each once
    for dump in catalog.files:
        body = fetch(client, f"/dumps/{dump.name}").get_data()
        if dump.compressed:
            body = gzip.decompress(body)
        statements = list(pyoxigraph.parse(body, format=DUMP_KINDS[dump.format].rdf.oxigraph))
        if dump.format in ("nquads", "trig", "jsonld"):
            assert set(statements) == quads, dump.name
        else:
            assert {quad.triple for quad in statements} == triples, dump.name
        assert len(statements) == dump.triples, dump.name


@pytest.mark.parametrize("extension", ["trig", "nq"])
def test_an_article_s_graphs_are_its_metadata_graph_and_its_claim_graphs(
    client: FlaskClient, extension: str
) -> None:
    response = fetch(client, f"/dumps/articles/{ARTICLE_KEY}.{extension}")
    assert response.status_code == 200
    rdf = pyoxigraph.RdfFormat.TRIG if extension == "trig" else pyoxigraph.RdfFormat.N_QUADS
    assert response.mimetype == rdf.media_type
    quads = set(pyoxigraph.parse(response.get_data(), format=rdf))
    graph = f"{BASE}graph/article/{ARTICLE_KEY}"
    claims = f"{BASE}id/claim/{ARTICLE_KEY}/"
    where = f'FILTER (?g = <{graph}> || STRSTARTS(STR(?g), "{claims}"))'
    assert quads == served_quads(client, where)
    names = {quad.graph_name.value for quad in quads}  # type: ignore[union-attr]
    assert graph in names and len(names) > 1
    assert all(name == graph or name.startswith(claims) for name in names)
    tag = response.headers["ETag"]
    assert fetch(client, response.request.path, **{"If-None-Match": tag}).status_code == 304


@pytest.mark.parametrize(
    "name",
    [
        "no-such-article.trig",
        f"{ARTICLE_KEY}.ttl",
        f"{ARTICLE_KEY}",
        f"{ARTICLE_KEY.upper()}.trig",
        "..trig",
        f"{ARTICLE_KEY}%2F..%2F..%2Fbuild.json.trig",
    ],
)
def test_unknown_articles_and_formats_are_not_found(client: FlaskClient, name: str) -> None:
    response = fetch(client, f"/dumps/articles/{name}")
    assert response.status_code == 404


@pytest.mark.attack
@pytest.mark.parametrize(
    "path",
    [
        "/dumps/..",
        "/dumps/%2e%2e",
        "/dumps/..%2Fbuild.json",
        "/dumps/%2e%2e%2fbuild.json",
        "/dumps/..%2F..%2F.lock",
        "/dumps/%2Fetc%2Fpasswd",
        "/dumps//etc/passwd",
        "/dumps/dumps.json",
        "/dumps/.kgpub.ttl.partial",
        "/dumps/kgpub.rdf",
        "/dumps/KGPUB.TTL",
        "/dumps/kgpub.ttl%00.gz",
        "/dumps/articles/..%2F..%2Fbuild.json",
    ],
)
def test_only_names_in_the_catalog_are_served(client: FlaskClient, path: str) -> None:
    response = fetch(client, path)
    assert response.status_code == 404
    assert b"built_at" not in response.get_data()  # neither a catalog nor a manifest leaked


@pytest.mark.parametrize(("accept", "rdf"), VOID_FORMATS.items())
def test_the_void_description_states_each_dump_s_size_checksum_and_count(
    client: FlaskClient, catalog: DumpCatalog, accept: str, rdf: pyoxigraph.RdfFormat
) -> None:
    response = fetch(client, "/.well-known/void", Accept=accept)
    assert response.status_code == 200
    assert response.mimetype == accept
    assert "Accept" in response.headers["Vary"]
    graph = pyoxigraph.Store()
    graph.load(response.get_data(), format=rdf)
    rows = graph.query(
        f"""
        PREFIX void: <{VOID}> PREFIX dcat: <{DCAT}> PREFIX spdx: <{SPDX}>
        SELECT ?url ?size ?count ?sha WHERE {{
          ?dataset a void:Dataset ; void:dataDump ?url ; dcat:distribution ?distribution .
          ?distribution dcat:downloadURL ?url ; dcat:byteSize ?size ; void:triples ?count ;
            spdx:checksum ?checksum .
          ?checksum spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue ?sha .
        }}
        """
    )
    stated = {
        (row["url"].value, int(row["size"].value), int(row["count"].value), row["sha"].value)
        for row in rows  # type: ignore[union-attr]
    }
    assert stated == {
        (f"http://localhost/dumps/{d.name}", d.bytes, d.triples, d.sha256) for d in catalog.files
    }
    assert graph.query(
        f"ASK {{ ?d <{VOID}sparqlEndpoint> <http://localhost/sparql> ; "
        f'<{VOID}uriSpace> "{BASE}id/" ; <{VOID}triples> {catalog.figures.quads} }}'
    )


def test_the_void_description_is_turtle_by_default_and_406_for_other_types(
    client: FlaskClient,
) -> None:
    assert fetch(client, "/.well-known/void").mimetype == "text/turtle"
    refused = fetch(client, "/.well-known/void", Accept="text/csv")
    assert refused.status_code == 406
    assert "text/turtle" in refused.get_data(as_text=True)
    named = fetch(client, "/.well-known/void?format=jsonld")
    assert named.mimetype == "application/ld+json"


def test_the_sitemap_lists_every_entity_and_article_page_and_the_dumps(
    client: FlaskClient,
) -> None:
    tag, urls = sitemap_urls(client, "/sitemap.xml")
    assert tag == "urlset"
    assert urls[0] == "http://localhost/dumps/"
    pages = set(urls[1:])
    assert "http://localhost/doc/facility/ghwayran-prison.html" in pages
    assert f"http://localhost/doc/article/{ARTICLE_KEY}.html" in pages
    assert not any("/claim/" in url or "/observation/" in url or "#" in url for url in pages)
    articles = sparql(
        client, "SELECT ?a WHERE { ?a a <https://w3id.org/kgpub/ont#Article> }", "text/csv"
    )
    article_count = len(articles.splitlines()) - 1
    assert len([url for url in pages if "/doc/article/" in url]) == article_count
    for url in sorted(pages)[:: max(1, len(pages) // 5)]:
        assert fetch(client, url.removeprefix("http://localhost")).status_code == 200, url


def test_a_long_sitemap_becomes_an_index_of_pages(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, listed = sitemap_urls(client, "/sitemap.xml")
    monkeypatch.setattr(sitemap, "PAGE_URLS", 10)
    tag, page_urls = sitemap_urls(client, "/sitemap.xml")
    assert tag == "sitemapindex"
    assert len(page_urls) == -(-len(listed) // 10)
    paged = []
    for url in page_urls:
        tag, entries = sitemap_urls(client, url.removeprefix("http://localhost"))
        assert tag == "urlset"
        assert 0 < len(entries) <= 10
        paged += entries
    assert paged == listed
    assert fetch(client, f"/sitemaps/{len(page_urls) + 1}.xml").status_code == 404
    assert fetch(client, "/sitemaps/0.xml").status_code == 404


def test_without_dumps_the_listing_says_how_to_make_them(tmp_path: Path) -> None:
    root = write_collection(tmp_path / "collection")
    settings = load_settings(root, env={}, overrides={"dump_formats": "none"})
    assert build_collection(root, settings).published
    with running_app(root, query_workers="1", dump_formats="none") as application:
        client = application.test_client()
        page = fetch(client, "/dumps/", Accept="text/html")
        assert page.status_code == 200
        assert "This publication has no dumps" in page.get_data(as_text=True)
        assert "kgpub build" in page.get_data(as_text=True)
        data = json.loads(fetch(client, "/dumps/index.json").get_data())
        assert (data["dumps"], data["built_at"]) == ([], None)
        assert "kgpub export --dumps" in data["note"]
        assert fetch(client, "/dumps/kgpub.ttl").status_code == 404
        void = pyoxigraph.Store()
        void.load(fetch(client, "/.well-known/void").get_data(), format=pyoxigraph.RdfFormat.TURTLE)
        assert not void.query(f"ASK {{ ?d <{VOID}dataDump> ?url }}")
        assert void.query(f"ASK {{ ?d <{VOID}sparqlEndpoint> ?endpoint }}")


def test_while_its_checksum_is_made_a_dump_is_served_without_etag_or_void_checksum(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_collection(tmp_path / "collection")
    assert build_collection(root, load_settings(root, env={})).published
    (root / "articles" / "sample.yaml").write_text(
        (root / "articles" / "sample.yaml").read_text().replace("car bomb", "truck bomb")
    )
    monkeypatch.setattr(dump_publication, "complete_checksums", lambda folder: None)
    assert build_collection(root, load_settings(root, env={})).published
    with running_app(root, query_workers="1") as application:
        client = application.test_client()
        download = fetch(client, "/dumps/kgpub.trig")
        assert download.status_code == 200 and b"truck bomb" in download.get_data()
        assert "ETag" not in download.headers
        page = fetch(client, "/dumps/", Accept="text/html").get_data(as_text=True)
        assert "being computed" in page
        void = pyoxigraph.Store()
        void.load(fetch(client, "/.well-known/void").get_data(), format=pyoxigraph.RdfFormat.TURTLE)
        assert void.query(f"ASK {{ ?d <{VOID}dataDump> ?url }}")
        assert not void.query(f"ASK {{ ?d <{SPDX}checksum> ?sum }}")


def test_before_any_build_the_listing_says_to_build(tmp_path: Path) -> None:
    root = write_collection(tmp_path / "collection")
    with running_app(root, query_workers="1") as application:
        page = fetch(application.test_client(), "/dumps/", Accept="text/html")
        assert page.status_code == 200
        assert "Nothing is published yet" in page.get_data(as_text=True)


def test_a_write_leaves_no_dumps_until_the_next_build_whose_dumps_hold_the_write(
    tmp_path: Path,
) -> None:
    root = build_examples(tmp_path)
    note = "INSERT DATA { GRAPH <https://kg.example.org/graph/notes> { <urn:n> <urn:p> 'é' } }"
    with running_app(root, query_workers="1", update_token=TOKEN) as application:
        client = application.test_client()
        written = client.post("/sparql", data={"update": note}, headers=AUTHORIZED)
        assert written.status_code == 200, written.get_data(as_text=True)
        written.close()
        listing = json.loads(fetch(client, "/dumps/index.json").get_data())
        assert listing["dumps"] == [] and "publishes a version without them" in listing["note"]
        assert build_collection(root, load_settings(root, env={})).published
        quads = served_quads(client)
        assert pyoxigraph.Literal("é") in {quad.object for quad in quads}
        nquads = gzip.decompress(fetch(client, "/dumps/kgpub.nq.gz").get_data())
        trig = fetch(client, "/dumps/kgpub.trig").get_data()
        assert set(pyoxigraph.parse(nquads, format=pyoxigraph.RdfFormat.N_QUADS)) == quads
        assert set(pyoxigraph.parse(trig, format=pyoxigraph.RdfFormat.TRIG)) == quads
