"""The work a build does on a batch of articles: load, map, validate together, serialize.

It runs in worker processes (see :mod:`kgpub.build`): each loads the registry once, then takes
batches of fact files. Validating a batch at once costs far less than one pySHACL run per
article, and a batch is validated with just the context its articles point at — the
descriptions of the registry entities they name, and the type and claimant of other articles'
claims they link to — so results equal validating the whole collection, for a fraction of it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph
from rdflib import RDF, SH, Graph, URIRef
from rdflib.term import Node

from kgpub.article_records import ArticleRecord, Reference, registry_view
from kgpub.buildstate import BuildState
from kgpub.collection import ArticleSource, load_article
from kgpub.collection_checks import claim_references
from kgpub.describe import describe_country, describe_entity
from kgpub.entities import EntityId
from kgpub.errors import Problem
from kgpub.iris import IriScheme, content_digest
from kgpub.mapped_graphs import MappedGraphs, TripleSet
from kgpub.mapper import map_article
from kgpub.quads import nquads_of, oxigraph_term
from kgpub.references import iter_references
from kgpub.registry_cache import load_parsed_registry
from kgpub.screening import shipped_screen
from kgpub.validate import locate_results, validate_graph
from kgpub.vocab import KG

Triple = tuple[Node, Node, Node]
ClaimTable = dict[str, tuple[str, str]]
"""``article#claim`` → (digest, claimant IRI)."""


@dataclass(frozen=True)
class ClaimLink:
    """A link from one of an article's claims to a claim, and where it is written."""

    reference: str
    problem_at: Problem
    """A problem template at the link's file, line and field (its message is replaced)."""


@dataclass
class ArticleOutcome:
    """What became of one fact file."""

    path: str
    key: str | None = None
    record: ArticleRecord | None = None
    nquads: bytes = b""
    problems: list[Problem] = field(default_factory=list)
    links: list[ClaimLink] = field(default_factory=list)
    claims: dict[str, tuple[str, str]] = field(default_factory=dict)
    violations: int = 0
    key_at: Problem | None = None
    """A problem template at the article's key, for duplicate keys found across articles."""
    deferred: bool = False
    """Links to claims whose digests were not known yet: process again once they are."""


@dataclass(frozen=True)
class WorkerSetup:
    """What every worker needs to know, once."""

    root: Path
    base_iri: str
    environment: str
    state_dir: Path | None
    cache_dir: Path | None = None
    """Where compiled shapes are kept between builds (see :func:`shipped_screen`)."""


