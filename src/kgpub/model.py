"""The fact-file model: what an editor writes about one article, and the shared entity registry.

Plain pydantic models, frozen and strict (unknown keys are errors). They import no RDF library:
turning them into triples is :mod:`kgpub.mapper`'s job. ``docs/fact-files.md`` explains every
field with the seed article as the example, and ``docs/schema/*.json`` is generated from here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from kgpub.codes import (
    Certainty,
    ClaimStatus,
    EventType,
    FacilityType,
    Measure,
    OrganizationKind,
    PlaceKind,
    Precision,
    Qualifier,
    Relation,
    ResolutionStatus,
    Role,
    Stance,
)

KEY_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$"

Key = Annotated[
    str,
    Field(
        pattern=KEY_PATTERN,
        description="A stable key: lower-case letters, digits and inner hyphens, chosen once "
        "and never reused. It becomes part of the entity's IRI; labels may change, keys not.",
    ),
]
LanguageTag = Annotated[
    str, Field(pattern=LANGUAGE_PATTERN, description="A BCP 47 language tag: en, fr, ar, ku…")
]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
LangText = Annotated[
    Text | dict[LanguageTag, Text],
    Field(
        description="Text in the article's language, or a map of language tag to text "
        "(``{en: prison entrance, fr: entrée de la prison}``)."
    ),
]
Count = Annotated[int, Field(ge=0, le=10**12)]


@dataclass(frozen=True)
class RefTo:
    """Marks a string field as a reference to an entity of one of ``kinds``.

    A reference is an entity key, or any label, alias or misspelling of exactly one entity
    of those kinds (compared case-insensitively). Countries may also be named by ISO 3166
    code, name or demonym ("French").
    """

    kinds: tuple[str, ...]


_REFERENCE = Field(min_length=1, max_length=300)

OrganizationRef = Annotated[
    str,
    _REFERENCE,
    RefTo(("organization",)),
    Field(description="Key, label or alias of an organization"),
]
AgentRef = Annotated[
    str,
    _REFERENCE,
    RefTo(("organization", "person")),
    Field(description="Key, label or alias of an organization or person"),
]
PlaceRef = Annotated[
    str,
    _REFERENCE,
    RefTo(("place", "country")),
    Field(description="Key, label or alias of a place or country"),
]
CountryRef = Annotated[
    str,
    _REFERENCE,
    RefTo(("country",)),
    Field(description="Key, label or alias of a country (key, ISO code, name or demonym)"),
]
FacilityRef = Annotated[
    str, _REFERENCE, RefTo(("facility",)), Field(description="Key, label or alias of a facility")
]
EventRef = Annotated[
    str, _REFERENCE, RefTo(("event",)), Field(description="Key, label or alias of an event")
]
AnyEntityRef = Annotated[
    str,
    _REFERENCE,
    RefTo(("organization", "person", "place", "country", "facility", "event")),
    Field(description="Key, label or alias of any entity"),
]

ClaimRef = Annotated[
    str,
    Field(
        pattern=r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?#)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$",
        description="A claim of this article by key, or of another one as ``article#claim``.",
    ),
]

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class Strict(BaseModel):
    """Base of every fact-file model: frozen, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def precision_of(value: str) -> Precision:
    """The precision a partial ISO date is written at.

    >>> precision_of("2022-01"), precision_of("2022-01-20")
    (<Precision.MONTH: 'month'>, <Precision.DAY: 'day'>)
    """
    return {1: Precision.YEAR, 2: Precision.MONTH, 3: Precision.DAY}[value.count("-") + 1]


def _check_partial_date(value: object) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
    match = _PARTIAL_DATE.match(text)
    if not match:
        raise ValueError(
            f"{text!r} is not a date; write YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2022-01-20)"
        )
    year, month, day = match.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as problem:
        raise ValueError(f"{text!r} is not a real date ({problem})") from None
    return text


class DateSpec(Strict):
    """When something happened or held, at the precision the source gives.

    Written either as a bare date (``2022-01-20``, ``2022-01``, ``2022``) or as a mapping that
    also keeps the article's own wording (``expression: Thursday January 20``).
    """

    value: str = Field(description="YYYY-MM-DD, YYYY-MM or YYYY")
    precision: Precision | None = Field(
        default=None, description="day, month or year; defaults to the precision of `value`"
    )
    expression: Text | None = Field(
        default=None, description='The time expression as printed ("Thursday", "in 2019")'
    )
    until: str | None = Field(
        default=None, description="End of a period (YYYY-MM-DD, YYYY-MM or YYYY), if any"
    )

    @model_validator(mode="before")
    @classmethod
    def _accept_bare_dates(cls, data: object) -> object:
        if isinstance(data, str | int | dt.date):
            return {"value": data}
        return data

    @field_validator("value", "until", mode="before")
    @classmethod
    def _valid_partial_date(cls, value: object) -> str | None:
        return None if value is None else _check_partial_date(value)

    @model_validator(mode="after")
    def _precision_matches_value(self) -> DateSpec:
        written = precision_of(self.value)
        order = [Precision.YEAR, Precision.MONTH, Precision.DAY]
        if self.precision is not None and order.index(self.precision) > order.index(written):
            raise ValueError(
                f"precision {self.precision.value!r} is finer than the date {self.value!r}; "
                f"give the full date or use precision {written.value!r}"
            )
        if self.until is not None and self.until < self.value:
            raise ValueError(f"until {self.until!r} is before {self.value!r}")
        return self

    @property
    def effective_precision(self) -> Precision:
        """The declared precision, or the one the value is written at."""
        return self.precision or precision_of(self.value)


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


