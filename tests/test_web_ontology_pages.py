"""The ontology and the code lists dereference at their own paths, as data and as pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from flask import Flask
from flask.testing import FlaskClient

from kgpub.codes import CODE_LISTS
from kgpub.ontology import ontology_graph
from kgpub.vocab import KG

from .test_web_fixtures import app, built_examples, client, running_app

__all__ = ["app", "built_examples", "client"]  # fixtures, imported for pytest

ONTOLOGY = "https://w3id.org/kgpub/ont"
VOCAB = "https://w3id.org/kgpub/vocab/"
ACCEPTS = [("text/turtle", "ttl"), ("text/html", "html"), ("application/ld+json", "jsonld")]


def term_names() -> set[str]:
    """Every ``kg:`` term the packaged ontology defines, by local name."""
    prefix = f"{ONTOLOGY}#"
    return {
        str(s).removeprefix(prefix)
        for s in ontology_graph().subjects()
        if str(s).startswith(prefix)
    }


def vocabulary_paths() -> list[str]:
    """The path of the ontology, every code list and every concept."""
    paths = ["/ont"]
    for scheme, members in CODE_LISTS.items():
        paths += [f"/vocab/{scheme}", *(f"/vocab/{scheme}/{member.value}" for member in members)]
    return paths


def nt_subjects(client: FlaskClient, url: str) -> set[str]:
    """The subjects of the N-Triples document at ``url``."""
    response = client.get(url)
    assert response.status_code == 200, url
    triples = pyoxigraph.parse(response.data, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return {str(triple.subject).strip("<>") for triple in triples}


def entry(page: str, anchor: str) -> str:
    """The HTML of the ontology page's entry for the term ``anchor``."""
    match = re.search(rf'<div class="term" id="{anchor}">(.*?)</div>', page, re.DOTALL)
    assert match, f"the ontology page has no entry #{anchor}"
    return match.group(1)


def test_no_code_list_key_holds_a_dot_so_document_paths_are_unambiguous() -> None:
    keys = [scheme for scheme in CODE_LISTS]
    keys += [member.value for members in CODE_LISTS.values() for member in members]
    assert len(keys) > 100
    assert not [key for key in keys if "." in key or "/" in key]


def test_every_ontology_scheme_and_concept_path_answers_303_per_accept(
    client: FlaskClient,
) -> None:
    paths = vocabulary_paths()
    assert len(paths) > 100
    # Each path once, the Accept choices in turn: the server's rate limit counts every request.
    for number, path in enumerate(paths):
        accept, extension = ACCEPTS[number % len(ACCEPTS)]
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 303, path
        assert response.location == f"{path}.{extension}"
        assert "Accept" in response.vary
        link = f'<{path}.nq>; rel="alternate"; type="application/n-quads"'
        assert link in response.headers["Link"]


def test_the_ontology_document_holds_every_term_and_nothing_of_the_code_lists(
    client: FlaskClient,
) -> None:
    subjects = nt_subjects(client, "/ont.nt")
    terms = {s.removeprefix(f"{ONTOLOGY}#") for s in subjects if s.startswith(f"{ONTOLOGY}#")}
    assert terms == term_names()
    assert set(KG.__annotations__) <= terms
    assert not [s for s in subjects if s.startswith(VOCAB)]
    # the range of kg:statedOn, a union of datatypes, is skolemised and comes along
    assert any("/.well-known/genid/" in s for s in subjects)


def test_a_code_list_document_holds_the_list_and_every_concept_in_it(client: FlaskClient) -> None:
    subjects = nt_subjects(client, "/vocab/stance.nt")
    expected = {f"{VOCAB}stance/{member.value}" for member in CODE_LISTS["stance"]}
    assert subjects == {f"{VOCAB}stance", *expected}
    assert nt_subjects(client, "/vocab/stance/affirms.nt") == {f"{VOCAB}stance/affirms"}


def test_the_ontology_page_has_an_anchor_for_every_term(client: FlaskClient) -> None:
    page = client.get("/ont.html").text
    anchors = set(re.findall(r'<div class="term" id="([^"]+)">', page))
    assert anchors == term_names()
    assert len(anchors) > 50


def test_a_term_entry_shows_its_definition_domain_range_and_alignments(
    client: FlaskClient,
) -> None:
    page = client.get("/ont.html").text
    event_type = entry(page, "eventType")
    assert "What kind of event it was according to a claimant" in event_type
    assert 'domain</th><td><a href="#Event">event</a>' in event_type  # a link on the same page
    assert 'title="http://semanticweb.cs.vu.nl/2009/11/sem/eventType">sem:eventType<' in event_type
    article = entry(page, "Article")
    assert "subclass of" in article and "schema:NewsArticle" in article
    assert "xsd:date or xsd:gYearMonth or xsd:gYear" in entry(page, "statedOn")
    assert '<a href="/vocab/event-type">' in page  # the code lists are listed


