"""The VoID and DCAT description: figures counted from a store, and the triples describing it."""

from __future__ import annotations

import pyoxigraph
import pytest

from kgpub.backend import BuildManifest
from kgpub.dump_catalog import DumpCatalog, DumpFile
from kgpub.vocab import KG, ONTOLOGY_IRI
from kgpub.void import (
    DatasetFigures,
    ServedAt,
    describe_dataset,
    measure_dataset,
    serialize_description,
)

BASE = "https://news.example/"
RDF_TYPE = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SERVED_AT = ServedAt(
    description="http://host/kg/.well-known/void",
    sparql_endpoint="http://host/kg/sparql",
    dumps="http://host/kg/dumps/",
    queries=[("http://host/kg/queries/events", "Events at a facility")],
)
MANIFEST = BuildManifest("2024-05-01T10:00:00Z", BASE, "1.0", quads=7, graphs=3)
CATALOG = DumpCatalog(
    built_at=MANIFEST.built_at,
    base_iri=BASE,
    files=(
        DumpFile("kgpub.ttl", "turtle", "text/turtle", False, 1234, 6, "ab" * 32),
        DumpFile("kgpub.nq.gz", "nquads", "application/n-quads", True, 321, 7, "cd" * 32),
    ),
    figures=DatasetFigures(
        quads=7,
        entities=2,
        classes={str(KG.Article): 1, str(KG.Event): 1},
        properties={str(RDF_TYPE.value): 3, str(LABEL.value): 4},
        examples=[f"{BASE}id/article/a1"],
    ),
)


def node(iri: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(iri)


def described(catalog: DumpCatalog | None = CATALOG) -> pyoxigraph.Store:
    """The description loaded into a store, to ask it questions."""
    triples = describe_dataset(SERVED_AT, base_iri=BASE, manifest=MANIFEST, catalog=catalog)
    store = pyoxigraph.Store()
    store.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in triples)
    return store


def select(store: pyoxigraph.Store, variables: str, where: str) -> set[tuple[str, ...]]:
    prefixes = (
        "PREFIX void: <http://rdfs.org/ns/void#> PREFIX dcat: <http://www.w3.org/ns/dcat#> "
        "PREFIX spdx: <http://spdx.org/rdf/terms#> PREFIX dcterms: <http://purl.org/dc/terms/> "
    )
    solutions = store.query(f"{prefixes} SELECT {variables} WHERE {{ {where} }}")
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    return {tuple(term.value for term in row if term is not None) for row in solutions}


def test_each_dump_is_a_distribution_with_its_url_type_size_count_and_sha256() -> None:
    found = select(
        described(),
        "?url ?type ?size ?count ?sha",
        """<http://host/kg/.well-known/void#dataset> dcat:distribution ?d ; void:dataDump ?url .
        ?d dcat:downloadURL ?url ; dcat:mediaType ?type ; dcat:byteSize ?size ;
           void:triples ?count ; spdx:checksum ?c .
        ?c spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue ?sha .""",
    )
    media_types = "https://www.iana.org/assignments/media-types/"
    assert found == {
        ("http://host/kg/dumps/kgpub.ttl", f"{media_types}text/turtle", "1234", "6", "ab" * 32),
        (
            "http://host/kg/dumps/kgpub.nq.gz",
            f"{media_types}application/n-quads",
            "321",
            "7",
            "cd" * 32,
        ),
    }


def test_only_gzipped_dumps_state_a_compression_format() -> None:
    found = select(
        described(), "?format ?url", "?d dcat:compressFormat ?format ; dcat:downloadURL ?url"
    )
    assert found == {
        (
            "https://www.iana.org/assignments/media-types/application/gzip",
            "http://host/kg/dumps/kgpub.nq.gz",
        )
    }


