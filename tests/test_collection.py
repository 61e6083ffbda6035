from __future__ import annotations

from pathlib import Path

import pytest

from kgpub.collection import load_collection
from kgpub.entities import ENTITY_KINDS, EntityId
from kgpub.errors import InputError

from .conftest import ARTICLE, REGISTRY, write_collection


def problems(root: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_collection(root)
    return [str(p) for p in caught.value.problems]


def test_a_valid_collection_loads_with_claim_digests(sample_collection: Path) -> None:
    collection = load_collection(sample_collection)
    (article,) = collection.articles
    assert set(article.claim_digests) == {"attack", "escape", "attempt"}


def test_any_file_inside_a_collection_finds_its_registry(sample_collection: Path) -> None:
    collection = load_collection(sample_collection / "articles" / "sample.yaml")
    assert collection.root == sample_collection


def test_unknown_entities_are_named_with_file_line_and_field(tmp_path: Path) -> None:
    root = write_collection(
        tmp_path, sample=ARTICLE.replace("facility: ghwayran-prison", "facility: ghwayran-prisn")
    )
    (found,) = problems(root)
    assert "articles/sample.yaml:" in found
    assert "/claims/0/asserts/events/0/facility" in found
    assert "did you mean 'ghwayran-prison'" in found


def test_claims_of_other_articles_are_referenced_by_article_and_key(tmp_path: Path) -> None:
    later = ARTICLE.replace("key: sample", "key: later").replace(
        "confirms: [attack]", "confirms: [sample#attack]"
    )
    collection = load_collection(write_collection(tmp_path, sample=ARTICLE, later=later))
    assert {a.key for a in collection.articles} == {"sample", "later"}


def test_problems_of_every_file_are_reported_together(tmp_path: Path) -> None:
    second = ARTICLE.replace("key: sample", "key: second").replace("claimant: SDF", "claimant: XYZ")
    first = ARTICLE.replace("type: attack", "type: atack")
    found = problems(write_collection(tmp_path, sample=first, second=second))
    assert any("sample.yaml" in p and "/type" in p for p in found)
    assert any(
        "second.yaml" in p and "no organization or person is called 'XYZ'" in p for p in found
    )


def test_two_articles_cannot_share_a_key(tmp_path: Path) -> None:
    found = problems(write_collection(tmp_path, one=ARTICLE, two=ARTICLE))
    assert any("article key 'sample' is also used by" in p for p in found)


def test_a_folder_without_registry_says_how_to_fix_it(tmp_path: Path) -> None:
    (found,) = problems(tmp_path)
    assert "no entity registry" in found


MERGED_REGISTRY = REGISTRY.replace("  sohr:\n", "  syrian-observatory:\n    replaces: [sohr]\n")
"""The observatory's entry, re-keyed: ``sohr`` is now a former key of ``syrian-observatory``."""


def test_a_reference_to_a_merged_key_resolves_to_the_entity_that_replaced_it(
    tmp_path: Path,
) -> None:
    collection = load_collection(write_collection(tmp_path, registry=MERGED_REGISTRY))
    survivor = EntityId("organization", "syrian-observatory")
    assert collection.index.resolve("sohr", ("organization", "person")) == survivor
    assert collection.index.get(EntityId("organization", "sohr")) is None
    (article,) = collection.articles
    assert survivor in article.referenced
    assert EntityId("organization", "sohr") not in article.referenced


def test_a_current_key_wins_over_another_entity_s_former_key(tmp_path: Path) -> None:
    registry = REGISTRY.replace("  sdf:\n", "  sdf:\n    replaces: [hasakah]\n")
    collection = load_collection(write_collection(tmp_path, registry=registry))
    assert collection.index.resolve("hasakah", ENTITY_KINDS) == EntityId("place", "hasakah")
    assert collection.index.resolve("hasakah", ("organization",)) == EntityId("organization", "sdf")


def test_replacing_a_key_that_is_still_an_entry_is_refused_at_the_listed_key(
    tmp_path: Path,
) -> None:
    registry = REGISTRY.replace("  sohr:\n", "  sohr:\n    replaces: [afp, sdf]\n")
    found = problems(write_collection(tmp_path, registry=registry))
    assert len(found) == 2
    assert all("registry.yaml:" in p and "is still an entry" in p for p in found)
    assert "/organizations/sohr/replaces/0" in found[0] and "'afp'" in found[0]
    assert "/organizations/sohr/replaces/1" in found[1] and "'sdf'" in found[1]
    assert "delete the entry 'sdf', or remove it from `replaces`" in found[1]


def test_a_chain_of_merges_is_refused_asking_to_move_the_former_keys_to_the_survivor(
    tmp_path: Path,
) -> None:
    chained = MERGED_REGISTRY.replace("  sdf:\n", "  sdf:\n    replaces: [syrian-observatory]\n")
    (found,) = problems(write_collection(tmp_path, registry=chained))
    assert "/organizations/sdf/replaces/0" in found
    assert "organization 'syrian-observatory' is still an entry" in found
    assert "move its own `replaces` list to 'sdf' too" in found


def test_an_entity_replacing_its_own_key_is_refused(tmp_path: Path) -> None:
    registry = REGISTRY.replace("  sdf:\n", "  sdf:\n    replaces: [sdf]\n")
    (found,) = problems(write_collection(tmp_path, registry=registry))
    assert "/organizations/sdf/replaces/0" in found and "lists its own key" in found


def test_one_key_replaced_by_two_entities_is_refused_naming_the_first(tmp_path: Path) -> None:
    registry = MERGED_REGISTRY.replace("  sdf:\n", "  sdf:\n    replaces: [sohr]\n")
    found = problems(write_collection(tmp_path, registry=registry))
    (in_registry,) = [p for p in found if "registry.yaml:" in p]
    assert "/organizations/syrian-observatory/replaces/0" in in_registry
    assert "organization key 'sohr' is also replaced by 'sdf' (line 13)" in in_registry


def test_a_key_listed_twice_in_replaces_is_refused_at_the_second(tmp_path: Path) -> None:
    registry = REGISTRY.replace("  sdf:\n", "  sdf:\n    replaces: [ypg, ypg]\n")
    (found,) = problems(write_collection(tmp_path, registry=registry))
    assert "/organizations/sdf/replaces/1" in found and "already listed" in found


def test_an_article_s_own_entities_may_replace_its_former_local_keys(tmp_path: Path) -> None:
    article = ARTICLE.replace(
        "    escape: {labels: {en: escape of prisoners}}",
        "    prisoner-escape:\n      labels: {en: escape of prisoners}\n      replaces: [escape]",
    )
    collection = load_collection(write_collection(tmp_path, sample=article))
    (source,) = collection.articles
    assert source.index.resolve("escape", ("event",)) == EntityId(
        "event", "prisoner-escape", "sample"
    )
