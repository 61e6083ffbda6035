"""The HTML page of a published IRI: its labels, values, who says each fact, and what links to it.

Served at ``/doc/<path>.html`` (see :mod:`kgpub.web.linked_data`). Labels follow the reader's
language: ``?lang=`` first, then ``Accept-Language``, then English, then any. Facts asserted by
claims are shown with their sources; values that claims dispute, and different figures for the
same measure, sit side by side. Counts are put in words here ("about 12,000", "more than 50",
"unknown, at least one"), in English for now.

Every value goes through Jinja's autoescaping, links stay on this server (IRIs under the base
IRI link to their ``/id/`` address, ontology terms and code-list concepts to ``/ont#Term`` and
``/vocab/…``; other IRIs are shown as text), and the page needs no JavaScript.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph
from flask import g, render_template, request

from kgpub.web.entity_facts import Count, EntityFacts, read_entity_facts
from kgpub.web.page_quads import PageQuads
from kgpub.web.page_values import page_links
from kgpub.web.query_page import asset_url

DEFAULT_LANGUAGE = "en"
LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
"""A BCP 47 tag's shape; anything else the reader sends is ignored, not echoed into ETags."""
LANGUAGES_KEY = "kgpub_reader_languages"


@dataclass(frozen=True)
class CountGroup:
    """Figures for one measure of one population: several sources' figures side by side."""

    measure: str
    population: str
    counts: tuple[Count, ...]

    @property
    def conflicting(self) -> bool:
        """Whether its sources give different figures."""
        return len({describe_count(count) for count in self.counts}) > 1


def reader_languages() -> list[str]:
    """The reader's languages, most wanted first: ``?lang=``, ``Accept-Language``, English."""
    found: tuple[str, ...] | None = g.get(LANGUAGES_KEY)
    if found is None:  # asked several times for one page: worked out once per request
        asked = [request.args.get("lang", "").strip()]
        asked += [language for language, _quality in request.accept_languages]
        chosen = [language for language in asked if LANGUAGE_TAG.fullmatch(language)]
        found = tuple(dict.fromkeys([*chosen, DEFAULT_LANGUAGE]))
        setattr(g, LANGUAGES_KEY, found)
    return list(found)


def describe_count(count: Count) -> str:
    """A figure in words with its qualifier, such as "about 12,000" or "between 5 and 8".

    >>> from kgpub.web.entity_facts import Value
    >>> def words(qualifier, **numbers):
    ...     return describe_count(Count("c", Value("deaths"), qualifier, numbers, "person",
    ...         "", "", "", None, None, "", None))
    >>> words("approximately", value=12000), words("more-than", minValue=51, boundValue=50)
    ('about 12,000', 'more than 50')
    >>> words("unknown-non-zero", minValue=1), words("range", minValue=5, maxValue=8)
    ('unknown, at least one', 'between 5 and 8')
    """
    numbers = count.numbers
    printed = numbers.get("boundValue", numbers.get("value"))
    shown = f"{printed:,}" if printed is not None else ""
    if count.qualifier == "unknown-non-zero":
        low = numbers.get("minValue", 1)
        return "unknown, at least one" if low <= 1 else f"unknown, at least {low:,}"
    if count.qualifier == "unknown" or (not shown and count.qualifier != "range"):
        return "unknown"
    if count.qualifier == "range":
        return f"between {numbers.get('minValue', 0):,} and {numbers.get('maxValue', 0):,}"
    return f"{QUALIFIER_WORDS.get(count.qualifier, '')}{shown}"


QUALIFIER_WORDS = {
    "exact": "",
    "approximately": "about ",
    "nearly": "nearly ",
    "at-least": "at least ",
    "more-than": "more than ",
    "at-most": "at most ",
    "less-than": "fewer than ",
}
"""Words before a printed figure, by qualifier code (``range`` and the unknowns are spelled
out in :func:`describe_count`)."""


def group_counts(counts: Sequence[Count]) -> list[CountGroup]:
    """Counts grouped by measure and population, so conflicting figures sit together."""
    groups: dict[tuple[str, str], list[Count]] = {}
    for count in counts:
        groups.setdefault((count.measure.label, count.population), []).append(count)
    return [
        CountGroup(measure, population, tuple(found))
        for (measure, population), found in groups.items()
    ]


def render_entity_page(
    database: pyoxigraph.Store | PageQuads,
    iri: pyoxigraph.NamedNode,
    *,
    alternates: dict[str, str],
) -> str:
    """The page of ``iri``, in the reader's language.

    :param database: the published store, read with bound terms only.
    :param alternates: the other representations, extension → URL, linked at the top.
    """
    languages = reader_languages()
    facts: EntityFacts = read_entity_facts(database, iri, languages=languages)
    return render_template(
        "entity.html",
        facts=facts,
        count_groups=group_counts(facts.counts),
        describe_count=describe_count,
        link=page_links(),
        language=languages[0],
        alternates=alternates,
        asset_url=asset_url,
    )
