r"""The row cap: an answer written once, in the format asked for, counted while it is written.

A query worker keeps at most ``max_rows`` rows of an answer (:mod:`kgpub.web.query_worker`).
Oxigraph evaluates lazily while it serialises, so the cap is the binary file Oxigraph writes
the answer into (:mod:`kgpub.web.row_counts`): it keeps the bytes, counts the rows in them as
they arrive, and stops Oxigraph (by raising) once a row past the cap is there; evaluation stops
with it. The bytes are then cut back after the cap's last row and closed as the format closes
them: the head (row count, whether rows were left out) is known before the body is sent, and no
answer is written twice. Given a deadline, the same file stops Oxigraph once it has passed.

>>> store = pyoxigraph.Store()
>>> solutions = store.query("SELECT ?n { VALUES ?n { 1 2 3 } }")
>>> cap_solutions(solutions, pyoxigraph.QueryResultsFormat.CSV, limit=2)
CappedBody(body=b'n\r\n1\r\n2\r\n', rows=2, truncated=True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, cast

import pyoxigraph

from kgpub.web.row_counts import RESULTS_ROWS, CapReached, CountedRows, LineRows


@dataclass(frozen=True)
class CappedBody:
    """An answer's bytes, holding at most the row cap's rows."""

    body: bytes
    rows: int
    """The rows (solutions or triples) the body holds."""
    truncated: bool
    """Whether the answer had more rows, left out of the body."""


def _capped(write: Callable[[IO[bytes]], object], rows: CountedRows) -> CappedBody:
    try:
        write(cast(IO[bytes], rows))
    except CapReached:
        pass
    else:
        rows.scan(rows.data, final=True)
    if rows.rows > rows.limit:
        cut = rows.cut_offset(rows.data)
        return CappedBody(bytes(rows.data[:cut]) + rows.footer, rows.limit, truncated=True)
    return CappedBody(bytes(rows.data), rows.rows, truncated=False)


def cap_solutions(
    solutions: pyoxigraph.QuerySolutions,
    results_format: pyoxigraph.QueryResultsFormat,
    *,
    limit: int,
    deadline: float | None = None,
) -> CappedBody:
    """``solutions`` written in ``results_format``, keeping at most ``limit`` of them."""
    return cap_results(
        lambda out: solutions.serialize(out, format=results_format),
        results_format,
        limit=limit,
        deadline=deadline,
    )


def cap_results(
    write: Callable[[IO[bytes]], object],
    results_format: pyoxigraph.QueryResultsFormat,
    *,
    limit: int,
    deadline: float | None = None,
) -> CappedBody:
    """SELECT results, as ``write(output)`` writes them in ``results_format``, capped.

    :param write: writes the results as Oxigraph does (in chunks of any size).
    :param limit: the most solutions kept; the answer says whether more were left out.
    :param deadline: when given, the :func:`time.monotonic` time past which writing (and so
        lazy evaluation) stops, raising :class:`~kgpub.web.row_counts.OutOfTime`.
    """
    counted = RESULTS_ROWS.get(results_format)
    rows = counted(limit) if counted else LineRows(limit, header_lines=1)
    rows.deadline = deadline
    return _capped(write, rows)


def cap_lines(write: Callable[[IO[bytes]], object], *, limit: int) -> CappedBody:
    """What ``write(output)`` writes, one row per line (N-Triples), keeping ``limit`` lines."""
    return _capped(write, LineRows(limit, header_lines=0))
