"""What an article's page shows, read from the store: everything the article contributed.

An article ``A`` contributes:

- its **metadata**, in its provenance graph: headline, publisher, agency, date, language, URL,
  the original it translates, and any other statement about it;
- its **claims** (``?claim schema:appearance A``), each with its source (claimant, stance,
  certainty, status, "not confirmed by" / "denied by", evidence quotes — read by
  :meth:`kgpub.web.fact_reader.FactReader.source`, as the entity page does), the parties
  confirming it, the statements of its named graph as subject – property – value, the counts
  it gives, and its links to other claims in both directions (``kg:corroborates``,
  ``kg:contradicts``, ``kg:reframes``, ``kg:supersedes``), including links from other
  articles' claims to this one's;
- the **entities it mentions**, with the words it uses for them (``kg:Mention``) and how many
  of its claims are about each.

A claim's page shows one claim the same way (:func:`read_claim`). Each claim is read in a few
whole scans — its statements, its graph, what points at it — through the page's
:class:`~kgpub.web.page_quads.PageQuads`, which also holds what the page's document read. IRIs
are only ever bound terms of quad patterns, never query text. Nothing here imports Flask.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph
from rdflib.namespace import RDF

from kgpub.vocab import KG, SCHEMA
from kgpub.web.entity_facts import Count, read_count
from kgpub.web.fact_reader import (
    TYPE,
    FactReader,
    Source,
    Value,
)
from kgpub.web.page_quads import PageQuads

CLAIM_RELATIONS = tuple(
    pyoxigraph.NamedNode(str(term))
    for term in (KG.corroborates, KG.contradicts, KG.reframes, KG.supersedes)
)
"""Links from one claim to another, shown at both ends."""
OBSERVATION = pyoxigraph.NamedNode(str(KG.Observation))
APPEARANCE = pyoxigraph.NamedNode(str(SCHEMA.appearance))
HEADER_PROPERTIES = {
    str(term)
    for term in (
        RDF.type,
        SCHEMA.headline,
        SCHEMA.inLanguage,
        SCHEMA.publisher,
        SCHEMA.sourceOrganization,
        SCHEMA.datePublished,
        SCHEMA.url,
        SCHEMA.mentions,
        KG.hasMention,
    )
}
"""Shown in the article page's header or its list of entities, not in its other metadata."""


@dataclass(frozen=True)
class Assertions:
    """What a claim's graph says about one subject: property – value pairs."""

    subject: Value
    statements: tuple[tuple[Value, Value], ...]


@dataclass(frozen=True)
class ClaimLink:
    """A link between two claims, seen from one of them."""

    relation: Value
    other: Source
    outgoing: bool
    """``True`` when this claim links to ``other``, ``False`` when ``other`` links to it."""
    same_article: bool
    """Whether ``other`` appears in the same article."""


@dataclass(frozen=True)
class ClaimFacts:
    """One claim: who says it, how, what it asserts, what it counts and how it relates."""

    source: Source
    paragraphs: tuple[int, ...]
    confirmed_by: tuple[Value, ...]
    stated_on: str
    assertions: tuple[Assertions, ...]
    counts: tuple[Count, ...]
    links: tuple[ClaimLink, ...]


@dataclass(frozen=True)
class MentionedEntity:
    """An entity the article names: the words it uses, and how many of its claims are about it."""

    entity: Value
    forms: tuple[str, ...]
    claims: int


@dataclass
class ArticleFacts:
    """Everything the page of one article shows."""

    iri: str
    types: list[Value]
    headline: str
    language: str
    published: str
    urls: list[str]
    publisher: Value | None
    agency: Value | None
    description: list[tuple[Value, list[Value]]]
    claims: list[ClaimFacts]
    mentions: list[MentionedEntity]

    @property
    def counts(self) -> list[Count]:
        """Every count its claims give."""
        return [count for claim in self.claims for count in claim.counts]


def read_article_facts(
    database: pyoxigraph.Store | PageQuads,
    iri: pyoxigraph.NamedNode,
    *,
    languages: Sequence[str],
) -> ArticleFacts:
    """The facts the page of the article ``iri`` shows, labelled in ``languages``."""
    reader = FactReader(database, languages)
    claim_iris = sorted(
        {
            subject
            for subject in reader.database.subjects(APPEARANCE, iri)
            if isinstance(subject, pyoxigraph.NamedNode)
        },
        key=str,
    )
    claims = [read_claim(reader, claim) for claim in claim_iris]
    claims.sort(key=lambda c: (c.paragraphs[:1] or (1 << 30,), c.source.claim))
    described: dict[pyoxigraph.NamedNode, dict[str, Value]] = {}
    for quad in reader.database.about(iri):
        if quad.predicate.value not in HEADER_PROPERTIES:
            values = described.setdefault(quad.predicate, {})
            values[str(quad.object)] = reader.value(quad.object)
    return ArticleFacts(
        iri=iri.value,
        types=[reader.value(kind) for kind in reader.iris(iri, RDF.type)],
        headline=reader.label(iri),
        language=reader.text(iri, SCHEMA.inLanguage),
        published=reader.text(iri, SCHEMA.datePublished),
        urls=[url.value for url in reader.iris(iri, SCHEMA.url)],
        publisher=reader.first(iri, SCHEMA.publisher),
        agency=reader.first(iri, SCHEMA.sourceOrganization),
        description=[
            (reader.value(predicate), [values[key] for key in sorted(values)])
            for predicate, values in sorted(described.items(), key=lambda item: str(item[0]))
        ],
        claims=claims,
        mentions=_mentions(reader, iri, claim_iris),
    )


