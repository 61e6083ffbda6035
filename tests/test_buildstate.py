"""The build state: the lookups every build makes per article use an index."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgpub.buildstate import BuildState

PER_ARTICLE_STATEMENTS = [
    "DELETE FROM articles WHERE path = 'a.yaml'",
    "DELETE FROM claim_links WHERE path = 'a.yaml'",
    "SELECT path FROM claim_links WHERE target = 'k'",
    "SELECT path FROM articles WHERE key = 'k'",
]


@pytest.mark.parametrize("statement", PER_ARTICLE_STATEMENTS)
def test_a_statement_run_once_per_article_never_scans_a_whole_table(
    tmp_path: Path, statement: str
) -> None:
    # A scan per article makes a 100k-article build quadratic (it once cost a quarter of
    # the build's own time).
    state = BuildState(tmp_path)
    plan = " ".join(row[-1] for row in state.db.execute(f"EXPLAIN QUERY PLAN {statement}"))
    state.close()
    assert "USING" in plan and "INDEX" in plan, plan
