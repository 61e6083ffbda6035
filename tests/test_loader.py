from __future__ import annotations

from pathlib import Path

import pytest

from kgpub.errors import InputError
from kgpub.loader import load_model, parse_document, read_document
from kgpub.model import Article, Registry


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


def test_a_registry_entry_lists_the_keys_it_replaces_and_each_must_be_a_key() -> None:
    registry = "organizations:\n  sdf:\n    labels: {en: SDF}\n    replaces: [qsd, Old SDF]\n"
    with pytest.raises(InputError) as caught:
        load_model(parse_document(registry, "registry.yaml"), Registry)
    (problem,) = caught.value.problems
    assert (problem.pointer, problem.line) == ("/organizations/sdf/replaces/1", 4)
    assert "'Old SDF'" in problem.message
    fixed = load_model(parse_document(registry.replace(", Old SDF", ""), "r.yaml"), Registry)
    assert fixed.organizations["sdf"].replaces == ["qsd"]


def test_countries_replace_nothing_since_their_iri_is_their_iso_code() -> None:
    registry = "countries:\n  syria: {iso: SY, replaces: [sy]}\n"
    with pytest.raises(InputError) as caught:
        load_model(parse_document(registry, "registry.yaml"), Registry)
    (problem,) = caught.value.problems
    assert problem.pointer == "/countries/syria/replaces"
    assert "unknown field 'replaces'" in problem.message


def test_issue_6_deep_nesting_is_refused_at_its_line_instead_of_crashing_the_parser() -> None:
    # libyaml's composer recursed on the C stack and killed the process (SIGSEGV).
    with pytest.raises(InputError) as caught:
        parse_document("title: " + "[" * 100_000 + "]" * 100_000, "deep.yaml")
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


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_issue_6_numbers_too_long_for_python_are_refused_as_field_values(
    tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"a{suffix}"  # int() raised ValueError past 4,300 digits
    path.write_text('{"claims": [{"evidence": {"paragraph": ' + "9" * 5000 + "}}]}")
    with pytest.raises(InputError) as caught:
        load_model(read_document(path), Article)
    (paragraph,) = [p for p in caught.value.problems if p.pointer.endswith("/paragraph")]
    assert paragraph.pointer == "/claims/0/evidence/paragraph"
    assert "… (5002 characters)" in paragraph.message  # the value is cut short


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


def test_issue_6_alias_bombs_are_refused_where_they_explode() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(97 + n)}: &{chr(97 + n)} [{', '.join([f'*{chr(96 + n)}'] * 10)}]\n"
        for n in range(1, 9)
    )
    with pytest.raises(InputError) as caught:
        parse_document(bomb, "bomb.yaml")
    (problem,) = caught.value.problems
    assert (problem.pointer, problem.line) == ("/f", 6)  # the first value past the limit
    assert "more than 200000 values" in problem.message