def read_claim(reader: FactReader, claim: pyoxigraph.NamedNode) -> ClaimFacts:
    """One claim with its source, assertions, counts and links to other claims."""
    reader.database.about(claim)  # its source, evidence and links to other claims: one scan
    paragraphs = [
        reader.text(evidence, KG.paragraph) for evidence in reader.iris(claim, KG.evidence)
    ]
    statements = reader.database.in_graph(claim)
    observations = {
        subject
        for subject in reader.database.subjects(TYPE, OBSERVATION, claim)
        if isinstance(subject, pyoxigraph.NamedNode)
    }
    by_subject: dict[pyoxigraph.NamedNode, list[tuple[Value, Value]]] = {}
    for quad in statements:
        subject = quad.subject
        # Counts are shown in words, and a participation as its event's value.
        if isinstance(subject, pyoxigraph.NamedNode) and subject not in observations:
            if "#" not in subject.value:
                statement = (reader.value(quad.predicate), _shown(reader, quad))
                by_subject.setdefault(subject, []).append(statement)
    source = reader.source(claim)

    def link(
        relation: pyoxigraph.NamedNode, other: pyoxigraph.NamedNode, outgoing: bool
    ) -> ClaimLink:
        found = reader.source(other)
        same = found.article is not None and found.article == source.article
        return ClaimLink(reader.value(relation), found, outgoing, same_article=same)

    links = [
        link(relation, other, outgoing=True)
        for relation in CLAIM_RELATIONS
        for other in reader.iris(claim, relation)
    ]
    reader.database.pointing_at(claim)  # links from other claims: one scan for the four kinds
    links += [  # sorted: store order differs between backends and builds
        link(relation, subject, outgoing=False)
        for relation in CLAIM_RELATIONS
        for subject in sorted(
            {
                subject
                for subject in reader.database.subjects(relation, claim)
                if isinstance(subject, pyoxigraph.NamedNode)
            },
            key=str,
        )
    ]
    return ClaimFacts(
        source=source,
        paragraphs=tuple(sorted({int(p) for p in paragraphs if p.isdigit()})),
        confirmed_by=tuple(reader.value(party) for party in reader.iris(claim, KG.confirmedBy)),
        stated_on=reader.text(claim, KG.statedOn),
        assertions=tuple(
            Assertions(
                reader.value(subject),
                tuple(sorted(statements, key=lambda s: (s[0].label, s[1].label))),
            )
            for subject, statements in sorted(
                by_subject.items(), key=lambda item: (reader.label(item[0]), str(item[0]))
            )
        ),
        counts=tuple(
            sorted(
                (read_count(reader, claim, observation) for observation in observations),
                key=lambda c: (c.measure.label, c.population, c.scope, c.iri),
            )
        ),
        links=tuple(links),
    )


def _shown(reader: FactReader, quad: pyoxigraph.Quad) -> Value:
    """A statement's value; a participation node reads as who took part, in which role."""
    graph = quad.graph_name if isinstance(quad.graph_name, pyoxigraph.NamedNode) else None
    value = reader.value(quad.object, graph)
    if value.iri and "#" in value.iri and value.detail:
        return Value(value.detail)
    return value


def _mentions(
    reader: FactReader, article: pyoxigraph.NamedNode, claims: list[pyoxigraph.NamedNode]
) -> list[MentionedEntity]:
    forms: dict[pyoxigraph.NamedNode, set[str]] = {
        entity: set() for entity in reader.iris(article, SCHEMA.mentions)
    }
    for mention in reader.iris(article, KG.hasMention):
        written = {
            term.value
            for term in reader.objects(mention, KG.surfaceForm)
            if isinstance(term, pyoxigraph.Literal)
        }
        for entity in reader.iris(mention, KG.denotes):
            forms.setdefault(entity, set()).update(written)
    about: dict[pyoxigraph.NamedNode, int] = {}
    for claim in claims:
        for entity in reader.iris(claim, KG.about):
            about[entity] = about.get(entity, 0) + 1
            forms.setdefault(entity, set())
    found = [
        MentionedEntity(reader.value(entity), tuple(sorted(words)), about.get(entity, 0))
        for entity, words in forms.items()
    ]
    return sorted(found, key=lambda m: (m.entity.label.lower(), m.entity.iri or ""))
