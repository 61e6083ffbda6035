from __future__ import annotations

import pytest

from kgpub.entities import EntityId, EntityIndex, ReferenceProblem, country_code
from kgpub.entity_kinds import EntityTables
from kgpub.model import Registry

REGISTRY = Registry.model_validate(
    {
        "organizations": {
            "sohr": {"labels": {"en": "Syrian Observatory for Human Rights"},
                     "aliases": {"fr": ["OSDH"], "en": ["SOHR"]}},
            "sdf": {"labels": {"en": "Syrian Democratic Forces"}, "aliases": {"fr": ["FDS"]}},
        },
        "persons": {
            "farhad-shami": {"labels": {"en": "Farhad Shami"},
                             "misspellings": {"en": ["Ferhad Sahmi"]}},
        },
        "places": {"is-town": {"labels": {"en": "Is"}, "kind": "city"}},
    }
)  # fmt: skip


def test_aliases_in_any_language_resolve_to_one_entity() -> None:
    index = EntityIndex.of_registry(REGISTRY)
    assert index.resolve("OSDH", ["organization"]) == EntityId("organization", "sohr")
    assert index.resolve("sohr", ["organization"]) == index.resolve("osdh", ["organization"])


def test_misspellings_seen_in_sources_resolve() -> None:
    index = EntityIndex.of_registry(REGISTRY)
    assert index.resolve("Ferhad Sahmi", ["person"]).key == "farhad-shami"


def test_unknown_references_suggest_close_names() -> None:
    index = EntityIndex.of_registry(REGISTRY)
    with pytest.raises(ReferenceProblem, match="did you mean 'osdh'"):
        index.resolve("OSHD", ["organization"])


def test_kinds_limit_what_a_reference_may_name() -> None:
    index = EntityIndex.of_registry(REGISTRY)
    with pytest.raises(ReferenceProblem, match="no organization is called 'Is'"):
        index.resolve("Is", ["organization"])
    assert index.resolve("Is", ["place"]).key == "is-town"


def test_a_name_shared_by_two_entities_is_ambiguous() -> None:
    tables = EntityTables.model_validate(
        {"organizations": {"other": {"labels": {"en": "x"}, "aliases": {"fr": ["FDS"]}}}}
    )
    index = EntityIndex.of_registry(REGISTRY).with_article_entities(tables, "a1")
    with pytest.raises(ReferenceProblem, match="ambiguous"):
        index.resolve("FDS", ["organization"])


def test_article_entities_are_scoped_to_their_article() -> None:
    tables = EntityTables.model_validate({"events": {"escape": {"labels": {"en": "escape"}}}})
    index = EntityIndex.of_registry(REGISTRY).with_article_entities(tables, "a1")
    assert index.resolve("escape", ["event"]) == EntityId("event", "escape", "a1")


@pytest.mark.parametrize(
    ("text", "iso"),
    [("French", "FR"), ("Iraqi", "IQ"), ("Syria", "SY"), ("BE", "BE"), ("Tunisian", "TN")],
)
def test_countries_are_recognised_by_demonym_name_or_code(text: str, iso: str) -> None:
    assert country_code(text) == iso
    assert EntityIndex.of_registry(REGISTRY).resolve(text, ["country"]) == EntityId("country", iso)


def test_issue_6_a_key_both_in_the_registry_and_an_article_is_ambiguous_not_a_crash() -> None:
    # Sorting a registry entity (scope None) with an article's own raised TypeError.
    tables = EntityTables.model_validate({"organizations": {"sdf": {"labels": {"en": "SDF"}}}})
    index = EntityIndex.of_registry(REGISTRY).with_article_entities(tables, "a1")
    with pytest.raises(ReferenceProblem, match="'sdf' is ambiguous"):
        index.resolve("sdf", ["organization"])
