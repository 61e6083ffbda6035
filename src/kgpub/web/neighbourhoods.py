"""What each page and document looks up, fetched from a remote server in a few queries.

Each function mirrors one reader — :func:`kgpub.web.entity_documents.read_document`, the
entity, article and claim pages (:mod:`kgpub.web.entity_facts`,
:mod:`kgpub.web.article_facts`, read through :class:`kgpub.web.fact_reader.FactReader`), the
ontology and code-list pages (:mod:`kgpub.web.ontology_terms`,
:mod:`kgpub.web.concept_facts`), the search index and an
article's graphs — and fetches every quad those lookups can return into an in-memory store
(:class:`kgpub.web.remote_quads.Neighbourhood`). Run on that store, the unchanged reader gives
exactly what it gives on the whole published store. A round is needed only where a lookup
depends on an earlier answer:

- a **document** takes one query, plus one per level of parts it holds (a claim's evidence,
  then the evidence's quotes: the closure fetches two levels per query);
- an **entity page**: its statements, those pointing at it and its own graph; then, in one
  query, its claims' sources (claimant, article, publisher, stance, evidence quotes), its
  counts, participations and every label shown;
- an **article or claim page**: the same first query; then each claim in full — its graph,
  its links to other claims both ways and their sources, its counts — in one more;
- the **vocabulary** (the ontology, code lists) is one query per build, kept by the caller;
  a code list's or concept's page adds one for how often the data uses its concepts.

The labels of every IRI a page shows are fetched with the round that finds the IRI, so no
label costs a round of its own. Nothing here imports Flask.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import pyoxigraph
from rdflib.namespace import SKOS

from kgpub.remote import RemoteStore
from kgpub.vocab import KG, OA, SCHEMA
from kgpub.web.article_facts import APPEARANCE, CLAIM_RELATIONS, OBSERVATION
from kgpub.web.concept_facts import USE_LIMIT
from kgpub.web.fact_reader import (
    ABOUT,
    CLAIM,
    CUSTODIAN,
    INVERSE_LIMIT,
    LABEL_PROPERTIES,
    TYPE,
)
from kgpub.web.remote_quads import (
    FETCH,
    LABELS,
    FragmentClosure,
    Neighbourhood,
    alternatives,
    fragment_of,
    graphs_of,
    objects_of,
    sparql_iri,
    subjects_of,
    through,
    values,
)
from kgpub.web.retired_iris import REPLACES
from kgpub.web.search_index import NAME_PROPERTIES, SEARCHED_TYPES
from kgpub.web.vocabulary_documents import VOCABULARY_GRAPH


def _node(term: object) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(str(term))


ARTICLE = _node(KG.Article)
EVIDENCE = _node(KG.evidence)
SELECTOR = _node(OA.hasSelector)
PUBLISHER = _node(SCHEMA.publisher)
HAS_MENTION = _node(KG.hasMention)
DENOTES = _node(KG.denotes)
ARTICLE_SOURCE = (*LABEL_PROPERTIES, PUBLISHER, _node(SCHEMA.datePublished))
"""What a claim's source shows of its article: headline, publisher, date."""
PARTICIPATION = "#participation"
"""How a participation node's IRI reads (:meth:`FactReader._participation` tests the same)."""
Start = Callable[[str], str]
"""Writes a pattern binding the variable it is given to each claim of a set."""


def presence(remote: RemoteStore, iri: pyoxigraph.NamedNode) -> pyoxigraph.Store:
    """Whether ``iri`` is described (one statement about it), and what replaces it."""
    n = Neighbourhood(remote)
    n.add(f"{{ SELECT ?s ?p ?o ?g WHERE {{ {values('s', [iri])} {FETCH} }} LIMIT 1 }}")
    n.point_at([iri], [REPLACES])
    n.fetch()
    return n.store


def document(remote: RemoteStore, iri: pyoxigraph.NamedNode) -> pyoxigraph.Store:
    """Everything the document of ``iri`` holds, and what replaces it (for a 301)."""
    n = Neighbourhood(remote)
    n.describe([iri])
    n.graphs([iri])
    n.point_at([iri], [REPLACES])
    n.add(f"{values('o', [iri])} {FETCH} {fragment_of('s', iri)}")
    n.fetch()
    closure = FragmentClosure(n, iri)
    while closure.queue_next():
        n.fetch()
    return n.store


