from __future__ import annotations

from pathlib import Path

import pytest

from kgpub.errors import InputError
from kgpub.loader import load_model, parse_document, read_document
from kgpub.model import Article


def test_duplicate_keys_are_errors_with_both_lines() -> None:
    with pytest.raises(InputError) as caught:
        parse_document("labels:\n  en: Islamic State\n  en: IS\n", "r.yaml")
    (problem,) = caught.value.problems
    assert problem.line == 3
    assert problem.pointer == "/labels/en"
    assert "first given on line 2" in problem.message


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
