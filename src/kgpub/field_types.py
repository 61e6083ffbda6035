"""The field types every fact-file model is built from: keys, texts, references and dates.

A fact file says the same kinds of thing in many places (a stable key, a text in several
languages, a reference to an entity, a date known to the day or only to the year), so each is
defined once here, with its pattern, bounds and description, together with :class:`Strict`,
the base every model of :mod:`kgpub.model`, :mod:`kgpub.entity_kinds` and
:mod:`kgpub.assertions` derives from. Like them, this imports no RDF library.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kgpub.codes import Precision

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


def check_partial_date(value: object) -> str:
    """A date written as YYYY-MM-DD, YYYY-MM or YYYY, as text; for field validators.

    :raises ValueError: when ``value`` is not written so, or names no real day or month.
    """
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
        return None if value is None else check_partial_date(value)

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
