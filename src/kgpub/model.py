"""The fact-file model: what an editor writes about one article, and the shared entity registry.

Plain pydantic models, frozen and strict (unknown keys are errors). They import no RDF library:
turning them into triples is :mod:`kgpub.mapper`'s job. ``docs/fact-files.md`` explains every
field with the seed article as the example, and ``docs/schema/*.json`` is generated from the two
documents here, :class:`Article` and :class:`Registry`.

This module holds the documents and the provenance of each claim (the article, the names it
uses, who claims what and where it says so). What the parts are made of lives apart: the field
types in :mod:`kgpub.field_types`, the entities in :mod:`kgpub.entity_kinds`, and what a claim
asserts in :mod:`kgpub.assertions`.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field, HttpUrl, field_validator

from kgpub.assertions import Assertions
from kgpub.codes import Certainty, ClaimStatus, ResolutionStatus, Stance
from kgpub.entity_kinds import EntityTables
from kgpub.field_types import (
    AgentRef,
    AnyEntityRef,
    ClaimRef,
    DateSpec,
    Key,
    LanguageTag,
    OrganizationRef,
    Strict,
    Text,
    check_partial_date,
)


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
        return None if value is None else check_partial_date(value)


class Mention(Strict):
    """The surface forms under which the article names one entity."""

    entity: AnyEntityRef
    forms: list[Text] = Field(min_length=1)
    resolution: ResolutionStatus = ResolutionStatus.RESOLVED


class Evidence(Strict):
    """Where in the article a claim is made: paragraph number and a short quote."""

    paragraph: int | None = Field(default=None, ge=1)
    quote: Text | None = Field(default=None, max_length=400)


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
