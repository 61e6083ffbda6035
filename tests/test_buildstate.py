"""The build state: the lookups every build makes per article, or of all articles, use an index."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kgpub.article_records import ArticleRecord
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


def record(number: int) -> ArticleRecord:
    return ArticleRecord(
        path=f"articles/{number:03d}.yaml",
        key=f"article-{number}",
        mtime_ns=1_000 + number,
        size=100 + number,
        sha256=f"{number:064x}",
        inputs="inputs",
        registry_view="view",
        quads=40 + number,
        graphs=(f"https://e/graph/{number}",),
        countries=("SY",) if number % 2 else ("IQ", "SY"),
    )


@pytest.fixture
def state(tmp_path: Path) -> BuildState:
    opened = BuildState(tmp_path / "state")
    for number in range(20):
        opened.put(record(number))
    opened.commit()
    return opened


def test_stamps_are_each_recorded_file_s_modification_time_and_size(state: BuildState) -> None:
    stamps = state.stamps()
    assert len(stamps) == 20
    assert stamps["articles/007.yaml"] == (1_007, 107)
    assert state.recorded_sha256("articles/007.yaml") == f"{7:064x}"
    assert state.recorded_sha256("articles/none.yaml") is None


@pytest.mark.parametrize(
    "read",
    [
        pytest.param(BuildState.stamps, id="stamps"),
        pytest.param(BuildState.countries, id="countries"),
        pytest.param(BuildState.totals, id="totals"),
    ],
)
def test_what_every_build_reads_of_all_articles_comes_from_a_covering_index(
    state: BuildState, read: Callable[[BuildState], object]
) -> None:
    # The rows hold each article's JSON detail: a scan of the table reads the whole file.
    statements: list[str] = []
    state.db.set_trace_callback(statements.append)
    read(state)
    state.db.set_trace_callback(None)
    over_articles = [s for s in statements if "FROM articles" in s]
    assert over_articles
    for statement in over_articles:
        plan = " ".join(row[3] for row in state.db.execute(f"EXPLAIN QUERY PLAN {statement}"))
        assert "COVERING INDEX" in plan, (statement, plan)
