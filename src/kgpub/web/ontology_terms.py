"""What the ontology, code-list and concept pages show, read from the published vocabulary.

The build publishes the ontology and every code list in one named graph, the ontology's own
IRI (``https://w3id.org/kgpub/ont``), and only that graph is read here: the terms are the same
in every deployment, so no article can add to or change what they mean.

- The **ontology** page lists every class and property (``…/ont#Term``) with its label and
  definition in the reader's language, its superclasses or superproperties (the alignments to
  schema.org, SEM, PROV…), domains and ranges, and every other statement about it.
- A **code list** (``skos:ConceptScheme``) lists its concepts with their notation, definition
  and how many statements in the data use each.
- A **concept** shows its labels in every language, its definition, notation, scheme, mapping
  links and what uses it.

Labels and values go through :class:`kgpub.web.fact_reader.FactReader`, like the entity page.
Documents (the RDF of these IRIs) are :mod:`kgpub.web.vocabulary_documents`'. Nothing here
imports Flask.
"""

from __future__ import annotations

from collections import Counter
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

USE_LIMIT = 10_000
"""Uses counted per concept; past this a page says "10,000 or more" instead of scanning on."""
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
_SHOWN_FOR_CONCEPTS = {
    RDF.type,
    SKOS.prefLabel,
    SKOS.altLabel,
    SKOS.definition,
    SKOS.notation,
    SKOS.inScheme,
    SKOS.topConceptOf,
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


@dataclass(frozen=True)
class Uses:
    """How the data uses a concept: statements pointing at it, by property."""

    total: int
    capped: bool
    """Whether counting stopped at :data:`USE_LIMIT` (there may be more)."""
    by_property: tuple[tuple[Value, int], ...]


@dataclass(frozen=True)
class ConceptSummary:
    """One concept as its code list's page lists it."""

    value: Value
    notation: str
    definition: str
    uses: Uses


@dataclass(frozen=True)
class ConceptFacts:
    """Everything the page of a concept or a code list shows."""

    iri: str
    label: str
    is_scheme: bool
    labels: tuple[tuple[str, str], ...]
    """Every (language, label) pair, preferred labels first."""
    definition: str
    notation: str
    schemes: tuple[Value, ...]
    other: tuple[tuple[Value, tuple[Value, ...]], ...]
    uses: Uses | None
    concepts: tuple[ConceptSummary, ...]
    """For a code list, its concepts; empty for a concept."""


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
        other=_other_statements(reader, iri, _SHOWN_FOR_TERMS),
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


def read_concept(
    database: pyoxigraph.Store,
    iri: pyoxigraph.NamedNode,
    *,
    languages: Sequence[str],
    is_scheme: bool,
) -> ConceptFacts:
    """The page of a concept, or of a code list (``is_scheme``) with its concepts listed."""
    reader = FactReader(database, languages)
    labels = [
        (literal.language or "", literal.value)
        for predicate in (SKOS.prefLabel, SKOS.altLabel)
        for literal in _literals(reader, iri, predicate)
    ]
    members = reader.iris(iri, SKOS.hasTopConcept, VOCABULARY_GRAPH) if is_scheme else []
    members += [
        quad.subject
        for quad in database.quads_for_pattern(None, _node(SKOS.inScheme), iri, VOCABULARY_GRAPH)
        if is_scheme and isinstance(quad.subject, pyoxigraph.NamedNode)
    ]
    concepts = [
        ConceptSummary(
            value=reader.value(member),
            notation=reader.text(member, SKOS.notation, VOCABULARY_GRAPH),
            definition=reader.text(member, SKOS.definition, VOCABULARY_GRAPH),
            uses=count_uses(reader, member),
        )
        for member in sorted(set(members), key=str)
    ]
    skipped = _SHOWN_FOR_CONCEPTS | ({SKOS.hasTopConcept} if is_scheme else set())
    return ConceptFacts(
        iri=iri.value,
        label=reader.label(iri),
        is_scheme=is_scheme,
        labels=tuple(labels),
        definition=reader.text(iri, SKOS.definition, VOCABULARY_GRAPH),
        notation=reader.text(iri, SKOS.notation, VOCABULARY_GRAPH),
        schemes=tuple(reader.value(s) for s in reader.iris(iri, SKOS.inScheme, VOCABULARY_GRAPH)),
        other=_other_statements(reader, iri, skipped),
        uses=None if is_scheme else count_uses(reader, iri),
        concepts=tuple(sorted(concepts, key=lambda c: c.value.label.lower())),
    )


def count_uses(reader: FactReader, iri: pyoxigraph.NamedNode) -> Uses:
    """Statements outside the vocabulary graph whose object is ``iri``, by property."""
    counts: Counter[pyoxigraph.NamedNode] = Counter()
    for quad in reader.database.quads_for_pattern(None, None, iri, None):
        if quad.graph_name != VOCABULARY_GRAPH:
            counts[quad.predicate] += 1
            if counts.total() >= USE_LIMIT:
                break
    return Uses(
        total=counts.total(),
        capped=counts.total() >= USE_LIMIT,
        by_property=tuple(
            (reader.value(predicate), number)
            for predicate, number in sorted(counts.items(), key=lambda item: str(item[0]))
        ),
    )


def _literals(
    reader: FactReader, iri: pyoxigraph.NamedNode, predicate: object
) -> list[pyoxigraph.Literal]:
    found = reader.objects(iri, predicate, VOCABULARY_GRAPH)
    return [term for term in found if isinstance(term, pyoxigraph.Literal)]


def _other_statements(
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
