"""Linked Data: ``/id/…`` IRIs answer 303 to negotiated documents, served with cache headers."""

from __future__ import annotations

import pyoxigraph
import pytest
from flask import Flask
from flask.testing import FlaskClient

from .test_web_fixtures import KG, SKOS, app, built_examples, client

__all__ = ["app", "built_examples", "client"]  # fixtures, imported for pytest

BASE = "https://kg.example.org/"
KINDS = ("facility", "organization", "article", "claim", "observation")
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
}


@pytest.fixture(scope="module")
def paths(app: Flask) -> dict[str, str]:
    """One real ``/id/…`` path per kind of resource, looked up in the built examples."""
    store = app.extensions["kgpub"].store
    found = {}
    for kind, pattern in KIND_QUERIES.items():
        rows = list(store.query(f"SELECT ?s WHERE {{ {pattern} }} ORDER BY ?s LIMIT 1"))
        assert rows, f"the examples have no {kind}"
        iri = rows[0][0].value
        assert iri.startswith(f"{BASE}id/{kind}/"), iri
        found[kind] = "/" + iri.removeprefix(BASE)
    return found


def document_path(path: str, extension: str) -> str:
    """The document URL of the resource at ``/id/…`` ``path``."""
    return f"/doc/{path.removeprefix('/id/')}.{extension}"


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


def parsed(client: FlaskClient, url: str, rdf_format: pyoxigraph.RdfFormat) -> set[pyoxigraph.Quad]:
    """The quads of the document at ``url``."""
    return set(pyoxigraph.parse(client.get(url).data, format=rdf_format))


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


def test_the_404_is_a_page_for_browsers_with_the_iri_escaped(client: FlaskClient) -> None:
    response = client.get("/id/organization/%3Cscript%3E", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<script>" not in response.text
    assert "&lt;script&gt;" in response.text
