"""Query workers: a query past its time limit is really stopped, its process killed and replaced."""

from __future__ import annotations

import csv
import io
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from kgpub.web.query_pool import READ_AHEAD_BYTES, QueryPool
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
