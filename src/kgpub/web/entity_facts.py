"""What an entity page shows, read from the store: labels, values, and who says each fact.

Three kinds of statement are about an entity ``E``:

- its **description**: triples with subject ``E`` in the entity graph or an article graph
  (labels, types, containment), stated by nobody in particular;
- **facts asserted by claims**: triples with subject ``E`` in a claim's named graph, and the
  counts (``kg:Observation``) a claim's graph says are about ``E`` or held by it as
  ``kg:custodian``. Each comes with its :class:`Source`: the claim's claimant, article,
  stance, certainty, status and evidence quotes, read from the article graph;
- **inverse links**: triples in any graph whose object is ``E``.

All three are found among the quads whose subject or object is ``E``, which the page's document
has read already (:class:`kgpub.web.page_quads.PageQuads`); a graph holding them is a claim's
when the graph's IRI is typed ``kg:Claim`` (in its article's graph). The entity's IRI is only
ever a bound term of a quad pattern, never text in a query. Nothing here imports Flask; words
for counts are :mod:`kgpub.web.entity_page`'s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph
from rdflib.namespace import RDF

from kgpub.vocab import KG, SCHEMA
from kgpub.web.fact_reader import (
    ABOUT,
    ALIAS,
    CLAIM,
    CUSTODIAN,
    HEADER_PROPERTIES,
    INVERSE_LIMIT,
    ORGANIZATION,
    TYPE,
    FactReader,
    Source,
    Value,
)
from kgpub.web.page_quads import PageQuads


@dataclass(frozen=True)
class ClaimedValue:
    """One value of a property and every claim asserting it."""

    value: Value
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class ClaimedProperty:
    """A property of the entity as claims assert it, values side by side."""

    predicate: Value
    values: tuple[ClaimedValue, ...]

    @property
    def contested(self) -> bool:
        """Whether different claimants give it different values, or a source denies it.

        A reframing claim that repeats a value (the same facility, the same parent event) agrees
        on that value; only where its values differ is the property contested.
        """
        sources = [source for value in self.values for source in value.sources]
        return any(source.stance_code == "denies" for source in sources) or (
            len(self.values) > 1 and len({s.claimant for s in sources}) > 1
        )


@dataclass(frozen=True)
class Count:
    """One claimed figure, as raw terms; :mod:`kgpub.web.entity_page` puts it in words."""

    iri: str
    measure: Value
    qualifier: str
    numbers: dict[str, int]
    """``value``, ``minValue``, ``maxValue``, ``boundValue``: whichever the count has."""
    unit: str
    raw: str
    scope: str
    population: str
    held_by: Value | None
    affiliation: Value | None
    date: str
    source: Source


@dataclass(frozen=True)
class InverseLinks:
    """The subjects pointing at the entity through one property."""

    predicate: Value
    total: int
    subjects: tuple[Value, ...]


@dataclass
class EntityFacts:
    """Everything the page of one IRI shows."""

    iri: str
    label: str
    types: list[Value]
    aliases: list[str]
    description: list[tuple[Value, list[Value]]]
    claimed: list[ClaimedProperty]
    counts: list[Count]
    inverse: list[InverseLinks] = field(default_factory=list)


def read_entity_facts(
    database: pyoxigraph.Store | PageQuads,
    iri: pyoxigraph.NamedNode,
    *,
    languages: Sequence[str],
) -> EntityFacts:
    """The facts the page of ``iri`` shows, labelled in ``languages`` (most wanted first)."""
    reader = FactReader(database, languages)
    described: dict[pyoxigraph.NamedNode, dict[str, Value]] = defaultdict(dict)
    aliases = set()
    types = {}
    claimed = _claimed_quads(reader, iri)
    for quad in reader.database.about(iri):
        if quad in claimed:
            continue
        if quad.predicate == ALIAS and isinstance(quad.object, pyoxigraph.Literal):
            aliases.add(quad.object.value)
        elif quad.predicate == TYPE:
            types[str(quad.object)] = reader.value(quad.object)
        elif quad.predicate not in HEADER_PROPERTIES:
            described[quad.predicate][str(quad.object)] = reader.value(quad.object)
    return EntityFacts(
        iri=iri.value,
        label=reader.label(iri),
        types=[types[key] for key in sorted(types)],
        aliases=sorted(aliases - {reader.label(iri)}),
        description=[
            (reader.value(predicate), [values[k] for k in sorted(values)])
            for predicate, values in sorted(described.items(), key=lambda item: str(item[0]))
        ],
        claimed=_claimed_properties(reader, claimed),
        counts=_counts(reader, iri),
        inverse=_inverse_links(reader, iri),
    )


def _claimed_quads(reader: FactReader, iri: pyoxigraph.NamedNode) -> dict[pyoxigraph.Quad, None]:
    """The quads about ``iri`` in claims' graphs, in the store's order."""
    own = reader.database.about(iri)
    graphs = {quad.graph_name for quad in own if isinstance(quad.graph_name, pyoxigraph.NamedNode)}
    claims = {graph for graph in graphs if _is_claim(reader, graph)}
    return dict.fromkeys(quad for quad in own if quad.graph_name in claims)


def _is_claim(reader: FactReader, graph: pyoxigraph.NamedNode) -> bool:
    """Whether the named graph is a claim's, typed as one in any graph (its article's)."""
    # A graph holding an entity's statements is a claim's, whose statements the page shows
    # (one scan for all), or one of the few graphs named by an IRI that describes nothing.
    reader.database.about(graph)
    return CLAIM in reader.database.objects(graph, TYPE)


def _claimed_properties(
    reader: FactReader, claimed: dict[pyoxigraph.Quad, None]
) -> list[ClaimedProperty]:
    grouped: dict[pyoxigraph.NamedNode, dict[str, tuple[Value, list[Source]]]] = defaultdict(dict)
    for quad in claimed:
        claim, predicate, term = quad.graph_name, quad.predicate, quad.object
        assert isinstance(claim, pyoxigraph.NamedNode)  # noqa: S101 - claims are named graphs
        value = reader.value(term, claim)
        key = f"{term}|{value.detail}"
        grouped[predicate].setdefault(key, (value, []))[1].append(reader.source(claim))
    return [
        ClaimedProperty(
            reader.value(predicate),
            tuple(
                ClaimedValue(value, tuple(sorted(sources, key=lambda s: s.claim)))
                for value, sources in (values[k] for k in sorted(values))
            ),
        )
        for predicate, values in sorted(grouped.items(), key=lambda item: str(item[0]))
    ]


def _counts(reader: FactReader, iri: pyoxigraph.NamedNode) -> list[Count]:
    """The counts claims' graphs say are about ``iri`` or held by it (``kg:custodian``)."""
    found: dict[tuple[pyoxigraph.NamedNode, pyoxigraph.NamedNode], None] = {}
    for quad in reader.database.pointing_at(iri):
        claim, count = quad.graph_name, quad.subject
        if quad.predicate in (ABOUT, CUSTODIAN) and isinstance(claim, pyoxigraph.NamedNode):
            if isinstance(count, pyoxigraph.NamedNode) and _is_claim(reader, claim):
                found[(claim, count)] = None
    counts = [read_count(reader, claim, count) for claim, count in found]
    return sorted(counts, key=lambda c: (c.measure.label, c.population, c.scope, c.iri))


