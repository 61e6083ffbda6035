from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgpub.schema import SCHEMAS, schema_text

DOCS = Path(__file__).resolve().parents[1] / "docs" / "schema"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_published_json_schemas_match_the_model(name: str) -> None:
    published = (DOCS / f"{name}.schema.json").read_text(encoding="utf-8")
    assert published == schema_text(name), "run `kgpub schema -o docs/schema` and commit"


def test_the_article_schema_offers_code_lists_for_autocompletion() -> None:
    schema = json.loads(schema_text("article"))
    stance = schema["$defs"]["Stance"]
    assert stance["enum"] == ["affirms", "denies", "reframes", "hedges"]
    assert schema["additionalProperties"] is False