class ArticleWorker:
    """Loads the registry once, then maps and validates batches of articles."""

    def __init__(self, setup: WorkerSetup) -> None:
        self.setup = setup
        self.iris = IriScheme(setup.base_iri)
        # The parent reports the registry's problems; a registry with none is cached.
        parsed = load_parsed_registry(setup.root, [], cache=setup.cache_dir)
        self.registry, self.entity_digests = parsed.collection, parsed.entity_digests
        self._descriptions: dict[str, list[Triple]] = {}
        self._quads: dict[Triple, pyoxigraph.Quad] = {}
        self.state = BuildState(setup.state_dir, read_only=True) if setup.state_dir else None

    def close(self) -> None:
        """Let go of the state file (the parent turns it into a plain file at the end)."""
        if self.state is not None:
            self.state.close()
            self.state = None

    def process(self, paths: list[str], known_claims: ClaimTable) -> list[ArticleOutcome]:
        """Load, map and validate a batch; ``known_claims`` adds to what the state knows."""
        outcomes = [self._load_and_map(path, known_claims) for path in paths]
        mapped = [(outcome, work) for outcome, work in outcomes if work is not None]
        if mapped:
            self._validate(mapped)
        return [outcome for outcome, _ in outcomes]

    def _load_and_map(
        self, path: str, known_claims: ClaimTable
    ) -> tuple[ArticleOutcome, _Mapped | None]:
        outcome = ArticleOutcome(path)
        file = self.setup.root / path
        try:
            stat = file.stat()
        except OSError as error:
            outcome.problems.append(Problem(path, "", f"cannot read the file: {error}"))
            return outcome, None
        source = load_article(file, self.registry.index, outcome.problems)
        if source is None:
            return outcome, None
        article = source.article
        outcome.key = source.key
        outcome.key_at = source.document.problem("/article/key", "")
        outcome.claims = {
            claim.key: (
                source.claim_digests[claim.key],
                str(self.iris.entity(source.index.resolve(claim.claimant, CLAIMANT_KINDS))),
            )
            for claim in article.claims
        }
        outcome.links = [
            ClaimLink(reference, source.document.problem(pointer, ""))
            for pointer, reference in claim_references(article)
        ]
        foreign = self._foreign_claims(outcome, known_claims)
        if foreign is None:
            outcome.deferred = True
            return outcome, None
        digests = {reference: digest for reference, (digest, _) in foreign.items()}
        references: list[Reference] = [(t, k) for _, t, k in iter_references(article)]
        local = tuple((e.kind, e.key) for e, _ in source.index.all_entities())
        view = registry_view(self.registry.index, references, local, self.entity_digests)
        collection = replace(self.registry, articles=(source,), external_claims=digests)
        mapped = map_article(source, collection, iris=self.iris)
        outcome.nquads = nquads_of(mapped)
        outcome.record = ArticleRecord(
            path=path,
            key=source.key,
            mtime_ns=stat.st_mtime_ns,
            size=stat.st_size,
            sha256=source.sha256,
            inputs=article_inputs(source.sha256, view, digests, self.setup.environment),
            registry_view=view,
            quads=outcome.nquads.count(b"\n"),
            graphs=tuple(sorted(str(g.identifier) for g in mapped.graphs() if len(g))),
            claims=outcome.claims,
            references=tuple(sorted(set(references))),
            local_entities=local,
            foreign_claims=digests,
            countries=tuple(sorted(source.countries)),
        )
        context = self._context(source.referenced, foreign, source.countries)
        return outcome, _Mapped(source, mapped, context)

    def _foreign_claims(
        self, outcome: ArticleOutcome, known_claims: ClaimTable
    ) -> ClaimTable | None:
        """The claims of other articles this one links to, or ``None`` if one is unknown yet."""
        found: ClaimTable = {}
        for link in outcome.links:
            article_key, _, claim_key = link.reference.rpartition("#")
            if not article_key or article_key == outcome.key:
                continue
            full = f"{article_key}#{claim_key}"
            if full in known_claims:
                found[full] = known_claims[full]
                continue
            record = self.state.record_of_key(article_key) if self.state else None
            if record is None or claim_key not in record.claims:
                return None
            found[full] = record.claims[claim_key]
        return found

    def _context(
        self, entities: Iterable[EntityId], foreign: ClaimTable, countries: frozenset[str]
    ) -> set[Triple]:
        """What the batch's articles point at, so shapes that follow links can check them."""
        context: set[Triple] = set()
        wanted = [e for e in entities if e.scope is None]
        seen: set[EntityId] = set()
        while wanted:
            entity_id = wanted.pop()
            if entity_id in seen:
                continue
            seen.add(entity_id)
            for triple in self._description(entity_id):
                context.add(triple)
                target = self._registry_entity(triple[2])
                if target is not None:
                    wanted.append(target)
        seen_countries = {e.key for e in seen if e.kind == "country"}
        for iso in countries | seen_countries:
            context.update(self._country(iso))
        for reference, (digest, claimant) in foreign.items():
            claim = self.iris.claim(reference.rpartition("#")[0], digest)
            context.add((claim, RDF.type, KG.Claim))
            context.add((claim, KG.claimant, URIRef(claimant)))
        return context

    def _description(self, entity_id: EntityId) -> list[Triple]:
        """A registry entity's triples, as the entity graph publishes them (made once)."""
        key = f"{entity_id.kind}/{entity_id.key}"
        if key not in self._descriptions:
            graph = TripleSet(self.iris.entities_graph)
            entity = self.registry.index.get(entity_id)
            if entity is not None:
                describe_entity(graph, entity_id, entity, index=self.registry.index, iris=self.iris)
            self._descriptions[key] = list(graph)
        return self._descriptions[key]

    def _country(self, iso: str) -> list[Triple]:
        """A country's triples, named by its ISO code alone (made once)."""
        key = f"country-code/{iso}"
        if key not in self._descriptions:
            graph = TripleSet(self.iris.entities_graph)
            describe_country(graph, iso, iris=self.iris)
            self._descriptions[key] = list(graph)
        return self._descriptions[key]

    def _registry_entity(self, node: Node) -> EntityId | None:
        """The registry entity an IRI names, if it names one (``#`` parts are its own)."""
        prefix = f"{self.iris.base}id/"
        if not isinstance(node, URIRef) or not str(node).startswith(prefix) or "#" in node:
            return None
        kind, _, key = str(node)[len(prefix) :].partition("/")
        entity_id = EntityId(kind, key)
        if kind == "country":  # named by ISO code, without needing a registry entry
            return entity_id
        return entity_id if self.registry.index.get(entity_id) is not None else None

    def _quad(self, triple: Triple) -> pyoxigraph.Quad:
        """A context triple as an Oxigraph quad, converted once per worker."""
        found = self._quads.get(triple)
        if found is None:
            found = pyoxigraph.Quad(*(oxigraph_term(term) for term in triple))
            self._quads[triple] = found
        return found

    def _validate(self, batch: list[tuple[ArticleOutcome, _Mapped]]) -> None:
        around = set().union(*(work.context for _, work in batch))
        context = (self._quad(triple) for triple in around)
        screen = shipped_screen(self.setup.cache_dir)
        screened = screen.screen([outcome.nquads for outcome, _ in batch], context)
        if screened is not None and screened.conforms:
            return
        # One graph of every article's triples (pySHACL's input) and their origins; the
        # articles' named graphs are not merged into another mapping first.
        data = Graph()
        together = MappedGraphs()
        for _, work in batch:
            for graph in work.mapped.graphs():
                for triple in graph:
                    data.add(triple)
            for node, origin in work.mapped.origins.items():
                together.origins.setdefault(node, origin)
        owned: set[Node] = set(data.subjects())
        for _, work in batch:
            for triple in work.context:
                data.add(triple)
        report = validate_graph(data, inplace=True, screen=False)
        report = replace(report, results=tuple(r for r in report.results if r.focus in owned))
        collection = replace(self.registry, articles=tuple(work.source for _, work in batch))
        outcomes = {outcome.path: outcome for outcome, _ in batch}
        located = locate_results(report, together, collection)
        for result, problem in zip(report.results, located, strict=True):
            owner = outcomes.get(collection.relative_path(problem.source))
            for outcome in [owner] if owner else outcomes.values():
                outcome.problems.append(problem)
                outcome.violations += result.severity == SH.Violation


@dataclass(frozen=True)
class _Mapped:
    source: ArticleSource
    mapped: MappedGraphs
    context: set[Triple]


CLAIMANT_KINDS = ("organization", "person")


def article_inputs(sha256: str, view: str, foreign: dict[str, str], environment: str) -> str:
    """The digest of every input of an article's triples (see :mod:`kgpub.buildstate`)."""
    return content_digest(sha256, view, sorted(foreign.items()), environment)


def environment_digest(base_iri: str, version: str, resources: str) -> str:
    """What every article's triples depend on: kgpub, the base IRI, ontology and shapes."""
    return hashlib.sha256(f"{version}\0{base_iri}\0{resources}".encode()).hexdigest()[:16]
