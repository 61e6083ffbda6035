"""The published JSON-LD context, and documents that read as plain JSON and expand to the Turtle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from flask import Flask
from flask.testing import FlaskClient

from kgpub.formats import rdf_format
from kgpub.jsonld_context import kgpub_context
from kgpub.web.entity_documents import EntityDocument, serialize_document

from .test_web_fixtures import (
    KG,
    SKOS,
    app,
    built_examples,
    client,
    first_of_each_kind,
    running_app,
)

__all__ = ["app", "built_examples", "client"]  # fixtures, imported for pytest

BASE = "https://kg.example.org/"
SCHEMA_VALUE = "https://schema.org/value"
SCHEMA_DATE_PUBLISHED = "https://schema.org/datePublished"
XSD = "http://www.w3.org/2001/XMLSchema#"
KIND_QUERIES = {
    "organization": f"GRAPH <{BASE}graph/entities> {{ ?s a <{KG}Organization> }}",
    "person": f"?s a <{KG}Person> .",
    "place": f"?s a <{KG}Place> ; <http://www.opengis.net/ont/geosparql#hasGeometry> ?g .",
    "facility": f"?s a <{KG}Facility> .",
    "event": f"?s a <{KG}Event> .",
    "article": f"?s a <{KG}Article> ; <https://schema.org/translationOfWork> ?original .",
    "claim": f"?s a <{KG}Claim> ; <{KG}evidence> ?evidence .",
    "observation": f"?s a <{KG}Observation> ; <{SCHEMA_VALUE}> ?value .",
}


@pytest.fixture(scope="module")
def paths(app: Flask) -> dict[str, str]:
    """One ``/doc/…`` path (without extension) per kind of resource in the built examples."""
    found = first_of_each_kind(app, KIND_QUERIES)
    return {kind: "/doc/" + iri.removeprefix(f"{BASE}id/") for kind, iri in found.items()}


@pytest.fixture(scope="module")
def published_paths(app: Flask) -> list[str]:
    """The ``/doc/…`` path of every IRI published under ``/id/``."""
    store = app.extensions["kgpub"].store
    rows = store.query(
        f'SELECT DISTINCT ?s {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?s), "{BASE}id/")'
        ' && !CONTAINS(STR(?s), "#")) } ORDER BY ?s'
    )
    return ["/doc/" + row[0].value.removeprefix(f"{BASE}id/") for row in rows]


def with_served_context(client: FlaskClient, body: bytes) -> str:
    """A JSON-LD document with the context served at its ``@context`` URL put in its place.

    The document is then read with no document loader at all: nothing is fetched.
    """
    document = json.loads(body)
    url = document["@context"]
    served = client.get(url.removeprefix("http://localhost"))
    assert served.status_code == 200, url
    document["@context"] = served.get_json()["@context"]
    return json.dumps(document)


def triples(data: bytes | str, rdf_format: pyoxigraph.RdfFormat) -> set[pyoxigraph.Triple]:
    return {quad.triple for quad in pyoxigraph.parse(data, format=rdf_format)}


def keys_of(value: Any) -> set[str]:
    """Every key of every object in ``value``, at any depth."""
    if isinstance(value, dict):
        return set(value).union(*(keys_of(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_of(item) for item in value))
    return set()


def test_the_context_is_served_as_json_ld_to_any_origin_and_cached_for_a_day(
    client: FlaskClient,
) -> None:
    response = client.get("/context.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    context = response.get_json()["@context"]
    assert context["id"] == "@id" and context["type"] == "@type"
    assert context["partOf"] == {"@id": "kg:partOf", "@type": "@id", "@container": "@set"}
    assert client.head("/context.jsonld").headers["ETag"] == response.headers["ETag"]


def test_the_context_answers_304_to_its_own_etag_and_200_to_another(client: FlaskClient) -> None:
    etag = client.get("/context.jsonld").headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get("/context.jsonld", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    other = client.get("/context.jsonld", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


@pytest.mark.parametrize("kind", KIND_QUERIES)
def test_a_json_ld_document_expanded_with_the_served_context_holds_the_turtle_triples(
    client: FlaskClient, paths: dict[str, str], kind: str
) -> None:
    response = client.get(f"{paths[kind]}.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.get_json()["@context"] == "http://localhost/context.jsonld"
    expanded = triples(with_served_context(client, response.data), pyoxigraph.RdfFormat.JSON_LD)
    turtle = triples(client.get(f"{paths[kind]}.ttl").data, pyoxigraph.RdfFormat.TURTLE)
    assert turtle
    assert expanded == turtle


def test_no_document_of_the_examples_has_a_full_iri_as_a_key(
    client: FlaskClient, published_paths: list[str]
) -> None:
    context = client.get("/context.jsonld").get_json()["@context"]
    assert len(published_paths) > 50
    keys: set[str] = set()
    for path in published_paths:
        document = client.get(f"{path}.jsonld").get_json()
        keys |= keys_of({key: value for key, value in document.items() if key != "@context"})
    assert not [key for key in keys if "://" in key]
    assert not [key for key in keys if ":" in key and key not in context]
    assert {"id", "type", "prefLabel", "claimant", "org:role", "@included"} <= keys


def test_an_organization_reads_as_plain_json_with_what_the_turtle_says(
    client: FlaskClient,
) -> None:
    document = client.get("/doc/organization/sdf.jsonld").get_json()
    turtle = triples(client.get("/doc/organization/sdf.ttl").data, pyoxigraph.RdfFormat.TURTLE)
    labels = {
        t.object.language: t.object.value for t in turtle if t.predicate.value == f"{SKOS}prefLabel"
    }
    assert document["id"] == f"{BASE}id/organization/sdf"
    assert document["type"] == "Organization"
    assert document["prefLabel"] == labels
    assert document["classification"].startswith("vocab:organization-kind/")
    assert isinstance(document["supportedBy"], list)
    assert "@included" not in document


def test_integers_are_json_numbers_and_partial_dates_keep_their_datatype(
    client: FlaskClient, paths: dict[str, str]
) -> None:
    observation = client.get(f"{paths['observation']}.jsonld").get_json()
    turtle = triples(client.get(f"{paths['observation']}.ttl").data, pyoxigraph.RdfFormat.TURTLE)
    (value,) = (t.object for t in turtle if t.predicate.value == SCHEMA_VALUE)
    assert observation["value"] == int(value.value)
    assert isinstance(observation["value"], int)
    article = client.get(f"{paths['article']}.jsonld").get_json()
    turtle = triples(client.get(f"{paths['article']}.ttl").data, pyoxigraph.RdfFormat.TURTLE)
    (date,) = (t.object for t in turtle if t.predicate.value == SCHEMA_DATE_PUBLISHED)
    datatype = date.datatype.value.removeprefix(XSD)
    assert article["datePublished"] == {"@value": date.value, "type": f"xsd:{datatype}"}


def test_a_claim_is_the_top_object_with_its_parts_included_and_holds_its_graphs_union(
    client: FlaskClient, paths: dict[str, str]
) -> None:
    response = client.get(f"{paths['claim']}.jsonld")
    document = response.get_json()
    claim = BASE + "id/" + paths["claim"].removeprefix("/doc/")
    assert document["id"] == claim
    assert document["type"] == "Claim"
    parts = [node["id"] for node in document["@included"]]
    assert parts and all(part.startswith(f"{claim}#") for part in parts)
    quads = list(
        pyoxigraph.parse(
            client.get(f"{paths['claim']}.trig").data, format=pyoxigraph.RdfFormat.TRIG
        )
    )
    assert len({quad.graph_name for quad in quads}) > 1
    union = {quad.triple for quad in quads}
    assert (
        triples(with_served_context(client, response.data), pyoxigraph.RdfFormat.JSON_LD) == union
    )


def test_the_context_url_is_the_public_one_behind_a_prefix(built_examples: Path) -> None:
    with running_app(built_examples, script_name="/kg") as prefixed:
        client = prefixed.test_client()
        document = client.get("/kg/doc/organization/sdf.jsonld").get_json()
        assert document["@context"] == "http://localhost/kg/context.jsonld"
        assert client.get("/kg/context.jsonld").status_code == 200


def test_the_same_document_is_served_byte_for_byte_with_the_same_etag(
    client: FlaskClient, paths: dict[str, str]
) -> None:
    first, second = (client.get(f"{paths['article']}.jsonld") for _ in range(2))
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["ETag"] != client.get(f"{paths['article']}.ttl").headers["ETag"]


def test_json_ld_keeps_list_nodes_named_by_iris_and_every_literal_as_it_is() -> None:
    subject = pyoxigraph.NamedNode(f"{BASE}id/event/x")
    first, last = (pyoxigraph.NamedNode(f"{BASE}.well-known/genid/{n}") for n in ("a", "b"))
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    statements = [
        (subject, pyoxigraph.NamedNode("http://www.w3.org/2002/07/owl#unionOf"), first),
        (first, pyoxigraph.NamedNode(f"{rdf}first"), pyoxigraph.NamedNode(f"{XSD}date")),
        (first, pyoxigraph.NamedNode(f"{rdf}rest"), last),
        (last, pyoxigraph.NamedNode(f"{rdf}first"), pyoxigraph.NamedNode(f"{XSD}gYear")),
        (last, pyoxigraph.NamedNode(f"{rdf}rest"), pyoxigraph.NamedNode(f"{rdf}nil")),
        *(
            (subject, pyoxigraph.NamedNode(SCHEMA_VALUE), pyoxigraph.Literal(text, datatype=kind))
            for text, kind in (("007", "integer"), ("12", "integer"), ("true", "boolean"))
            for kind in [pyoxigraph.NamedNode(f"{XSD}{kind}")]
        ),
    ]
    graph = pyoxigraph.NamedNode(f"{BASE}graph/entities")
    quads = tuple(pyoxigraph.Quad(s, p, o, graph) for s, p, o in statements)
    body = serialize_document(
        EntityDocument(subject, quads), rdf_format("jsonld"), context_url="http://localhost/c"
    )
    document = json.loads(body)
    values = document["value"]  # canonical integers and booleans are JSON's own, "007" is not
    assert {"@value": "007", "type": "xsd:integer"} in values
    assert [value for value in values if not isinstance(value, dict)] in ([12, True], [True, 12])
    document["@context"] = kgpub_context()
    expanded = triples(json.dumps(document), pyoxigraph.RdfFormat.JSON_LD)
    assert expanded == {quad.triple for quad in quads}


def test_a_code_list_written_with_a_compact_iri_is_still_the_top_level_object() -> None:
    scheme = pyoxigraph.NamedNode("https://w3id.org/kgpub/vocab/stance")
    concept = pyoxigraph.NamedNode(f"{scheme.value}/affirms")
    in_scheme = pyoxigraph.NamedNode(f"{SKOS}inScheme")
    graph = pyoxigraph.NamedNode("https://w3id.org/kgpub/ont")
    quads = (
        pyoxigraph.Quad(concept, in_scheme, scheme, graph),
        pyoxigraph.Quad(
            scheme,
            pyoxigraph.NamedNode(f"{SKOS}prefLabel"),
            pyoxigraph.Literal("Stances", language="en"),
            graph,
        ),
    )
    body = serialize_document(
        EntityDocument(scheme, quads), rdf_format("jsonld"), context_url="http://localhost/c"
    )
    document = json.loads(body)
    assert document["id"] == "vocab:stance"
    assert document["prefLabel"] == {"en": "Stances"}
    assert document["@included"] == [{"id": "vocab:stance/affirms", "inScheme": ["vocab:stance"]}]
