"""The document describing one published IRI: which quads it holds and how it is written out.

The document of an IRI is every quad, in any graph, whose subject is the IRI itself or one of
its fragment nodes (``<iri#participation-1>``, ``<iri#evidence-1>``): the nodes
:meth:`kgpub.iris.IriScheme.part` mints exist only as parts of their whole, so they are
described with it. Oxigraph cannot scan a prefix of IRIs, so fragment nodes are found through
the indexes instead: those the document's own quads point at, those that point at the IRI (a
membership points at its person), and those in the graph the IRI names (a claim's graph holds
its participations). The search repeats from each fragment found, so chains are followed.

Triple formats (Turtle, N-Triples, JSON-LD, RDF/XML) carry the union of the triples, each
once; quad formats (TriG, N-Quads) keep the named graphs, so it stays visible which claim's
graph says what. JSON-LD is compacted by PyLD with kgpub's published context
(:mod:`kgpub.jsonld_context`), so it reads as plain JSON: the resource is the top-level
object, and its fragment nodes are listed under ``@included``. Nothing here imports Flask.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import pyoxigraph
from pyld import jsonld
from rdflib import RDF, XSD

from kgpub.formats import RdfFormat
from kgpub.jsonld_context import ALIASES, CONTEXT_PREFIXES, local_context_loader
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
    nquads_lines: tuple[str, ...] | None = field(default=None, compare=False, repr=False)
    """The quads' N-Quads lines in the order of :attr:`quads`, when they are sorted so."""

    @classmethod
    def in_canonical_order(
        cls, iri: pyoxigraph.NamedNode, quads: Iterable[pyoxigraph.Quad]
    ) -> EntityDocument:
        """The document of ``iri`` holding ``quads`` in canonical order: by N-Quads line.

        Each quad is written out once, for both the order and :meth:`canonical_nquads`.
        """
        by_line = {f"{quad} .\n": quad for quad in quads}
        lines = tuple(sorted(by_line))
        return cls(iri, tuple(by_line[line] for line in lines), lines)

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
        lines = self.nquads_lines
        if lines is None:
            lines = tuple(sorted(f"{quad} .\n" for quad in self.quads))
        return "".join(lines).encode("utf-8")

    def content_tag(self) -> str:
        """A digest of :meth:`canonical_nquads`, the base of every representation's ETag."""
        return hashlib.sha256(self.canonical_nquads()).hexdigest()[:32]


def read_document(source: QuadSource, iri: pyoxigraph.NamedNode) -> EntityDocument:
    """The document of ``iri``: its quads and those of its fragment nodes, from any graph."""
    fragment_prefix = f"{iri.value}#"
    found: list[pyoxigraph.Quad] = []
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
            found.append(quad)
            note(quad.object)
        for quad in source.quads_for_pattern(None, None, node, None):
            note(quad.subject)
    return EntityDocument.in_canonical_order(iri, found)


def serialize_document(
    document: EntityDocument, rdf_format: RdfFormat, *, context_url: str
) -> bytes:
    """The document in ``rdf_format``: named graphs for quad formats, else the triple union.

    :param context_url: the absolute URL of the published JSON-LD context, which compact
        JSON-LD names as its ``@context`` (never fetched: the context is built locally).
    """
    target = rdf_format.oxigraph
    if target == pyoxigraph.RdfFormat.JSON_LD:
        return _compact_jsonld(document.triples, document.iri.value, context_url)
    prefixes = PREFIXES if target in _FORMATS_WITH_PREFIXES else None
    output = io.BytesIO()
    if rdf_format.extension in QUAD_EXTENSIONS:
        pyoxigraph.serialize(document.quads, output, format=target, prefixes=prefixes)
    else:
        pyoxigraph.serialize(document.triples, output, format=target, prefixes=prefixes)
    return output.getvalue()


_PYLD_LOCK = threading.Lock()
"""PyLD keeps processed contexts in one cache for every thread, and that cache is not
thread-safe; compacting one document at a time also bounds its CPU use."""
_ID_KEY = {keyword: alias for alias, keyword in ALIASES.items()}["@id"]


