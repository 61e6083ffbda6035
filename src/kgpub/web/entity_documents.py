"""The document describing one published IRI: which quads it holds and how it is written out.

The document of an IRI is every quad, in any graph, whose subject is the IRI itself or one of
its fragment nodes (``<iri#participation-1>``, ``<iri#evidence-1>``): the nodes
:meth:`kgpub.iris.IriScheme.part` mints exist only as parts of their whole, so they are
described with it. Oxigraph cannot scan a prefix of IRIs, so fragment nodes are found through
the indexes instead: those the document's own quads point at, those that point at the IRI (a
membership points at its person), and those in the graph the IRI names (a claim's graph holds
its participations). The search repeats from each fragment found, so chains are followed.

Triple formats (Turtle, N-Triples, JSON-LD, RDF/XML) carry the union of the triples, each
once, so JSON-LD stays plain JSON; quad formats (TriG, N-Quads) keep the named graphs, so it
stays visible which claim's graph says what. Nothing here imports Flask.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph

from kgpub.formats import RdfFormat
from kgpub.vocab import PREFIXES


class QuadSource(Protocol):
    """What a document is read from: a pyoxigraph ``Store`` answers this directly."""

    def quads_for_pattern(
        self,
        subject: pyoxigraph.NamedNode | None,
        predicate: pyoxigraph.NamedNode | None,
        object: pyoxigraph.NamedNode | None,
        graph_name: pyoxigraph.NamedNode | None,
    ) -> Iterable[pyoxigraph.Quad]:
        """The quads matching the pattern; ``None`` matches anything."""


@dataclass(frozen=True)
class EntityDocument:
    """The quads describing ``iri``, in a stable order."""

    iri: pyoxigraph.NamedNode
    quads: tuple[pyoxigraph.Quad, ...]

    @property
    def is_empty(self) -> bool:
        """Whether the store says nothing about the IRI (it is the subject of nothing)."""
        return not self.quads

    @property
    def triples(self) -> list[pyoxigraph.Triple]:
        """The union of the document's triples, each once, whatever graphs assert it."""
        unique = dict.fromkeys(quad.triple for quad in self.quads)
        return list(unique)

    def canonical_nquads(self) -> bytes:
        """The quads as sorted N-Quads: the same content always gives the same bytes.

        The store holds no blank nodes, so sorting the lines is a canonical form.
        """
        lines = sorted(f"{quad} .\n" for quad in self.quads)
        return "".join(lines).encode("utf-8")

    def content_tag(self) -> str:
        """A digest of :meth:`canonical_nquads`, the base of every representation's ETag."""
        return hashlib.sha256(self.canonical_nquads()).hexdigest()[:32]


def read_document(source: QuadSource, iri: pyoxigraph.NamedNode) -> EntityDocument:
    """The document of ``iri``: its quads and those of its fragment nodes, from any graph."""
    fragment_prefix = f"{iri.value}#"
    found: dict[pyoxigraph.Quad, None] = {}
    seen = {iri}
    pending = [iri]

    def note(term: object) -> None:
        if (
            isinstance(term, pyoxigraph.NamedNode)
            and term.value.startswith(fragment_prefix)
            and term not in seen
        ):
            seen.add(term)
            pending.append(term)

    for quad in source.quads_for_pattern(None, None, None, iri):
        note(quad.subject)
    while pending:
        node = pending.pop()
        for quad in source.quads_for_pattern(node, None, None, None):
            found[quad] = None
            note(quad.object)
        for quad in source.quads_for_pattern(None, None, node, None):
            note(quad.subject)
    return EntityDocument(iri, tuple(sorted(found, key=str)))


def serialize_document(document: EntityDocument, rdf_format: RdfFormat) -> bytes:
    """The document in ``rdf_format``: named graphs for quad formats, else the triple union."""
    target = rdf_format.oxigraph
    prefixes = PREFIXES if target in _FORMATS_WITH_PREFIXES else None
    output = io.BytesIO()
    if rdf_format.extension in QUAD_EXTENSIONS:
        pyoxigraph.serialize(document.quads, output, format=target, prefixes=prefixes)
    else:
        pyoxigraph.serialize(document.triples, output, format=target, prefixes=prefixes)
    return output.getvalue()


QUAD_EXTENSIONS = ("trig", "nq")
"""Document formats that keep the named graphs; JSON-LD, though it could, gets the union."""
_FORMATS_WITH_PREFIXES = (
    pyoxigraph.RdfFormat.TURTLE,
    pyoxigraph.RdfFormat.TRIG,
    pyoxigraph.RdfFormat.RDF_XML,
)