def test_the_ontology_page_shows_french_labels_with_lang_fr_or_accept_language(
    client: FlaskClient,
) -> None:
    english = client.get("/ont.html").text
    for french in (
        client.get("/ont.html", query_string={"lang": "fr"}).text,
        client.get("/ont.html", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).text,
    ):
        assert "<h1>Ontologie kgpub</h1>" in french
        assert "article de presse" in entry(french, "Article")
        assert "Un article de presse dans une version linguistique donnée" in french
    assert "<h1>kgpub ontology</h1>" in english
    assert "article de presse" not in english


def test_a_code_list_page_lists_its_concepts_with_how_often_the_data_uses_them(
    client: FlaskClient, app: Flask
) -> None:
    page = client.get("/vocab/event-type.html").text
    links = set(re.findall(r'<a href="/vocab/event-type/([a-z-]+)">', page))
    assert links == {member.value for member in CODE_LISTS["event-type"]}
    store = app.extensions["kgpub"].store
    concept = f"{VOCAB}event-type/prison-escape"
    (row,) = store.query(
        f"SELECT (COUNT(*) AS ?n) {{ GRAPH ?g {{ ?s ?p <{concept}> }} FILTER(?g != <{ONTOLOGY}>) }}"
    )
    uses = re.search(
        r'event-type/prison-escape">.*?<td class="uses">([\d,]+)</td>', page, re.DOTALL
    )
    assert uses and int(row[0].value) > 0
    assert uses.group(1) == f"{int(row[0].value):,}"


def test_a_concept_page_shows_labels_notation_scheme_mappings_and_uses(
    client: FlaskClient,
) -> None:
    page = client.get("/vocab/place-kind/city.html", query_string={"lang": "fr"}).text
    assert "<h1>ville</h1>" in page
    assert '<td lang="en">city or town</td>' in page and '<td lang="fr">ville</td>' in page
    assert '<code class="notation">city</code>' in page
    assert '<a href="/vocab/place-kind">Types de lieu</a>' in page
    assert "Une agglomération urbaine" in page
    assert "https://www.geonames.org/ontology#P.PPL" in page  # shown, not linked
    assert 'href="https://www.geonames.org' not in page
    assert re.search(r"section id=\"uses\">.*?\d+ statements? in the data", page, re.DOTALL)
    assert '<a href="/ont#placeKind">type de lieu</a>' in page


@pytest.mark.parametrize(
    "url",
    [
        "/vocab/event-type/no-such-concept",
        "/vocab/no-such-list",
        "/vocab/no-such-list.ttl",
        "/vocab/event-type/attack.exe",
        "/vocab/event-type/../stance",
        "/vocab/%3Cscript%3E",
        "/ont.exe",
    ],
)
def test_unknown_terms_answer_404_saying_where_the_vocabulary_is(
    client: FlaskClient, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert "The ontology page, /ont.html, lists every term and code list." in response.text
    assert "Accept" in response.vary


@pytest.mark.attack
def test_the_vocabulary_404_is_a_page_for_browsers_with_the_path_escaped(
    client: FlaskClient,
) -> None:
    response = client.get("/vocab/%3Cscript%3E.html", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<script>" not in response.text and "&lt;script&gt;" in response.text


def test_vocabulary_documents_are_cached_revalidated_and_answer_head(client: FlaskClient) -> None:
    for url in ("/ont.ttl", "/vocab/stance.html", "/vocab/stance/denies.jsonld"):
        got = client.get(url)
        assert got.headers["Content-Location"] == url
        assert got.headers["Cache-Control"] == "public, max-age=300"
        assert got.headers["Access-Control-Allow-Origin"] == "*"
        assert client.get(url, headers={"If-None-Match": got.headers["ETag"]}).status_code == 304
        head = client.head(url)
        assert head.data == b"" and head.headers["ETag"] == got.headers["ETag"]


def test_entity_pages_link_types_and_concepts_to_these_pages(client: FlaskClient) -> None:
    page = client.get("/doc/facility/ghwayran-prison.html").text
    assert '<a href="/ont#Facility">facility</a>' in page
    assert '<a href="/vocab/facility-type/prison">prison</a>' in page
    assert client.get("/ont", headers={"Accept": "text/html"}).location == "/ont.html"


@pytest.fixture(scope="module")
def mounted_app(built_examples: Path) -> Iterator[Flask]:
    """The examples served under ``/kg``, as behind a proxy that w3id.org redirects to."""
    with running_app(built_examples, query_workers="1", script_name="/kg") as application:
        yield application


def test_under_a_path_prefix_the_vocabulary_answers_with_prefixed_urls(
    mounted_app: Flask,
) -> None:
    client = mounted_app.test_client()
    response = client.get("/kg/vocab/stance/affirms", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.location == "/kg/vocab/stance/affirms.html"
    page = client.get(response.location).text
    assert '<a href="/kg/vocab/stance">' in page
    assert client.get("/kg/ont").location == "/kg/ont.ttl"
