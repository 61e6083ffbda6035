"""Which entity a reference in a fact file denotes: by key, label, alias, misspelling or country.

Countries come from ISO 3166 (pycountry) and are also recognised by English demonym
(countryinfo), so "French detainees" needs no registry entry for France.
"""

from __future__ import annotations

import difflib
import gettext
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

import pycountry
from countryinfo import all_countries

from kgpub.entity_kinds import Country, Entity, EntityTables
from kgpub.errors import KgpubError
from kgpub.model import Registry

ENTITY_KINDS = ("organization", "person", "place", "country", "facility", "event")
TABLE_OF_KIND = {
    "organization": "organizations",
    "person": "persons",
    "place": "places",
    "country": "countries",
    "facility": "facilities",
    "event": "events",
}


@dataclass(frozen=True, order=True)
class EntityId:
    """An entity's identity: its kind, its key, and the article it is scoped to (if local).

    Countries are keyed by ISO 3166-1 alpha-2 code, whatever key the registry gives them.
    """

    kind: str
    key: str
    scope: str | None = None


NameTable = Literal["keys", "former_keys", "names"]
"""Which table of an :class:`EntityIndex` a reference is looked up in."""


class ReferenceProblem(KgpubError):
    """A reference that names no entity, or more than one; the message says how to fix it.

    Loading turns each into a :class:`~kgpub.errors.Problem` at the reference's line. One
    that escapes (a registry's reference, met again while describing the entity) is still a
    message for people, not a traceback.
    """


@dataclass
class EntityIndex:
    """Names → entities, for the registry plus (optionally) one article's local entities."""

    entities: dict[EntityId, Entity | Country] = field(default_factory=dict)
    names: dict[str, set[EntityId]] = field(default_factory=lambda: defaultdict(set))
    keys: dict[str, set[EntityId]] = field(default_factory=lambda: defaultdict(set))
    former_keys: dict[str, set[EntityId]] = field(default_factory=lambda: defaultdict(set))
    """Keys of entries merged into others (``replaces``) → the entities that replace them."""
    replaced: dict[EntityId, list[EntityId]] = field(default_factory=lambda: defaultdict(list))
    """A former entry → the entities listing it in ``replaces`` (one, in a valid registry)."""
    parent: EntityIndex | None = None

    @classmethod
    def of_registry(cls, registry: Registry) -> EntityIndex:
        """Index every entity of the registry."""
        index = cls()
        index._add_tables(registry, scope=None)
        return index

    def with_article_entities(self, tables: EntityTables, article_key: str) -> EntityIndex:
        """A child index that also knows one article's local entities."""
        child = EntityIndex(parent=self)
        child._add_tables(tables, scope=article_key)
        return child

    def _add_tables(self, tables: EntityTables, scope: str | None) -> None:
        for kind, table_name in TABLE_OF_KIND.items():
            table: dict[str, Entity | Country] = getattr(tables, table_name)
            for key, entity in table.items():
                entity_id = (
                    EntityId("country", entity.iso)
                    if isinstance(entity, Country)
                    else EntityId(kind, key, scope)
                )
                self.entities[entity_id] = entity
                self.keys[key.casefold()].add(entity_id)
                for name in names_of(entity):
                    self.names[name.casefold()].add(entity_id)
                for former in entity.replaces if isinstance(entity, Entity) else ():
                    self.former_keys[former.casefold()].add(entity_id)
                    self.replaced[EntityId(kind, former, scope)].append(entity_id)

    def get(self, entity_id: EntityId) -> Entity | Country | None:
        """The entity with this identity, if declared here or in a parent index."""
        found = self.entities.get(entity_id)
        if found is None and self.parent is not None:
            return self.parent.get(entity_id)
        return found

    def all_entities(self) -> Iterator[tuple[EntityId, Entity | Country]]:
        """Every entity declared at this level (not the parent's)."""
        return iter(sorted(self.entities.items(), key=lambda item: item[0]))

    def replacements(self) -> Iterator[tuple[EntityId, EntityId]]:
        """``(former entry, the entity replacing it)`` declared at this level, sorted."""
        for former, survivors in sorted(self.replaced.items()):
            for survivor in sorted(survivors):
                yield former, survivor

    def resolve(self, text: str, kinds: Iterable[str]) -> EntityId:
        """The one entity of one of ``kinds`` that ``text`` names.

        :raises ReferenceProblem: when none or several match.
        """
        wanted = tuple(kinds)
        folded = text.strip().casefold()
        by_key = self._key_matches(folded, wanted)
        if len(by_key) == 1:
            return next(iter(by_key))
        candidates = by_key or self._matches(folded, wanted, "names")
        if not candidates and "country" in wanted:
            iso = country_code(text)
            if iso is not None:
                return EntityId("country", iso)
        if len(candidates) == 1:
            return next(iter(candidates))
        if candidates:
            # A registry entity and an article's own (scope None and a key) sort by key alone.
            ordered = sorted(candidates, key=lambda c: (c.kind, c.key, c.scope or ""))
            listed = ", ".join(f"{c.kind} {c.key!r}" for c in ordered)
            raise ReferenceProblem(
                f"{text!r} is ambiguous: it names {listed}; write the key of the one you mean"
            )
        raise ReferenceProblem(self._unknown_message(text, wanted))

    def candidates(
        self, text: str, kinds: Iterable[str]
    ) -> tuple[frozenset[EntityId], frozenset[EntityId]]:
        """The entities whose key, and those whose label, alias or misspelling, is ``text``.

        What :meth:`resolve` decides from: equal candidates mean an equal resolution.
        """
        folded, wanted = text.strip().casefold(), tuple(kinds)
        return (
            frozenset(self._key_matches(folded, wanted)),
            frozenset(self._matches(folded, wanted, "names")),
        )

    def _key_matches(self, folded: str, kinds: tuple[str, ...]) -> set[EntityId]:
        # A current key wins over a former one, so merging never makes a key ambiguous.
        return self._matches(folded, kinds, "keys") or self._matches(folded, kinds, "former_keys")

    def _matches(self, folded: str, kinds: tuple[str, ...], table: NameTable) -> set[EntityId]:
        entries: dict[str, set[EntityId]] = getattr(self, table)
        found = {e for e in entries.get(folded, set()) if e.kind in kinds}
        if self.parent is not None:
            found |= self.parent._matches(folded, kinds, table)
        return found

    def _known_names(self, kinds: tuple[str, ...]) -> list[str]:
        names = [
            name
            for table in (self.keys, self.names)
            for name, ids in table.items()
            if any(e.kind in kinds for e in ids)
        ]
        return names + (self.parent._known_names(kinds) if self.parent else [])

    def _unknown_message(self, text: str, kinds: tuple[str, ...]) -> str:
        kinds_text = " or ".join(kinds)
        message = f"no {kinds_text} is called {text!r}"
        close = difflib.get_close_matches(text.casefold(), self._known_names(kinds), n=3)
        if close:
            message += f" (did you mean {', '.join(repr(c) for c in close)}?)"
        return message + "; add it to the registry or use an existing key, label or alias"


