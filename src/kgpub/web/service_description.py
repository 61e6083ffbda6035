"""The SPARQL 1.1 Service Description of the endpoint (what ``GET /sparql`` without a query sends).

It says, in RDF, what a client needs to use the endpoint without reading documentation: the
endpoint IRI, the languages (Query, and Update when writes are enabled), every result format
and what it is called in the W3C format registry, the features (the default graph is the union
of all graphs; basic federated query only when hosts are allow-listed), the default dataset
with its size and build time, and the canned queries. Each canned query is a
``sh:SPARQLExecutable`` (SHACL's class for a stored query) with its title, description, text
and URL, linked from the service with ``rdfs:seeAlso``.

The named graphs are not enumerated: a collection has one per claim (hundreds of thousands at
scale); ``SELECT DISTINCT ?g { GRAPH ?g {} }`` lists them.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping

import pyoxigraph
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, VOID, XSD

from kgpub.backend import BuildManifest
from kgpub.web.canned_queries import CannedQuery

SD = "http://www.w3.org/ns/sparql-service-description#"
W3C_FORMATS = "http://www.w3.org/ns/formats/"
SIMPLE_ENTAILMENT = "http://www.w3.org/ns/entailment/Simple"
FORMAT_REGISTRY_NAMES = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "nquads": "N-Quads",
    "trig": "TriG",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
}
"""kgpub's format names → their IRIs under http://www.w3.org/ns/formats/."""
PREFIXES = {
    "sd": SD,
    "formats": W3C_FORMATS,
    "void": str(VOID),
    "dcterms": str(DCTERMS),
    "rdfs": str(RDFS),
    "sh": str(SH),
    "xsd": str(XSD),
}
_EXECUTABLES = {
    "select": (SH.SPARQLSelectExecutable, SH.select),
    "ask": (SH.SPARQLAskExecutable, SH.ask),
    "construct": (SH.SPARQLConstructExecutable, SH.construct),
    "describe": (SH.SPARQLExecutable, RDFS.comment),
}


def _iri(value: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(str(value))


def describe_service(
    endpoint: str,
    *,
    manifest: BuildManifest | None,
    format_names: Iterable[str],
    accepts_updates: bool,
    federates: bool,
    canned_queries: Mapping[str, tuple[CannedQuery, str]],
) -> list[pyoxigraph.Triple]:
    """The Service Description's triples.

    :param endpoint: the endpoint's public URL, which is also the service's IRI.
    :param manifest: the published build, for the dataset's size and date.
    :param format_names: every result format the endpoint sends.
    :param accepts_updates: whether SPARQL Update is enabled.
    :param federates: whether SERVICE may reach allow-listed hosts.
    :param canned_queries: each canned query with its public URL, by name.
    """
    return list(
        _service_triples(
            _iri(endpoint), manifest, format_names, accepts_updates, federates, canned_queries
        )
    )


def _service_triples(
    service: pyoxigraph.NamedNode,
    manifest: BuildManifest | None,
    format_names: Iterable[str],
    accepts_updates: bool,
    federates: bool,
    canned_queries: Mapping[str, tuple[CannedQuery, str]],
) -> Iterator[pyoxigraph.Triple]:
    triple = pyoxigraph.Triple
    yield triple(service, _iri(RDF.type), _iri(SD + "Service"))
    yield triple(service, _iri(SD + "endpoint"), service)
    languages = ["SPARQL11Query", *(["SPARQL11Update"] if accepts_updates else [])]
    for language in languages:
        yield triple(service, _iri(SD + "supportedLanguage"), _iri(SD + language))
    for name in format_names:
        yield triple(
            service, _iri(SD + "resultFormat"), _iri(W3C_FORMATS + FORMAT_REGISTRY_NAMES[name])
        )
    features = ["UnionDefaultGraph", *(["BasicFederatedQuery"] if federates else [])]
    for feature in features:
        yield triple(service, _iri(SD + "feature"), _iri(SD + feature))
    yield triple(service, _iri(SD + "defaultEntailmentRegime"), _iri(SIMPLE_ENTAILMENT))
    dataset = pyoxigraph.BlankNode("dataset")
    default_graph = pyoxigraph.BlankNode("defaultGraph")
    yield triple(service, _iri(SD + "defaultDataset"), dataset)
    for _, url in canned_queries.values():
        yield triple(service, _iri(RDFS.seeAlso), _iri(url))
    yield triple(dataset, _iri(RDF.type), _iri(SD + "Dataset"))
    yield triple(dataset, _iri(SD + "defaultGraph"), default_graph)
    if manifest is not None:
        count = pyoxigraph.Literal(str(manifest.quads), datatype=_iri(XSD.integer))
        built = pyoxigraph.Literal(manifest.last_changed, datatype=_iri(XSD.dateTime))
        yield triple(dataset, _iri(VOID.triples), count)
        yield triple(dataset, _iri(DCTERMS.modified), built)
    yield triple(default_graph, _iri(RDF.type), _iri(SD + "Graph"))
    union = pyoxigraph.Literal("The union of every named graph of the store.", language="en")
    yield triple(default_graph, _iri(RDFS.comment), union)
    for query, url in canned_queries.values():
        yield from _canned_query_triples(query, _iri(url))


def _canned_query_triples(
    query: CannedQuery, url: pyoxigraph.NamedNode
) -> Iterator[pyoxigraph.Triple]:
    triple = pyoxigraph.Triple
    kind, text_property = _EXECUTABLES[query.form]
    yield triple(url, _iri(RDF.type), _iri(kind))
    yield triple(url, _iri(DCTERMS.title), pyoxigraph.Literal(query.title))
    if query.description:
        yield triple(url, _iri(DCTERMS.description), pyoxigraph.Literal(query.description))
    yield triple(url, _iri(text_property), pyoxigraph.Literal(query.sparql))


def serialize_description(
    triples: list[pyoxigraph.Triple], rdf_format: pyoxigraph.RdfFormat
) -> bytes:
    """The description in ``rdf_format``, with readable prefixes where the format has them."""
    output = io.BytesIO()
    pyoxigraph.serialize(triples, output, format=rdf_format, prefixes=PREFIXES)
    return output.getvalue()
