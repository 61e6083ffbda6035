"""Linked Data: ``/id/…`` IRIs answer 303 to negotiated documents, served with cache headers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import pytest
from flask import Flask
from flask.testing import FlaskClient
from tests.remote_server import OxigraphServer
from werkzeug.test import TestResponse

from kgpub.build import build_collection
from kgpub.config_loading import load_settings
from kgpub.embedded import EmbeddedStore
from kgpub.web.entity_documents import EntityDocument

from .conftest import ARTICLE, REGISTRY, UNRELATED_ARTICLE, write_collection
from .test_web_context import with_served_context
from .test_web_fixtures import (
    KG,
    SKOS,
    app,
    built_examples,
    client,
    first_of_each_kind,
    running_app,
)
from .test_web_remote_quads import publish_to, remote_settings

__all__ = ["app", "built_examples", "client"]  # fixtures, imported for pytest

BASE = "https://kg.example.org/"
VOCABULARY_ROOT = "https://w3id.org/kgpub/"
"""The fixed namespace of the ontology and code lists, served at the same paths."""
OWL = "http://www.w3.org/2002/07/owl#"
KINDS = (
    "facility",
    "organization",
    "article",
    "claim",
    "observation",
    "ontology",
    "scheme",
    "concept",
)
EXTENSIONS = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "trig": "application/trig",
    "nq": "application/n-quads",
    "html": "text/html",
}
ACCEPT_CHOICES = [
    ("text/turtle", "ttl"),
    ("application/n-triples", "nt"),
    ("application/ld+json", "jsonld"),
    ("application/json", "jsonld"),
    ("application/rdf+xml", "rdf"),
    ("application/trig", "trig"),
    ("application/n-quads", "nq"),
    ("text/html", "html"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
    ("*/*", "ttl"),
    (None, "ttl"),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "jsonld"),
    ("text/html;q=0.1, application/*;q=0.6, application/n-quads", "nq"),
    ("text/*, text/turtle;q=0", "html"),
]
KIND_QUERIES = {
    "facility": f'?s a <{KG}Facility> ; <{SKOS}prefLabel> "Ghwayran prison"@en .',
    "organization": f"GRAPH <{BASE}graph/entities> {{ ?s a <{KG}Organization> }}",
    "article": f"?s a <{KG}Article> .",
    "claim": f"?s a <{KG}Claim> . ?s <{KG}evidence> ?evidence .",
    "observation": f"?s a <{KG}Observation> .",
    "ontology": f"?s a <{OWL}Ontology> .",
    "scheme": f"?s a <{SKOS}ConceptScheme> .",
    "concept": f"?s a <{SKOS}Concept> .",
}


@pytest.fixture(scope="module")
def paths(app: Flask) -> dict[str, str]:
    """One real path per kind of resource (``/id/…``, ``/ont``, ``/vocab/…``), looked up."""
    found = {}
    for kind, iri in first_of_each_kind(app, KIND_QUERIES).items():
        root = VOCABULARY_ROOT if kind in ("ontology", "scheme", "concept") else f"{BASE}id/{kind}/"
        assert iri.startswith(root), iri
        found[kind] = "/" + iri.removeprefix(BASE).removeprefix(VOCABULARY_ROOT)
    return found


def document_path(path: str, extension: str) -> str:
    """The document URL of the resource at ``path``: ``/doc/…`` for ``/id/…``, else beside it."""
    if path.startswith("/id/"):
        return f"/doc/{path.removeprefix('/id/')}.{extension}"
    return f"{path}.{extension}"


def alternate_types(link_header: str) -> set[str]:
    """The media types a ``Link`` header offers as alternates."""
    return {part.split('type="')[1].rstrip('"') for part in link_header.split(", ")}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("accept", "extension"), ACCEPT_CHOICES)
def test_every_kind_of_iri_redirects_to_the_document_accept_asks_for(
    client: FlaskClient, paths: dict[str, str], kind: str, accept: str | None, extension: str
) -> None:
    response = client.get(paths[kind], headers={"Accept": accept} if accept else {})
    assert response.status_code == 303
    assert response.location == document_path(paths[kind], extension)
    assert "Accept" in response.vary
    assert alternate_types(response.headers["Link"]) == set(EXTENSIONS.values())
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_format_parameter_overrides_accept_on_the_iri(
    client: FlaskClient, paths: dict[str, str]
) -> None:
    response = client.get(paths["claim"] + "?format=nq", headers={"Accept": "text/html"})
    assert response.location == document_path(paths["claim"], "nq")


@pytest.mark.parametrize("kind", KINDS)
def test_an_unacceptable_type_answers_406_listing_the_formats(
    client: FlaskClient, paths: dict[str, str], kind: str
) -> None:
    response = client.get(paths[kind], headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "Accept" in response.vary
    assert "text/turtle (format=turtle)" in response.text
    assert "text/html (format=html)" in response.text


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("extension", EXTENSIONS)
def test_a_document_url_serves_its_own_format_whatever_accept_says(
    client: FlaskClient, paths: dict[str, str], kind: str, extension: str
) -> None:
    url = document_path(paths[kind], extension)
    response = client.get(url, headers={"Accept": "image/png"})
    assert response.status_code == 200
    assert response.mimetype == EXTENSIONS[extension]
    assert response.headers["Content-Location"] == url
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Last-Modified"]
    assert response.headers["ETag"].startswith('"') and not response.headers["ETag"].startswith(
        "W/"
    )
    assert alternate_types(response.headers["Link"]) == set(EXTENSIONS.values())
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]


@pytest.mark.parametrize("extension", [None, "ttl", "html"])
def test_head_answers_with_the_same_headers_and_no_body(
    client: FlaskClient, paths: dict[str, str], extension: str | None
) -> None:
    path = paths["facility"]
    url = document_path(path, extension) if extension else path
    got, head = client.get(url), client.head(url)
    assert head.status_code == got.status_code
    assert head.data == b""
    for name in ("Location", "Vary", "Link", "ETag", "Last-Modified", "Content-Type"):
        assert head.headers.get(name) == got.headers.get(name), name


def test_a_document_answers_304_to_its_own_etag_and_200_to_another(
    client: FlaskClient, paths: dict[str, str]
) -> None:
    url = document_path(paths["facility"], "ttl")
    etag = client.get(url).headers["ETag"]
    unchanged = client.get(url, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.data == b""
    assert unchanged.headers["ETag"] == etag
    assert unchanged.headers["Cache-Control"] == "public, max-age=300"
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_document_answers_304_when_not_modified_since_the_build(
    client: FlaskClient, paths: dict[str, str]
) -> None:
    url = document_path(paths["article"], "jsonld")
    last_modified = client.get(url).headers["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get(url, headers={"If-Modified-Since": old}).status_code == 200


def test_etags_are_stable_and_differ_between_formats_and_resources(
    client: FlaskClient, paths: dict[str, str]
) -> None:
    def etag(kind: str, extension: str) -> str:
        return client.get(document_path(paths[kind], extension)).headers["ETag"]

    assert etag("claim", "ttl") == etag("claim", "ttl")
    assert etag("claim", "ttl") != etag("claim", "nq")
    assert etag("claim", "ttl") != etag("article", "ttl")


def test_a_document_s_quads_are_in_the_order_of_their_sorted_n_quads_lines() -> None:
    resource = pyoxigraph.NamedNode(f"{BASE}id/facility/x")
    graph = pyoxigraph.NamedNode(f"{BASE}graph/entities")
    quads = [
        pyoxigraph.Quad(resource, pyoxigraph.NamedNode(f"{BASE}p/{name}"), value, graph)
        for name, value in (
            ("b", pyoxigraph.Literal("zwei", language="de")),
            ("a", pyoxigraph.NamedNode(f"{BASE}id/place/y")),
            ("b", pyoxigraph.Literal("two")),
        )
    ]
    document = EntityDocument.in_canonical_order(resource, quads)
    lines = [f"{quad} .\n" for quad in document.quads]
    assert lines == sorted(lines) and len(lines) == 3
    unordered = EntityDocument(resource, tuple(reversed(quads)))
    assert document.canonical_nquads() == unordered.canonical_nquads()
    assert document.content_tag() == unordered.content_tag()


def parsed(client: FlaskClient, url: str, rdf_format: pyoxigraph.RdfFormat) -> set[pyoxigraph.Quad]:
    """The quads of the document at ``url``; JSON-LD is read with the served context inlined."""
    data: bytes | str = client.get(url).data
    if rdf_format == pyoxigraph.RdfFormat.JSON_LD:
        data = with_served_context(client, data)  # its @context URL is never fetched
    return set(pyoxigraph.parse(data, format=rdf_format))


@pytest.mark.parametrize("kind", KINDS)
def test_every_rdf_format_of_a_document_holds_the_same_triples(
    client: FlaskClient, paths: dict[str, str], kind: str
) -> None:
    formats = {
        "ttl": pyoxigraph.RdfFormat.TURTLE,
        "nt": pyoxigraph.RdfFormat.N_TRIPLES,
        "jsonld": pyoxigraph.RdfFormat.JSON_LD,
        "rdf": pyoxigraph.RdfFormat.RDF_XML,
        "trig": pyoxigraph.RdfFormat.TRIG,
        "nq": pyoxigraph.RdfFormat.N_QUADS,
    }
    quads = {ext: parsed(client, document_path(paths[kind], ext), f) for ext, f in formats.items()}
    triples = {ext: {q.triple for q in found} for ext, found in quads.items()}
    assert triples["ttl"], f"the {kind} document is empty"
    assert all(found == triples["ttl"] for found in triples.values())
    assert quads["trig"] == quads["nq"]
    assert all(q.graph_name != pyoxigraph.DefaultGraph() for q in quads["nq"])


def test_quad_formats_keep_which_graph_says_what(
    client: FlaskClient, paths: dict[str, str]
) -> None:
    quads = parsed(client, document_path(paths["facility"], "nq"), pyoxigraph.RdfFormat.N_QUADS)
    graphs = {str(q.graph_name) for q in quads}
    assert f"<{BASE}graph/entities>" in graphs
    assert any(graph.startswith(f"<{BASE}id/claim/") for graph in graphs)


def test_a_claim_document_includes_its_fragment_nodes(
    client: FlaskClient, paths: dict[str, str]
) -> None:
    claim_iri = BASE + paths["claim"].removeprefix("/")
    triples = parsed(client, document_path(paths["claim"], "nt"), pyoxigraph.RdfFormat.N_TRIPLES)
    subjects = {str(q.subject) for q in triples}
    assert f"<{claim_iri}>" in subjects
    assert any(subject.startswith(f"<{claim_iri}#evidence-") for subject in subjects)


@pytest.mark.parametrize(
    "url",
    [
        "/id/facility/no-such-prison",
        "/id/../../etc/passwd",
        "/id/facility/../../../etc/passwd",
        "/doc/../../etc/passwd.ttl",
        "/id/organization/caf%C3%A9",
        "/id/organization/%3Cscript%3E%20x",
        "/id/organization/%E2%80%AE%00",
        "/doc/facility/no-such-prison.ttl",
        "/doc/facility/ghwayran-prison",
        "/doc/facility/ghwayran-prison.exe",
    ],
)
def test_unknown_or_malformed_iris_answer_404_saying_what_iris_look_like(
    client: FlaskClient, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert "Published IRIs look like https://kg.example.org/id/<kind>/<key>" in response.text
    assert "root:" not in response.text
    assert "Accept" in response.vary


@pytest.mark.attack
def test_the_404_is_a_page_for_browsers_with_the_iri_escaped(client: FlaskClient) -> None:
    response = client.get("/id/organization/%3Cscript%3E", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<script>" not in response.text
    assert "&lt;script&gt;" in response.text


# -- merged (301) and removed (410) IRIs ------------------------------------------------------

SCHEMA = "https://schema.org/"
SPOKESMAN = "persons:\n  farhad-shami: {labels: {en: Farhad Shami}}\n"
MERGED = "/id/organization/sohr"
SURVIVOR = "/id/organization/syrian-observatory"
REMOVED_ENTITY = "/id/person/farhad-shami"


def build_published(root: Path) -> None:
    summary = build_collection(root, load_settings(root, env={}))
    assert summary.published, summary.describe()


def claim_paths(root: Path, article: str) -> list[str]:
    """The ``/id/…`` paths of an article's claims in the published store."""
    store = EmbeddedStore(root / ".kgpub" / "store")
    try:
        rows = store.query(f"SELECT ?s {{ ?s <{SCHEMA}appearance> <{BASE}id/article/{article}> }}")
        assert isinstance(rows, pyoxigraph.QuerySolutions)
        return sorted("/" + row[0].value.removeprefix(BASE) for row in rows)
    finally:
        store.close()


