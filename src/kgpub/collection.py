"""A collection: one entity registry and the fact files of many articles, loaded and checked.

Loading checks everything that can be checked without RDF (syntax, fields, references,
duplicate keys, claim references across articles, cycles) and reports every problem of the
run together, each with file, line and field. The checks within one file are in
:mod:`kgpub.collection_checks`; those across files are here, once every file is loaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from kgpub.collection_checks import (
    claim_reference_problem,
    claim_references,
    country_problems,
    cycle_problems,
    duplicate_claim_problems,
    own_claim_link_problems,
    registry_problems,
    repeated_event_problems,
    same_claim_problems,
)
from kgpub.entities import TABLE_OF_KIND, EntityId, EntityIndex
from kgpub.errors import InputError, Problem
from kgpub.iris import content_digest
from kgpub.loader import ModelT, load_model, read_document
from kgpub.merges import replacement_problems
from kgpub.model import Article, Claim, Registry
from kgpub.references import resolve_all, resolved_form
from kgpub.source_positions import SourceDocument, pointer_of

REGISTRY_NAMES = ("registry.yaml", "registry.yml", "registry.json")
ARTICLES_FOLDER = "articles"
FACT_FILE_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class ArticleSource:
    """One article's fact file, validated, with where it came from."""

    article: Article
    document: SourceDocument
    sha256: str
    index: EntityIndex = field(repr=False)
    claim_digests: dict[str, str] = field(default_factory=dict, repr=False)
    referenced: frozenset[EntityId] = frozenset()
    """Every entity the article's references resolve to."""

    @property
    def countries(self) -> frozenset[str]:
        """ISO codes of the countries the article refers to (by any name)."""
        return _countries_in(self.referenced)

    @property
    def key(self) -> str:
        """The article's stable key."""
        return self.article.article.key


@dataclass(frozen=True)
class Collection:
    """A registry and its articles, every reference known to resolve."""

    root: Path
    registry: Registry
    registry_document: SourceDocument | None
    index: EntityIndex = field(repr=False)
    articles: tuple[ArticleSource, ...] = ()
    registry_countries: frozenset[str] = frozenset()
    """ISO codes of the countries the registry refers to."""
    external_claims: Mapping[str, str] = field(default_factory=dict, repr=False)
    """``article-key#claim-key`` → digest for claims of articles loaded elsewhere (a build
    works on a batch of articles at a time)."""

    @cached_property
    def _articles_by_key(self) -> dict[str, ArticleSource]:
        return {source.key: source for source in self.articles}

    def article(self, key: str) -> ArticleSource:
        """The article with this key."""
        return self._articles_by_key[key]

    @property
    def referenced_countries(self) -> frozenset[str]:
        """Every country any file of the collection refers to."""
        return self.registry_countries.union(*(source.countries for source in self.articles))

    def relative_path(self, source: str) -> str:
        """A file's path relative to the collection, as published (machine-independent)."""
        path = Path(source)
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def claim_digest(self, reference: str, *, from_article: str) -> str:
        """The digest of a claim named ``claim-key`` or ``article-key#claim-key``."""
        article_key, _, claim_key = reference.rpartition("#")
        article_key = article_key or from_article
        if article_key not in self._articles_by_key:
            return self.external_claims[f"{article_key}#{claim_key}"]
        return self.article(article_key).claim_digests[claim_key]


def find_collection_root(path: Path) -> Path:
    """The folder holding the registry, for a collection folder or a file inside one.

    :raises InputError: when no registry is found.
    """
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents):
        if any((folder / name).is_file() for name in REGISTRY_NAMES):
            return folder
    raise InputError(
        [
            Problem(
                str(path),
                "",
                f"no entity registry ({' or '.join(REGISTRY_NAMES)}) in this folder or above; "
                "create one next to the articles/ folder",
            )
        ]
    )


def fact_files(root: Path) -> list[Path]:
    """Every article fact file of a collection, in a stable order."""
    folder = root / ARTICLES_FOLDER
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in FACT_FILE_SUFFIXES and p.is_file())


