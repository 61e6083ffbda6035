"""The RDF and result formats kgpub reads and writes: name ↔ media type ↔ extension.

Every format name, media type and file extension used elsewhere comes from this table.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph


@dataclass(frozen=True)
class RdfFormat:
    """One RDF serialisation."""

    name: str
    media_type: str
    extension: str
    oxigraph: pyoxigraph.RdfFormat
    holds_graphs: bool


RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", "text/turtle", "ttl", pyoxigraph.RdfFormat.TURTLE, False),
    RdfFormat("ntriples", "application/n-triples", "nt", pyoxigraph.RdfFormat.N_TRIPLES, False),
    RdfFormat("nquads", "application/n-quads", "nq", pyoxigraph.RdfFormat.N_QUADS, True),
    RdfFormat("trig", "application/trig", "trig", pyoxigraph.RdfFormat.TRIG, True),
    RdfFormat("jsonld", "application/ld+json", "jsonld", pyoxigraph.RdfFormat.JSON_LD, True),
    RdfFormat("rdfxml", "application/rdf+xml", "rdf", pyoxigraph.RdfFormat.RDF_XML, False),
)
RDF_FORMAT_NAMES = tuple(f.name for f in RDF_FORMATS)


def rdf_format(name: str) -> RdfFormat:
    """The RDF format called ``name``.

    >>> rdf_format("nquads").media_type
    'application/n-quads'
    """
    for candidate in RDF_FORMATS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"unknown RDF format {name!r}; known: {', '.join(RDF_FORMAT_NAMES)}")


@dataclass(frozen=True)
class ResultsFormat:
    """One SPARQL results serialisation (for SELECT and ASK)."""

    name: str
    media_type: str
    extension: str
    oxigraph: pyoxigraph.QueryResultsFormat


RESULTS_FORMATS: tuple[ResultsFormat, ...] = (
    ResultsFormat(
        "json", "application/sparql-results+json", "srj", pyoxigraph.QueryResultsFormat.JSON
    ),
    ResultsFormat(
        "xml", "application/sparql-results+xml", "srx", pyoxigraph.QueryResultsFormat.XML
    ),
    ResultsFormat("csv", "text/csv", "csv", pyoxigraph.QueryResultsFormat.CSV),
    ResultsFormat("tsv", "text/tab-separated-values", "tsv", pyoxigraph.QueryResultsFormat.TSV),
)
RESULTS_FORMAT_NAMES = tuple(f.name for f in RESULTS_FORMATS)


def results_format(name: str) -> ResultsFormat:
    """The SPARQL results format called ``name``."""
    for candidate in RESULTS_FORMATS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"unknown results format {name!r}; known: {', '.join(RESULTS_FORMAT_NAMES)}")
