"""Facts → triples. Pure and deterministic: no I/O, no clock, no blank nodes.

The triples are rdflib terms written into :class:`~kgpub.mapped_graphs.MappedGraphs`, one plain
triple set per named graph; an rdflib ``Dataset`` is made from them only on demand.

Graph layout (``docs/design.md``): the registry's entities in ``graph/entities``; each article's
metadata, mentions, local entities and claim metadata in ``graph/article/{key}``; what each
claim asserts in the named graph whose name is the claim's IRI.
"""

from __future__ import annotations

from rdflib import RDF, Literal, URIRef
from rdflib.term import Node

from kgpub.assertions import EventFacts, Observation, RelationFact
from kgpub.codes import ClaimStatus, Role
from kgpub.collection import ArticleSource, Collection
from kgpub.describe import describe_country, describe_entity, describe_replacements, typed_date
from kgpub.entities import ENTITY_KINDS, TABLE_OF_KIND, EntityId
from kgpub.field_types import DateSpec, LangText
from kgpub.iris import IriScheme, content_digest
from kgpub.mapped_graphs import MappedGraphs, Origin, TripleSet
from kgpub.model import Claim
from kgpub.references import iter_references, resolved_form
from kgpub.source_positions import pointer_of
from kgpub.vocab import KG, OA, SCHEMA, SEM, concept

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
CLAIM_LINKS = {
    "confirms": KG.corroborates,
    "denies": KG.contradicts,
    "reframes": KG.reframes,
    "supersedes": KG.supersedes,
}
AGENT_LINKS = {
    "confirmed_by": KG.confirmedBy,
    "not_confirmed_by": KG.notConfirmedBy,
    "denied_by": KG.deniedBy,
}
BOUNDING = {
    "at-least": ("min", 0),
    "more-than": ("min", 1),
    "at-most": ("max", 0),
    "less-than": ("max", -1),
    "nearly": ("max", 0),
}
"""Qualifiers whose printed number is a bound: which bound, and its offset from the number."""


def map_registry(collection: Collection, *, iris: IriScheme) -> MappedGraphs:
    """The entity graph: every registry entity, and every country any file refers to."""
    mapped = MappedGraphs()
    graph = mapped.graph(iris.entities_graph)
    document = collection.registry_document
    source = collection.relative_path(document.source if document else "registry.yaml")
    for entity_id, entity in collection.index.all_entities():
        subject = describe_entity(graph, entity_id, entity, index=collection.index, iris=iris)
        pointer = pointer_of((TABLE_OF_KIND[entity_id.kind], entity_id.key))
        mapped.origins.setdefault(subject, Origin(source, pointer))
    describe_replacements(graph, collection.index, iris=iris)
    for iso in sorted(collection.referenced_countries):
        describe_country(graph, iso, iris=iris)
    return mapped


def map_collection(collection: Collection, *, iris: IriScheme) -> MappedGraphs:
    """Every graph of a collection: entities, then each article."""
    mapped = map_registry(collection, iris=iris)
    for source in collection.articles:
        mapped.merge(map_article(source, collection, iris=iris))
    return mapped


def map_article(source: ArticleSource, collection: Collection, *, iris: IriScheme) -> MappedGraphs:
    """One article's graphs: its provenance graph and one graph per claim."""
    return _ArticleMapper(source, collection, iris).run()