def load_collection(path: Path) -> Collection:
    """Load and check a collection (a folder, or any file inside one).

    :raises InputError: with every problem found in every file; nothing is half-loaded.
    """
    root = find_collection_root(path)
    problems: list[Problem] = []
    base = load_registry(root, problems)
    articles = [
        source
        for file in fact_files(root)
        if (source := load_article(file, base.index, problems)) is not None
    ]
    problems.extend(_cross_article_problems(articles))
    if problems:
        raise InputError(problems)
    return Collection(
        root,
        base.registry,
        base.registry_document,
        base.index,
        tuple(articles),
        base.registry_countries,
    )


def registry_path(root: Path) -> Path:
    """The registry file of a collection root."""
    return next(root / n for n in REGISTRY_NAMES if (root / n).is_file())


def load_registry(root: Path, problems: list[Problem]) -> Collection:
    """A collection of the registry alone; its problems are appended to ``problems``."""
    registry, registry_document = _load(registry_path(root), Registry, problems)
    index = EntityIndex.of_registry(registry or Registry())
    registry_countries: frozenset[str] = frozenset()
    if registry is not None and registry_document is not None:
        resolved, failures = resolve_all(registry, index)
        registry_countries = _countries_in(resolved.values())
        problems.extend(registry_document.problem(pointer_of(p), m) for p, m in failures)
        problems.extend(registry_problems(registry, registry_document, index))
    return Collection(
        root, registry or Registry(), registry_document, index, (), registry_countries
    )


def _countries_in(entities: Iterable[EntityId]) -> frozenset[str]:
    return frozenset(e.key for e in entities if e.kind == "country" and e.scope is None)


def _load(
    file: Path, model: type[ModelT], problems: list[Problem]
) -> tuple[ModelT | None, SourceDocument | None]:
    try:
        document = read_document(file)
        return load_model(document, model), document
    except InputError as error:
        problems.extend(error.problems)
        return None, None


def load_article(
    file: Path, registry_index: EntityIndex, problems: list[Problem]
) -> ArticleSource | None:
    """One fact file, loaded and checked on its own; its problems go to ``problems``."""
    article, document = _load(file, Article, problems)
    if article is None or document is None:
        return None
    found: list[Problem] = []
    key = article.article.key
    index = registry_index.with_article_entities(article.entities, key)
    for entity_id, _ in index.all_entities():
        if entity_id.kind != "country" and registry_index.get(
            EntityId(entity_id.kind, entity_id.key)
        ):
            table = TABLE_OF_KIND[entity_id.kind]
            found.append(
                document.problem(
                    pointer_of(("entities", table, entity_id.key)),
                    f"{entity_id.kind} {entity_id.key!r} is already in the registry; "
                    "refer to it instead of declaring it again, or choose another key",
                )
            )
    resolved, failures = resolve_all(article, index)
    found.extend(document.problem(pointer_of(path), message) for path, message in failures)
    found.extend(country_problems(article.entities.countries, document, ("entities",)))
    found.extend(cycle_problems(index, document, ("entities",)))
    found.extend(replacement_problems(index, document, ("entities",)))
    found.extend(duplicate_claim_problems(article.claims, document))
    found.extend(own_claim_link_problems(article, document))
    found.extend(repeated_event_problems(resolved, document))
    problems.extend(found)
    if found:
        return None
    digests = {claim.key: _claim_digest(key, claim, index) for claim in article.claims}
    found.extend(same_claim_problems(article.claims, digests, document))
    if found:
        problems.extend(found)
        return None
    sha256 = hashlib.sha256(Path(document.source).read_bytes()).hexdigest()
    return ArticleSource(article, document, sha256, index, digests, frozenset(resolved.values()))


def _claim_digest(article_key: str, claim: Claim, index: EntityIndex) -> str:
    claimant = index.resolve(claim.claimant, ("organization", "person"))
    return content_digest(
        article_key, claimant.kind, claimant.key, claim.stance, resolved_form(claim.asserts, index)
    )


def _cross_article_problems(articles: list[ArticleSource]) -> Iterator[Problem]:
    by_key: dict[str, ArticleSource] = {}
    for source in articles:
        if source.key in by_key:
            yield source.document.problem(
                "/article/key",
                f"article key {source.key!r} is also used by {by_key[source.key].document.source}"
                "; every article needs its own key",
            )
        by_key.setdefault(source.key, source)
    claims_of = {key: source.claim_digests for key, source in by_key.items()}
    for source in articles:
        for pointer, reference in claim_references(source.article):
            message = claim_reference_problem(reference, source.key, claims_of)
            if message:
                yield source.document.problem(pointer, message)
