from __future__ import annotations

import pyoxigraph
from hypothesis import given
from hypothesis import strategies as st
from rdflib import RDF, XSD, BNode, Dataset, Literal, URIRef
from rdflib.term import Node

from kgpub.mapped_graphs import MappedGraphs
from kgpub.quads import nquads_of, oxigraph_term, term_text
from kgpub.vocab import KG, SCHEMA

GRAPH = URIRef("https://example.org/graph/article/a")
SUBJECT = URIRef("https://example.org/id/event/a/escape")

AWKWARD_LITERALS = [
    Literal('a "quoted" word'),
    Literal("back\\slash, tab\t, newline\n, return\r, bell\x07, delete\x7f"),
    Literal("Hassaké, الحسكة, 哈塞克, 🏴", lang="fr"),
    Literal("upper-case language tag", lang="EN-GB"),
    Literal("", lang="ar"),
    Literal("explicitly a string", datatype=XSD.string),
    Literal("2022-01", datatype=XSD.gYearMonth),
    Literal(51),
    Literal("01", datatype=XSD.integer),
    Literal("POINT(40.7 36.5)", datatype=URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")),
]


def nquads_serialised_by_oxigraph(mapped: MappedGraphs | Dataset) -> bytes:
    # The reference: Oxigraph's own N-Quads serialiser, lines sorted and de-duplicated.
    quads = [
        pyoxigraph.Quad(*(oxigraph_term(term) for term in (*triple, graph.identifier)))
        for graph in mapped.graphs()
        for triple in graph
    ]
    text = pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS) or b""
    return b"".join(line + b"\n" for line in sorted(set(text.splitlines())) if line)


def mapping_of(triples: list[tuple[Node, Node, Node]]) -> MappedGraphs:
    mapped = MappedGraphs()
    mapped.graph(GRAPH).update(triples)
    return mapped


def test_awkward_literals_are_written_as_oxigraph_serialises_them() -> None:
    mapped = mapping_of([(SUBJECT, KG.rawText, literal) for literal in AWKWARD_LITERALS])
    assert nquads_of(mapped) == nquads_serialised_by_oxigraph(mapped)
    assert nquads_of(mapped).count(b"\n") == len(AWKWARD_LITERALS)


def test_blank_nodes_and_iris_are_written_as_oxigraph_serialises_them() -> None:
    mapped = mapping_of(
        [
            (BNode("b0"), RDF.type, KG.Observation),
            (SUBJECT, SCHEMA.url, URIRef("https://example.org/a?b=c&d=%C3%A9#e")),
            (SUBJECT, SCHEMA.url, URIRef("https://example.org/é")),
        ]
    )
    assert nquads_of(mapped) == nquads_serialised_by_oxigraph(mapped)


def test_the_same_triple_in_two_graphs_is_two_quads_and_repeats_are_one() -> None:
    mapped = mapping_of([(SUBJECT, RDF.type, KG.Event)])
    mapped.graph(URIRef("https://example.org/graph/entities")).add((SUBJECT, RDF.type, KG.Event))
    mapped.graph(GRAPH).add((SUBJECT, RDF.type, KG.Event))
    assert nquads_of(mapped).count(b"\n") == 2
    assert nquads_of(mapped) == nquads_serialised_by_oxigraph(mapped)


def test_an_iri_is_written_the_same_the_second_time_it_is_met() -> None:
    first = term_text(URIRef("https://example.org/id/place/hassake"))
    assert term_text(URIRef("https://example.org/id/place/hassake")) == first
    assert first == str(pyoxigraph.NamedNode("https://example.org/id/place/hassake"))


@given(
    st.lists(
        st.tuples(
            st.text(),
            st.sampled_from([None, "en", "fr", "ar", "zh-Hant"]),
            st.integers(min_value=0, max_value=5),
        ),
        max_size=20,
    )
)
def test_any_text_gives_the_bytes_oxigraph_serialises_in_the_same_order(
    values: list[tuple[str, str | None, int]],
) -> None:
    mapped = mapping_of(
        [
            (URIRef(f"https://example.org/id/thing/{number}"), KG.rawText, Literal(text, lang=lang))
            for text, lang, number in values
        ]
    )
    assert nquads_of(mapped) == nquads_serialised_by_oxigraph(mapped)
