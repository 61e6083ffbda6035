"""What the code-list and concept pages show, read from the published vocabulary.

- A **code list** (``skos:ConceptScheme``) lists its concepts with their notation, definition
  and how many statements in the data use each.
- A **concept** shows its labels in every language, its definition, notation, scheme, mapping
  links and what uses it.

Like the ontology page (:mod:`kgpub.web.ontology_terms`), only the vocabulary graph is read
for what a concept is; its uses are counted everywhere else. Nothing here imports Flask.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph
from rdflib.namespace import RDF, SKOS

from kgpub.web.fact_reader import FactReader, Value
from kgpub.web.ontology_terms import other_statements
from kgpub.web.vocabulary_documents import VOCABULARY_GRAPH

USE_LIMIT = 10_000
"""Uses counted per concept; past this a page says "10,000 or more" instead of scanning on."""
_SHOWN_FOR_CONCEPTS = {
    RDF.type,
    SKOS.prefLabel,
    SKOS.altLabel,
    SKOS.definition,
    SKOS.notation,
    SKOS.inScheme,
    SKOS.topConceptOf,
}


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
        for quad in database.quads_for_pattern(
            None, pyoxigraph.NamedNode(str(SKOS.inScheme)), iri, VOCABULARY_GRAPH
        )
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
        other=other_statements(reader, iri, skipped),
        uses=None if is_scheme else count_uses(reader, iri),
        concepts=tuple(sorted(concepts, key=lambda c: c.value.label.lower())),
    )


def count_uses(reader: FactReader, iri: pyoxigraph.NamedNode) -> Uses:
    """Statements outside the vocabulary graph whose object is ``iri``, by property."""
    counts: Counter[pyoxigraph.NamedNode] = Counter()
    # Read from the store itself, as the quads come: the count stops at USE_LIMIT, and a page
    # never reads these quads again.
    for quad in reader.database.store.quads_for_pattern(None, None, iri, None):
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
