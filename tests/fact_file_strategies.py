"""Hypothesis strategies for the values of valid fact files and registries.

Values follow the pydantic models of :mod:`kgpub.model` field by field: each field's type, code
list, pattern, length and bounds, and the :class:`~kgpub.field_types.RefTo` mark that makes a
text a reference. A field added to the model is generated without a change here. What the model
checks in its validators, and what the SHACL shapes check across fields, is not visible in the
annotations; those rules are written below as overrides, each saying which rule it follows.

A strategy is built once per model, so it cannot know which entities a file may name: it draws
a :class:`~tests.fact_file_references.Reference`, resolved once the file is known.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Callable
from enum import Enum
from functools import cache
from typing import Any

import pycountry
from hypothesis import strategies as st
from pydantic import BaseModel, HttpUrl

from kgpub.assertions import Assertions, EventFacts, Observation, RelationFact
from kgpub.codes import PlaceKind, Qualifier
from kgpub.entity_kinds import Country, Entity, EntityTables, Place
from kgpub.field_types import KEY_PATTERN, LANGUAGE_PATTERN, DateSpec, RefTo
from kgpub.model import ArticleMetadata, Claim, Evidence, TranslationOf

from .fact_file_references import ARTICLE_LANGUAGE, LANGUAGES, OtherLanguage, Reference

COUNTRY_NAMES = ("SY", "French", "Turkey")
"""Countries named without a registry entry: by ISO code, English demonym and English name."""
ISO_CODES = tuple(sorted({c.alpha_2 for c in pycountry.countries} - {"SY", "FR", "TR"}))
"""Registry countries: never one that :data:`COUNTRY_NAMES` also names."""
TEXT_CHARACTERS = st.characters(
    codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs"), exclude_characters="\xa0"
)
"""Letters, marks, digits, punctuation, symbols and spaces of every script. Control and format
characters are left to the mutations (:mod:`tests.fact_file_mutations`)."""


@cache
def model_values(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    """Plain data that ``model`` accepts (and the shapes too), as a fact file holds it."""
    rule = MODEL_RULES.get(model)
    return rule() if rule else field_values(model)


@cache
def field_values(
    model: type[BaseModel], *, skip: tuple[str, ...] = ()
) -> st.SearchStrategy[dict[str, Any]]:
    """A mapping of ``model``'s fields: the required ones always, the others sometimes."""
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        rule = next((FIELD_RULES[c, name] for c in model.__mro__ if (c, name) in FIELD_RULES), None)
        values = rule() if rule else annotation_values(info.annotation, info.metadata)
        if info.is_required():
            required[name] = values
        elif not values.is_empty:
            optional[name] = values
    return st.fixed_dictionaries(required, optional=optional)


