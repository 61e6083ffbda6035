"""Query workers: a query past its time limit is really stopped, its process killed and replaced."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from kgpub.errors import BadRequest, QueryTimeout
from kgpub.web.answer_frames import CHUNK_BYTES
from kgpub.web.query_pool import READ_AHEAD_BYTES, QueryPool, WorkerStream
from kgpub.web.query_worker import QueryJob
from kgpub.web.state import WebState

from .test_web_fixtures import CROSS_JOIN, built_examples, running_app

__all__ = ["built_examples"]

BOUND_SECONDS = 15.0
"""Generous, for a loaded machine: a stopped query answers in about its 1 s limit."""


@pytest.fixture(scope="module")
def two_worker_app(built_examples: Path) -> Iterator[Flask]:
    with running_app(built_examples, query_workers="2") as app:
        yield app


def _pool(app: Flask) -> QueryPool:
    state: WebState = app.extensions["kgpub"]
    state.pool.start()
    return state.pool


def _is_running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_query_past_its_timeout_answers_503_and_its_worker_process_is_gone(
    two_worker_app: Flask,
) -> None:
    pool = _pool(two_worker_app)
    before = set(pool.worker_pids())
    started = time.monotonic()
    response = two_worker_app.test_client().get(
        "/sparql", query_string={"query": CROSS_JOIN, "timeout": "1"}
    )
    elapsed = time.monotonic() - started
    after = set(pool.worker_pids())
    assert response.status_code == 503
    assert "ran longer than its 1 s limit and was stopped" in response.text
    assert elapsed < BOUND_SECONDS
    killed = before - after
    assert len(killed) == 1 and len(after) == 2
    assert not any(_is_running(pid) for pid in killed)
    assert all(_is_running(pid) for pid in after)


def test_the_pool_answers_again_after_a_stopped_query(two_worker_app: Flask) -> None:
    client = two_worker_app.test_client()
    client.get("/sparql", query_string={"query": CROSS_JOIN, "timeout": "0.5"})
    response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert response.status_code == 200 and b"true" in response.data


def test_a_request_finding_every_worker_busy_answers_503_with_retry_after(
    built_examples: Path,
) -> None:
    with running_app(built_examples, query_workers="1") as app:
        _pool(app)
        slow = threading.Thread(
            target=lambda: app.test_client().get(
                "/sparql", query_string={"query": CROSS_JOIN, "timeout": "3"}
            )
        )
        slow.start()
        time.sleep(0.5)
        response = app.test_client().get(
            "/sparql", query_string={"query": "ASK {}", "timeout": "0.5"}
        )
        slow.join(BOUND_SECONDS)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert "all 1 query workers stayed busy" in response.text


LARGE = "SELECT ?s ?p ?o ?n { ?s ?p ?o VALUES ?n { 1 2 3 } }"
"""About 9,000 rows, 1.5 MB of CSV: more than the pool reads ahead, so it streams."""


def test_a_large_answer_streams_whole_and_frees_its_worker(two_worker_app: Flask) -> None:
    pool = _pool(two_worker_app)
    before = pool.worker_pids()
    client = two_worker_app.test_client()
    counted = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    quads = int(json.loads(counted.data)["results"]["bindings"][0]["n"]["value"])
    response = client.get("/sparql", query_string={"query": LARGE, "format": "csv"})
    assert len(response.data) > READ_AHEAD_BYTES
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8"))))
    assert len(rows) == 1 + int(response.headers["X-KGPub-Row-Count"]) == 1 + 3 * quads
    assert pool.worker_pids() == before


def test_a_large_answer_left_unread_kills_its_worker(two_worker_app: Flask) -> None:
    pool = _pool(two_worker_app)
    before = set(pool.worker_pids())
    response = two_worker_app.test_client().get(
        "/sparql", query_string={"query": LARGE, "format": "csv"}, buffered=False
    )
    next(iter(response.response))
    response.close()
    assert len(before - set(pool.worker_pids())) == 1
    assert os.getpid() not in pool.worker_pids()


def _job(sparql: str, *, rdf: bool = False) -> QueryJob:
    return QueryJob(
        sparql,
        results_format=None if rdf else "csv",
        rdf_format="ntriples" if rdf else None,
        row_limit=10_000,
    )


def _numbered_rows(padding: int) -> str:
    """10,000 rows in order, ``row-<n>-`` then ``padding`` letters, as one CSV column."""
    digits = " ".join(f"VALUES ?{name} {{ 0 1 2 3 4 5 6 7 8 9 }}" for name in "abcd")
    number = "BIND(?a * 1000 + ?b * 100 + ?c * 10 + ?d AS ?n)"
    label = f'BIND(CONCAT("row-", STR(?n), "-{"p" * padding}") AS ?label)'
    return f"SELECT ?label {{ {digits} {number} {label} }} ORDER BY ?n"


def _one_triple(literal: str) -> str:
    return f'CONSTRUCT {{ <urn:kgpub:test> <urn:kgpub:size> "{literal}" }} WHERE {{}}'


def _wait_until_gone(pids: set[int]) -> None:
    waited = time.monotonic() + BOUND_SECONDS
    while any(_is_running(pid) for pid in pids) and time.monotonic() < waited:
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("padding", "streamed"), [(8, False), (120, True)], ids=["read-whole", "streamed"]
)
def test_an_answer_of_several_chunks_arrives_whole_and_in_order(
    two_worker_app: Flask, padding: int, streamed: bool
) -> None:
    pool = _pool(two_worker_app)
    before = pool.worker_pids()
    answer = pool.run(_job(_numbered_rows(padding)), timeout=BOUND_SECONDS)
    assert isinstance(answer.body, WorkerStream) == streamed
    body = b"".join(answer.body)
    assert len(body) > (READ_AHEAD_BYTES if streamed else 2 * CHUNK_BYTES)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows == [["label"]] + [[f"row-{n}-{'p' * padding}"] for n in range(10_000)]
    assert answer.head.rows == 10_000 and not answer.head.truncated
    assert pool.worker_pids() == before


def test_an_answer_of_exactly_one_chunk_arrives_whole(two_worker_app: Flask) -> None:
    pool = _pool(two_worker_app)
    probe = b"".join(pool.run(_job(_one_triple("a"), rdf=True), timeout=BOUND_SECONDS).body)
    filler = "a" * (CHUNK_BYTES - len(probe) + 1)
    answer = pool.run(_job(_one_triple(filler), rdf=True), timeout=BOUND_SECONDS)
    body = b"".join(answer.body)
    assert len(body) == CHUNK_BYTES
    assert body == probe.replace(b'"a"', f'"{filler}"'.encode("ascii"))
    assert answer.head.rows == 1


def test_an_empty_answer_arrives_with_its_head_and_no_body(two_worker_app: Flask) -> None:
    pool = _pool(two_worker_app)
    empty = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(false) }"
    answer = pool.run(_job(empty, rdf=True), timeout=BOUND_SECONDS)
    assert list(answer.body) == []
    assert answer.head.kind == "graph" and answer.head.rows == 0


def test_a_query_past_its_timeout_kills_its_worker_and_the_pool_keeps_answering(
    two_worker_app: Flask,
) -> None:
    pool = _pool(two_worker_app)
    before = set(pool.worker_pids())
    with pytest.raises(QueryTimeout):
        pool.run(_job(CROSS_JOIN), timeout=0.5)
    killed = before - set(pool.worker_pids())
    assert len(killed) == 1 and not any(_is_running(pid) for pid in killed)
    answer = pool.run(_job("SELECT ?x { BIND(1 AS ?x) }"), timeout=BOUND_SECONDS)
    assert b"".join(answer.body) == b"x\r\n1\r\n"
    assert len(pool.worker_pids()) == 2


def test_a_streamed_answer_still_unread_at_its_deadline_is_cut_and_its_worker_replaced(
    two_worker_app: Flask,
) -> None:
    pool = _pool(two_worker_app)
    before = set(pool.worker_pids())
    answer = pool.run(_job(_numbered_rows(120)), timeout=2)
    assert isinstance(answer.body, WorkerStream)
    time.sleep(2.1)
    with pytest.raises(QueryTimeout):
        b"".join(answer.body)
    answer.body.close()
    killed = before - set(pool.worker_pids())
    assert len(killed) == 1 and not any(_is_running(pid) for pid in killed)
    assert len(pool.worker_pids()) == 2


def test_a_client_that_stops_reading_a_streamed_answer_gets_its_worker_killed_and_replaced(
    two_worker_app: Flask,
) -> None:
    pool = _pool(two_worker_app)
    before = set(pool.worker_pids())
    answer = pool.run(_job(_numbered_rows(120)), timeout=BOUND_SECONDS)
    assert isinstance(answer.body, WorkerStream)
    assert next(answer.body).startswith(b"label\r\nrow-0-")
    answer.body.close()
    after = set(pool.worker_pids())
    killed = before - after
    assert len(killed) == 1 and not any(_is_running(pid) for pid in killed)
    assert len(after) == 2 and all(_is_running(pid) for pid in after)
    answer = pool.run(_job("ASK { ?s ?p ?o }"), timeout=BOUND_SECONDS)
    assert b"".join(answer.body) == b"true"


def test_workers_killed_while_idle_are_replaced_and_the_next_query_answers(
    two_worker_app: Flask,
) -> None:
    pool = _pool(two_worker_app)
    before = set(pool.worker_pids())
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    _wait_until_gone(before)
    answer = pool.run(_job("SELECT ?x { BIND(2 AS ?x) }"), timeout=BOUND_SECONDS)
    assert b"".join(answer.body) == b"x\r\n2\r\n"
    replaced = set(pool.worker_pids()) - before
    assert len(replaced) == 1 and all(_is_running(pid) for pid in replaced)


def test_a_malformed_query_is_refused_in_one_message_and_its_worker_kept(
    two_worker_app: Flask,
) -> None:
    pool = _pool(two_worker_app)
    before = pool.worker_pids()
    with pytest.raises(BadRequest, match="malformed SPARQL"):
        pool.run(_job("SELECT WHERE {"), timeout=BOUND_SECONDS)
    answer = pool.run(_job("SELECT ?x { BIND(3 AS ?x) }"), timeout=BOUND_SECONDS)
    assert b"".join(answer.body) == b"x\r\n3\r\n"
    assert pool.worker_pids() == before