@dataclass(frozen=True)
class Retired:
    """A built collection whose second build merged, removed an entity and an article."""

    root: Path
    removed_claim: str
    """The ``/id/…`` path of a claim of the removed article (claim IRIs are content-derived)."""


@pytest.fixture(scope="module")
def retired(tmp_path_factory: pytest.TempPathFactory) -> Retired:
    """A collection built, then rebuilt after a merge, a registry removal and an article's."""
    root = write_collection(
        tmp_path_factory.mktemp("retired") / "c",
        registry=REGISTRY + SPOKESMAN,
        sample=ARTICLE,
        other=UNRELATED_ARTICLE,
    )
    build_published(root)
    (claim,) = claim_paths(root, "other")
    registry = root / "registry.yaml"
    text = registry.read_text(encoding="utf-8").replace(SPOKESMAN, "")
    registry.write_text(
        text.replace("  sohr:\n", "  syrian-observatory:\n    replaces: [sohr]\n"),
        encoding="utf-8",
    )
    (root / "articles" / "other.yaml").rename(root / "other.yaml.removed")
    build_published(root)
    assert claim_paths(root, "other") == []
    return Retired(root, claim)


@pytest.fixture(scope="module")
def retired_app(retired: Retired) -> Iterator[Flask]:
    """An app over :func:`retired`."""
    with running_app(retired.root, query_workers="1") as application:
        yield application


