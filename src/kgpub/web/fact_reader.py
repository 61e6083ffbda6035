"""Reading an entity's neighbourhood from the store in the reader's language.

Labels are chosen by language preference, values are labelled where a label exists, and each
claim's source — claimant, article, publisher, date, stance, certainty, status and evidence —
is read once from its article graph and kept. Labels are kept for the whole build when the
page carries its build's :class:`~kgpub.web.build_labels.BuildLabels`. Lookups go through the
page's :class:`~kgpub.web.page_quads.PageQuads`, so what the page's document already read is
not read again, and small nodes (a claim, its evidence, a participation) are read whole in one
scan. Used by :mod:`kgpub.web.entity_facts`, :mod:`kgpub.web.article_facts` and the
vocabulary pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, partial

import pyoxigraph
from rdflib.namespace import RDF, RDFS, SKOS

from kgpub.vocab import KG, OA, PREFIXES, SCHEMA
from kgpub.web.page_quads import PageQuads

Graph = pyoxigraph.NamedNode | None
"""A claim's graph to read in, or ``None`` for any graph."""
INVERSE_LIMIT = 50
"""Subjects listed per inverse property; the rest are counted, not listed."""


@cache  # readers name the same few properties (rdflib terms) for every value they read
def _node(iri: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(str(iri))


LABEL_PROPERTIES = tuple(_node(p) for p in (SKOS.prefLabel, RDFS.label, SCHEMA.headline))
ALIAS = _node(SKOS.altLabel)
TYPE = _node(RDF.type)
HEADER_PROPERTIES = {*LABEL_PROPERTIES, ALIAS, _node(SKOS.hiddenLabel), TYPE}
"""Shown in the page header (or, for misspellings, deliberately never shown as a name)."""
CLAIM = _node(KG.Claim)
ORGANIZATION = _node(KG.Organization)
ABOUT = _node(SCHEMA.observationAbout)
CUSTODIAN = _node(KG.custodian)


@dataclass(frozen=True)
class Value:
    """One RDF term as shown: its label, and its IRI when it is one (to link)."""

    label: str
    iri: str | None = None
    detail: str = ""
    """Words that complete it, e.g. a participant's role and how the article describes them."""


@dataclass(frozen=True)
class Source:
    """Who says a fact, and where: one claim's metadata."""

    claim: str
    claimant: Value | None
    article: Value | None
    publisher: Value | None
    published: str
    stance: str
    stance_code: str
    certainty: str
    status: str
    quotes: tuple[str, ...]
    not_confirmed_by: tuple[Value, ...]
    denied_by: tuple[Value, ...]

    @property
    def disputes(self) -> bool:
        """Whether this claim denies or reframes what it is about."""
        return self.stance_code in ("denies", "reframes")


class FactReader:
    """Reads one page's facts, remembering the labels and sources it has looked up."""

    def __init__(self, database: pyoxigraph.Store | PageQuads, languages: Sequence[str]) -> None:
        self.database = PageQuads.of(database)
        self.languages = languages
        self._language_key = tuple(languages)
        self._labels: dict[pyoxigraph.NamedNode, str] = {}
        self._sources: dict[pyoxigraph.NamedNode, Source] = {}

    def objects(
        self, subject: pyoxigraph.NamedNode, predicate: object, graph: Graph = None
    ) -> list[object]:
        """The distinct objects of ``subject predicate`` (in ``graph`` if given)."""
        if not isinstance(predicate, pyoxigraph.NamedNode):
            predicate = _node(predicate)  # an rdflib term from kgpub.vocab
        return sorted(self.database.objects(subject, predicate, graph), key=str)

    def iris(
        self, subject: pyoxigraph.NamedNode, predicate: object, graph: Graph = None
    ) -> list[pyoxigraph.NamedNode]:
        """The IRIs among those objects."""
        found = self.objects(subject, predicate, graph)
        return [term for term in found if isinstance(term, pyoxigraph.NamedNode)]

    def text(self, subject: pyoxigraph.NamedNode, predicate: object, graph: Graph = None) -> str:
        """The literal object in the reader's best language, or ``""``."""
        found = self.objects(subject, predicate, graph)
        literals = [term for term in found if isinstance(term, pyoxigraph.Literal)]
        return choose_text(literals, self.languages)

    def label(self, iri: pyoxigraph.NamedNode) -> str:
        """An IRI's label in the reader's best language (its short form if unlabelled)."""
        if iri not in self._labels:
            kept = self.database.build_labels
            if kept is None:
                self._labels[iri] = self._read_label(iri)
            else:
                read = partial(self._read_label, iri)
                self._labels[iri] = kept.label(iri, self._language_key, read)
        return self._labels[iri]

    def _read_label(self, iri: pyoxigraph.NamedNode) -> str:
        literals = [
            term
            for predicate in LABEL_PROPERTIES
            for term in self.database.objects(iri, predicate)
            if isinstance(term, pyoxigraph.Literal)
        ]
        return choose_text(literals, self.languages) or _compact(iri.value)

    def value(self, term: object, graph: Graph = None) -> Value:
        """A term as a :class:`Value`: labelled, linked where it is an IRI."""
        if isinstance(term, pyoxigraph.NamedNode):
            return Value(self.label(term), term.value, self._participation(term, graph))
        if isinstance(term, pyoxigraph.Literal):
            return Value(term.value)
        return Value(str(term))

    def _participation(self, node: pyoxigraph.NamedNode, graph: Graph) -> str:
        """Who took part and in which role, for a participation node (a part of its claim)."""
        if graph is None or "#participation" not in node.value:
            return ""
        self.database.about(node)  # a participation has a few statements: read them at once
        agents = [self.label(agent) for agent in self.iris(node, KG.participant, graph)]
        roles = [self.label(role) for role in self.iris(node, KG.role, graph)]
        words = ", ".join([*agents, *roles])
        descriptor = self.text(node, KG.participantDescriptor, graph)
        return f"{words} (“{descriptor}”)" if descriptor else words

    def first(self, subject: pyoxigraph.NamedNode, predicate: object) -> Value | None:
        """The first object of ``subject predicate`` as a value, if any."""
        found = self.objects(subject, predicate)
        return self.value(found[0]) if found else None

    def source(self, claim: pyoxigraph.NamedNode) -> Source:
        """Who made a claim, where and how sure (read once per claim)."""
        if claim not in self._sources:
            self._sources[claim] = self._read_source(claim)
        return self._sources[claim]

    def _read_source(self, claim: pyoxigraph.NamedNode) -> Source:
        self.database.about(claim)  # a dozen of its properties are shown: one scan for all
        articles = self.iris(claim, SCHEMA.appearance)
        article = articles[0] if articles else None
        stances = self.iris(claim, KG.stance)
        quotes = [
            self.text(selector, OA.exact)
            for evidence in self.iris(claim, KG.evidence)
            for selector in self.iris(evidence, OA.hasSelector)
        ]
        return Source(
            claim=claim.value,
            claimant=self.first(claim, KG.claimant),
            article=self.value(article) if article else None,
            publisher=self.first(article, SCHEMA.publisher) if article else None,
            published=self.text(article, SCHEMA.datePublished) if article else "",
            stance=self.label(stances[0]) if stances else "",
            stance_code=stances[0].value.rsplit("/", 1)[-1] if stances else "",
            certainty=", ".join(self.label(c) for c in self.iris(claim, KG.certainty)),
            status=", ".join(self.label(c) for c in self.iris(claim, KG.claimStatus)),
            quotes=tuple(quote for quote in quotes if quote),
            not_confirmed_by=tuple(self.value(o) for o in self.iris(claim, KG.notConfirmedBy)),
            denied_by=tuple(self.value(o) for o in self.iris(claim, KG.deniedBy)),
        )


def _compact(iri: str) -> str:
    """``sem:subEventOf`` for an unlabelled term of a known vocabulary, else the IRI."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri.removeprefix(namespace)}"
    return iri


def choose_text(literals: Sequence[pyoxigraph.Literal], languages: Sequence[str]) -> str:
    """The literal in the first language of ``languages`` that has one, else any, else ``""``.

    A language matches its regional variants both ways (``fr`` matches ``fr-CH``). Untagged
    literals come next, then the alphabetically first, so the choice is stable.

    >>> en, fr = pyoxigraph.Literal("prison", language="en"), pyoxigraph.Literal("prison de G", language="fr")
    >>> choose_text([en, fr], ["fr-CH", "en"])
    'prison de G'
    """  # noqa: E501 - a doctest line
    for wanted in languages:
        primary = wanted.lower().split("-")[0]
        for literal in sorted(literals, key=str):
            tag = (literal.language or "").lower()
            if tag and (tag == wanted.lower() or tag.split("-")[0] == primary):
                return literal.value
    plain = sorted(literal.value for literal in literals if not literal.language)
    return plain[0] if plain else min((lit.value for lit in literals), default="")
