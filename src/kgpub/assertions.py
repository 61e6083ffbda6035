"""What a claim asserts: events with their participants, counts, and sourced relations.

This is the assertion layer of ``docs/design.md``: each claim's assertions are published in a
named graph of their own, apart from the claim's metadata (who says it, with what stance and
evidence, in :class:`kgpub.model.Claim`). Counts are kept as printed, with their qualifier and
wording, so that "more than 50" is never turned into 50.
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from kgpub.codes import EventType, Measure, Qualifier, Relation, Role
from kgpub.field_types import (
    AgentRef,
    AnyEntityRef,
    Count,
    CountryRef,
    DateSpec,
    EventRef,
    FacilityRef,
    LangText,
    OrganizationRef,
    PlaceRef,
    Strict,
    Text,
)


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

    @field_validator("raw")
    @classmethod
    def _raw_wording_is_given(cls, value: str | dict[str, str]) -> str | dict[str, str]:
        # `raw` is required because a figure is published with its printed wording; an empty
        # map would satisfy the requirement while publishing none.
        if value == {}:
            raise ValueError(
                "raw is empty: give the figure as the article prints it, as text "
                "(raw: some 12,000 jihadists) or per language (raw: {en: some 12,000 jihadists})"
            )
        return value


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
