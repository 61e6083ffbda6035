"""What the ontology page shows, read from the published vocabulary.

The build publishes the ontology and every code list in one named graph, the ontology's own
IRI (``https://w3id.org/kgpub/ont``), and only that graph is read here: the terms are the same
in every deployment, so no article can add to or change what they mean.

- The **ontology** page lists every class and property (``…/ont#Term``) with its label and
  definition in the reader's language, its superclasses or superproperties (the alignments to
  schema.org, SEM, PROV…), domains and ranges, and every other statement about it.
- A **code list** (``skos:ConceptScheme``) and a **concept** have pages of their own
  (:mod:`kgpub.web.concept_facts`), found here by :func:`vocabulary_kind`.

Labels and values go through :class:`kgpub.web.fact_reader.FactReader`, like the entity page.
Documents (the RDF of these IRIs) are :mod:`kgpub.web.vocabulary_documents`'. Nothing here
imports Flask.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kgpub.web.fact_reader import FactReader, Value, choose_text
from kgpub.web.vocabulary_documents import (
    VOCABULARY_GRAPH,
    is_skolem,
    ontology_anchor,
    ontology_terms,
)

TERM_KINDS = {
    str(OWL.Class): "class",
    str(OWL.ObjectProperty): "object property",
    str(OWL.DatatypeProperty): "datatype property",
    str(OWL.AnnotationProperty): "annotation property",
}
"""What an ontology term's ``rdf:type`` makes it, in words."""
_SHOWN_FOR_TERMS = {
    RDF.type,
    RDFS.label,
    SKOS.definition,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    RDFS.domain,
    RDFS.range,
    RDFS.isDefinedBy,
}


def _node(term: object) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(str(term))


@dataclass(frozen=True)
class Term:
    """One class or property of the ontology, as its entry on the ontology page."""

    anchor: str
    iri: str
    label: str
    kind: str
    definition: str
    parents: tuple[Value, ...]
    domains: tuple[Value, ...]
    ranges: tuple[Value, ...]
    other: tuple[tuple[Value, tuple[Value, ...]], ...]


@dataclass(frozen=True)
class OntologyFacts:
    """Everything the ontology page shows."""

    iri: str
    title: str
    description: str
    comment: tuple[str, ...]
    """The long comment, one paragraph per item."""
    version: str
    classes: tuple[Term, ...]
    properties: tuple[Term, ...]
    schemes: tuple[Value, ...]


def vocabulary_kind(source: pyoxigraph.Store, iri: pyoxigraph.NamedNode) -> str | None:
    """``ontology``, ``scheme`` or ``concept``: what the vocabulary graph types ``iri`` as."""
    kinds = {
        _node(OWL.Ontology): "ontology",
        _node(SKOS.ConceptScheme): "scheme",
        _node(SKOS.Concept): "concept",
    }
    for quad in source.quads_for_pattern(iri, _node(RDF.type), None, VOCABULARY_GRAPH):
        if quad.object in kinds:
            return kinds[quad.object]  # type: ignore[index]
    return None


def read_ontology(database: pyoxigraph.Store, *, languages: Sequence[str]) -> OntologyFacts:
    """The ontology page's content, labelled in ``languages`` (most wanted first)."""
    reader = FactReader(database, languages)
    iri = VOCABULARY_GRAPH
    terms = [_read_term(reader, term) for term in ontology_terms(database)]
    schemes = [
        quad.subject
        for quad in database.quads_for_pattern(
            None, _node(RDF.type), _node(SKOS.ConceptScheme), VOCABULARY_GRAPH
        )
        if isinstance(quad.subject, pyoxigraph.NamedNode)
    ]
    comment = reader.text(iri, RDFS.comment, VOCABULARY_GRAPH)
    return OntologyFacts(
        iri=iri.value,
        title=reader.text(iri, DCTERMS.title, VOCABULARY_GRAPH) or reader.label(iri),
        description=reader.text(iri, DCTERMS.description, VOCABULARY_GRAPH),
        comment=tuple(part.strip() for part in comment.split("\n\n") if part.strip()),
        version=reader.text(iri, OWL.versionInfo, VOCABULARY_GRAPH),
        classes=tuple(sorted((t for t in terms if t.kind == "class"), key=_by_label)),
        properties=tuple(sorted((t for t in terms if t.kind != "class"), key=_by_label)),
        schemes=tuple(sorted((reader.value(s) for s in schemes), key=lambda v: v.label.lower())),
    )


def _by_label(term: Term) -> str:
    return term.label.lower()


def _read_term(reader: FactReader, iri: pyoxigraph.NamedNode) -> Term:
    types = [TERM_KINDS[t.value] for t in reader.iris(iri, RDF.type) if t.value in TERM_KINDS]
    parents = reader.iris(iri, RDFS.subClassOf, VOCABULARY_GRAPH)
    parents += reader.iris(iri, RDFS.subPropertyOf, VOCABULARY_GRAPH)
    return Term(
        anchor=ontology_anchor(iri.value) or iri.value,
        iri=iri.value,
        label=reader.label(iri),
        kind=types[0] if types else "term",
        definition=reader.text(iri, SKOS.definition, VOCABULARY_GRAPH),
        parents=tuple(reader.value(parent) for parent in parents),
        domains=tuple(reader.value(d) for d in reader.iris(iri, RDFS.domain, VOCABULARY_GRAPH)),
        ranges=tuple(_range(reader, r) for r in reader.iris(iri, RDFS.range, VOCABULARY_GRAPH)),
        other=other_statements(reader, iri, _SHOWN_FOR_TERMS),
    )


def _range(reader: FactReader, node: pyoxigraph.NamedNode) -> Value:
    """A range as shown: a union of datatypes (a skolemised list) reads "a or b or c"."""
    if not is_skolem(node):
        return reader.value(node)
    members = []
    for union in reader.iris(node, OWL.unionOf, VOCABULARY_GRAPH):
        members += [reader.label(member) for member in _rdf_list(reader, union)]
    return Value(" or ".join(members) or node.value)


def _rdf_list(reader: FactReader, head: pyoxigraph.NamedNode) -> Iterable[pyoxigraph.NamedNode]:
    seen = set()
    while head.value != str(RDF.nil) and head not in seen:
        seen.add(head)
        yield from reader.iris(head, RDF.first, VOCABULARY_GRAPH)
        rest = reader.iris(head, RDF.rest, VOCABULARY_GRAPH)
        if not rest:
            return
        head = rest[0]


def other_statements(
    reader: FactReader, iri: pyoxigraph.NamedNode, shown: Iterable[object]
) -> tuple[tuple[Value, tuple[Value, ...]], ...]:
    """Every statement about ``iri`` the page does not show elsewhere, by property.

    Texts given in several languages are shown in the reader's; other values are all listed.
    """
    skipped = {str(term) for term in shown}
    by_predicate: dict[pyoxigraph.NamedNode, list[object]] = {}
    for quad in reader.database.quads_for_pattern(iri, None, None, VOCABULARY_GRAPH):
        if quad.predicate.value not in skipped:
            by_predicate.setdefault(quad.predicate, []).append(quad.object)
    rows = []
    for predicate in sorted(by_predicate, key=str):
        objects = by_predicate[predicate]
        literals = [o for o in objects if isinstance(o, pyoxigraph.Literal) and o.language]
        values = [reader.value(o) for o in sorted(objects, key=str) if o not in literals]
        if literals:
            values.append(Value(choose_text(literals, reader.languages)))
        rows.append((reader.value(predicate), tuple(values)))
    return tuple(rows)
