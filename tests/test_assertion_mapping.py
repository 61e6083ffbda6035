"""What claims assert: counts and their bounds, dates and their precision."""

from __future__ import annotations

from pathlib import Path

from rdflib import Literal, URIRef

from kgpub.validate import union_graph
from kgpub.vocab import KG, SCHEMA, SEM, concept

from .test_mapper import mapped


def test_counts_publish_bounds_as_the_qualifier_says(sample_collection: Path) -> None:
    union = union_graph(mapped(sample_collection))
    (more_than,) = union.subjects(KG.valueQualifier, concept("qualifier", "more-than"))
    assert union.value(more_than, SCHEMA.minValue) == Literal(51)
    assert union.value(more_than, KG.boundValue) == Literal(50)
    assert union.value(more_than, SCHEMA.value) is None
    (some,) = union.subjects(KG.valueQualifier, concept("qualifier", "unknown-non-zero"))
    assert union.value(some, SCHEMA.minValue) == Literal(1)


def test_dates_keep_their_precision_and_wording(sample_collection: Path) -> None:
    union = union_graph(mapped(sample_collection))
    attack = URIRef("https://news.example/id/event/prison-attack")
    stamp = union.value(attack, SEM.hasTimeStamp)
    assert stamp is not None and str(stamp) == "2022-01-20"
    assert union.value(attack, KG.timePrecision) == concept("precision", "day")
    assert union.value(attack, KG.timeExpression) == Literal("Thursday January 20", lang="en")
