"""Mapped graphs as Oxigraph terms and as sorted N-Quads: the same facts give the same bytes.

The mapper writes rdflib terms (:mod:`kgpub.mapped_graphs`); Oxigraph stores, queries and
serializes them. This is the one crossing between the two.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pyoxigraph
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kgpub.errors import StoreError
from kgpub.mapped_graphs import MappedGraphs

REMEMBERED_IRIS = 1 << 16
"""How many IRIs' N-Quads forms a process keeps: predicates, classes, code-list concepts and
registry entities recur in almost every article, and a worker sees a few thousand of them."""


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


@lru_cache(maxsize=REMEMBERED_IRIS)
def _iri_text(iri: URIRef) -> str:
    return str(pyoxigraph.NamedNode(str(iri)))


def term_text(term: Node) -> str:
    """A term as Oxigraph writes it in N-Quads (its ``str``, which its serializer writes).

    >>> from rdflib import Literal, URIRef
    >>> term_text(URIRef("https://example.org/a")), term_text(Literal("hi", lang="en"))
    ('<https://example.org/a>', '"hi"@en')
    """
    if isinstance(term, URIRef):
        return _iri_text(term)
    return str(oxigraph_term(term))


def nquads_of(mapped: MappedGraphs) -> bytes:
    """Sorted, de-duplicated N-Quads of mapped graphs, as Oxigraph writes them.

    Each line is Oxigraph's own form of the quad (``str`` of its terms, which is what
    ``pyoxigraph.serialize`` writes), so these are the bytes of serialising the quads with
    Oxigraph and sorting the lines: the same facts give the same bytes.
    """
    lines: set[str] = set()
    for graph in mapped.graphs():
        name = term_text(graph.identifier)
        for subject, predicate, value in graph:
            lines.add(f"{term_text(subject)} {term_text(predicate)} {term_text(value)} {name} .")
    # Sorting the text sorts the bytes: UTF-8 keeps the order of code points.
    return "".join(line + "\n" for line in sorted(lines)).encode()
