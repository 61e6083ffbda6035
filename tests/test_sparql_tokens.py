"""Reading a request's outline from its tokens: strings, IRIs and comments never fool it."""

from __future__ import annotations

import pytest

from kgpub.sparql_tokens import MAX_NESTING, add_using_clauses, outline, tokenize


def test_keywords_inside_strings_iris_and_comments_are_not_keywords() -> None:
    text = '''SELECT * { ?s ?p "SERVICE <http://a.example/>" , """LOAD
    <http://b.example/>""" , 'FROM' . ?s <http://c.example/SERVICE> ?o } # SERVICE <http://d/>'''
    found = outline(text)
    assert found.remote_targets == ()
    assert not found.has_dataset_clause


def test_service_targets_resolve_prefixed_names_and_base() -> None:
    found = outline(
        "BASE <http://base.example/a/> PREFIX w: <https://query.wikidata.org/> "
        "SELECT * { SERVICE SILENT w:sparql {} SERVICE <../sparql> {} SERVICE ?where {} }"
    )
    assert [(t.iri, t.host) for t in found.remote_targets] == [
        ("https://query.wikidata.org/sparql", "query.wikidata.org"),
        ("http://base.example/sparql", "base.example"),
        (None, None),
    ]


def test_load_targets_are_found_in_updates() -> None:
    found = outline("LOAD SILENT <http://data.example/x.ttl> INTO GRAPH <urn:g>")
    assert [(t.keyword, t.host) for t in found.remote_targets] == [("LOAD", "data.example")]


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("select * {}", "select"),
        ("PREFIX s: <urn:s> ASK { ?s ?p ?o }", "ask"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "construct"),
        ("DESCRIBE <urn:x>", "describe"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", None),
        ("SELEC * {}", None),
    ],
)
def test_the_query_form_is_the_first_top_level_form_keyword(text: str, form: str | None) -> None:
    assert outline(text).form == form


def test_a_subquery_does_not_change_the_form_or_the_projection() -> None:
    found = outline("CONSTRUCT { ?s ?p ?o } WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }")
    assert (found.form, found.projected) == ("construct", None)


def test_the_projection_keeps_expression_names_and_not_their_inputs() -> None:
    found = outline("SELECT ?a (COUNT(?b) AS ?n) ?c WHERE { ?a ?b ?c }")
    assert found.projected == ("a", "n", "c")
    assert outline("SELECT DISTINCT * { ?s ?p ?o }").projected is None


def test_from_and_from_named_mark_the_querys_own_dataset() -> None:
    assert outline("SELECT * FROM NAMED <urn:g> { GRAPH ?g { ?s ?p ?o } }").has_dataset_clause


def test_using_clauses_go_before_each_modify_where_and_not_delete_where() -> None:
    update = "INSERT { ?s a <urn:T> } WHERE { ?s ?p ?o } ; DELETE WHERE { ?s <urn:gone> ?o }"
    found = outline(update)
    rewritten = add_using_clauses(update, found, default_graphs=["urn:a"], named_graphs=["urn:b"])
    assert rewritten == (
        "INSERT { ?s a <urn:T> } USING <urn:a> USING NAMED <urn:b> WHERE { ?s ?p ?o } ; "
        "DELETE WHERE { ?s <urn:gone> ?o }"
    )


def test_an_update_naming_its_own_dataset_is_detected() -> None:
    assert outline("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }").has_using_or_with
    assert not outline("DELETE DATA { <urn:a> <urn:b> 'with' }").has_using_or_with


def test_non_ascii_text_tokenizes() -> None:
    texts = [t.text for t in tokenize('SELECT ?lieu { ?x ?p "Hassaké"@fr }')]
    assert texts == ["SELECT", "?lieu", "{", "?x", "?p", '"Hassaké"', "@fr", "}"]


def test_the_outline_measures_how_deeply_brackets_nest_and_refuses_too_deep() -> None:
    shallow = outline("SELECT * { { ?s ?p ?o FILTER(?o IN (1, 2)) } }")
    deep = outline("ASK " + "{ " * (MAX_NESTING + 1) + " }" * (MAX_NESTING + 1))
    assert (shallow.nesting, shallow.too_deep) == (4, None)
    assert deep.nesting == MAX_NESTING + 1
    assert deep.too_deep is not None and str(MAX_NESTING) in deep.too_deep


def test_brackets_inside_strings_iris_and_comments_do_not_count() -> None:
    assert outline('SELECT * { ?s ?p "{{{((([[[" } # {{{{').nesting == 1
