"""Recognising queries of one triple pattern, the shape whose work stops when writing stops."""

from __future__ import annotations

import pytest

from kgpub.single_pattern import is_single_pattern
from kgpub.sparql_tokens import outline, tokenize

PROLOGUE = "BASE <http://example.org/> PREFIX kg: <https://w3id.org/kgpub/ont#> PREFIX : <x:> "

ONE_PATTERN = [
    "SELECT ?p ?o WHERE { <http://example.org/a> ?p ?o }",
    "SELECT * { ?s ?p ?o }",
    "select ?s where { ?s a kg:Facility . }",
    "SELECT ?s { ?s kg:label 'Hassaké'@fr }",
    'SELECT ?s { ?s kg:count "12000"^^<http://www.w3.org/2001/XMLSchema#integer> }',
    'SELECT ?s { ?s kg:note """a long\nstring""" } LIMIT 10',
    "ASK { <a> :b ?c }",
    "ASK WHERE { ?s ?p ?o . }",
    "SELECT ?o { <a> kg:p?o }  # ?o is a variable: no path here",
    PROLOGUE + "SELECT ?s ?o { ?s :p ?o }",
]
NOT_ONE_PATTERN = [
    "SELECT DISTINCT ?p { ?s ?p ?o }",
    "SELECT REDUCED ?p { ?s ?p ?o }",
    "SELECT ?s { ?s ?p ?o . ?o ?q ?r }",
    "SELECT ?s { ?s ?p ?o ; ?q ?r }",
    "SELECT ?s { ?s ?p 'a', 'b' }",
    "SELECT ?s { ?s ?p ?o FILTER (?o > 1) }",
    "SELECT ?s { ?s ?p ?o OPTIONAL { ?o ?q ?r } }",
    "SELECT ?s { { ?s ?p ?o } }",
    "SELECT ?s { GRAPH ?g { ?s ?p ?o } }",
    "SELECT ?s FROM <g> { ?s ?p ?o }",
    "SELECT ?s { ?s ?p ?o } ORDER BY ?s",
    "SELECT ?s { ?s ?p ?o } OFFSET 1000000",
    "SELECT ?s { ?s ?p ?o } LIMIT 5 OFFSET 5",
    "SELECT ?s { ?s ?p ?o } GROUP BY ?s",
    "SELECT ?s { ?s ?p ?o } VALUES ?s { <a> }",
    "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
    "SELECT ?s { ?s kg:p/kg:q ?o }",
    "SELECT ?s { ?s kg:p+ ?o }",
    "SELECT ?s { ?s ^kg:p ?o }",
    "SELECT ?s { ?s kg:p|kg:q ?o }",
    "SELECT ?s { ?s kg:p 42 }",
    "SELECT ?s { ?s kg:p true }",
    "SELECT ?s { _:b kg:p ?o }",
    "SELECT ?s { [] kg:p ?o }",
    "SELECT ?s { a kg:p ?o }",
    "CONSTRUCT WHERE { ?s ?p ?o }",
    "DESCRIBE <a>",
    "ASK { ?s ?p ?o } LIMIT 1",
    "INSERT DATA { <a> <b> <c> }",
    "SELECT ?s { SERVICE <http://e.org/sparql> { ?s ?p ?o } }",
    "SELECT",
    "",
]


@pytest.mark.parametrize("query", ONE_PATTERN)
def test_a_query_of_one_triple_pattern_is_recognised(query: str) -> None:
    assert is_single_pattern(tokenize(query))
    assert outline(query).single_pattern


@pytest.mark.parametrize("query", NOT_ONE_PATTERN)
def test_any_other_shape_is_not(query: str) -> None:
    assert not is_single_pattern(tokenize(query))
    assert not outline(query).single_pattern