def annotation_values(annotation: Any, metadata: list[Any]) -> st.SearchStrategy[Any]:
    """Values of a type annotation under its pydantic constraints (``metadata``)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return annotation_values(inner, [*metadata, *_flatten(extra)])
    marks = [mark for mark in metadata if isinstance(mark, RefTo)]
    if marks:
        return st.builds(Reference, st.just(marks[0].kinds), st.integers(0, 2**16))
    if origin in {typing.Union, types.UnionType}:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return st.one_of([annotation_values(member, metadata) for member in members])
    smallest = _constraint(metadata, "min_length") or 0
    if origin is list:
        (item,) = typing.get_args(annotation)
        return st.lists(annotation_values(item, []), min_size=smallest, max_size=2)
    if origin is dict:
        key, value = typing.get_args(annotation)
        keys, values = annotation_values(key, []), annotation_values(value, [])
        return st.dictionaries(keys, values, min_size=smallest, max_size=2)
    if annotation is HttpUrl:
        return st.from_regex(r"https://example\.org/[a-z0-9]{1,12}", fullmatch=True)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return st.deferred(lambda: model_values(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return st.sampled_from([member.value for member in annotation])
    if annotation is int:
        low, high = _constraint(metadata, "ge"), _constraint(metadata, "le")
        return st.integers(low if low is not None else -(10**6), high or 10**6)
    if annotation is float:
        low, high = _constraint(metadata, "ge"), _constraint(metadata, "le")
        return st.floats(low, high, allow_nan=False, allow_infinity=False)
    if annotation is str:
        return _texts(metadata)
    raise TypeError(f"no strategy for {annotation!r}: add a rule to FIELD_RULES")


def _flatten(extra: list[Any]) -> list[Any]:
    """Constraints inside ``Field(...)`` objects of an ``Annotated``, and bare ones."""
    return [m for item in extra for m in [*getattr(item, "metadata", []), item]]


def _constraint(metadata: list[Any], name: str) -> Any:
    values = [getattr(m, name) for m in metadata if getattr(m, name, None) is not None]
    if not values:
        return None
    return min(values) if name in {"max_length", "le"} else max(values)


def _texts(metadata: list[Any]) -> st.SearchStrategy[str]:
    pattern = _constraint(metadata, "pattern")
    if pattern == LANGUAGE_PATTERN:
        return st.sampled_from(LANGUAGES)
    if pattern == KEY_PATTERN:
        return keys()
    if pattern is not None:
        return PATTERNS[pattern] if pattern in PATTERNS else st.from_regex(pattern, fullmatch=True)
    shortest = _constraint(metadata, "min_length") or 0
    longest = min(_constraint(metadata, "max_length") or 8, 8)
    return texts(shortest, longest)


def texts(shortest: int = 1, longest: int = 8) -> st.SearchStrategy[str]:
    """Text in any script, as pydantic keeps it (no surrounding white space)."""
    return (
        st.text(TEXT_CHARACTERS, min_size=shortest, max_size=longest)
        .map(str.strip)
        .filter(lambda text: len(text) >= shortest)
    )


def keys() -> st.SearchStrategy[str]:
    """Keys as :data:`kgpub.field_types.KEY_PATTERN` allows, kept short."""
    return KEYS


_KEY_ENDS = "abcdefghijklmnopqrstuvwxyz0123456789"
KEYS = st.builds(
    lambda first, middle, last: first + (middle + last if middle or last else ""),
    st.sampled_from(_KEY_ENDS),
    st.text(_KEY_ENDS + "-", max_size=10),
    st.sampled_from(("", *_KEY_ENDS)),
).map(lambda key: key if not key.endswith("-") else key + "0")
PATTERNS = {
    r"^Q[1-9][0-9]*$": st.integers(1, 10**10).map(lambda number: f"Q{number}"),
    r"^[1-9][0-9]*$": st.integers(1, 10**10).map(str),
}
"""Faster equivalents of ``st.from_regex`` for the patterns most fields use."""


# -- rules the annotations do not show -----------------------------------------------------------


@cache
def days(first_year: int, last_year: int) -> st.SearchStrategy[dt.date]:
    """Days from the first of January of one year to the last of December of another."""
    return st.dates(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31))


@cache
def partial_dates(first_year: int, last_year: int) -> st.SearchStrategy[str]:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` of a real day, as the model requires."""
    cut = st.sampled_from((4, 7, 10))
    return st.tuples(days(first_year, last_year), cut).map(lambda d: d[0].isoformat()[: d[1]])


