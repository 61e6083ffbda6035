from __future__ import annotations

from pathlib import Path

import pytest

from kgpub.collection import load_collection
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


def test_claim_references_must_exist(tmp_path: Path) -> None:
    root = write_collection(
        tmp_path, sample=ARTICLE.replace("reframes: [escape]", "reframes: [escpe]")
    )
    (found,) = problems(root)
    assert "/claims/2/reframes/0" in found and "has no claim 'escpe'" in found


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


def test_duplicate_claim_keys_are_refused(tmp_path: Path) -> None:
    found = problems(
        write_collection(tmp_path, sample=ARTICLE.replace("key: attempt", "key: attack"))
    )
    assert any("/claims/2/key" in p and "already used" in p for p in found)


def test_places_cannot_contain_themselves(tmp_path: Path) -> None:
    registry = REGISTRY.replace("contained_in: syria", "contained_in: hasakah")
    found = problems(write_collection(tmp_path, registry=registry))
    assert any("contains itself" in p and "registry.yaml" in p for p in found)


def test_countries_need_real_iso_codes(tmp_path: Path) -> None:
    found = problems(write_collection(tmp_path, registry=REGISTRY.replace("iso: SY", "iso: XX")))
    assert any("'XX' is not an ISO 3166-1 alpha-2 code" in p for p in found)


def test_a_folder_without_registry_says_how_to_fix_it(tmp_path: Path) -> None:
    (found,) = problems(tmp_path)
    assert "no entity registry" in found


def test_two_claims_saying_exactly_the_same_are_refused_at_the_second(tmp_path: Path) -> None:
    twice = ARTICLE.replace(
        "claims:\n",
        "claims:\n  - key: attack-again\n    claimant: sohr\n    asserts:\n      events:\n"
        "        - event: prison-attack\n          type: attack\n"
        "          date: {value: 2022-01-20, expression: Thursday January 20}\n"
        "          facility: ghwayran-prison\n"
        "          participants: [{agent: IS, role: attacker}]\n",
        1,
    )
    root = write_collection(tmp_path, sample=twice)
    with pytest.raises(InputError) as raised:
        load_collection(root)
    (problem,) = raised.value.problems
    assert problem.pointer == "/claims/1"
    assert "says exactly what claim #0 says" in problem.message
