from __future__ import annotations

from pathlib import Path

import pytest

from kgpub.errors import InputError
from kgpub.loader import load_model, parse_document, read_document
from kgpub.model import Article


def problems_of(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_model(parse_document(text, "a.yaml"), Article)
    return [str(p) for p in caught.value.problems]


MINIMAL = """\
article: {key: a1, title: T, language: en, publisher: le-monde}
claims:
  - key: c1
    claimant: sdf
    asserts:
      relations: [{subject: a, relation: guarded-by, object: b}]
"""


def test_a_minimal_article_loads() -> None:
    article = load_model(parse_document(MINIMAL, "a.yaml"), Article)
    assert article.claims[0].claimant == "sdf"


def test_malformed_yaml_names_the_line() -> None:
    with pytest.raises(InputError) as caught:
        parse_document("article: {key: a1\nclaims: [\n", "broken.yaml")
    (problem,) = caught.value.problems
    assert problem.source == "broken.yaml"
    assert problem.line is not None
    assert "not valid YAML" in problem.message


def test_duplicate_keys_are_errors_with_both_lines() -> None:
    with pytest.raises(InputError) as caught:
        parse_document("labels:\n  en: Islamic State\n  en: IS\n", "r.yaml")
    (problem,) = caught.value.problems
    assert problem.line == 3
    assert problem.pointer == "/labels/en"
    assert "first given on line 2" in problem.message


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


def test_quoted_and_unquoted_yaml_1_1_booleans_stay_text() -> None:
    document = parse_document("iso: NO\nother: 'yes'\nflag: true\n", "c.yaml")
    assert document.data == {"iso": "NO", "other": "yes", "flag": True}


def test_alias_bombs_are_stopped() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for number in range(1, 9):
        previous, current = chr(96 + number), chr(97 + number)
        lines.append(f"{current}: &{current} [{', '.join([f'*{previous}'] * 10)}]")
    with pytest.raises(InputError) as caught:
        parse_document("\n".join(lines), "bomb.yaml")
    assert "too large" in caught.value.problems[0].message


def test_json_files_are_read_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"article": {"key": "a1",\n "title": 3}}', encoding="utf-8")
    document = read_document(path)
    assert document.locate("/article/title") == (2, 11)


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"article": {"key": "a1",}\n}', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_document(path)
    assert caught.value.problems[0].line == 1
    assert "not valid JSON" in caught.value.problems[0].message


def test_files_that_are_not_utf8_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes("title: Hassaké".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_document(path)
