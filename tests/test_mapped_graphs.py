from __future__ import annotations

from rdflib import RDF, SKOS, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kgpub.mapped_graphs import MappedGraphs, Origin, TripleSet
from kgpub.vocab import KG, PREFIXES

GRAPH = URIRef("https://example.org/graph/article/a")
OTHER_GRAPH = URIRef("https://example.org/graph/article/b")
SYRIA = URIRef("https://example.org/id/country/SY")
IRAQ = URIRef("https://example.org/id/country/IQ")


def rdflib_graph_of(triples: TripleSet) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def test_a_triple_set_keeps_each_triple_once_in_the_order_first_added() -> None:
    graph = TripleSet(GRAPH)
    triples = [
        (SYRIA, RDF.type, KG.Place),
        (SYRIA, SKOS.prefLabel, Literal("Syria", lang="en")),
        (IRAQ, RDF.type, KG.Place),
    ]
    for triple in [*triples, triples[0], triples[2]]:
        graph.add(triple)
    assert list(graph) == triples
    assert len(graph) == 3
    assert triples[1] in graph
    assert (SYRIA, SKOS.prefLabel, Literal("Syrie", lang="fr")) not in graph


def test_objects_lists_the_values_of_a_subject_and_predicate_even_after_later_adds() -> None:
    graph = TripleSet(GRAPH, [(SYRIA, SKOS.prefLabel, Literal("Syria", lang="en"))])
    graph.add((IRAQ, SKOS.prefLabel, Literal("Iraq", lang="en")))
    assert list(graph.objects(SYRIA, SKOS.prefLabel)) == [Literal("Syria", lang="en")]
    graph.add((SYRIA, SKOS.prefLabel, Literal("Syrie", lang="fr")))
    graph.add((SYRIA, SKOS.prefLabel, Literal("Syria", lang="en")))
    assert list(graph.objects(SYRIA, SKOS.prefLabel)) == [
        Literal("Syria", lang="en"),
        Literal("Syrie", lang="fr"),
    ]
    assert list(graph.objects(SYRIA, RDF.type)) == []


def test_objects_can_be_read_while_the_graph_grows() -> None:
    graph = TripleSet(GRAPH, [(SYRIA, SKOS.altLabel, Literal("Sham"))])
    for label in graph.objects(SYRIA, SKOS.altLabel):
        graph.add((SYRIA, SKOS.altLabel, Literal(f"{label} (again)")))
    assert len(graph) == 2


def test_merging_mappings_unions_their_graphs_and_keeps_the_first_origin() -> None:
    first, second = MappedGraphs(), MappedGraphs()
    first.graph(GRAPH).add((SYRIA, RDF.type, KG.Place))
    first.origins[SYRIA] = Origin("registry.yaml", "/countries/SY")
    second.graph(GRAPH).add((SYRIA, RDF.type, KG.Place))
    second.graph(OTHER_GRAPH).add((IRAQ, RDF.type, KG.Place))
    second.origins[SYRIA] = Origin("articles/b.yaml", "/entities")
    second.origins[IRAQ] = Origin("articles/b.yaml", "/mentions/0")
    first.merge(second)
    assert [graph.identifier for graph in first.graphs()] == [GRAPH, OTHER_GRAPH]
    assert first.quad_count() == 2
    assert first.origins[SYRIA].source == "registry.yaml"
    assert first.origins[IRAQ].pointer == "/mentions/0"


def test_asking_for_a_graph_twice_gives_the_same_triple_set() -> None:
    mapped = MappedGraphs()
    mapped.graph(GRAPH).add((SYRIA, RDF.type, KG.Place))
    assert list(mapped.graph(GRAPH)) == [(SYRIA, RDF.type, KG.Place)]


def test_the_rdflib_dataset_holds_the_same_graphs_with_kgpub_prefixes_bound() -> None:
    mapped = MappedGraphs()
    mapped.graph(GRAPH).update(
        [(SYRIA, RDF.type, KG.Place), (SYRIA, KG.iso3166Code, Literal("SY"))]
    )
    mapped.graph(OTHER_GRAPH).add((IRAQ, RDF.type, KG.Place))
    dataset = mapped.to_dataset()
    for graph in mapped.graphs():
        assert isomorphic(dataset.graph(graph.identifier), rdflib_graph_of(graph))
    bound = dict(dataset.namespaces())
    assert {prefix: str(bound[prefix]) for prefix in PREFIXES} == PREFIXES


def test_adding_to_the_rdflib_dataset_leaves_the_mapping_unchanged() -> None:
    mapped = MappedGraphs()
    mapped.graph(GRAPH).add((SYRIA, RDF.type, KG.Place))
    mapped.to_dataset().graph(GRAPH).add((IRAQ, RDF.type, KG.Place))
    assert mapped.quad_count() == 1