def _compact_jsonld(triples: Iterable[pyoxigraph.Triple], iri: str, context_url: str) -> bytes:
    """Compact JSON-LD of the triples, with the resource ``iri`` as the top-level object."""
    # The input is expanded already, and expanding it again (PyLD's default) would give it
    # back unchanged at a quarter of the cost of compaction.
    options = {"documentLoader": local_context_loader(context_url), "skipExpansion": True}
    with _PYLD_LOCK:
        compacted = jsonld.compact(expanded_jsonld(triples), context_url, options)
    text = json.dumps(_resource_first(compacted, iri), indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def expanded_jsonld(triples: Iterable[pyoxigraph.Triple]) -> list[dict[str, Any]]:
    """The triples as expanded JSON-LD: one node object per subject, one value per triple.

    This is JSON-LD's RDF-to-JSON-LD conversion without its folding of ``rdf:first`` /
    ``rdf:rest`` chains into ``@list``: PyLD folds chains whose nodes are IRIs too (the
    skolemised lists of the ontology), which would replace those IRIs with blank nodes. Every
    triple therefore stays one value, and canonical integers and booleans become JSON's own.
    """
    nodes: dict[str, dict[str, Any]] = {}
    for triple in triples:
        subject = _node_id(triple.subject)
        node = nodes.setdefault(subject, {"@id": subject})
        if triple.predicate == _RDF_TYPE and not isinstance(triple.object, pyoxigraph.Literal):
            node.setdefault("@type", []).append(_node_id(triple.object))
        else:
            node.setdefault(triple.predicate.value, []).append(_value_object(triple.object))
    return [nodes[subject] for subject in sorted(nodes)]


def _node_id(term: object) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return term.value
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    raise TypeError(f"{term!r} cannot name a JSON-LD node: RDF-star triples are not published")


def _value_object(term: object) -> dict[str, Any]:
    if not isinstance(term, pyoxigraph.Literal):
        return {"@id": _node_id(term)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    datatype = term.datatype.value
    if datatype == _XSD_STRING:
        return {"@value": term.value}
    if datatype == _XSD_INTEGER and _CANONICAL_INTEGER.fullmatch(term.value):
        return {"@value": int(term.value)}
    if datatype == _XSD_BOOLEAN and term.value in ("true", "false"):
        return {"@value": term.value == "true"}
    return {"@value": term.value, "@type": datatype}


_RDF_TYPE = pyoxigraph.NamedNode(str(RDF.type))
_XSD_STRING = str(XSD.string)
_XSD_INTEGER = str(XSD.integer)
_XSD_BOOLEAN = str(XSD.boolean)
_CANONICAL_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
"""Only these integers become JSON numbers, which JSON-LD turns back into the same literal."""


def _resource_first(compacted: dict[str, Any], iri: str) -> dict[str, Any]:
    """The resource as the top-level object and its fragment nodes under ``@included``.

    A plain-JSON reader then finds the resource at the same place in every document, where
    compaction alone puts a lone node at the top but several in ``@graph``.
    """
    context = compacted.pop("@context")
    nodes = compacted.pop("@graph", None)
    if nodes is None:  # compaction lifts a lone node to the top
        nodes = [compacted] if compacted else []
    others = {node[_ID_KEY]: node for node in nodes}
    # a code list's or concept's IRI is written compactly (vocab:stance), like its values
    names = [
        iri,
        *(f"{p}:{iri[len(ns) :]}" for p, ns in CONTEXT_PREFIXES.items() if iri.startswith(ns)),
    ]
    found = next((name for name in names if name in others), None)
    resource = others.pop(found) if found is not None else {_ID_KEY: iri}
    if others:
        resource["@included"] = list(others.values())
    return {"@context": context, **resource}


QUAD_EXTENSIONS = ("trig", "nq")
"""Document formats that keep the named graphs; JSON-LD, though it could, gets the union."""
_FORMATS_WITH_PREFIXES = (
    pyoxigraph.RdfFormat.TURTLE,
    pyoxigraph.RdfFormat.TRIG,
    pyoxigraph.RdfFormat.RDF_XML,
)
