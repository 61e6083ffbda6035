"""The VoID and DCAT description of the published dataset (``/.well-known/void``).

It tells crawlers and data catalogues what is published and how to get it: the dataset (a
``void:Dataset`` and ``dcat:Dataset``) with its size, entities, classes and properties, the
URI space its resources live in and a few example resources, the SPARQL endpoint (also a
``dcat:DataService``), the canned queries, and one ``dcat:Distribution`` per dump with its
download URL, media type, compression, size in bytes, SHA-256 (``spdx:checksum``) and
statement count (``void:triples``).

The figures are counted once per build, when the dumps are written (:func:`measure_dataset`,
kept in the dump catalog), so describing the dataset costs nothing at request time. Every
URL is absolute and comes from the caller, who knows the address the server is reached at.
Nodes are fragment IRIs of the description (``…/.well-known/void#dataset``), never blank
nodes, so the same build is always described by the same triples.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, VOID, XSD

from kgpub.backend import BuildManifest
from kgpub.vocab import KG, ONTOLOGY_IRI, PREFIXES

if TYPE_CHECKING:  # the catalog records the figures measured here
    from kgpub.dump_catalog import DumpCatalog, DumpFile

SPDX = "http://spdx.org/rdf/terms#"
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
"""Where DCAT wants media types named: IANA's registry."""
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
TITLE = "Facts reported in the news, with who reported them"
DESCRIPTION = (
    "Claims made in news articles, each in its own named graph, with the article, the "
    "claimant, the stance and the evidence; entities and counts as the sources give them."
)
EXAMPLE_CLASSES = (KG.Article, KG.Event, KG.Facility, KG.Organization)
DESCRIPTION_PREFIXES = {
    **{name: PREFIXES[name] for name in ("kg", "rdf", "rdfs", "xsd", "dcterms")},
    "void": str(VOID),
    "dcat": str(DCAT),
    "foaf": str(FOAF),
    "spdx": SPDX,
}


@dataclass(frozen=True)
class DatasetFigures:
    """What the dataset holds, counted for VoID."""

    quads: int = 0
    entities: int = 0
    """Distinct typed resources in the URI space, outside the ontology graph."""
    classes: dict[str, int] = field(default_factory=dict)
    """Class IRI → entities of that class."""
    properties: dict[str, int] = field(default_factory=dict)
    """Property IRI → statements using it."""
    examples: list[str] = field(default_factory=list)
    """A resource of each of a few classes (an article, an event, a facility…)."""


def uri_space(base_iri: str) -> str:
    """Where the dataset's resources live: ``{base_iri}id/``."""
    return f"{base_iri}id/"


def measure_dataset(database: pyoxigraph.Store, *, base_iri: str, quads: int) -> DatasetFigures:
    """Count the entities, classes and properties of the dataset in ``database``.

    :param quads: the dataset's size, already counted by the caller.
    """
    space = pyoxigraph.Literal(uri_space(base_iri))
    typed = (
        f"GRAPH ?graph {{ ?entity a ?class }} "
        f"FILTER (?graph != {pyoxigraph.NamedNode(ONTOLOGY_IRI)} "
        f"&& STRSTARTS(STR(?entity), {space}))"
    )
    entities = _rows(database.query(f"SELECT (COUNT(DISTINCT ?entity) AS ?n) {{ {typed} }}"))
    classes = _rows(
        database.query(
            f"SELECT ?class (COUNT(DISTINCT ?entity) AS ?n) {{ {typed} }} GROUP BY ?class"
        )
    )
    properties = _rows(
        database.query(
            "SELECT ?property (COUNT(*) AS ?n) { ?s ?property ?o } GROUP BY ?property",
            use_default_graph_as_union=True,
        )
    )
    examples = []
    for cls in EXAMPLE_CLASSES:
        one = typed.replace("?class", f"<{cls}>") + ' FILTER (!CONTAINS(STR(?entity), "#"))'
        examples += [row[0] for row in _rows(database.query(f"SELECT ?entity {{ {one} }} LIMIT 1"))]
    return DatasetFigures(
        quads=quads,
        entities=int(entities[0][0]),
        classes={row[0]: int(row[1]) for row in classes},
        properties={row[0]: int(row[1]) for row in properties},
        examples=examples,
    )


