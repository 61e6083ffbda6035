"""Writes: SPARQL Update and the Graph Store Protocol, only with the update token, atomically."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pyoxigraph
import pytest
from flask import Flask
from flask.testing import FlaskClient

from kgpub.build import build_collection
from kgpub.config_loading import load_settings
from kgpub.embedded import EmbeddedStore

from .test_web_fixtures import build_examples, running_app

TOKEN = "correct-horse-battery-staple"  # noqa: S105 - a test value
AUTHORIZED = {"Authorization": f"Bearer {TOKEN}"}
NOTES = "https://kg.example.org/graph/notes"


@pytest.fixture(scope="module")
def writable_examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_examples(tmp_path_factory.mktemp("writes"))


@pytest.fixture(scope="module")
def writable_app(writable_examples: Path) -> Iterator[Flask]:
    with running_app(writable_examples, query_workers="1", update_token=TOKEN) as app:
        yield app


@pytest.fixture
def client(writable_app: Flask) -> FlaskClient:
    return writable_app.test_client()


def _ask(client: FlaskClient, query: str) -> bool:
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200, response.text
    return bool(json.loads(response.data)["boolean"])


def _insert(subject: str, graph: str = NOTES) -> str:
    return f"INSERT DATA {{ GRAPH <{graph}> {{ <{subject}> <urn:p> 'é' }} }}"


# The token


def test_an_update_without_a_token_is_a_401_with_a_bearer_challenge(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"update": _insert("urn:nobody")})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="kgpub"'
    assert not _ask(client, "ASK { <urn:nobody> ?p ?o }")


def test_an_update_with_another_token_is_a_401_invalid_token(client: FlaskClient) -> None:
    response = client.post(
        "/sparql",
        data={"update": _insert("urn:intruder")},
        headers={"Authorization": "Bearer guess"},
    )
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_write_responses_are_not_shared_with_other_origins(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"update": _insert("urn:x")})
    assert "Access-Control-Allow-Origin" not in response.headers


# SPARQL Update


def test_an_update_by_form_is_applied_and_seen_by_the_next_query(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"update": _insert("urn:by-form")}, headers=AUTHORIZED)
    assert response.status_code == 200, response.text
    assert _ask(client, "ASK { <urn:by-form> <urn:p> 'é' }")


def test_an_update_by_direct_post_is_applied(client: FlaskClient) -> None:
    response = client.post(
        "/sparql",
        data=_insert("urn:direct").encode("utf-8"),
        headers={**AUTHORIZED, "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 200, response.text
    assert _ask(client, "ASK { GRAPH ?g { <urn:direct> ?p ?o } }")


def test_a_write_updates_the_published_manifest(
    client: FlaskClient, writable_examples: Path
) -> None:
    store = EmbeddedStore(load_settings(writable_examples, env={}).store_path(writable_examples))
    before = store.manifest()
    client.post("/sparql", data={"update": _insert("urn:counted")}, headers=AUTHORIZED)
    after = store.manifest()
    assert before is not None and after is not None
    assert after.quads == before.quads + 1
    assert after.built_at == before.built_at
    assert datetime.fromisoformat(after.last_changed) > datetime.fromisoformat(before.last_changed)


ENTITY_DOCUMENT = "/doc/organization/le-temps"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"


def test_a_document_a_write_changed_is_sent_again_to_a_client_holding_the_copy_before_it(
    client: FlaskClient,
) -> None:
    before = client.get(f"{ENTITY_DOCUMENT}.ttl")
    time.sleep(1.05)  # HTTP dates count whole seconds
    entity = "https://kg.example.org/id/organization/le-temps"
    update = f"INSERT DATA {{ GRAPH <{NOTES}> {{ <{entity}> <{COMMENT}> 'written' }} }}"
    assert client.post("/sparql", data={"update": update}, headers=AUTHORIZED).status_code == 200
    after = client.get(
        f"{ENTITY_DOCUMENT}.ttl", headers={"If-Modified-Since": before.headers["Last-Modified"]}
    )
    assert after.status_code == 200
    assert "written" in after.text
    assert after.headers["Last-Modified"] != before.headers["Last-Modified"]


def test_a_page_is_sent_again_after_any_write_since_it_shows_other_resources_labels(
    client: FlaskClient,
) -> None:
    before = client.get(f"{ENTITY_DOCUMENT}.html")
    client.post("/sparql", data={"update": _insert("urn:elsewhere")}, headers=AUTHORIZED)
    after = client.get(f"{ENTITY_DOCUMENT}.html", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]


def test_using_graph_uri_makes_the_updates_dataset(client: FlaskClient) -> None:
    client.post("/sparql", data={"update": _insert("urn:source")}, headers=AUTHORIZED)
    copy = f"INSERT {{ GRAPH <{NOTES}-copy> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    response = client.post(
        "/sparql", data={"update": copy, "using-graph-uri": NOTES}, headers=AUTHORIZED
    )
    assert response.status_code == 200, response.text
    assert _ask(client, f"ASK {{ GRAPH <{NOTES}-copy> {{ <urn:source> ?p ?o }} }}")


def test_using_graph_uri_with_using_in_the_update_is_a_400(client: FlaskClient) -> None:
    update = f"DELETE {{ ?s ?p ?o }} USING <{NOTES}> WHERE {{ ?s ?p ?o }}"
    response = client.post(
        "/sparql", data={"update": update, "using-graph-uri": NOTES}, headers=AUTHORIZED
    )
    assert response.status_code == 400 and "USING or WITH" in response.text


def test_a_malformed_update_is_a_400_and_changes_nothing(client: FlaskClient) -> None:
    response = client.post(
        "/sparql", data={"update": "INSERT DATA { <urn:a> }"}, headers=AUTHORIZED
    )
    assert response.status_code == 400
    assert response.text.startswith("malformed SPARQL Update")


def test_load_from_a_host_not_allow_listed_is_refused(client: FlaskClient) -> None:
    update = "LOAD <http://data.example.org/dump.ttl>"
    response = client.post("/sparql", data={"update": update}, headers=AUTHORIZED)
    assert response.status_code == 403
    assert "LOAD <http://data.example.org/dump.ttl> is refused" in response.text


def test_a_graph_of_ones_own_survives_the_next_build_and_article_graphs_are_rebuilt(
    client: FlaskClient, writable_examples: Path
) -> None:
    article_graph = "https://kg.example.org/graph/article/lemonde-2022-01-ghwayran"
    client.post("/sparql", data={"update": _insert("urn:kept")}, headers=AUTHORIZED)
    client.post("/sparql", data={"update": _insert("urn:stray", article_graph)}, headers=AUTHORIZED)
    assert _ask(client, f"ASK {{ GRAPH <{article_graph}> {{ <urn:stray> ?p ?o }} }}")
    article = writable_examples / "articles" / "lemonde-2022-01-ghwayran.yaml"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("  title: ", "  title: (corrected) ", 1), encoding="utf-8")
    summary = build_collection(writable_examples, load_settings(writable_examples, env={}))
    assert summary.published and len(summary.updated) == 1
    assert _ask(client, f"ASK {{ GRAPH <{NOTES}> {{ <urn:kept> ?p ?o }} }}")
    assert not _ask(client, "ASK { GRAPH ?g { <urn:stray> ?p ?o } }")


# Graph Store Protocol


def _graph(client: FlaskClient, graph: str, **headers: str) -> object:
    return client.get("/store", query_string={"graph": graph}, headers=headers)


TURTLE = "@prefix ex: <http://example.org/> . ex:a ex:b 'Hassaké' , <relative> .".encode()


def test_a_graph_is_created_replaced_added_to_and_deleted(client: FlaskClient) -> None:
    graph = "https://kg.example.org/graph/gsp-life"
    put = {"headers": {**AUTHORIZED, "Content-Type": "text/turtle"}, "data": TURTLE}
    created = client.put(f"/store?graph={graph}", **put)
    replaced = client.put(f"/store?graph={graph}", **put)
    added = client.post(
        f"/store?graph={graph}",
        data=b"<http://example.org/c> <http://example.org/d> <http://example.org/e> .\n",
        headers={**AUTHORIZED, "Content-Type": "application/n-triples"},
    )
    read = _graph(client, graph, Accept="application/n-triples")
    deleted = client.delete(f"/store?graph={graph}", headers=AUTHORIZED)
    statuses = [r.status_code for r in (created, replaced, added, read, deleted)]
    assert statuses == [201, 204, 204, 200, 204]
    assert read.headers["X-KGPub-Row-Count"] == "3"
    assert f"<{graph[: graph.rindex('/') + 1]}relative>".encode() in read.data
    assert _graph(client, graph).status_code == 404
    assert client.delete(f"/store?graph={graph}", headers=AUTHORIZED).status_code == 404


def test_a_graph_is_read_without_the_token_in_any_rdf_format(client: FlaskClient) -> None:
    response = _graph(client, "https://kg.example.org/graph/entities", Accept="application/ld+json")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert len(list(pyoxigraph.parse(response.data, format=pyoxigraph.RdfFormat.JSON_LD))) > 100
    head = client.head("/store", query_string={"graph": "https://kg.example.org/graph/entities"})
    assert head.status_code == 200 and head.data == b""
    assert head.headers["X-KGPub-Row-Count"] == response.headers["X-KGPub-Row-Count"]


def test_the_default_graph_is_the_stores_own_and_can_be_written(client: FlaskClient) -> None:
    data = b"<urn:in-default> <urn:p> <urn:o> .\n"
    headers = {**AUTHORIZED, "Content-Type": "application/n-triples"}
    assert client.put("/store?default", data=data, headers=headers).status_code == 204
    read = client.get("/store?default", headers={"Accept": "application/n-triples"})
    assert read.data == data


def test_graph_store_writes_need_the_token(client: FlaskClient) -> None:
    response = client.put(
        "/store?graph=urn:g", data=TURTLE, headers={"Content-Type": "text/turtle"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("query", "content_type", "body", "status"),
    [
        ("graph=urn:g", "text/plain", b"x", 415),
        ("graph=urn:g", "text/turtle", b"<a> <b", 400),
        ("graph=urn:g", "application/n-quads", b"<urn:a> <urn:b> <urn:c> <urn:g> .\n", 400),
        ("", "text/turtle", TURTLE, 400),
        ("graph=urn:g&default", "text/turtle", TURTLE, 400),
        ("graph=not%20an%20iri", "text/turtle", TURTLE, 400),
    ],
)
def test_a_graph_store_request_that_cannot_be_applied_is_refused(
    client: FlaskClient, query: str, content_type: str, body: bytes, status: int
) -> None:
    response = client.put(
        f"/store?{query}", data=body, headers={**AUTHORIZED, "Content-Type": content_type}
    )
    assert response.status_code == status, response.text


def test_the_home_page_says_when_the_data_was_last_written(client: FlaskClient) -> None:
    client.post("/sparql", data={"update": _insert("urn:for-the-home-page")}, headers=AUTHORIZED)
    assert "Last write" in client.get("/").text
