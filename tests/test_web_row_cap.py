"""The row cap: answers written once in their own format, cut at exactly the cap's last row."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from typing import IO

import pyoxigraph
import pytest

from kgpub.web.row_cap import CappedBody, cap_lines, cap_results, cap_solutions
from kgpub.web.row_counts import OutOfTime

FORMATS = pyoxigraph.QueryResultsFormat
SELECT_FORMATS = [FORMATS.JSON, FORMATS.XML, FORMATS.CSV, FORMATS.TSV]
EX = "http://example.org/"
AWKWARD_TEXTS = [
    "",
    '"',
    "\\",
    "{",
    "}",
    "{}",
    ",{",
    "[{",
    ',{"',
    '{"x":1}',
    "<result>",
    "</result>",
    "\n",
    "\r\n",
    "\t",
    ",",
    '"",',
    "é",
    '\\"',
    ':{"',
    "]}}",
]
"""Pieces of values that look like the row marks of some format."""
QUERIES = {
    "two variables": "SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s",
    "one variable": "SELECT ?o { ?s ?p ?o } ORDER BY ?s",
    "only empty rows": "SELECT ?unbound { ?s ?p ?o }",
    "some unbound": "SELECT ?unbound ?o { ?s ?p ?o } ORDER BY ?s",
    "triple terms": "SELECT ?t { ?s ?p ?o BIND(<<( ?s ?p ?o )>> AS ?t) } ORDER BY ?s",
    "no variables": "SELECT * {}",
    "no rows": "SELECT * { FILTER(false) }",
    "long values": "SELECT ?o { ?s ?p ?o FILTER(STRLEN(?o) > 8000) } ORDER BY ?s",
}


@pytest.fixture(scope="module")
def store() -> pyoxigraph.Store:
    """Values built from awkward pieces, some longer than a write (8 KiB) of Oxigraph's."""
    chosen = random.Random(23)  # noqa: S311 - reproducible values, not secrets
    made = pyoxigraph.Store()
    for number in range(60):
        text = "".join(chosen.choice(AWKWARD_TEXTS) for _ in range(chosen.randint(0, 6)))
        if number % 17 == 0:
            text += "x" * chosen.randint(8000, 9000) + chosen.choice(AWKWARD_TEXTS)
        value = pyoxigraph.Literal(text, language="en" if number % 3 == 0 else None)
        subject = pyoxigraph.NamedNode(f"{EX}{number:02}")
        made.add(pyoxigraph.Quad(subject, pyoxigraph.NamedNode(f"{EX}p"), value))
    return made


def _first_rows(
    store: pyoxigraph.Store, sparql: str, results_format: pyoxigraph.QueryResultsFormat, rows: int
) -> bytes:
    """The first ``rows`` solutions as Oxigraph writes them: by way of TSV, a line each."""
    tsv = store.query(sparql).serialize(format=FORMATS.TSV)
    kept = b"".join(tsv.splitlines(keepends=True)[: rows + 1])
    if results_format == FORMATS.TSV:
        return kept
    return bytes(pyoxigraph.parse_query_results(kept, format=FORMATS.TSV).serialize(
        format=results_format
    ))  # fmt: skip


def _row_count(store: pyoxigraph.Store, sparql: str) -> int:
    return len(store.query(sparql).serialize(format=FORMATS.TSV).splitlines()) - 1


def _in_pieces(data: bytes, *, seed: int) -> Callable[[IO[bytes]], None]:
    """A writer of ``data`` in pieces of 1 to 9 bytes, so every mark is split somewhere."""

    def write(output: IO[bytes]) -> None:
        chosen = random.Random(seed)  # noqa: S311 - reproducible pieces, not secrets
        position = 0
        while position < len(data):
            size = chosen.randint(1, 9)
            output.write(data[position : position + size])
            position += size

    return write


