"""Facts → triples. Pure and deterministic: no I/O, no clock, no blank nodes.

The triples are rdflib terms written into :class:`~kgpub.mapped_graphs.MappedGraphs`, one plain
triple set per named graph; an rdflib ``Dataset`` is made from them only on demand.

Graph layout (``docs/design.md``): the registry's entities in ``graph/entities``; each article's
metadata, mentions, local entities and claim metadata in ``graph/article/{key}``; what each
claim asserts in the named graph whose name is the claim's IRI. This module writes the first
two; :mod:`kgpub.assertion_mapping` writes what claims assert.
"""

from __future__ import annotations

from rdflib import RDF, Literal, URIRef

from kgpub.assertion_mapping import AssertionMapper
from kgpub.codes import ClaimStatus
from kgpub.collection import ArticleSource, Collection
from kgpub.describe import describe_country, describe_entity, describe_replacements, typed_date
from kgpub.entities import ENTITY_KINDS, TABLE_OF_KIND
from kgpub.field_types import DateSpec
from kgpub.iris import IriScheme
from kgpub.mapped_graphs import MappedGraphs, Origin
from kgpub.model import Claim
from kgpub.references import iter_references
from kgpub.source_positions import pointer_of
from kgpub.vocab import KG, OA, SCHEMA, concept

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


class _ArticleMapper(AssertionMapper):
    """Maps one article: its provenance graph, and each claim's assertions into its own graph."""

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
