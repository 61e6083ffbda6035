"""rdflib datasets as Oxigraph quads, and as sorted N-Quads: the same facts give the same bytes.

rdflib builds and validates graphs; Oxigraph stores, queries and serializes them. This is the
one crossing between the two.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Node

from kgpub.errors import StoreError


def oxigraph_quads(dataset: Dataset) -> Iterator[pyoxigraph.Quad]:
    """An rdflib dataset's quads as Oxigraph quads (the mapper mints no blank nodes)."""
    for graph in dataset.graphs():
        name = oxigraph_term(graph.identifier)
        if not isinstance(name, pyoxigraph.NamedNode):
            name = pyoxigraph.DefaultGraph()
        for subject, predicate, value in graph:
            yield pyoxigraph.Quad(
                oxigraph_term(subject), oxigraph_term(predicate), oxigraph_term(value), name
            )


def oxigraph_term(term: Node) -> Any:
    """One rdflib term as the equal Oxigraph term."""
    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return pyoxigraph.Literal(str(term), language=term.language)
        datatype = pyoxigraph.NamedNode(str(term.datatype)) if term.datatype else None
        return pyoxigraph.Literal(str(term), datatype=datatype)
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(str(term))
    raise StoreError(f"cannot store the RDF term {term!r}")


def nquads_of(dataset: Dataset) -> bytes:
    """Sorted N-Quads of an rdflib dataset, written by Oxigraph: same facts, same bytes."""
    text = pyoxigraph.serialize(oxigraph_quads(dataset), format=pyoxigraph.RdfFormat.N_QUADS)
    lines = sorted(set(bytes(text or b"").splitlines()))
    return b"".join(line + b"\n" for line in lines if line)
