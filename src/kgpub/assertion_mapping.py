"""What claims assert → triples in each claim's own named graph: events, counts, relations.

:class:`AssertionMapper` also holds what mapping one article needs throughout: the article, the
graphs being written, and how its references resolve. :mod:`kgpub.mapper` builds the article's
provenance graph (the article, its mentions, each claim's metadata) on top of it.
"""

from __future__ import annotations

from rdflib import RDF, Literal, URIRef
from rdflib.term import Node

from kgpub.assertions import EventFacts, Observation, RelationFact
from kgpub.codes import Role
from kgpub.collection import ArticleSource, Collection
from kgpub.describe import typed_date
from kgpub.entities import ENTITY_KINDS, EntityId
from kgpub.field_types import DateSpec, LangText
from kgpub.iris import IriScheme, content_digest
from kgpub.mapped_graphs import MappedGraphs, Origin, TripleSet
from kgpub.references import resolved_form
from kgpub.source_positions import pointer_of
from kgpub.vocab import KG, SCHEMA, SEM, concept

ROLE_SHORTCUTS = {Role.ATTACKER: KG.attacker, Role.TARGET: KG.target}
RELATION_PREDICATES = {
    "guarded-by": KG.guardedBy,
    "controlled-by": KG.controlledBy,
    "custody-of": KG.custodyOf,
    "supported-by": KG.supportedBy,
    "dominated-by": KG.dominatedBy,
    "part-of": KG.partOf,
    "opposes": KG.opposes,
}
BOUNDING = {
    "at-least": ("min", 0),
    "more-than": ("min", 1),
    "at-most": ("max", 0),
    "less-than": ("max", -1),
    "nearly": ("max", 0),
}
"""Qualifiers whose printed number is a bound: which bound, and its offset from the number."""


