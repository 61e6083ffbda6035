from __future__ import annotations

import pytest
from tests.test_loader import MINIMAL

from kgpub.errors import InputError
from kgpub.loader import load_model, parse_document
from kgpub.model import Article


def problems_of(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_model(parse_document(text, "a.yaml"), Article)
    return [str(p) for p in caught.value.problems]


def test_unknown_field_suggests_the_right_one() -> None:
    found = problems_of(MINIMAL.replace("publisher:", "publsher:"))
    assert any("unknown field 'publsher' (did you mean 'publisher'?)" in p for p in found)
    assert any("a.yaml:1:" in p and "/article/publsher" in p for p in found)


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    broken = MINIMAL.replace("claimant: sdf", "stance: affirm").replace(
        "language: en", "language: 7"
    )
    found = problems_of(broken)
    assert any("/claims/0/claimant: required field 'claimant' is missing" in p for p in found)
    assert any("/claims/0/stance" in p and "'affirm'" in p for p in found)
    assert len(found) >= 3


def test_impossible_dates_are_refused_with_their_line() -> None:
    found = problems_of(
        MINIMAL.replace("publisher: le-monde", "publisher: le-monde, published: 2022-02-30")
    )
    assert any(":1:" in p and "/article/published" in p and "not a real date" in p for p in found)