def names_of(entity: Entity | Country) -> Iterator[str]:
    """Every label, alias and misspelling of an entity, in any language."""
    yield from entity.labels.values()
    for group in (entity.aliases, entity.misspellings):
        for names in group.values():
            yield from names


def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code that a code, name or English demonym denotes.

    >>> country_code("French"), country_code("Syria"), country_code("IQ"), country_code("Xx")
    ('FR', 'SY', 'IQ', None)
    >>> country_code("Turkey"), country_code("Saudi")
    ('TR', 'SA')
    """
    cleaned = text.strip()
    known = NAMES_NOT_IN_ISO.get(cleaned.casefold()) or _demonyms().get(cleaned.casefold())
    if known:
        return known
    try:
        return str(pycountry.countries.lookup(cleaned).alpha_2)
    except LookupError:
        return None


NAMES_NOT_IN_ISO = {
    "turkey": "TR",  # ISO 3166 now says Türkiye; the news still says Turkey
    "saudi": "SA",
    "kazakh": "KZ",
    "tajik": "TJ",
    "bosnian": "BA",
    "burkinabe": "BF",
    "burkinabé": "BF",
}
"""Common English names and demonyms that neither ISO 3166 nor countryinfo know."""


@cache
def _demonyms() -> dict[str, str]:
    # Dependent territories share their sovereign's demonym ("French" is also Saint Pierre
    # and Miquelon's); in news text the word means the most populous of them.
    ranked = sorted(
        (info for info in all_countries() if info.demonym() and info.iso(2)),
        key=lambda info: info.population() or 0,
    )
    return {str(info.demonym()).casefold(): str(info.iso(2)) for info in ranked}


def country_labels(iso: str) -> dict[str, str]:
    """English and French names of a country from ISO 3166.

    >>> country_labels("SY")
    {'en': 'Syria', 'fr': 'Syrienne, République arabe'}
    """
    record = pycountry.countries.get(alpha_2=iso)
    if record is None:
        raise KeyError(f"{iso!r} is not an ISO 3166-1 alpha-2 code")
    english = str(getattr(record, "common_name", None) or record.name)
    french = _french().gettext(str(record.name))
    return {"en": english, "fr": french}


@cache
def _french() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)


def is_country_code(iso: str) -> bool:
    """Whether ``iso`` is an assigned ISO 3166-1 alpha-2 code."""
    return pycountry.countries.get(alpha_2=iso) is not None
