"""Queries of one triple pattern: answered in the server process exactly as a worker answers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from kgpub.backend import Dataset
from kgpub.errors import QueryTimeout, RequestError
from kgpub.sparql_tokens import outline
from kgpub.web.inline_queries import run_query, runs_inline
from kgpub.web.query_pool import Answer
from kgpub.web.query_worker import QueryJob
from kgpub.web.state import WebState

from .test_web_fixtures import KG, built_examples, running_app

__all__ = ["built_examples"]

FACILITIES = f"SELECT ?facility WHERE {{ ?facility a <{KG}Facility> }}"
EVERYTHING = "SELECT * { ?s ?p ?o }"
RESULTS_FORMATS = ("json", "xml", "csv", "tsv")


@pytest.fixture(scope="module")
def app(built_examples: Path) -> Iterator[Flask]:
    """An app whose answers are cut at 40 rows, with one query worker."""
    with running_app(built_examples, query_workers="1", max_rows="40") as application:
        yield application


@pytest.fixture
def state(app: Flask) -> WebState:
    return app.extensions["kgpub"]  # type: ignore[no-any-return]


def _job(sparql: str, results_format: str = "json", **options: object) -> QueryJob:
    return QueryJob(sparql, results_format, None, row_limit=40, **options)  # type: ignore[arg-type]


def _whole(answer: Answer) -> tuple[object, bytes]:
    return answer.head, b"".join(answer.body)


@pytest.mark.parametrize("results_format", RESULTS_FORMATS)
@pytest.mark.parametrize("sparql", [FACILITIES, EVERYTHING, f"ASK {{ ?x a <{KG}Facility> }}"])
def test_a_one_pattern_query_gets_the_answer_a_worker_gives(
    state: WebState, sparql: str, results_format: str
) -> None:
    job = _job(sparql, results_format)
    assert runs_inline(state, job, outline(sparql))
    here = run_query(state, job, outline(sparql), timeout=30)
    assert _whole(here) == _whole(state.pool.run(job, timeout=30))


def test_an_answer_cut_by_the_row_cap_says_so_as_from_a_worker(state: WebState) -> None:
    answer = run_query(state, _job(EVERYTHING), outline(EVERYTHING), timeout=30)
    assert (answer.head.rows, answer.head.truncated) == (40, True)


def _failure(run: Callable[[], Answer]) -> tuple[type, int, str]:
    with pytest.raises(RequestError) as raised:
        run()
    return type(raised.value), raised.value.status, str(raised.value)


@pytest.mark.parametrize(
    ("sparql", "results_format"),
    [("SELECT ?o { <a> ?p ?o } LIMIT 1 0", "json"), ("SELECT ?o { <a> ?p ?o }", None)],
    ids=["malformed", "no acceptable format"],
)
def test_a_failing_one_pattern_query_fails_as_in_a_worker(
    state: WebState, sparql: str, results_format: str | None
) -> None:
    job = _job(sparql, results_format)  # type: ignore[arg-type]
    assert runs_inline(state, job, outline(sparql))
    here = _failure(lambda: run_query(state, job, outline(sparql), timeout=30))
    assert here == _failure(lambda: state.pool.run(job, timeout=30))
    assert here[1] in (400, 406)


@pytest.mark.parametrize(
    "job",
    [
        _job(FACILITIES, dataset=Dataset((f"{KG}graph",), ())),
        _job(FACILITIES, own_dataset=True),
        _job(FACILITIES, substitutions=(("facility", None),)),
    ],
    ids=["protocol dataset", "own FROM", "parameters"],
)
def test_a_query_with_its_own_dataset_or_parameters_goes_to_a_worker(
    state: WebState, job: QueryJob
) -> None:
    assert not runs_inline(state, job, outline(FACILITIES))


def test_a_query_of_another_shape_goes_to_a_worker(state: WebState) -> None:
    sparql = f"SELECT DISTINCT ?facility {{ ?facility a <{KG}Facility> }}"
    assert not runs_inline(state, _job(sparql), outline(sparql))


def test_one_pattern_queries_start_no_worker(built_examples: Path) -> None:
    with running_app(built_examples, query_workers="1") as app:
        response = app.test_client().post(
            "/sparql", data=FACILITIES, content_type="application/sparql-query"
        )
        assert response.status_code == 200 and response.json["results"]["bindings"]
        assert app.extensions["kgpub"].pool.worker_pids() == []


def test_a_one_pattern_query_past_its_time_is_stopped_with_the_workers_message(
    state: WebState,
) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout) as raised:
        run_query(state, _job(EVERYTHING), outline(EVERYTHING), timeout=1e-9)
    assert time.monotonic() - started < 5
    assert "ran longer than its 1e-09 s limit and was stopped" in str(raised.value)


def test_past_its_time_through_the_endpoint_it_answers_503(app: Flask) -> None:
    response = app.test_client().get(
        "/sparql", query_string={"query": EVERYTHING, "timeout": "0.000000001"}
    )
    assert response.status_code == 503
    assert "was stopped" in response.get_data(as_text=True)
