from __future__ import annotations

from pathlib import Path

import pytest

from kgpub.collection import load_article, load_collection, load_registry
from kgpub.errors import InputError, Problem

from .conftest import ARTICLE, REGISTRY, write_collection


def problems(root: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_collection(root)
    return [str(p) for p in caught.value.problems]


def test_claim_references_must_exist(tmp_path: Path) -> None:
    root = write_collection(
        tmp_path, sample=ARTICLE.replace("reframes: [escape]", "reframes: [escpe]")
    )
    (found,) = problems(root)
    assert "/claims/2/reframes/0" in found and "has no claim 'escpe'" in found


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


def test_issue_6_a_link_to_a_missing_claim_of_the_same_article_is_refused_before_mapping(
    tmp_path: Path,
) -> None:
    # The build mapped the article first, and the mapper raised KeyError looking up the link.
    root = write_collection(
        tmp_path, sample=ARTICLE.replace("confirms: [attack]", "confirms: [nowhere, sample#gone]")
    )
    found: list[Problem] = []
    assert (
        load_article(root / "articles" / "sample.yaml", load_registry(root, []).index, found)
        is None
    )
    assert [(p.pointer, p.line) for p in found] == [
        ("/claims/2/confirms/0", 42),
        ("/claims/2/confirms/1", 42),
    ]
    assert "article 'sample' has no claim 'nowhere'" in found[0].message


def test_issue_6_an_event_given_two_entries_in_one_claim_is_refused_at_the_second(
    tmp_path: Path,
) -> None:
    # Both entries' participants became one node, and SHACL said each had two agents.
    twice = ARTICLE.replace(
        "      events: [{event: escape, type: escape-attempt}]",
        "      events: [{event: escape, type: escape-attempt}, {event: escape, type: attack}]",
    )
    (found,) = problems(write_collection(tmp_path, sample=twice))
    assert "/claims/2/asserts/events/1/event" in found
    assert "event 'escape' already has entry #0 of this claim's events" in found
