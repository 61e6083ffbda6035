from __future__ import annotations

from pathlib import Path

import pytest

from kgpub.errors import InputError
from kgpub.loader import load_model, parse_document, read_document
from kgpub.model import Article

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


@pytest.mark.parametrize(
    "levels",
    [
        100_000,  # libyaml's composer recursed on the C stack and killed the process (SIGSEGV)
        1_200,  # under the measuring threshold, and libyaml (PyYAML 6.0.4) refuses 1,000 itself
    ],
)
def test_issue_6_deep_nesting_is_refused_at_its_65th_level_instead_of_crashing_the_parser(
    levels: int,
) -> None:
    with pytest.raises(InputError) as caught:
        parse_document("title: " + "[" * levels + "]" * levels, "deep.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (1, 8 + 64)
    assert "nested deeper than 64 levels" in problem.message


def test_issue_6_deeply_nested_json_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "a.json"  # json.loads raised RecursionError
    path.write_text('{"article":\n' + "[" * 3000 + "]" * 3000 + "}", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_document(path)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (2, 65)


def test_issue_6_json_escapes_of_characters_beyond_the_bmp_are_read(tmp_path: Path) -> None:
    path = tmp_path / "a.json"  # json.dumps writes them as surrogate pairs; libyaml refused
    path.write_text('{"a": "\\ud83d\\udca3 and \\\\ud83d", "b": "\\u00e9"}', encoding="utf-8")
    assert read_document(path).data == {"a": "\U0001f4a3 and \\ud83d", "b": "é"}


def test_issue_6_control_characters_are_refused_at_their_line_and_column() -> None:
    with pytest.raises(InputError) as caught:
        parse_document("title: Hassaké 😀\nkey: a\x07b\n", "c.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (2, 7)
    assert "character U+0007 is not allowed" in problem.message
    assert "position" not in problem.message


def test_issue_6_a_byte_order_mark_is_skipped_in_json_too(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(b'\xef\xbb\xbf{"title": "T"}')
    assert read_document(path).data == {"title": "T"}


def test_issue_6_bytes_that_are_not_utf8_are_located(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"key: a1\ntitle: Hassak\xe9\n")
    with pytest.raises(InputError) as caught:
        read_document(path)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (2, 14)