@pytest.fixture
def retired_client(retired_app: Flask) -> FlaskClient:
    """A test client of :func:`retired_app`."""
    return retired_app.test_client()


def assert_cacheable_and_open(response: TestResponse) -> None:
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert alternate_types(response.headers["Link"]) == set(EXTENSIONS.values())


@pytest.mark.parametrize(("accept", "extension"), ACCEPT_CHOICES)
def test_a_merged_iri_redirects_permanently_to_its_survivor_whatever_accept_says(
    retired_client: FlaskClient, accept: str | None, extension: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = retired_client.get(MERGED, headers=headers)
    assert response.status_code == 301
    assert response.location == SURVIVOR
    assert_cacheable_and_open(response)
    assert f"{SURVIVOR.replace('/id/', '/doc/')}.ttl" in response.headers["Link"]
    followed = retired_client.get(response.location, headers=headers)
    assert followed.status_code == 303
    assert followed.location == document_path(SURVIVOR, extension)


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_a_merged_iri_s_document_redirects_to_the_survivor_s_in_the_same_format(
    retired_client: FlaskClient, extension: str
) -> None:
    response = retired_client.get(document_path(MERGED, extension))
    assert response.status_code == 301
    assert response.location == document_path(SURVIVOR, extension)
    assert_cacheable_and_open(response)
    followed = retired_client.get(response.location)
    assert followed.status_code == 200
    assert followed.mimetype == EXTENSIONS[extension]


def test_a_redirect_from_a_merged_iri_keeps_the_format_asked_for(
    retired_client: FlaskClient,
) -> None:
    response = retired_client.get(MERGED + "?format=nq", headers={"Accept": "text/html"})
    assert response.location == SURVIVOR + "?format=nq"
    followed = retired_client.get(response.location, headers={"Accept": "text/html"})
    assert followed.location == document_path(SURVIVOR, "nq")


def test_the_survivor_s_document_says_what_it_replaces(retired_client: FlaskClient) -> None:
    triples = parsed(retired_client, document_path(SURVIVOR, "nt"), pyoxigraph.RdfFormat.N_TRIPLES)
    replaced = {str(q.object) for q in triples if q.predicate.value.endswith("/terms/replaces")}
    assert replaced == {f"<{BASE}{MERGED.removeprefix('/')}>"}


def test_a_removed_registry_entity_answers_410_saying_what_it_was_and_when(
    retired_client: FlaskClient, retired_app: Flask
) -> None:
    manifest = retired_app.extensions["kgpub"].store.manifest()
    for url in (REMOVED_ENTITY, document_path(REMOVED_ENTITY, "jsonld")):
        response = retired_client.get(url)
        assert response.status_code == 410, url
        assert response.mimetype == "text/plain"
        assert f"{BASE}id/person/farhad-shami (Farhad Shami) was removed" in response.text
        assert manifest.built_at.replace("T", " ").replace("Z", " UTC") in response.text
        assert "search by name at /search?q=Farhad+Shami" in response.text
        assert "/sparql" in response.text and "/queries/" in response.text
        assert "Accept" in response.vary
        assert_cacheable_and_open(response)


def test_every_iri_of_a_removed_article_answers_410_naming_the_article(
    retired_client: FlaskClient, retired: Retired
) -> None:
    claim = retired.removed_claim
    for url in (claim, document_path(claim, "trig"), "/id/article/other", "/id/event/other/x"):
        response = retired_client.get(url)
        assert response.status_code == 410, url
        assert "belonged to the article 'other' (fact file articles/other.yaml)" in response.text
    assert retired_client.get(claim.replace("/claim/other/", "/claim/sample/")).status_code == 404


def test_the_410_is_a_page_for_browsers(retired_client: FlaskClient) -> None:
    response = retired_client.get(REMOVED_ENTITY, headers={"Accept": "text/html"})
    assert response.status_code == 410
    assert response.mimetype == "text/html"
    assert "Farhad Shami" in response.text and "<h1>410</h1>" in response.text


@pytest.mark.parametrize("url", [MERGED, document_path(MERGED, "ttl"), REMOVED_ENTITY])
def test_head_on_a_merged_or_removed_iri_answers_like_get_without_a_body(
    retired_client: FlaskClient, url: str
) -> None:
    got, head = retired_client.get(url), retired_client.head(url)
    assert head.status_code == got.status_code in (301, 410)
    assert head.data == b""
    for name in ("Location", "Link", "Cache-Control", "Access-Control-Allow-Origin"):
        assert head.headers.get(name) == got.headers.get(name), name


@pytest.mark.parametrize(
    "url", ["/id/person/nobody", "/doc/article/other.exe", "/doc/organization/sohr"]
)
def test_iris_never_published_stay_404_next_to_retired_ones(
    retired_client: FlaskClient, url: str
) -> None:
    assert retired_client.get(url).status_code == 404


def test_an_article_published_again_is_served_again(retired: Retired, tmp_path: Path) -> None:
    root = tmp_path / "again"
    shutil.copytree(retired.root, root, symlinks=True)  # with its store: builds incrementally
    (root / "other.yaml.removed").rename(root / "articles" / "other.yaml")
    build_published(root)
    with running_app(root, query_workers="1") as application:
        client = application.test_client()
        assert client.get(retired.removed_claim).status_code == 303
        assert client.get("/id/article/other").status_code == 303
        assert client.get(REMOVED_ENTITY).status_code == 410


# -- the same answers read from a remote SPARQL server ----------------------------------------


@pytest.fixture(scope="module")
def retired_remote_client(retired: Retired, oxigraph: OxigraphServer) -> Iterator[FlaskClient]:
    """A client of an app serving :func:`retired`'s build pushed to a real Oxigraph server."""
    oxigraph.clear()
    publish_to(oxigraph, retired.root)
    with running_app(retired.root, query_workers="1", **remote_settings(oxigraph.base_url)) as app:
        yield app.test_client()


@pytest.mark.parametrize("accept", ["text/html", "text/turtle", None])
def test_merged_removed_and_unknown_iris_answer_the_same_from_a_remote_server(
    retired_client: FlaskClient,
    retired_remote_client: FlaskClient,
    retired: Retired,
    accept: str | None,
) -> None:
    headers = {"Accept": accept} if accept else {}
    urls = [
        MERGED,
        f"{MERGED}?format=nq",
        document_path(MERGED, "jsonld"),
        SURVIVOR,
        document_path(SURVIVOR, "html"),
        REMOVED_ENTITY,
        document_path(REMOVED_ENTITY, "ttl"),
        retired.removed_claim,
        document_path(retired.removed_claim, "trig"),
        "/id/article/other",
        "/id/person/nobody",
        "/doc/organization/sohr",
    ]
    statuses = set()
    for url in urls:
        mine, theirs = (
            retired_client.get(url, headers=headers),
            retired_remote_client.get(url, headers=headers),
        )
        statuses.add(theirs.status_code)
        assert (theirs.status_code, theirs.location, theirs.data) == (
            mine.status_code,
            mine.location,
            mine.data,
        ), url
        for name in ("Content-Type", "Link", "Vary", "Cache-Control"):
            assert theirs.headers.get(name) == mine.headers.get(name), (url, name)
    assert statuses == {200, 301, 303, 404, 410}