def _limits(total: int) -> list[int]:
    return sorted({0, 1, 2, max(total - 1, 0), total, total + 1, total // 2})


def _cases() -> Iterator[tuple[str, pyoxigraph.QueryResultsFormat]]:
    for name in QUERIES:
        for results_format in SELECT_FORMATS:
            yield name, results_format


CASES = list(_cases())


def test_the_cases_cover_every_query_in_every_format() -> None:
    assert len(CASES) == len(QUERIES) * len(SELECT_FORMATS) > 0


@pytest.mark.parametrize(("name", "results_format"), CASES, ids=[f"{n}-{f}" for n, f in CASES])
def test_every_cap_keeps_exactly_the_first_rows_as_oxigraph_writes_them(
    store: pyoxigraph.Store, name: str, results_format: pyoxigraph.QueryResultsFormat
) -> None:
    sparql = QUERIES[name]
    total = _row_count(store, sparql)
    for limit in _limits(total):
        expected = CappedBody(
            _first_rows(store, sparql, results_format, limit), min(total, limit), total > limit
        )
        assert cap_solutions(store.query(sparql), results_format, limit=limit) == expected


@pytest.mark.parametrize(("name", "results_format"), CASES, ids=[f"{n}-{f}" for n, f in CASES])
def test_rows_are_counted_exactly_however_the_writes_split_the_answer(
    store: pyoxigraph.Store, name: str, results_format: pyoxigraph.QueryResultsFormat
) -> None:
    sparql = QUERIES[name]
    whole = store.query(sparql).serialize(format=results_format)
    total = _row_count(store, sparql)
    for seed, limit in enumerate(_limits(total)):
        expected = CappedBody(
            _first_rows(store, sparql, results_format, limit), min(total, limit), total > limit
        )
        assert cap_results(_in_pieces(whole, seed=seed), results_format, limit=limit) == expected


@pytest.mark.parametrize("results_format", SELECT_FORMATS, ids=str)
def test_an_answer_of_exactly_the_cap_is_whole_and_written_as_oxigraph_writes_it(
    results_format: pyoxigraph.QueryResultsFormat,
) -> None:
    sparql = "SELECT ?n { VALUES ?n { 1 2 3 } }"
    capped = cap_solutions(pyoxigraph.Store().query(sparql), results_format, limit=3)
    whole = pyoxigraph.Store().query(sparql).serialize(format=results_format)
    assert capped == CappedBody(whole, 3, truncated=False)


@pytest.mark.parametrize("results_format", SELECT_FORMATS, ids=str)
def test_an_answer_one_row_over_the_cap_is_cut_and_closed_as_a_whole_answer_would_be(
    results_format: pyoxigraph.QueryResultsFormat,
) -> None:
    capped = cap_solutions(
        pyoxigraph.Store().query("SELECT ?n { VALUES ?n { 1 2 3 4 } }"), results_format, limit=3
    )
    shorter = pyoxigraph.Store().query("SELECT ?n { VALUES ?n { 1 2 3 } }")
    assert capped == CappedBody(shorter.serialize(format=results_format), 3, truncated=True)


ENDLESS = {
    FORMATS.JSON: (b'{"head":{"vars":["n"]},"results":{"bindings":[', b'{"n":{"value":"1"}},'),
    FORMATS.XML: (b"<sparql><head></head><results>", b"<result></result>"),
    FORMATS.CSV: (b"n\r\n", b"1\r\n"),
    FORMATS.TSV: (b"?n\n", b"1\n"),
}


@pytest.mark.parametrize("results_format", SELECT_FORMATS, ids=str)
def test_a_cap_stops_an_endless_answer_at_the_first_write_past_its_last_row(
    results_format: pyoxigraph.QueryResultsFormat,
) -> None:
    head, row = ENDLESS[results_format]
    written: list[int] = []

    def write_forever(output: IO[bytes]) -> None:
        output.write(head)
        while True:
            written.append(output.write(row * 100))

    capped = cap_results(write_forever, results_format, limit=1000)
    assert (capped.rows, capped.truncated, len(written)) == (1000, True, 10)


def test_graph_lines_are_capped_a_triple_at_a_time() -> None:
    triples = b"".join(b"<%s%d> <%sp> 1 .\n" % (EX.encode(), n, EX.encode()) for n in range(5))
    assert cap_lines(lambda out: out.write(triples), limit=5) == CappedBody(triples, 5, False)
    cut = cap_lines(lambda out: out.write(triples), limit=2)
    assert cut == CappedBody(b"".join(triples.splitlines(keepends=True)[:2]), 2, True)
    assert cap_lines(lambda out: out.write(triples), limit=0) == CappedBody(b"", 0, True)


@pytest.mark.parametrize("results_format", SELECT_FORMATS, ids=str)
def test_a_deadline_stops_an_endless_answer_at_the_first_write_after_it(
    results_format: pyoxigraph.QueryResultsFormat,
) -> None:
    head, row = ENDLESS[results_format]
    started: list[float] = []

    def write_forever(output: IO[bytes]) -> None:
        output.write(head)
        while True:
            started.append(time.monotonic())
            output.write(row)

    deadline = time.monotonic() + 0.05
    with pytest.raises(OutOfTime):
        cap_results(write_forever, results_format, limit=10**9, deadline=deadline)
    assert len([write for write in started if write > deadline]) <= 1


def test_a_deadline_stops_oxigraph_evaluating_before_the_answer_ends() -> None:
    store = pyoxigraph.Store()
    subject = pyoxigraph.NamedNode(f"{EX}s")
    store.extend(
        pyoxigraph.Quad(subject, pyoxigraph.NamedNode(f"{EX}p{n}"), pyoxigraph.Literal(n))
        for n in range(20_000)
    )
    evaluated: list[None] = []

    def count_row() -> pyoxigraph.Literal:
        evaluated.append(None)
        return pyoxigraph.Literal(len(evaluated))

    counter = pyoxigraph.NamedNode(f"{EX}count")
    solutions = store.query(
        f"SELECT ?p ?o ?n {{ <{EX}s> ?p ?o BIND (<{counter.value}>() AS ?n) }}",
        custom_functions={counter: count_row},
    )
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    with pytest.raises(OutOfTime):
        cap_solutions(solutions, FORMATS.TSV, limit=10**9, deadline=time.monotonic())
    assert 0 < len(evaluated) < 1_000