@st.composite
def date_specs(draw: st.DrawFn, first_year: int = 1900, last_year: int = 2100) -> Any:
    """A bare date or a mapping; precision never finer than written, ``until`` not earlier."""
    value = draw(partial_dates(first_year, last_year))
    if draw(st.booleans()):
        return int(value) if len(value) == 4 and draw(st.booleans()) else value
    spec: dict[str, Any] = {"value": value}
    if draw(st.booleans()):
        spec["precision"] = draw(st.sampled_from(("year", "month", "day")[: len(value) // 3]))
    if draw(st.booleans()):
        spec["expression"] = draw(texts(1, 30))
    if draw(st.booleans()):  # written like value, so that both publish at the same precision
        later = draw(days(int(value[:4]), last_year)).isoformat()
        spec["until"] = max(later[: len(value)], value)
    return spec


@st.composite
def figures(draw: st.DrawFn) -> dict[str, Any]:
    """A qualifier with the figure it needs (the ObservationShape qualifier rules)."""
    qualifier = draw(st.sampled_from(list(Qualifier)))
    number = st.integers(1, 10**12)
    if qualifier == Qualifier.RANGE:
        low, high = sorted((draw(number), draw(number)))
        return {"qualifier": qualifier.value, "min": low, "max": high}
    if qualifier == Qualifier.UNKNOWN:
        return {"qualifier": qualifier.value}
    if qualifier == Qualifier.UNKNOWN_NON_ZERO:
        bounds = draw(st.just({}) | st.fixed_dictionaries({"min": number}))
        return {"qualifier": qualifier.value, **bounds}
    return {"qualifier": qualifier.value, "value": draw(number)}


@cache
def observations(*, breakdown: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """A count, with a breakdown of counts one level deep."""
    rest = field_values(Observation, skip=("value", "min", "max", "qualifier", "breakdown"))
    parts = st.lists(observations(breakdown=False), min_size=1, max_size=2) if breakdown else None
    extra = st.fixed_dictionaries({}, optional={"breakdown": parts} if parts is not None else {})
    return st.tuples(rest, figures(), extra).map(lambda t: {**t[0], **t[1], **t[2]})


@st.composite
def assertions(draw: st.DrawFn) -> dict[str, Any]:
    """What a claim asserts: at least one event, count or relation (the model's rule)."""
    found = draw(field_values(Assertions))
    if not any(found.values()):
        name = draw(st.sampled_from(sorted(Assertions.model_fields)))
        (item,) = typing.get_args(Assertions.model_fields[name].annotation)
        found[name] = draw(st.lists(annotation_values(item, []), min_size=1, max_size=2))
    return found


def names_apart(entity: dict[str, Any]) -> dict[str, Any]:
    """Aliases that are not labels, misspellings that are neither (the LabelShape rules)."""
    taken = set(entity.get("labels", {}).values())
    for group in ("aliases", "misspellings"):
        if group in entity:
            entity[group] = {
                language: [name for name in names if name not in taken]
                for language, names in entity[group].items()
            }
            taken |= {name for names in entity[group].values() for name in names}
    return entity


def _unlike(first: str, second: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """``second`` names another entity than ``first`` (no event is its own sub-event, no
    relation links an entity to itself)."""

    def apart(values: dict[str, Any]) -> dict[str, Any]:
        if isinstance(values.get(second), Reference):
            values[second] = Reference(values[second].kinds, values[second].pick, values[first])
        return values

    return apart


Rule = Callable[[], st.SearchStrategy[Any]]

MODEL_RULES: dict[type[BaseModel], Rule] = {
    DateSpec: date_specs,
    Observation: observations,
    Assertions: lambda: assertions(),
    EventFacts: lambda: field_values(EventFacts).map(_unlike("event", "sub_event_of")),
    RelationFact: lambda: field_values(RelationFact).map(_unlike("subject", "object")),
    Evidence: lambda: st.tuples(field_values(Evidence), st.integers(1, 99)).map(
        lambda t: t[0] or {"paragraph": t[1]}  # a paragraph, a quote or both (EvidenceShape)
    ),
    **{
        table: (lambda table=table: field_values(table).map(names_apart))
        for info in EntityTables.model_fields.values()
        if issubclass(table := typing.get_args(info.annotation)[1], Entity)
    },
}

FIELD_RULES: dict[tuple[type[BaseModel], str], Rule] = {
    (ArticleMetadata, "language"): lambda: st.just(ARTICLE_LANGUAGE),
    (ArticleMetadata, "published"): lambda: partial_dates(2010, 2019),
    (ArticleMetadata, "retrieved"): lambda: st.dates(dt.date(2020, 1, 1)).map(dt.date.isoformat),
    (Claim, "said_on"): lambda: date_specs(2000, 2009),
    (Observation, "raw"): lambda: (
        texts() | st.dictionaries(st.sampled_from(LANGUAGES), texts(), min_size=1, max_size=2)
    ),
    (TranslationOf, "language"): lambda: st.builds(OtherLanguage, st.integers(0, 9)),
    (Country, "iso"): lambda: st.sampled_from(ISO_CODES),
    (Place, "kind"): lambda: st.sampled_from([k.value for k in PlaceKind if k != "country"]),
    (Entity, "replaces"): st.nothing,
}
"""``said_on`` ≤ ``published`` ≤ ``retrieved`` (the ClaimShape and ArticleShape date rules); a
count's ``raw`` wording is in one language at least (a validator refuses ``{}``, which the
annotation does not say); a translation's original is in another language; a place of kind
country is a country. Former keys (``replaces``) must be unique across a registry:
:mod:`tests.fact_file_collections` draws them."""
