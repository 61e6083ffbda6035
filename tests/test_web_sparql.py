"""The SPARQL 1.1 Protocol at /sparql: queries, formats, datasets, errors, limits, description."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pyoxigraph
import pytest
from flask import Flask
from flask.testing import FlaskClient

from .test_web_fixtures import KG, SKOS, app, built_examples, client, running_app

__all__ = ["app", "built_examples", "client"]  # fixtures used here

LABELS = f"PREFIX skos: <{SKOS}> SELECT ?label {{ ?x skos:prefLabel ?label }} ORDER BY ?label"
FACILITIES = f"CONSTRUCT WHERE {{ ?facility a <{KG}Facility> }}"
HASSAKE = f'PREFIX skos: <{SKOS}> SELECT ?x {{ ?x skos:prefLabel "Hassaké"@fr }}'
ENTITIES_GRAPH = "https://kg.example.org/graph/entities"
SD = "http://www.w3.org/ns/sparql-service-description#"


def _bindings(body: bytes) -> list[dict[str, str]]:
    rows = json.loads(body)["results"]["bindings"]
    return [{name: cell["value"] for name, cell in row.items()} for row in rows]


def _get(client: FlaskClient, query: str, **params: str) -> object:
    return client.get("/sparql", query_string={"query": query, **params})


# The three ways to send a query, and non-ASCII text in each


def test_a_query_by_get_by_form_post_and_by_direct_post_gives_the_same_answer(
    client: FlaskClient,
) -> None:
    by_get = client.get("/sparql", query_string={"query": HASSAKE})
    by_form = client.post("/sparql", data={"query": HASSAKE})
    by_body = client.post(
        "/sparql",
        data=HASSAKE.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query"},
    )
    answers = [_bindings(r.data) for r in (by_get, by_form, by_body)]
    assert answers[0] == [{"x": "https://kg.example.org/id/place/hasakah"}]
    assert answers[0] == answers[1] == answers[2]


def test_a_direct_post_in_another_charset_is_decoded_by_its_charset(client: FlaskClient) -> None:
    response = client.post(
        "/sparql",
        data=HASSAKE.encode("latin-1"),
        headers={"Content-Type": "application/sparql-query; charset=ISO-8859-1"},
    )
    assert _bindings(response.data) == [{"x": "https://kg.example.org/id/place/hasakah"}]


def test_non_ascii_in_answers_comes_back_as_utf8_in_every_results_format(
    client: FlaskClient,
) -> None:
    for name in ("json", "xml", "csv", "tsv"):
        response = _get(
            client, HASSAKE.replace("?x {", "?label { ?x skos:prefLabel ?label ."), format=name
        )
        assert response.status_code == 200, name
        assert "Hassaké".encode() in response.data, name


# Formats, by Accept and by format=


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml; charset=utf-8"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("application/json", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv;q=0.4, application/sparql-results+xml;q=0.8",
         "application/sparql-results+xml; charset=utf-8"),
    ],
)  # fmt: skip
def test_select_answers_come_in_the_registered_media_type_accept_asks_for(
    client: FlaskClient, accept: str, content_type: str
) -> None:
    response = client.get("/sparql", query_string={"query": LABELS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert "Accept" in response.headers["Vary"]
    assert _row_count(response.data, response.mimetype) == int(
        response.headers["X-KGPub-Row-Count"]
    )
    assert int(response.headers["X-KGPub-Row-Count"]) > 50


def _row_count(body: bytes, mimetype: str) -> int:
    if mimetype == "text/csv":  # lossy, so Oxigraph does not read it back
        return len(list(csv.reader(io.StringIO(body.decode("utf-8"))))) - 1
    results_format = pyoxigraph.QueryResultsFormat.from_media_type(mimetype)
    solutions = pyoxigraph.parse_query_results(body, format=results_format)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    return len(list(solutions))


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [
        ("text/turtle", pyoxigraph.RdfFormat.TURTLE),
        ("application/n-triples", pyoxigraph.RdfFormat.N_TRIPLES),
        ("application/n-quads", pyoxigraph.RdfFormat.N_QUADS),
        ("application/trig", pyoxigraph.RdfFormat.TRIG),
        ("application/ld+json", pyoxigraph.RdfFormat.JSON_LD),
        ("application/rdf+xml", pyoxigraph.RdfFormat.RDF_XML),
    ],
)
def test_construct_answers_come_in_the_rdf_format_accept_asks_for(
    client: FlaskClient, accept: str, rdf_format: pyoxigraph.RdfFormat
) -> None:
    response = client.get("/sparql", query_string={"query": FACILITIES}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    triples = list(pyoxigraph.parse(io.BytesIO(response.data), format=rdf_format))
    assert len(triples) == 2 == int(response.headers["X-KGPub-Row-Count"])


@pytest.mark.parametrize(
    ("name", "mimetype"),
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
    ],
)
def test_ask_answers_come_in_every_results_format(
    client: FlaskClient, name: str, mimetype: str
) -> None:
    response = _get(client, "ASK { ?s ?p ?o }", format=name)
    assert response.mimetype == mimetype
    assert b"true" in response.data
    assert "X-KGPub-Truncated" not in response.headers


@pytest.mark.parametrize(
    ("name", "mimetype"),
    [
        ("ttl", "text/turtle"),
        ("nt", "application/n-triples"),
        ("nq", "application/n-quads"),
        ("trig", "application/trig"),
        ("jsonld", "application/ld+json"),
        ("json", "application/ld+json"),
        ("rdfxml", "application/rdf+xml"),
        ("xml", "application/rdf+xml"),
    ],
)
def test_format_names_override_the_accept_header_for_graphs(
    client: FlaskClient, name: str, mimetype: str
) -> None:
    response = client.get(
        "/sparql",
        query_string={"output": name, "query": FACILITIES},
        headers={"Accept": "application/n-quads;q=0.1"},
    )
    assert response.status_code == 200
    assert response.mimetype == mimetype


def test_an_unacceptable_format_answers_406_with_the_alternatives(client: FlaskClient) -> None:
    select = client.get(
        "/sparql", query_string={"query": LABELS}, headers={"Accept": "text/turtle"}
    )
    graph = _get(client, FACILITIES, format="csv")
    assert (select.status_code, graph.status_code) == (406, 406)
    assert (
        "text/csv (format=csv)" in select.text
        and "text/turtle" not in select.text.split("\n", 1)[1]
    )
    assert "text/turtle (format=turtle)" in graph.text
    assert "Accept" in select.headers["Vary"]


def test_an_unknown_format_name_is_a_bad_request(client: FlaskClient) -> None:
    response = _get(client, LABELS, format="excel")
    assert response.status_code == 400
    assert "unknown format 'excel'" in response.text


# Errors the Protocol names


def test_a_malformed_query_is_a_400_with_the_parsers_message_in_plain_text(
    client: FlaskClient,
) -> None:
    response = _get(client, "SELECT * { ?s ?p }")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert response.text.startswith("malformed SPARQL: error at 1:")


def test_two_query_parameters_are_a_400(client: FlaskClient) -> None:
    response = client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    form = client.post("/sparql?query=ASK%7B%7D", data={"query": "ASK {}"})
    assert (response.status_code, form.status_code) == (400, 400)
    assert "exactly one query parameter" in response.text


def test_a_body_of_another_type_is_a_415(client: FlaskClient) -> None:
    response = client.post("/sparql", data="ASK {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert "application/sparql-query" in response.text


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_a_405_naming_the_allowed_ones(client: FlaskClient, method: str) -> None:
    response = getattr(client, method)("/sparql")
    assert response.status_code == 405
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_an_update_by_get_is_a_405(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"update": "CLEAR ALL"})
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"] and "never GET" in response.text


def test_a_form_post_without_query_or_update_is_a_400(client: FlaskClient) -> None:
    assert client.post("/sparql", data={"nothing": "here"}).status_code == 400


def test_writes_are_refused_when_no_update_token_is_configured(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"update": "CLEAR ALL"})
    assert response.status_code == 403
    assert "read-only" in response.text and "update_token" in response.text
    assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).status_code == 200


# Datasets


def test_default_graph_uri_restricts_the_default_graph(client: FlaskClient) -> None:
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    everything = _bindings(_get(client, count).data)[0]["n"]
    entities = _bindings(_get(client, count, **{"default-graph-uri": ENTITIES_GRAPH}).data)[0]["n"]
    assert 0 < int(entities) < int(everything)


def test_the_protocol_dataset_overrides_the_querys_from(client: FlaskClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) FROM <urn:nothing> { ?s ?p ?o }"
    own = _bindings(_get(client, query).data)[0]["n"]
    overridden = _bindings(_get(client, query, **{"default-graph-uri": ENTITIES_GRAPH}).data)[0]
    assert own == "0"
    assert int(overridden["n"]) > 0


def test_a_direct_post_takes_its_dataset_from_the_url(client: FlaskClient) -> None:
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    everything = _bindings(_get(client, count).data)[0]["n"]
    response = client.post(
        "/sparql",
        query_string={"default-graph-uri": ENTITIES_GRAPH},
        data=count,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert 0 < int(_bindings(response.data)[0]["n"]) < int(everything)


def test_named_graph_uri_alone_leaves_an_empty_default_graph(client: FlaskClient) -> None:
    params = {"named-graph-uri": ENTITIES_GRAPH}
    graphs = _bindings(_get(client, "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }", **params).data)
    default = _bindings(_get(client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", **params).data)
    assert graphs == [{"g": ENTITIES_GRAPH}]
    assert default == [{"n": "0"}]


def test_a_dataset_iri_that_is_not_absolute_is_a_400(client: FlaskClient) -> None:
    response = _get(client, "ASK {}", **{"default-graph-uri": "not an iri"})
    assert response.status_code == 400 and "default-graph-uri" in response.text


# The query means what it says


def test_the_stores_prefixes_are_never_added_to_a_query(client: FlaskClient) -> None:
    undeclared = _get(client, "SELECT * { ?x a kg:Facility }")
    redefined = _get(client, "PREFIX kg: <http://example.org/other#> SELECT * { ?x a kg:Facility }")
    assert undeclared.status_code == 400
    assert _bindings(redefined.data) == []


# Limits


def test_a_requested_timeout_is_capped_at_the_servers_maximum(client: FlaskClient) -> None:
    assert _get(client, "ASK {}").headers["X-KGPub-Timeout"] == "30"
    assert _get(client, "ASK {}", timeout="5").headers["X-KGPub-Timeout"] == "5"
    assert _get(client, "ASK {}", timeout="9999").headers["X-KGPub-Timeout"] == "120"
    assert _get(client, "ASK {}", timeout="soon").status_code == 400


@pytest.fixture(scope="module")
def capped_app(built_examples: Path) -> Iterator[Flask]:
    with running_app(
        built_examples, query_workers="1", max_rows="5", max_request_bytes="2048"
    ) as application:
        yield application


def test_an_answer_cut_at_the_row_cap_says_so_in_its_headers(capped_app: Flask) -> None:
    response = _get(capped_app.test_client(), LABELS, format="csv")
    assert response.headers["X-KGPub-Truncated"] == "true"
    assert response.headers["X-KGPub-Row-Count"] == response.headers["X-KGPub-Row-Limit"] == "5"
    assert len(response.text.splitlines()) == 1 + 5


def test_a_graph_answer_is_capped_in_triples(capped_app: Flask) -> None:
    response = _get(capped_app.test_client(), "CONSTRUCT WHERE { ?s ?p ?o }", format="nt")
    assert response.headers["X-KGPub-Truncated"] == "true"
    assert len(response.text.splitlines()) == 5


@pytest.mark.parametrize("format_name", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize(("values", "truncated"), [(4, "false"), (5, "false"), (6, "true")])
def test_a_select_answer_in_each_format_holds_at_most_the_cap_and_says_whether_it_was_cut(
    capped_app: Flask, format_name: str, values: int, truncated: str
) -> None:
    def numbers(count: int) -> str:
        return f"SELECT ?n {{ VALUES ?n {{ {' '.join(str(n) for n in range(1, count + 1))} }} }}"

    response = _get(capped_app.test_client(), numbers(values), format=format_name)
    kept = min(values, 5)
    assert response.headers["X-KGPub-Truncated"] == truncated
    assert response.headers["X-KGPub-Row-Count"] == str(kept)
    results_format = pyoxigraph.QueryResultsFormat.from_extension(format_name)
    assert response.data == pyoxigraph.Store().query(numbers(kept)).serialize(format=results_format)


def test_an_ask_answer_has_no_row_count_under_a_cap(capped_app: Flask) -> None:
    response = _get(capped_app.test_client(), "ASK { VALUES ?n { 1 2 3 4 5 6 7 } }")
    assert response.status_code == 200 and response.json == {"head": {}, "boolean": True}
    assert "X-KGPub-Row-Count" not in response.headers


def test_an_answer_under_the_cap_says_it_is_whole(capped_app: Flask) -> None:
    response = _get(capped_app.test_client(), FACILITIES)
    assert response.headers["X-KGPub-Truncated"] == "false"
    assert response.headers["X-KGPub-Row-Count"] == "2"


def test_a_body_over_the_size_limit_is_a_413(capped_app: Flask) -> None:
    query = f"ASK {{ FILTER(STRLEN('{'x' * 4000}') > 0) }}"
    direct = capped_app.test_client().post(
        "/sparql", data=query, headers={"Content-Type": "application/sparql-query"}
    )
    form = capped_app.test_client().post("/sparql", data={"query": query})
    assert (direct.status_code, form.status_code) == (413, 413)
    assert "2048 bytes" in direct.text


def test_a_url_over_the_size_limit_is_a_414(capped_app: Flask) -> None:
    response = capped_app.test_client().get("/sparql?query=" + quote("ASK {}" + " " * 3000))
    assert response.status_code == 414
    assert "POST" in response.text


# Federation and LOAD


def test_service_to_a_host_not_allow_listed_is_refused_before_running(client: FlaskClient) -> None:
    response = _get(client, "SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }")
    assert response.status_code == 403
    assert "query.wikidata.org is not on this server's federation allow-list" in response.text


def test_service_to_a_variable_is_refused(client: FlaskClient) -> None:
    response = _get(client, "SELECT * { VALUES ?e { <http://x/> } SERVICE ?e { ?s ?p ?o } }")
    assert response.status_code == 403


def test_the_word_service_in_a_string_is_not_a_service_call(client: FlaskClient) -> None:
    assert _get(client, 'ASK { FILTER("SERVICE <http://evil.example/>" != "") }').status_code == 200


def test_service_to_an_allow_listed_host_runs(built_examples: Path) -> None:
    with running_app(built_examples, query_workers="1", federation_allowlist="127.0.0.1") as app:
        # Port 9 (discard) refuses connections: the query runs and fails, not refused by policy.
        response = _get(
            app.test_client(), "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
        )
    assert response.status_code == 500
    assert "the query failed while running" in response.text


# Service Description


RDF_MEDIA_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/ld+json",
    "application/rdf+xml",
)


@pytest.mark.parametrize("media_type", RDF_MEDIA_TYPES)
def test_the_service_description_comes_in_every_rdf_format(
    client: FlaskClient, media_type: str
) -> None:
    response = client.get("/sparql", headers={"Accept": media_type})
    assert response.status_code == 200 and response.mimetype == media_type
    rdf_format = pyoxigraph.RdfFormat.from_media_type(media_type)
    assert rdf_format is not None
    graph = pyoxigraph.Store()
    graph.load(response.data, format=rdf_format)
    service = pyoxigraph.NamedNode("http://localhost/sparql")
    assert pyoxigraph.Quad(service, pyoxigraph.NamedNode(SD + "endpoint"), service) in graph


def test_the_service_description_describes_the_endpoint_formats_dataset_and_queries(
    client: FlaskClient, built_examples: Path
) -> None:
    response = client.get("/sparql")
    assert response.mimetype == "text/turtle"
    answers = pyoxigraph.Store()
    answers.load(response.data, format=pyoxigraph.RdfFormat.TURTLE)
    found = answers.query(
        f"""PREFIX sd: <{SD}> PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT (COUNT(DISTINCT ?format) AS ?formats) (COUNT(DISTINCT ?query) AS ?queries)
               (SAMPLE(?language) AS ?lang) (SAMPLE(?feature) AS ?feat) (SAMPLE(?triples) AS ?n)
        WHERE {{ ?service a sd:Service ; sd:resultFormat ?format ; sd:supportedLanguage ?language ;
                         sd:feature ?feature ;
                         sd:defaultDataset/<http://rdfs.org/ns/void#triples> ?triples ;
                         <http://www.w3.org/2000/01/rdf-schema#seeAlso> ?query .
                 ?query a sh:SPARQLSelectExecutable ; sh:select ?text }}"""
    )
    row = next(iter(found))
    canned = len(list((built_examples / "queries").glob("*.rq")))
    assert int(row["formats"].value) == 10
    assert int(row["queries"].value) == canned > 10
    assert row["lang"].value == SD + "SPARQL11Query"  # read-only: no SPARQL11Update
    assert row["feat"].value == SD + "UnionDefaultGraph"
    assert int(row["n"].value) > 1000


def test_a_service_description_nobody_can_read_is_a_406(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle (format=turtle)" in response.text


def test_the_endpoint_also_answers_with_a_trailing_slash(client: FlaskClient) -> None:
    assert client.get("/sparql/", query_string={"query": "ASK {}"}).status_code == 200


# CORS


def test_reads_are_open_to_every_origin_and_expose_the_answer_headers(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", query_string={"query": LABELS}, headers={"Origin": "https://elsewhere.example"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-KGPub-Truncated" in response.headers["Access-Control-Expose-Headers"]


def test_a_preflight_allows_posting_queries_but_not_sending_credentials(
    client: FlaskClient,
) -> None:
    response = client.options(
        "/sparql",
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]
    assert "Authorization" not in response.headers["Access-Control-Allow-Headers"]


def test_head_answers_with_the_headers_of_get_and_no_body(client: FlaskClient) -> None:
    got = _get(client, LABELS, format="csv")
    head = client.head("/sparql", query_string={"query": LABELS, "format": "csv"})
    assert head.status_code == 200 and head.data == b""
    for name in ("Content-Type", "X-KGPub-Row-Count", "X-KGPub-Truncated", "Vary"):
        assert head.headers[name] == got.headers[name]