def data_page(remote: RemoteStore, iri: pyoxigraph.NamedNode) -> pyoxigraph.Store:
    """Everything the page and the document of a data IRI read (an article, claim or entity)."""
    n = Neighbourhood(remote)
    n.describe([iri])
    n.point_at([iri])
    n.graphs([iri])
    n.fetch()
    own = n.quads(iri, None, None)
    types = objects_of(quad for quad in own if quad.predicate == TYPE)
    if ARTICLE in types:
        _article_page(n, iri, own)
    elif CLAIM in types:
        _claims_in_full(n, {iri})
    else:
        _entity_page(n, iri, own)
    closure = FragmentClosure(n, iri)
    while closure.queue_next():  # sent with the page's own second round
        n.fetch()
    n.fetch()
    return n.store


def _entity_page(n: Neighbourhood, iri: pyoxigraph.NamedNode, own: list[pyoxigraph.Quad]) -> None:
    """What :func:`kgpub.web.entity_facts.read_entity_facts` reads beyond the first round."""
    inverse = n.quads(None, None, iri)
    counted = [quad for quad in inverse if quad.predicate in (ABOUT, CUSTODIAN)]
    claims = graphs_of(own) | graphs_of(counted)
    if claims:
        _sources(n, lambda variable: values(variable, claims))
    parts = {node for node in objects_of(own) if PARTICIPATION in node.value}
    parts |= subjects_of(counted)
    if parts:
        n.describe(parts)
        n.add(f"{values('n', parts)} ?n ?q ?s . FILTER(isIRI(?s)) {FETCH} {LABELS}")
        n.add(f"{values('n', parts)} ?n {sparql_iri(ABOUT)} ?s . {FETCH} {through([TYPE])}")
    pointing: dict[pyoxigraph.NamedNode, set[pyoxigraph.NamedNode]] = defaultdict(set)
    for quad in inverse:
        if isinstance(quad.subject, pyoxigraph.NamedNode):
            pointing[quad.predicate].add(quad.subject)
    listed = {s for found in pointing.values() for s in sorted(found, key=str)[:INVERSE_LIMIT]}
    predicates = {quad.predicate for quad in (*own, *inverse)}
    n.label(objects_of(own) | predicates | listed)


def _article_page(n: Neighbourhood, iri: pyoxigraph.NamedNode, own: list[pyoxigraph.Quad]) -> None:
    """What :func:`kgpub.web.article_facts.read_article_facts` reads beyond the first round."""
    claims = subjects_of(n.quads(None, APPEARANCE, iri))
    if claims:
        _claims_in_full(n, claims)
    mentions = objects_of(quad for quad in own if quad.predicate == HAS_MENTION)
    if mentions:
        n.describe(mentions)
        n.add(f"{values('m', mentions)} ?m {sparql_iri(DENOTES)} ?s . {FETCH} {LABELS}")
    n.label(objects_of(own) | {quad.predicate for quad in own})


def _claims_in_full(n: Neighbourhood, claims: set[pyoxigraph.NamedNode]) -> None:
    """What :func:`kgpub.web.article_facts.read_claim` reads of each claim, in one round."""
    chosen = values("c", claims)
    links = alternatives(CLAIM_RELATIONS)
    _sources(n, lambda variable: values(variable, claims))
    _sources(n, lambda variable: f"{values('a', claims)} ?a {links} ?{variable} .")
    _sources(n, lambda variable: f"{values('a', claims)} ?{variable} {links} ?a .")
    n.graphs(claims)
    n.point_at(claims, CLAIM_RELATIONS)
    for position in ("?s ?x ?y", "?x ?s ?y", "?x ?y ?s"):  # the labels of what each graph says
        n.add(f"{chosen} GRAPH ?c {{ {position} }} FILTER(isIRI(?s)) {FETCH} {LABELS}")
    counted = f"{sparql_iri(TYPE)} {sparql_iri(OBSERVATION)}"
    counts = f"{chosen} GRAPH ?c {{ ?n {counted} }}"
    n.add(f"{chosen} GRAPH ?c {{ ?s {counted} }} {FETCH}")
    n.add(f"{counts} ?n ?q ?s . FILTER(isIRI(?s)) {FETCH} {LABELS}")
    n.add(f"{counts} ?n {sparql_iri(ABOUT)} ?s . {FETCH} {through([TYPE])}")
    n.label([CLAIM, *CLAIM_RELATIONS])