def read_count(
    reader: FactReader, claim: pyoxigraph.NamedNode, count: pyoxigraph.NamedNode
) -> Count:
    """One observation of ``claim``'s graph as a :class:`Count`."""
    reader.database.about(count)  # a dozen of its properties are shown: one scan for all
    numbers = {
        name: int(found)
        for name, predicate in (
            ("value", SCHEMA.value),
            ("minValue", SCHEMA.minValue),
            ("maxValue", SCHEMA.maxValue),
            ("boundValue", KG.boundValue),
        )
        if (found := reader.text(count, predicate, claim))
    }
    # A count about an organization is held by it across its facilities (the design's
    # "custodian organization with a kg:scope in words"), like an explicit kg:custodian.
    about = reader.iris(count, ABOUT, claim)
    custodians = reader.iris(count, CUSTODIAN, claim) or [
        entity for entity in about if ORGANIZATION in reader.iris(entity, RDF.type)
    ]
    qualifiers = reader.iris(count, KG.valueQualifier, claim)
    return Count(
        iri=count.value,
        measure=reader.first(count, KG.measure) or Value("count"),
        qualifier=qualifiers[0].value.rsplit("/", 1)[-1] if qualifiers else "exact",
        numbers=numbers,
        unit=reader.text(count, SCHEMA.unitText, claim),
        raw=reader.text(count, KG.rawText, claim),
        scope=reader.text(count, KG.scope, claim),
        population=reader.text(count, KG.population, claim),
        held_by=reader.value(custodians[0]) if custodians else None,
        affiliation=reader.first(count, KG.affiliation),
        date=reader.text(count, SCHEMA.observationDate, claim),
        source=reader.source(claim),
    )


def _inverse_links(reader: FactReader, iri: pyoxigraph.NamedNode) -> list[InverseLinks]:
    subjects: dict[pyoxigraph.NamedNode, set[pyoxigraph.NamedNode]] = defaultdict(set)
    for quad in reader.database.pointing_at(iri):
        if isinstance(quad.subject, pyoxigraph.NamedNode):
            subjects[quad.predicate].add(quad.subject)
    return [
        InverseLinks(
            reader.value(predicate),
            len(found),
            tuple(reader.value(s) for s in sorted(found, key=str)[:INVERSE_LIMIT]),
        )
        for predicate, found in sorted(subjects.items(), key=lambda item: str(item[0]))
    ]