class AssertionMapper:
    """Maps one article's assertions, and resolves its references for every part of its mapping."""

    def __init__(self, source: ArticleSource, collection: Collection, iris: IriScheme) -> None:
        """Start mapping ``source``, an article of ``collection``, into empty graphs."""
        self.source = source
        self.collection = collection
        self.iris = iris
        self.article = source.article
        self.key = source.key
        self.language = self.article.article.language
        self.mapped = MappedGraphs()
        self.origin_file = collection.relative_path(source.document.source)
        self.provenance = self.mapped.graph(iris.article_graph(self.key))
        self.article_iri = iris.article(self.key)
        # An article names the same few entities over and over (claimant, voice, places).
        self._resolved: dict[tuple[str, tuple[str, ...]], tuple[EntityId, URIRef]] = {}

    # -- helpers ---------------------------------------------------------------------------
    def _origin(self, node: Node, path: tuple[str | int, ...]) -> None:
        if node not in self.mapped.origins:
            self.mapped.origins[node] = Origin(self.origin_file, pointer_of(path))

    def _entity(self, text: str, *kinds: str) -> URIRef:
        return self._resolve(text, kinds)[1]

    def _entity_id(self, text: str, *kinds: str) -> EntityId:
        return self._resolve(text, kinds)[0]

    def _resolve(self, text: str, kinds: tuple[str, ...]) -> tuple[EntityId, URIRef]:
        found = self._resolved.get((text, kinds))
        if found is None:
            entity_id = self.source.index.resolve(text, kinds)
            found = self._resolved[(text, kinds)] = (entity_id, self.iris.entity(entity_id))
        return found

    def _texts(self, subject: Node, predicate: URIRef, text: LangText, graph: TripleSet) -> None:
        items = text.items() if isinstance(text, dict) else [(self.language, text)]
        for language, value in items:
            graph.add((subject, predicate, Literal(value, lang=language)))

    def _date(self, subject: Node, predicate: URIRef, date: DateSpec, graph: TripleSet) -> None:
        precision = date.effective_precision
        graph.add((subject, predicate, typed_date(date.value, precision)))
        graph.add((subject, KG.timePrecision, concept("precision", precision)))
        if date.until:
            graph.add((subject, SEM.hasEndTimeStamp, typed_date(date.until, precision)))
        if date.expression:
            graph.add((subject, KG.timeExpression, Literal(date.expression, lang=self.language)))

    # -- assertions ------------------------------------------------------------------------
    def _map_event(
        self, graph: TripleSet, claim: URIRef, event: EventFacts, path: tuple[str | int, ...]
    ) -> None:
        subject = self._entity(event.event, "event")
        self._origin(subject, path)
        if event.type:
            graph.add((subject, KG.eventType, concept("event-type", event.type)))
        if event.date:
            self._date(subject, SEM.hasTimeStamp, event.date, graph)
        if event.place:
            graph.add((subject, SEM.hasPlace, self._entity(event.place, "place", "country")))
        if event.facility:
            graph.add((subject, KG.atFacility, self._entity(event.facility, "facility")))
        if event.place_detail:
            self._texts(subject, KG.placeDetail, event.place_detail, graph)
        if event.sub_event_of:
            graph.add((subject, SEM.subEventOf, self._entity(event.sub_event_of, "event")))
        event_key = self._entity_id(event.event, "event").key
        for number, participant in enumerate(event.participants, start=1):
            node = self.iris.part(claim, f"participation-{event_key}-{number}")
            self._origin(node, (*path, "participants", number - 1))
            agent = self._entity(participant.agent, "organization", "person")
            graph.add((subject, KG.participation, node))
            graph.add((node, RDF.type, KG.Participation))
            graph.add((node, KG.participant, agent))
            graph.add((node, KG.role, concept("role", participant.role)))
            if participant.descriptor:
                self._texts(node, KG.participantDescriptor, participant.descriptor, graph)
            if participant.role in ROLE_SHORTCUTS:
                graph.add((subject, ROLE_SHORTCUTS[participant.role], agent))

    def _map_count(
        self,
        graph: TripleSet,
        claimant: EntityId,
        count: Observation,
        path: tuple[str | int, ...],
        whole: URIRef | None = None,
    ) -> None:
        form = resolved_form(count, self.source.index)
        subject = self.iris.observation(
            self.key, content_digest(self.key, claimant.kind, claimant.key, form)
        )
        self._origin(subject, path)
        add = graph.add
        add((subject, RDF.type, KG.Observation))
        add((subject, SCHEMA.observationAbout, self._entity(count.about, *ENTITY_KINDS)))
        add((subject, KG.measure, concept("measure", count.measure)))
        add((subject, KG.valueQualifier, concept("qualifier", count.qualifier)))
        unit = count.unit or ("nationality" if count.measure == "nationalities" else "person")
        add((subject, SCHEMA.unitText, Literal(unit)))
        self._texts(subject, KG.rawText, count.raw, graph)
        bound = BOUNDING.get(count.qualifier)
        if count.value is not None and bound is not None:
            which, offset = bound
            add((subject, KG.boundValue, Literal(count.value)))
            predicate = SCHEMA.minValue if which == "min" else SCHEMA.maxValue
            add((subject, predicate, Literal(max(count.value + offset, 0))))
        elif count.value is not None:
            add((subject, SCHEMA.value, Literal(count.value)))
        if count.min is not None:
            add((subject, SCHEMA.minValue, Literal(count.min)))
        elif count.qualifier == "unknown-non-zero" and count.value is None:
            add((subject, SCHEMA.minValue, Literal(1)))
        if count.max is not None:
            add((subject, SCHEMA.maxValue, Literal(count.max)))
        if count.date:
            self._date(subject, SCHEMA.observationDate, count.date, graph)
        for text, predicate in ((count.scope, KG.scope), (count.population, KG.population)):
            if text:
                self._texts(subject, predicate, text, graph)
        if count.custodian:
            add((subject, KG.custodian, self._entity(count.custodian, "organization")))
        if count.affiliation:
            add((subject, KG.affiliation, self._entity(count.affiliation, "organization")))
        if count.nationality:
            add((subject, KG.nationality, self._entity(count.nationality, "country")))
        if whole is not None:
            add((subject, KG.breakdownOf, whole))
        for number, part in enumerate(count.breakdown):
            self._map_count(graph, claimant, part, (*path, "breakdown", number), subject)

    def _map_relation(self, graph: TripleSet, claim: URIRef, relation: RelationFact) -> None:
        subject = self._entity(relation.subject, *ENTITY_KINDS)
        target = self._entity(relation.object, *ENTITY_KINDS)
        graph.add((subject, RELATION_PREDICATES[relation.relation], target))
