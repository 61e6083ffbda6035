"""The kinds of entity a fact file describes, and the tables that hold them by key.

Organizations, persons, places, countries, facilities and events are described the same way
wherever they are written: in the shared registry (:class:`kgpub.model.Registry`) or among the
entities only one article needs (``entities:`` of an article). Only their identity and slowly
changing facts are here (labels, aliases, containment, memberships, external identifiers);
what happened to them is what claims assert (:mod:`kgpub.assertions`).
"""

from __future__ import annotations

from pydantic import Field

from kgpub.codes import FacilityType, OrganizationKind, PlaceKind, ResolutionStatus, Role
from kgpub.field_types import (
    FacilityRef,
    Key,
    LanguageTag,
    OrganizationRef,
    PlaceRef,
    Strict,
    Text,
)


class Coordinates(Strict):
    """A WGS 84 point."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Entity(Strict):
    """What every entity has: labels in several languages, aliases, external identifiers."""

    labels: dict[LanguageTag, Text] = Field(
        min_length=1, description="One preferred label per language"
    )
    aliases: dict[LanguageTag, list[Text]] = Field(
        default_factory=dict, description="Acronyms, translations, other names, per language"
    )
    misspellings: dict[LanguageTag, list[Text]] = Field(
        default_factory=dict,
        description="Spellings seen in sources that are wrong; searchable, never displayed",
    )
    description: dict[LanguageTag, Text] = Field(default_factory=dict)
    wikidata: str | None = Field(default=None, pattern=r"^Q[1-9][0-9]*$")
    geonames: str | None = Field(default=None, pattern=r"^[1-9][0-9]*$")
    replaces: list[Key] = Field(
        default_factory=list,
        description="Keys of former entries of the same kind merged into this one. Their IRIs "
        "answer 301 to this entity's, and references to them resolve to it. A key listed here "
        "is no longer an entry, and is listed by one entity only.",
    )


class Organization(Entity):
    """An organization, group, unit, authority, coalition, agency or outlet."""

    kind: OrganizationKind | None = None
    part_of: OrganizationRef | None = None
    resolution: ResolutionStatus = Field(
        default=ResolutionStatus.RESOLVED,
        description="`unresolved` for a party the sources leave unidentified "
        '("Kurdish security forces"); `candidate` for a likely but unconfirmed identity',
    )


class Membership(Strict):
    """A person's role in an organization."""

    organization: OrganizationRef
    role: Role


class Person(Entity):
    """A named person: spokesperson, commander, official."""

    memberships: list[Membership] = Field(default_factory=list)


class Place(Entity):
    """A populated place, region or administrative division."""

    kind: PlaceKind
    contained_in: PlaceRef | None = None
    coordinates: Coordinates | None = None
    geonames_admin1: str | None = Field(default=None, pattern=r"^[A-Z]{2}\.[0-9A-Z]{2}$")


class Country(Strict):
    """A country, identified by its ISO 3166-1 alpha-2 code (labels default from ISO 3166)."""

    iso: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code, e.g. SY")
    labels: dict[LanguageTag, Text] = Field(default_factory=dict)
    aliases: dict[LanguageTag, list[Text]] = Field(default_factory=dict)
    misspellings: dict[LanguageTag, list[Text]] = Field(default_factory=dict)
    wikidata: str | None = Field(default=None, pattern=r"^Q[1-9][0-9]*$")
    geonames: str | None = Field(default=None, pattern=r"^[1-9][0-9]*$")


class Facility(Entity):
    """A prison, camp or building: a site with a type and a location."""

    type: FacilityType
    located_in: PlaceRef
    part_of: FacilityRef | None = None


class Event(Entity):
    """An event's identity. What happened, when, and who took part are claims, not here."""


class EntityTables(Strict):
    """Entities by kind, each keyed by its stable key."""

    organizations: dict[Key, Organization] = Field(default_factory=dict)
    persons: dict[Key, Person] = Field(default_factory=dict)
    places: dict[Key, Place] = Field(default_factory=dict)
    countries: dict[Key, Country] = Field(default_factory=dict)
    facilities: dict[Key, Facility] = Field(default_factory=dict)
    events: dict[Key, Event] = Field(default_factory=dict)
