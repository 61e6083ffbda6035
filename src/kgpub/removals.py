"""IRIs an earlier build published and the current one does not, so the web app can say 410 Gone.

The build state (:mod:`kgpub.buildstate`) keeps two lists, each entry with the time of the build
that stopped publishing it:

- **removed articles**, by key. Every IRI of an article — the article, its claims and
  observations, the entities only it declares — is ``id/article/<key>`` or
  ``id/<kind>/<key>/…``, so the key says which IRIs went with it;
- **removed entity IRIs**: registry entries, countries and former keys (``replaces``) that the
  entity graph answered for before and no longer does, with the label they had.

Both come from what a build knows anyway: the plan's removed articles, and the entity graph it
maps again when the registry (or the set of countries) changed, compared with the entity IRIs
recorded last time. No build scans the published IRIs. An entry is forgotten when its IRI (or
its article's key) is published again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from kgpub.entities import ENTITY_KINDS, EntityId, EntityIndex, country_labels
from kgpub.entity_kinds import Country, Entity
from kgpub.iris import IriScheme

SCHEMA = """
CREATE TABLE IF NOT EXISTS answered_entities (iri TEXT PRIMARY KEY, label TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS removed_articles (
    key TEXT PRIMARY KEY, path TEXT NOT NULL, removed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS removed_entities (
    iri TEXT PRIMARY KEY, label TEXT NOT NULL, removed_at TEXT NOT NULL
);
"""
"""Tables of :class:`RemovalLog`, created with the rest of the build state."""

ARTICLE_SCOPED_KINDS = frozenset({"claim", "observation", *ENTITY_KINDS} - {"country"})
"""Kinds whose IRIs ``id/<kind>/<article-key>/…`` belong to one article."""


@dataclass(frozen=True)
class Removal:
    """An IRI that was published and is gone, and what is known about it."""

    iri: str
    removed_at: str
    """When the build that stopped publishing it was made (ISO 8601, UTC)."""
    label: str = ""
    """The entity's label when it was last published (entities only)."""
    article: str | None = None
    """The key of the removed article the IRI belonged to (article IRIs only)."""
    source_file: str = ""
    """That article's fact file, relative to the collection."""


class RemovalLog:
    """The removal lists inside one build state's database."""

    def __init__(self, db: sqlite3.Connection) -> None:
        """Use the lists in ``db`` (a build state, whose schema includes :data:`SCHEMA`)."""
        self.db = db

    # -- entities ----------------------------------------------------------------------------
    def answered_entities(self) -> dict[str, str]:
        """IRI → label of every entity IRI the published entity graph answers for."""
        with _tolerating_older_states():
            return dict(self.db.execute("SELECT iri, label FROM answered_entities"))
        return {}

    def update_entities(self, answered: Mapping[str, str]) -> dict[str, str]:
        """Record the entity IRIs a new entity graph answers for; return those that went.

        ``answered`` maps each IRI to its label. The result maps each IRI answered before and
        not now to the label it had; IRIs answered again leave the removed list here.
        """
        previous = self.answered_entities()
        self.db.execute("DELETE FROM answered_entities")
        self.db.executemany("INSERT INTO answered_entities VALUES (?, ?)", sorted(answered.items()))
        self.db.execute(
            "DELETE FROM removed_entities WHERE EXISTS "
            "(SELECT 1 FROM answered_entities WHERE answered_entities.iri = removed_entities.iri)"
        )
        return {iri: label for iri, label in previous.items() if iri not in answered}

    def record_entities(self, gone: Mapping[str, str], *, removed_at: str) -> None:
        """Record entity IRIs (→ their last label) as removed by the build made ``removed_at``."""
        self.db.executemany(
            "INSERT OR REPLACE INTO removed_entities VALUES (?, ?, ?)",
            ((iri, label, removed_at) for iri, label in sorted(gone.items())),
        )

    # -- articles ----------------------------------------------------------------------------
    def record_articles(self, gone: Mapping[str, str], *, removed_at: str) -> None:
        """Record articles (key → fact file) as removed, unless their key is published still.

        A file renamed or moved keeps its key: it is removed at one path and added at another,
        and its IRIs never went.
        """
        self.db.executemany(
            "INSERT OR REPLACE INTO removed_articles SELECT ?1, ?2, ?3 "
            "WHERE NOT EXISTS (SELECT 1 FROM articles WHERE key = ?1)",
            ((key, path, removed_at) for key, path in sorted(gone.items())),
        )

    def forget_republished_articles(self) -> None:
        """Drop removed articles whose key is published again (one indexed probe per entry)."""
        self.db.execute(
            "DELETE FROM removed_articles WHERE EXISTS "
            "(SELECT 1 FROM articles WHERE articles.key = removed_articles.key)"
        )

    # -- full builds -------------------------------------------------------------------------
    def carry_over(self, previous: RemovalLog, *, base_iri: str) -> None:
        """Start from the lists of the previous build (a full build starts from an empty state).

        Entity IRIs under another base IRI are left behind: after a change of base IRI the old
        IRIs are not served here at all.
        """
        with _tolerating_older_states():
            answered = previous.db.execute("SELECT iri, label FROM answered_entities")
            self.db.executemany(
                "INSERT OR REPLACE INTO answered_entities VALUES (?, ?)",
                (row for row in answered if row[0].startswith(base_iri)),
            )
            removed = previous.db.execute("SELECT iri, label, removed_at FROM removed_entities")
            self.db.executemany(
                "INSERT OR REPLACE INTO removed_entities VALUES (?, ?, ?)",
                (row for row in removed if row[0].startswith(base_iri)),
            )
            articles = previous.db.execute("SELECT key, path, removed_at FROM removed_articles")
            self.db.executemany(
                "INSERT OR REPLACE INTO removed_articles VALUES (?, ?, ?)", articles
            )

    # -- lookups -----------------------------------------------------------------------------
    def find(self, iri: str, *, base_iri: str) -> Removal | None:
        """What is recorded about a published IRI that is gone, or ``None``."""
        with _tolerating_older_states():
            row = self.db.execute(
                "SELECT label, removed_at FROM removed_entities WHERE iri = ?", (iri,)
            ).fetchone()
            if row is not None:
                return Removal(iri, removed_at=row[1], label=row[0])
            key = article_of(iri, base_iri=base_iri)
            if key is None:
                return None
            row = self.db.execute(
                "SELECT path, removed_at FROM removed_articles WHERE key = ?", (key,)
            ).fetchone()
            if row is not None:
                return Removal(iri, removed_at=row[1], article=key, source_file=row[0])
        return None


def answered_entity_iris(
    index: EntityIndex, countries: Iterable[str], *, iris: IriScheme
) -> dict[str, str]:
    """IRI → label of every IRI the entity graph answers for, from the registry's index.

    That is each entry, each country in ``countries`` (ISO codes) and each former key listed in
    ``replaces``, which answers with a redirect and is labelled as its survivor.
    """
    answered = {
        str(iris.entity(EntityId("country", iso))): country_labels(iso)["en"] for iso in countries
    }
    for entity_id, entity in index.all_entities():
        answered[str(iris.entity(entity_id))] = _label_of(entity)
    for former, survivor in index.replacements():
        survivor_entity = index.get(survivor)
        label = _label_of(survivor_entity) if survivor_entity is not None else survivor.key
        answered.setdefault(str(iris.entity(former)), label)
    return answered


def _label_of(entity: Entity | Country) -> str:
    labels = entity.labels
    if isinstance(entity, Country) and not labels:
        labels = country_labels(entity.iso)
    return labels.get("en") or next(iter(labels.values()), "")


def article_of(iri: str, *, base_iri: str) -> str | None:
    """The key of the article an IRI belongs to, if it is one of an article's own IRIs.

    >>> base = "https://kg.example.org/"
    >>> [article_of(base + path, base_iri=base) for path in ("id/claim/a1/0f3c", "id/article/a1")]
    ['a1', 'a1']
    >>> [article_of(base + path, base_iri=base) for path in ("id/event/a1/bomb#x", "id/event/sdf")]
    ['a1', None]
    """
    path = iri.removeprefix(f"{base_iri}id/")
    if path == iri:
        return None
    segments = path.partition("#")[0].split("/")
    if len(segments) == 2 and segments[0] == "article":
        return segments[1]
    if len(segments) == 3 and segments[0] in ARTICLE_SCOPED_KINDS:
        return segments[1]
    return None


@contextmanager
def _tolerating_older_states() -> Iterator[None]:
    # A state written before these tables existed has nothing removed to tell.
    try:
        yield
    except sqlite3.OperationalError as error:
        if "no such table" not in str(error):
            raise