def _sources(n: Neighbourhood, start: Start) -> None:
    """What :meth:`kgpub.web.fact_reader.FactReader.source` reads of the claims ``start`` binds.

    The claim's own statements, its evidence and their quotes, its article's headline,
    publisher and date, the publisher's labels, and the labels of every value it has.
    """
    evidence = sparql_iri(EVIDENCE)
    appearance = sparql_iri(APPEARANCE)
    n.add(f"{start('s')} {FETCH}")
    n.add(f"{start('c')} ?c {evidence} ?s . {FETCH}")
    n.add(f"{start('c')} ?c {evidence}/{sparql_iri(SELECTOR)} ?s . {FETCH}")
    n.add(f"{start('c')} ?c {appearance} ?s . {FETCH} {through(ARTICLE_SOURCE)}")
    n.add(f"{start('c')} ?c {appearance}/{sparql_iri(PUBLISHER)} ?s . {FETCH} {LABELS}")
    n.add(f"{start('c')} ?c ?q ?s . FILTER(isIRI(?s)) {FETCH} {LABELS}")


def vocabulary(remote: RemoteStore) -> pyoxigraph.Store:
    """The vocabulary graph, with the labels and types of every IRI in it, from any graph.

    Every vocabulary document, and the ontology page, read nothing else.
    """
    n = Neighbourhood(remote)
    n.graphs([VOCABULARY_GRAPH])
    named = through((*LABEL_PROPERTIES, TYPE))
    for position in ("?s ?x ?y", "?x ?s ?y", "?x ?y ?s"):
        every = f"GRAPH {sparql_iri(VOCABULARY_GRAPH)} {{ {position} }} FILTER(isIRI(?s))"
        n.add(f"{{ SELECT DISTINCT ?s WHERE {{ {every} }} }} {FETCH} {named}")
    n.fetch()
    return n.store


def concept_page(
    remote: RemoteStore,
    vocabulary_store: pyoxigraph.Store,
    iri: pyoxigraph.NamedNode,
    *,
    is_scheme: bool,
) -> pyoxigraph.Store:
    """What the page of a concept, or of a code list, reads: the vocabulary and its uses.

    :func:`kgpub.web.concept_facts.count_uses` stops at :data:`USE_LIMIT` uses outside the
    vocabulary graph, so that many are fetched per concept at most.
    """
    n = Neighbourhood(remote)
    n.store.extend(vocabulary_store.quads_for_pattern(None, None, None, None))
    members = {iri}
    if is_scheme:
        top = n.quads(iri, _node(SKOS.hasTopConcept), None, VOCABULARY_GRAPH)
        listed = n.quads(None, _node(SKOS.inScheme), iri, VOCABULARY_GRAPH)
        members = objects_of(top) | subjects_of(listed)
    outside = f"FILTER(?g != {sparql_iri(VOCABULARY_GRAPH)})"
    for member in members:
        uses = f"{values('o', [member])} {FETCH} {outside}"
        n.add(f"{{ SELECT ?s ?p ?o ?g WHERE {{ {uses} }} LIMIT {USE_LIMIT} }}")
    n.fetch()
    predicates = {quad.predicate for member in members for quad in n.quads(None, None, member)}
    n.label(predicate for predicate in predicates if not _in_vocabulary(n, predicate))
    n.fetch()
    return n.store


def _in_vocabulary(n: Neighbourhood, node: pyoxigraph.NamedNode) -> bool:
    """Whether ``node`` is in the vocabulary graph, so its labels came with it."""
    graph = VOCABULARY_GRAPH
    return bool(
        n.quads(node, None, None, graph)
        or n.quads(None, node, None, graph)
        or n.quads(None, None, node, graph)
    )


def article_graphs(
    remote: RemoteStore, graph: pyoxigraph.NamedNode, claims: pyoxigraph.NamedNode
) -> pyoxigraph.Store:
    """An article's graph, and the graph of each claim it types under the IRI ``claims``."""
    n = Neighbourhood(remote)
    n.graphs([graph])
    typed = f"GRAPH {sparql_iri(graph)} {{ ?g {sparql_iri(TYPE)} {sparql_iri(CLAIM)} }}"
    n.add(f"{typed} FILTER(STRSTARTS(STR(?g), STR({sparql_iri(claims)}))) {FETCH}")
    n.fetch()
    return n.store


def searchable_names(remote: RemoteStore, namespace: pyoxigraph.NamedNode) -> pyoxigraph.Store:
    """The types and names :meth:`kgpub.web.search_index.SearchIndex.from_database` reads."""
    n = Neighbourhood(remote)
    types = [pyoxigraph.NamedNode(type_iri) for type_iri in SEARCHED_TYPES]
    published = f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), STR({sparql_iri(namespace)})))"
    names = through(predicate for predicate, _kind in NAME_PROPERTIES)
    n.add(f"{values('o', types)} {FETCH} {through([TYPE])} {published}")
    n.add(f"{values('t', types)} ?s {sparql_iri(TYPE)} ?t . {published} {FETCH} {names}")
    n.fetch()
    return n.store