class _ArticleMapper:
    def __init__(self, source: ArticleSource, collection: Collection, iris: IriScheme) -> None:
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

    def run(self) -> MappedGraphs:
        self._describe_article()
        for entity_id, entity in self.source.index.all_entities():
            subject = describe_entity(
                self.provenance, entity_id, entity, index=self.source.index, iris=self.iris
            )
            self._origin(subject, ("entities", TABLE_OF_KIND[entity_id.kind], entity_id.key))
        describe_replacements(self.provenance, self.source.index, iris=self.iris)
        statuses = self._derived_statuses()
        for number, claim in enumerate(self.article.claims):
            self._map_claim(number, claim, statuses.get(claim.key, ClaimStatus.REPORTED))
        return self.mapped

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

    def _claim_iri(self, reference: str) -> URIRef:
        article_key, _, _ = reference.rpartition("#")
        digest = self.collection.claim_digest(reference, from_article=self.key)
        return self.iris.claim(article_key or self.key, digest)

    # -- the article -----------------------------------------------------------------------
    def _describe_article(self) -> None:
        meta = self.article.article
        graph, subject = self.provenance, self.article_iri
        self._origin(subject, ("article",))
        graph.add((subject, RDF.type, KG.Article))
        graph.add((subject, SCHEMA.headline, Literal(meta.title, lang=meta.language)))
        graph.add((subject, SCHEMA.inLanguage, Literal(meta.language)))
        graph.add((subject, SCHEMA.publisher, self._entity(meta.publisher, "organization")))
        graph.add((subject, KG.sourceFile, Literal(self.origin_file)))
        if meta.url:
            graph.add((subject, SCHEMA.url, URIRef(str(meta.url))))
        if meta.agency:
            graph.add(
                (subject, SCHEMA.sourceOrganization, self._entity(meta.agency, "organization"))
            )
        if meta.published:
            date = DateSpec(value=meta.published)
            graph.add(
                (subject, SCHEMA.datePublished, typed_date(date.value, date.effective_precision))
            )
        if meta.retrieved:
            graph.add((subject, KG.retrievedOn, typed_date(meta.retrieved.isoformat(), "day")))
        if meta.translation_of:
            original = self.iris.part(subject, "original")
            graph.add((subject, SCHEMA.translationOfWork, original))
            graph.add((original, RDF.type, SCHEMA.NewsArticle))
            graph.add((original, SCHEMA.inLanguage, Literal(meta.translation_of.language)))
            if meta.translation_of.url:
                graph.add((original, SCHEMA.url, URIRef(str(meta.translation_of.url))))
            if meta.translation_of.title:
                title = Literal(meta.translation_of.title, lang=meta.translation_of.language)
                graph.add((original, SCHEMA.headline, title))
        for number, mention in enumerate(self.article.mentions, start=1):
            node = self.iris.part(subject, f"mention-{number}")
            entity = self._entity(mention.entity, *ENTITY_KINDS)
            self._origin(node, ("mentions", number - 1))
            graph.add((subject, KG.hasMention, node))
            graph.add((subject, SCHEMA.mentions, entity))
            graph.add((node, RDF.type, KG.Mention))
            graph.add((node, KG.denotes, entity))
            graph.add((node, KG.resolutionStatus, concept("resolution-status", mention.resolution)))
            for form in mention.forms:
                graph.add((node, KG.surfaceForm, Literal(form, lang=self.language)))

    def _derived_statuses(self) -> dict[str, ClaimStatus]:
        """Claim statuses implied by this article's own relations, where not given."""
        implied: dict[str, ClaimStatus] = {}
        by_strength = [
            ("supersedes", ClaimStatus.SUPERSEDED),
            ("denies", ClaimStatus.DISPUTED),
            ("reframes", ClaimStatus.UNCONFIRMED),
            ("confirms", ClaimStatus.CORROBORATED),
        ]
        for relation, status in reversed(by_strength):
            for claim in self.article.claims:
                for reference in getattr(claim, relation):
                    article_key, _, claim_key = reference.rpartition("#")
                    if article_key in ("", self.key):
                        implied[claim_key] = status
        for claim in self.article.claims:
            if claim.denied_by:
                implied[claim.key] = ClaimStatus.DISPUTED
            elif claim.not_confirmed_by:
                implied[claim.key] = ClaimStatus.UNCONFIRMED
            elif claim.confirmed_by and claim.key not in implied:
                implied[claim.key] = ClaimStatus.CORROBORATED
            if claim.status is not None:
                implied[claim.key] = claim.status
        return implied

    # -- claims ----------------------------------------------------------------------------
    def _map_claim(self, number: int, claim: Claim, status: ClaimStatus) -> None:
        path: tuple[str | int, ...] = ("claims", number)
        iri = self.iris.claim(self.key, self.source.claim_digests[claim.key])
        meta = self.provenance
        self._origin(iri, path)
        meta.add((iri, RDF.type, KG.Claim))
        meta.add((iri, KG.claimant, self._entity(claim.claimant, "organization", "person")))
        voice = self.article.article.agency or self.article.article.publisher
        meta.add((iri, KG.reportedBy, self._entity(voice, "organization")))
        meta.add((iri, SCHEMA.appearance, self.article_iri))
        meta.add((iri, KG.stance, concept("stance", claim.stance)))
        meta.add((iri, KG.certainty, concept("certainty", claim.certainty)))
        meta.add((iri, KG.claimStatus, concept("claim-status", status)))
        if claim.said_on:
            said_on = claim.said_on
            meta.add((iri, KG.statedOn, typed_date(said_on.value, said_on.effective_precision)))
        for _, text, kinds in iter_references(claim.asserts):
            meta.add((iri, KG.about, self._entity(text, *kinds)))
        for position, evidence in enumerate(claim.evidence, start=1):
            node = self.iris.part(iri, f"evidence-{position}")
            self._origin(node, (*path, "evidence", position - 1))
            meta.add((iri, KG.evidence, node))
            meta.add((node, RDF.type, KG.Evidence))
            meta.add((node, OA.hasSource, self.article_iri))
            if evidence.paragraph:
                meta.add((node, KG.paragraph, Literal(evidence.paragraph)))
            if evidence.quote:
                selector = self.iris.part(iri, f"quote-{position}")
                meta.add((node, OA.hasSelector, selector))
                meta.add((selector, RDF.type, OA.TextQuoteSelector))
                meta.add((selector, OA.exact, Literal(evidence.quote, lang=self.language)))
        for field_name, predicate in CLAIM_LINKS.items():
            for reference in getattr(claim, field_name):
                meta.add((iri, predicate, self._claim_iri(reference)))
        for field_name, predicate in AGENT_LINKS.items():
            for agent in getattr(claim, field_name):
                meta.add((iri, predicate, self._entity(agent, "organization", "person")))
        assertions = self.mapped.graph(iri)
        asserted_path = (*path, "asserts")
        for position, event in enumerate(claim.asserts.events):
            self._map_event(assertions, iri, event, (*asserted_path, "events", position))
        for position, count in enumerate(claim.asserts.counts):
            claimant = self._entity_id(claim.claimant, "organization", "person")
            self._map_count(assertions, claimant, count, (*asserted_path, "counts", position))
        for relation in claim.asserts.relations:
            self._map_relation(assertions, iri, relation)
            if relation.date:
                when = typed_date(relation.date.value, relation.date.effective_precision)
                meta.add((iri, SCHEMA.temporalCoverage, when))

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
