"""Canned queries: .rq files with a described header become /queries/<name>, with parameters."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from flask import Flask
from flask.testing import FlaskClient

from kgpub.errors import BadRequest, ConfigError
from kgpub.web.canned_queries import load_canned_queries, read_canned_query

from .conftest import EXAMPLES
from .test_web_fixtures import KG, SKOS, build_examples, running_app

EVENTS_AT = textwrap.dedent(
    f"""\
    # Events at a facility
    # Every event reported at one facility,
    # with its type.
    # param: facility (iri) default <https://kg.example.org/id/facility/ghwayran-prison> -- where
    # param: label (string@en) -- the facility's English name, instead
    PREFIX kg: <{KG}>
    PREFIX skos: <{SKOS}>
    SELECT DISTINCT ?facility ?label ?event WHERE {{
      ?facility skos:prefLabel ?label .
      GRAPH ?claim {{ ?event kg:atFacility ?facility }}
    }} ORDER BY ?event
    """
)


def _read(text: str) -> object:
    return read_canned_query("q", text, source=Path("queries/q.rq"))


# Reading the files


def test_every_example_query_loads_with_its_title() -> None:
    queries = load_canned_queries(EXAMPLES)
    assert len(queries) == len(list((EXAMPLES / "queries").glob("*.rq"))) > 10
    third = queries["03-what-happened-at-the-prison"]
    assert third.title.startswith("CQ3 What happened at Ghwayran prison")
    assert third.form == "select" and third.parameters == ()


def test_the_header_gives_title_description_and_parameters() -> None:
    query = read_canned_query("events-at", EVENTS_AT, source=Path("events-at.rq"))
    assert query.title == "Events at a facility"
    assert query.description == "Every event reported at one facility, with its type."
    assert [(p.name, p.type, p.default, p.description) for p in query.parameters] == [
        ("facility", "iri", "<https://kg.example.org/id/facility/ghwayran-prison>", "where"),
        ("label", "string@en", None, "the facility's English name, instead"),
    ]


def test_values_become_terms_of_the_declared_type_and_never_query_text() -> None:
    query = read_canned_query("events-at", EVENTS_AT, source=Path("events-at.rq"))
    bound = dict(query.bindings({"label": 'x" } ; DROP ALL ; #'}))
    assert bound["facility"] == pyoxigraph.NamedNode(
        "https://kg.example.org/id/facility/ghwayran-prison"
    )
    assert bound["label"] == pyoxigraph.Literal('x" } ; DROP ALL ; #', language="en")


@pytest.mark.parametrize(
    ("type_name", "value", "term"),
    [
        ("integer", " 042", pyoxigraph.Literal("42", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
        ("decimal", "1.50", pyoxigraph.Literal("1.50", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))),
        ("date", "2022-01-20", pyoxigraph.Literal("2022-01-20", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#date"))),
        ("boolean", "TRUE", pyoxigraph.Literal("true", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))),
        ("iri", "<urn:x>", pyoxigraph.NamedNode("urn:x")),
        ("string", "Hassaké", pyoxigraph.Literal("Hassaké")),
    ],
)  # fmt: skip
def test_each_parameter_type_makes_its_term(type_name: str, value: str, term: object) -> None:
    query = _read(f"# t\n# param: v ({type_name})\nSELECT ?v {{}}")
    assert dict(query.bindings({"v": value}))["v"] == term  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("type_name", "value"),
    [("integer", "12.5"), ("date", "20 January"), ("iri", "relative"), ("boolean", "yes")],
)
def test_a_value_of_the_wrong_type_is_a_bad_request_naming_the_parameter(
    type_name: str, value: str
) -> None:
    query = _read(f"# t\n# param: v ({type_name})\nSELECT ?v {{}}")
    with pytest.raises(BadRequest, match=f"parameter 'v' must be an? {type_name}"):
        query.bindings({"v": value})  # type: ignore[attr-defined]


def test_an_unknown_parameter_is_a_bad_request_listing_the_known_ones() -> None:
    query = read_canned_query("events-at", EVENTS_AT, source=Path("events-at.rq"))
    with pytest.raises(BadRequest, match="no parameter 'facilty'; it takes: facility, label"):
        query.bindings({"facilty": "urn:x"})


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("# param: v iri", "cannot read 'param: v iri'"),
        ("# param: v (url)", "unknown type 'url'"),
        ("# param: format (string)", "'format' is a request parameter of every query"),
        ("# param: hidden (string)", r"\?hidden must be in the SELECT clause"),
        ("# param: v (integer) default ten", "the default does not fit"),
    ],
)
def test_a_malformed_header_names_the_file_and_line(header: str, message: str) -> None:
    with pytest.raises(ConfigError, match=rf"queries/q.rq:2: .*{message}"):
        _read(f"# title\n{header}\nSELECT ?v {{ ?v ?p ?hidden }}")


def test_a_file_name_that_cannot_be_a_url_is_refused(tmp_path: Path) -> None:
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "two words.rq").write_text("SELECT * {}", encoding="utf-8")
    with pytest.raises(ConfigError, match="file name becomes its URL"):
        load_canned_queries(tmp_path)


# Serving them


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = build_examples(tmp_path_factory.mktemp("canned"))
    (root / "queries" / "events-at.rq").write_text(EVENTS_AT, encoding="utf-8")
    with running_app(root, query_workers="1") as application:
        yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_the_listing_describes_every_query_in_json(client: FlaskClient) -> None:
    response = client.get("/queries/")
    assert response.mimetype == "application/json"
    listed = {q["name"]: q for q in json.loads(response.data)["queries"]}
    assert "03-what-happened-at-the-prison" in listed
    assert listed["events-at"]["url"] == "http://localhost/queries/events-at"
    assert listed["events-at"]["parameters"][0]["name"] == "facility"


def test_the_listing_is_a_page_for_browsers_and_the_bare_path_redirects(
    client: FlaskClient,
) -> None:
    page = client.get("/queries/", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.mimetype == "text/html"
    assert 'href="/queries/events-at"' in page.text
    assert client.get("/queries").status_code == 308


@pytest.mark.parametrize("name", sorted(load_canned_queries(EXAMPLES)))
def test_every_example_query_answers_in_json_csv_and_html(client: FlaskClient, name: str) -> None:
    as_json = client.get(f"/queries/{name}")
    as_csv = client.get(f"/queries/{name}?format=csv")
    as_html = client.get(f"/queries/{name}", headers={"Accept": "text/html"})
    assert (as_json.status_code, as_csv.status_code, as_html.status_code) == (200, 200, 200)
    assert as_json.mimetype == "application/sparql-results+json"
    assert as_csv.mimetype == "text/csv"
    assert as_html.mimetype == "text/html" and "<table>" in as_html.text
    rows = len(json.loads(as_json.data)["results"]["bindings"])
    assert (
        rows
        == int(as_csv.headers["X-KGPub-Row-Count"])
        == int(as_html.headers["X-KGPub-Row-Count"])
    )


def _events(client: FlaskClient, **params: str) -> list[str]:
    response = client.get("/queries/events-at", query_string={"format": "json", **params})
    assert response.status_code == 200, response.text
    return [row["event"]["value"] for row in json.loads(response.data)["results"]["bindings"]]


def test_a_parameter_default_applies_and_a_given_value_replaces_it(client: FlaskClient) -> None:
    at_ghwayran = _events(client)
    elsewhere = _events(
        client, facility="https://kg.example.org/id/facility/hasakah-central-prison"
    )
    assert at_ghwayran and at_ghwayran != elsewhere


def test_a_language_tagged_parameter_matches_labels_in_that_language(client: FlaskClient) -> None:
    in_english = _events(client, label="Ghwayran prison")
    every_label = _events(client)
    assert set(in_english) == set(every_label)
    assert len(in_english) < len(every_label)  # one row per event, not one per label
    assert _events(client, label="Ghwayran prison", facility="urn:nowhere") == []


def test_a_bad_parameter_is_a_400_in_the_shape_the_client_reads(client: FlaskClient) -> None:
    as_json = client.get(
        "/queries/events-at?facility=not-an-iri", headers={"Accept": "application/json"}
    )
    as_text = client.get("/queries/events-at?facility=not-an-iri")
    assert as_json.status_code == as_text.status_code == 400
    assert json.loads(as_json.data) == {
        "ok": False,
        "error": json.loads(as_json.data)["error"],
        "status": 400,
    }
    assert "parameter 'facility' must be an iri" in json.loads(as_json.data)["error"]


def test_an_unknown_query_is_a_404_listing_the_queries(client: FlaskClient) -> None:
    response = client.get("/queries/nope", headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "events-at" in response.text


def test_the_html_page_notes_a_cut_answer(tmp_path: Path) -> None:
    root = build_examples(tmp_path)
    with running_app(root, query_workers="1", max_rows="2") as app:
        page = app.test_client().get(
            "/queries/03-what-happened-at-the-prison", headers={"Accept": "text/html"}
        )
    assert page.headers["X-KGPub-Truncated"] == "true"
    assert 'id="truncated"' in page.text and page.text.count("<tr><td>") == 2


def test_canned_queries_are_in_the_service_description_with_their_text(
    client: FlaskClient,
) -> None:
    description = client.get("/sparql", headers={"Accept": "application/n-triples"}).text
    assert "<http://localhost/queries/events-at> <http://purl.org/dc/terms/title> " in description
    assert "<http://www.w3.org/ns/shacl#select>" in description