class Registry(EntityTables):
    """The entity registry shared by all articles of a collection (``registry.yaml``)."""


class TranslationOf(Strict):
    """The original an article was translated from."""

    language: LanguageTag
    url: HttpUrl | None = None
    title: Text | None = None


class ArticleMetadata(Strict):
    """Bibliographic facts about the article itself."""

    key: Key
    url: HttpUrl | None = None
    title: Text
    language: LanguageTag
    publisher: OrganizationRef
    agency: OrganizationRef | None = Field(
        default=None, description="The news agency the story comes from (AFP, Reuters…)"
    )
    published: str | None = Field(
        default=None,
        description="Publication date, YYYY-MM-DD (or YYYY-MM / YYYY when only that is known)",
    )
    translation_of: TranslationOf | None = None
    retrieved: dt.date | None = None

    @field_validator("published", mode="before")
    @classmethod
    def _valid_publication_date(cls, value: object) -> str | None:
        return None if value is None else _check_partial_date(value)


class Mention(Strict):
    """The surface forms under which the article names one entity."""

    entity: AnyEntityRef
    forms: list[Text] = Field(min_length=1)
    resolution: ResolutionStatus = ResolutionStatus.RESOLVED


class Evidence(Strict):
    """Where in the article a claim is made: paragraph number and a short quote."""

    paragraph: int | None = Field(default=None, ge=1)
    quote: Text | None = Field(default=None, max_length=400)


class Participant(Strict):
    """An agent's part in an event."""

    agent: AgentRef
    role: Role
    descriptor: LangText | None = Field(
        default=None, description='How the source describes the agent ("sleeper cells")'
    )


class EventFacts(Strict):
    """What a claim says about one event."""

    event: EventRef
    type: EventType | None = None
    date: DateSpec | None = None
    place: PlaceRef | None = None
    facility: FacilityRef | None = None
    place_detail: LangText | None = Field(
        default=None, description='Where exactly, in words ("at the prison entrance")'
    )
    participants: list[Participant] = Field(default_factory=list)
    sub_event_of: EventRef | None = None


class Observation(Strict):
    """A count as the source gives it: number or bounds, qualifier, wording, scope."""

    measure: Measure
    about: AnyEntityRef = Field(description="The facility, event, place or custodian counted")
    scope: LangText | None = Field(
        default=None, description='What the figure covers ("all prisons under their control")'
    )
    custodian: OrganizationRef | None = None
    affiliation: OrganizationRef | None = Field(
        default=None, description="The group the counted people belong to (IS fighters…)"
    )
    population: LangText | None = Field(
        default=None, description='Who is counted, in words ("civilians", "guards")'
    )
    nationality: CountryRef | None = None
    value: Count | None = Field(default=None, description="The number printed")
    min: Count | None = None
    max: Count | None = None
    qualifier: Qualifier
    raw: LangText = Field(description='The figure as printed ("some 12,000 jihadists")')
    date: DateSpec | None = Field(default=None, description="The time the figure describes")
    unit: Text | None = Field(
        default=None,
        description="What is counted; default `person` (`nationality` for nationalities)",
    )
    breakdown: list[Observation] = Field(
        default_factory=list, description="Parts of this figure (by nationality, by group…)"
    )


class RelationFact(Strict):
    """A sourced relation between two entities, valid at a time (``guarded-by``…)."""

    subject: AnyEntityRef
    relation: Relation
    object: AnyEntityRef
    date: DateSpec | None = None


class Assertions(Strict):
    """Everything one claim asserts."""

    events: list[EventFacts] = Field(default_factory=list)
    counts: list[Observation] = Field(default_factory=list)
    relations: list[RelationFact] = Field(default_factory=list)

    @model_validator(mode="after")
    def _asserts_something(self) -> Assertions:
        if not (self.events or self.counts or self.relations):
            raise ValueError("a claim must assert at least one event, count or relation")
        return self


class Claim(Strict):
    """One thing the article reports, attributed to who said it."""

    key: Key
    claimant: AgentRef = Field(
        description="Who says it: the quoted source, or the agency/publisher for the reporter's "
        "own voice"
    )
    stance: Stance = Stance.AFFIRMS
    certainty: Certainty = Certainty.CERTAIN
    status: ClaimStatus | None = Field(
        default=None, description="Override; otherwise derived from the relations below"
    )
    said_on: DateSpec | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    asserts: Assertions
    confirms: list[ClaimRef] = Field(default_factory=list)
    denies: list[ClaimRef] = Field(default_factory=list)
    reframes: list[ClaimRef] = Field(default_factory=list)
    supersedes: list[ClaimRef] = Field(default_factory=list)
    confirmed_by: list[AgentRef] = Field(default_factory=list)
    not_confirmed_by: list[AgentRef] = Field(default_factory=list)
    denied_by: list[AgentRef] = Field(default_factory=list)

    @field_validator("evidence", mode="before")
    @classmethod
    def _accept_single_evidence(cls, value: object) -> object:
        return [value] if isinstance(value, dict) else value


class Article(Strict):
    """One article's fact file."""

    article: ArticleMetadata
    entities: EntityTables = Field(
        default_factory=EntityTables,
        description="Entities only this article needs; their IRIs are scoped to the article",
    )
    mentions: list[Mention] = Field(default_factory=list)
    claims: list[Claim] = Field(min_length=1)