def _rows(result: object) -> list[list[str]]:
    assert isinstance(result, pyoxigraph.QuerySolutions)  # noqa: S101 - SELECT queries
    return [[term.value for term in row] for row in result]


@dataclass(frozen=True)
class ServedAt:
    """Where the server publishes the dataset: absolute URLs."""

    description: str
    """The VoID document itself (``…/.well-known/void``); its fragments name the nodes."""
    sparql_endpoint: str
    dumps: str
    """The dump listing (``…/dumps/``); each file is this URL plus its name."""
    queries: Sequence[tuple[str, str]] = ()
    """Each canned query's URL and title."""


def describe_dataset(
    served_at: ServedAt,
    *,
    base_iri: str,
    manifest: BuildManifest | None,
    catalog: DumpCatalog | None,
) -> list[pyoxigraph.Triple]:
    """The VoID and DCAT triples describing the published dataset.

    :param manifest: the published build (its size and date), if any.
    :param catalog: the dumps of that build, if any: distributions and figures.
    """
    return list(_describe(served_at, base_iri, manifest, catalog))


def _iri(value: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(str(value))


def _number(value: int, datatype: str = XSD.integer) -> pyoxigraph.Literal:
    return pyoxigraph.Literal(str(value), datatype=_iri(datatype))


def _describe(
    served_at: ServedAt,
    base_iri: str,
    manifest: BuildManifest | None,
    catalog: DumpCatalog | None,
) -> Iterator[pyoxigraph.Triple]:
    triple = pyoxigraph.Triple
    document = _iri(served_at.description)
    dataset = _iri(f"{served_at.description}#dataset")
    yield triple(document, _iri(RDF.type), _iri(VOID.DatasetDescription))
    yield triple(document, _iri(DCTERMS.title), pyoxigraph.Literal(f"VoID description: {TITLE}"))
    yield triple(document, _iri(FOAF.primaryTopic), dataset)
    for kind in (VOID.Dataset, DCAT.Dataset):
        yield triple(dataset, _iri(RDF.type), _iri(kind))
    yield triple(dataset, _iri(DCTERMS.title), pyoxigraph.Literal(TITLE, language="en"))
    yield triple(dataset, _iri(DCTERMS.description), pyoxigraph.Literal(DESCRIPTION, language="en"))
    yield triple(dataset, _iri(VOID.uriSpace), pyoxigraph.Literal(uri_space(base_iri)))
    yield triple(dataset, _iri(VOID.vocabulary), _iri(f"{ONTOLOGY_IRI}#"))
    yield triple(dataset, _iri(DCAT.landingPage), _iri(served_at.dumps))
    if manifest is not None:
        built = pyoxigraph.Literal(manifest.last_changed, datatype=_iri(XSD.dateTime))
        yield triple(dataset, _iri(DCTERMS.modified), built)
        yield triple(dataset, _iri(VOID.triples), _number(manifest.quads))
    yield from _service(served_at, dataset)
    for url, title in served_at.queries:
        yield triple(dataset, _iri(RDFS.seeAlso), _iri(url))
        yield triple(_iri(url), _iri(DCTERMS.title), pyoxigraph.Literal(title))
    if catalog is not None:
        yield from _figures(served_at, dataset, catalog)
        for dump in catalog.files:
            yield from _distribution(served_at, dataset, dump, catalog.built_at)


def _service(served_at: ServedAt, dataset: pyoxigraph.NamedNode) -> Iterator[pyoxigraph.Triple]:
    triple = pyoxigraph.Triple
    endpoint = _iri(served_at.sparql_endpoint)
    yield triple(dataset, _iri(VOID.sparqlEndpoint), endpoint)
    yield triple(endpoint, _iri(RDF.type), _iri(DCAT.DataService))
    yield triple(endpoint, _iri(DCAT.endpointURL), endpoint)
    yield triple(endpoint, _iri(DCAT.servesDataset), dataset)
    yield triple(endpoint, _iri(DCTERMS.conformsTo), _iri(SPARQL_PROTOCOL))


def _figures(
    served_at: ServedAt, dataset: pyoxigraph.NamedNode, catalog: DumpCatalog
) -> Iterator[pyoxigraph.Triple]:
    triple = pyoxigraph.Triple
    figures = catalog.figures
    yield triple(dataset, _iri(VOID.entities), _number(figures.entities))
    yield triple(dataset, _iri(VOID.classes), _number(len(figures.classes)))
    yield triple(dataset, _iri(VOID.properties), _number(len(figures.properties)))
    for example in figures.examples:
        yield triple(dataset, _iri(VOID.exampleResource), _iri(example))
    for number, (cls, count) in enumerate(sorted(figures.classes.items()), start=1):
        partition = _iri(f"{served_at.description}#class-{number}")
        yield triple(dataset, _iri(VOID.classPartition), partition)
        yield triple(partition, _iri(VOID["class"]), _iri(cls))
        yield triple(partition, _iri(VOID.entities), _number(count))
    for number, (prop, count) in enumerate(sorted(figures.properties.items()), start=1):
        partition = _iri(f"{served_at.description}#property-{number}")
        yield triple(dataset, _iri(VOID.propertyPartition), partition)
        yield triple(partition, _iri(VOID.property), _iri(prop))
        yield triple(partition, _iri(VOID.triples), _number(count))


def _distribution(
    served_at: ServedAt, dataset: pyoxigraph.NamedNode, dump: DumpFile, built_at: str
) -> Iterator[pyoxigraph.Triple]:
    triple = pyoxigraph.Triple
    url = _iri(served_at.dumps + dump.name)
    distribution = _iri(f"{served_at.description}#dump-{dump.format}")
    checksum = _iri(f"{served_at.description}#dump-{dump.format}-sha256")
    yield triple(dataset, _iri(VOID.dataDump), url)
    yield triple(dataset, _iri(DCAT.distribution), distribution)
    yield triple(distribution, _iri(RDF.type), _iri(DCAT.Distribution))
    yield triple(distribution, _iri(DCTERMS.title), pyoxigraph.Literal(dump.name))
    yield triple(distribution, _iri(DCAT.downloadURL), url)
    yield triple(distribution, _iri(DCAT.accessURL), _iri(served_at.dumps))
    yield triple(distribution, _iri(DCAT.mediaType), _iri(MEDIA_TYPES + dump.media_type))
    if dump.compressed:
        yield triple(
            distribution, _iri(DCAT.compressFormat), _iri(MEDIA_TYPES + "application/gzip")
        )
    yield triple(distribution, _iri(DCAT.byteSize), _number(dump.bytes, XSD.nonNegativeInteger))
    yield triple(distribution, _iri(VOID.triples), _number(dump.triples))
    modified = pyoxigraph.Literal(built_at, datatype=_iri(XSD.dateTime))
    yield triple(distribution, _iri(DCTERMS.modified), modified)
    if not dump.sha256:
        return  # being made, just after the build was published
    yield triple(distribution, _iri(SPDX + "checksum"), checksum)
    yield triple(checksum, _iri(RDF.type), _iri(SPDX + "Checksum"))
    yield triple(checksum, _iri(SPDX + "algorithm"), _iri(SPDX + "checksumAlgorithm_sha256"))
    value = pyoxigraph.Literal(dump.sha256, datatype=_iri(XSD.hexBinary))
    yield triple(checksum, _iri(SPDX + "checksumValue"), value)


def serialize_description(
    triples: Sequence[pyoxigraph.Triple], rdf_format: pyoxigraph.RdfFormat
) -> bytes:
    """The description in ``rdf_format``, with readable prefixes where the format has them."""
    output = io.BytesIO()
    pyoxigraph.serialize(triples, output, format=rdf_format, prefixes=DESCRIPTION_PREFIXES)
    return output.getvalue()
