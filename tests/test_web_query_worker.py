"""The query worker's side of the pipe: each job answered in as few messages as it can be."""

from __future__ import annotations

import json
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, cast

import pyoxigraph
import pytest

from kgpub.backend import Store
from kgpub.config_loading import load_settings
from kgpub.store import open_store
from kgpub.web import query_worker
from kgpub.web.answer_frames import (
    CHUNK_BYTES,
    AnswerHead,
    Frame,
    WorkerFailure,
    decode_message,
)
from kgpub.web.query_worker import GraphJob, QueryJob, Reply, answer

from .test_web_answer_frames import RecordingConnection
from .test_web_fixtures import built_examples

__all__ = ["built_examples"]


@pytest.fixture(scope="module")
def store(built_examples: Path) -> Iterator[Store]:
    opened = open_store(load_settings(built_examples, env={}), built_examples)
    try:
        yield opened
    finally:
        opened.close()


def _messages(store: Store, job: QueryJob | GraphJob) -> list[Frame | WorkerFailure]:
    connection = RecordingConnection()
    answer(store, job, cast(Connection, connection))
    return [decode_message(message) for message in connection.messages]


def _select(sparql: str, *, row_limit: int = 10_000) -> QueryJob:
    return QueryJob(sparql, results_format="csv", rdf_format=None, row_limit=row_limit)


def test_a_small_select_is_answered_in_one_message_with_head_body_and_end(store: Store) -> None:
    sparql = "SELECT ?s WHERE { ?s a <https://w3id.org/kgpub/ont#Article> } LIMIT 5"
    (only,) = _messages(store, _select(sparql))
    assert isinstance(only, Frame) and only.last and only.head is not None
    assert (only.head.kind, only.head.format_name, only.head.rows) == ("select", "csv", 5)
    assert only.body.startswith(b"s\r\n") and only.body.count(b"\r\n") == 6


def test_an_ask_is_answered_in_one_message_without_a_row_count(store: Store) -> None:
    job = QueryJob("ASK { ?s ?p ?o }", results_format="json", rdf_format=None, row_limit=10)
    (only,) = _messages(store, job)
    assert isinstance(only, Frame) and only.last and only.head is not None
    assert only.head.rows is None and b"true" in only.body


def test_a_capped_answer_says_so_in_its_only_message(store: Store) -> None:
    (only,) = _messages(store, _select("SELECT ?s { ?s ?p ?o }", row_limit=3))
    assert isinstance(only, Frame) and only.head is not None
    assert only.head.rows == 3 and only.head.truncated
    assert only.body.count(b"\r\n") == 4


def test_a_capped_json_answer_is_a_whole_json_document_of_the_caps_rows(store: Store) -> None:
    job = QueryJob("SELECT ?s { ?s ?p ?o }", results_format="json", rdf_format=None, row_limit=3)
    (only,) = _messages(store, job)
    assert isinstance(only, Frame) and only.head is not None
    assert (only.head.rows, only.head.truncated) == (3, True)
    assert len(json.loads(only.body)["results"]["bindings"]) == 3


def test_a_capped_construct_answer_is_cut_in_triples_and_written_as_asked(store: Store) -> None:
    job = QueryJob(
        "CONSTRUCT WHERE { ?s ?p ?o }", results_format=None, rdf_format="turtle", row_limit=4
    )
    (only,) = _messages(store, job)
    assert isinstance(only, Frame) and only.head is not None
    assert (only.head.kind, only.head.rows, only.head.truncated) == ("graph", 4, True)
    assert len(list(pyoxigraph.parse(only.body, format=pyoxigraph.RdfFormat.TURTLE))) == 4


def test_a_malformed_query_is_answered_with_one_failure_and_no_frame(store: Store) -> None:
    messages = _messages(store, _select("SELECT WHERE {"))
    assert len(messages) == 1 and isinstance(messages[0], WorkerFailure)
    assert messages[0].category == "malformed"


def test_a_missing_graph_is_answered_with_one_not_found_failure(store: Store) -> None:
    job = GraphJob("urn:kgpub:no-such-graph", rdf_format="ntriples", row_limit=10)
    assert _messages(store, job) == [
        WorkerFailure("not-found", "the store holds no graph <urn:kgpub:no-such-graph>")
    ]


def test_a_graph_larger_than_a_chunk_is_sent_in_frames_that_join_into_the_whole_graph(
    store: Store,
) -> None:
    everything = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    job = QueryJob(everything, results_format=None, rdf_format="ntriples", row_limit=100_000)
    messages = _messages(store, job)
    frames = cast(list[Frame], messages)
    assert len(frames) > 1 and all(isinstance(frame, Frame) for frame in frames)
    assert [frame.last for frame in frames] == [False] * (len(frames) - 1) + [True]
    head = frames[0].head
    body = b"".join(frame.body for frame in frames)
    assert head is not None and body.count(b"\n") == head.rows and len(body) > CHUNK_BYTES


def test_a_failure_met_after_frames_were_sent_follows_them_as_the_last_message(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = AnswerHead("select", "csv", 1, truncated=False)

    def write_then_fail(output: IO[bytes]) -> None:
        output.write(b"x" * (2 * CHUNK_BYTES + 1))
        raise OSError("disk gone")

    monkeypatch.setattr(query_worker, "answer_query", lambda *_: Reply(head, write_then_fail))
    messages = _messages(store, _select("SELECT * {}"))
    assert messages == [
        Frame(head, b"x" * CHUNK_BYTES, last=False),
        Frame(None, b"x" * CHUNK_BYTES, last=False),
        WorkerFailure("failed", "the query failed while running: disk gone"),
    ]
