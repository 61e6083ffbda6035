from __future__ import annotations

import pytest

from kgpub.errors import InputError
from kgpub.loader import load_model, parse_document
from kgpub.model import Article

COUNTED = """\
article: {key: a1, title: T, language: en, publisher: le-monde}
claims:
  - key: c1
    claimant: sdf
    asserts:
      counts:
        - measure: detainees
          about: ghwayran-prison
          qualifier: approximately
          value: 3500
          raw: {en: "about 3,500 detainees"}
"""


def test_a_count_keeps_its_printed_wording_per_language() -> None:
    article = load_model(parse_document(COUNTED, "a.yaml"), Article)
    assert article.claims[0].asserts.counts[0].raw == {"en": "about 3,500 detainees"}


def test_a_count_with_an_empty_raw_map_is_refused_at_its_line_saying_what_to_write() -> None:
    empty = COUNTED.replace('raw: {en: "about 3,500 detainees"}', "raw: {}")
    with pytest.raises(InputError) as caught:
        load_model(parse_document(empty, "a.yaml"), Article)
    (problem,) = caught.value.problems
    assert (problem.pointer, problem.line) == ("/claims/0/asserts/counts/0/raw", 11)
    assert problem.message.startswith("raw is empty: give the figure as the article prints it")
    assert "(raw: {en: some 12,000 jihadists})" in problem.message