def test_the_dataset_states_its_endpoint_uri_space_size_and_partitions() -> None:
    store = described()
    dataset = "<http://host/kg/.well-known/void#dataset>"
    found = select(
        store,
        "?endpoint ?space ?triples ?entities ?classes ?properties ?example ?query",
        f"""{dataset} a void:Dataset , dcat:Dataset ; void:sparqlEndpoint ?endpoint ;
          void:uriSpace ?space ; void:triples ?triples ; void:entities ?entities ;
          void:classes ?classes ; void:properties ?properties ; void:exampleResource ?example ;
          <http://www.w3.org/2000/01/rdf-schema#seeAlso> ?query""",
    )
    assert found == {
        (
            "http://host/kg/sparql",
            f"{BASE}id/",
            "7",
            "2",
            "2",
            "2",
            f"{BASE}id/article/a1",
            "http://host/kg/queries/events",
        )
    }
    classes = select(
        store, "?c ?n", f"{dataset} void:classPartition ?p . ?p void:class ?c ; void:entities ?n"
    )
    assert classes == {(str(KG.Article), "1"), (str(KG.Event), "1")}
    properties = select(
        store,
        "?c ?n",
        f"{dataset} void:propertyPartition ?p . ?p void:property ?c ; void:triples ?n",
    )
    assert properties == {(RDF_TYPE.value, "3"), (LABEL.value, "4")}


def test_without_dumps_the_description_still_names_the_endpoint_and_size() -> None:
    store = described(catalog=None)
    assert not select(store, "?url", "?dataset void:dataDump ?url")
    assert not select(store, "?n", "?dataset void:entities ?n")
    assert select(
        store, "?size", "?dataset void:sparqlEndpoint ?endpoint ; void:triples ?size"
    ) == {("7",)}


def test_the_description_has_no_blank_nodes_and_is_the_same_every_time() -> None:
    first = describe_dataset(SERVED_AT, base_iri=BASE, manifest=MANIFEST, catalog=CATALOG)
    second = describe_dataset(SERVED_AT, base_iri=BASE, manifest=MANIFEST, catalog=CATALOG)
    assert first == second
    assert not any(isinstance(t.subject, pyoxigraph.BlankNode) for t in first)
    assert not any(isinstance(t.object, pyoxigraph.BlankNode) for t in first)


@pytest.mark.parametrize(
    "rdf",
    [pyoxigraph.RdfFormat.TURTLE, pyoxigraph.RdfFormat.JSON_LD, pyoxigraph.RdfFormat.RDF_XML],
)
def test_the_description_reads_back_in_every_format(rdf: pyoxigraph.RdfFormat) -> None:
    triples = describe_dataset(SERVED_AT, base_iri=BASE, manifest=MANIFEST, catalog=CATALOG)
    data = serialize_description(triples, rdf)
    assert {quad.triple for quad in pyoxigraph.parse(data, format=rdf)} == set(triples)


def test_figures_count_typed_resources_in_the_uri_space_outside_the_ontology() -> None:
    database = pyoxigraph.Store()
    article_graph = node(f"{BASE}graph/article/a1")
    ontology = node(ONTOLOGY_IRI)
    quads = [
        (f"{BASE}id/article/a1", RDF_TYPE.value, str(KG.Article), article_graph),
        (f"{BASE}id/article/a1#mention-1", RDF_TYPE.value, str(KG.Mention), article_graph),
        (f"{BASE}id/event/e1", RDF_TYPE.value, str(KG.Event), node(f"{BASE}id/claim/a1/x")),
        (f"{BASE}id/event/e1", RDF_TYPE.value, str(KG.Event), node(f"{BASE}id/claim/a1/y")),
        ("https://elsewhere.example/thing", RDF_TYPE.value, str(KG.Event), article_graph),
        (str(KG.Article), RDF_TYPE.value, "http://www.w3.org/2002/07/owl#Class", ontology),
    ]
    for subject, predicate, value, graph in quads:
        database.add(pyoxigraph.Quad(node(subject), node(predicate), node(value), graph))
    database.add(pyoxigraph.Quad(node(f"{BASE}id/event/e1"), LABEL, pyoxigraph.Literal("e")))
    figures = measure_dataset(database, base_iri=BASE, quads=7)
    assert figures.entities == 3
    assert figures.classes == {str(KG.Article): 1, str(KG.Mention): 1, str(KG.Event): 1}
    assert figures.properties == {RDF_TYPE.value: 6, LABEL.value: 1}
    assert figures.examples == [f"{BASE}id/article/a1", f"{BASE}id/event/e1"]
    assert figures.quads == 7
