r"""The row cap: an answer written once, in the format asked for, counted while it is written.

A query worker keeps at most ``max_rows`` rows of an answer (:mod:`kgpub.web.query_worker`).
Oxigraph evaluates lazily while it serialises, so the cap is the binary file Oxigraph writes
the answer into: it keeps the bytes, counts the rows in them as they arrive, and stops Oxigraph
(by raising) once a row past the cap is there; evaluation stops with it. The bytes are then cut
back after the cap's last row and closed as the format closes them: the head (row count, whether
rows were left out) is known before the body is sent, and no answer is written twice.

Each format's rows are counted in the bytes Oxigraph writes:

- TSV and N-Triples: a line per row (values escape their line breaks), after TSV's header;
- CSV: a line per row after the header, counting the line breaks outside quoted values only (a
  value's own quotes are doubled, so inside and outside alternate at every quote);
- XML: a ``<result>`` per row (values escape their ``<``);
- JSON: an object per row, opened by ``[{`` or ``,{`` outside strings. Outside strings every
  other object follows a ``:``, so a row starts at each ``{"`` after ``[`` or ``,`` and before
  a variable's name. Only an empty row (``{}``) or a string ending in ``{`` can fool that; when
  either is there, the rows are counted with the strings taken out (slower, and exact).

>>> store = pyoxigraph.Store()
>>> solutions = store.query("SELECT ?n { VALUES ?n { 1 2 3 } }")
>>> cap_solutions(solutions, pyoxigraph.QueryResultsFormat.CSV, limit=2)
CappedBody(body=b'n\r\n1\r\n2\r\n', rows=2, truncated=True)
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, cast

import pyoxigraph

_JSON_MARK = re.compile(rb'\{(?:(\}|"(?=[,}\]:]))|(?<=[\[,]\{)"(?=[^,}\]:]))')
"""A JSON row's start (group 1 empty), or what only an empty row or a string can hold."""
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_STRING_REST = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)
"""What is left of a string from inside it: up to its closing quote, or a lone backslash."""
_JSON_TOKEN = re.compile(_JSON_STRING.pattern + rb"|[\[,]\{", re.DOTALL)
_XML_ROW = b"<result>"


@dataclass(frozen=True)
class CappedBody:
    """An answer's bytes, holding at most the row cap's rows."""

    body: bytes
    rows: int
    """The rows (solutions or triples) the body holds."""
    truncated: bool
    """Whether the answer had more rows, left out of the body."""


class _Enough(Exception):
    """Raised into Oxigraph's serialiser to stop it once the row cap is passed."""


class OutOfTime(Exception):
    """Raised into Oxigraph's serialiser, and out of it, once the answer's deadline passed."""


class _Rows:
    """A binary file that keeps what is written and stops the writer past the row cap.

    It counts a format's rows as ``marks``, row starts or line ends. The cap cuts before the
    ``target`` mark when marks start rows, after it when they end lines (a header line, then
    the cap's rows); it is searched for from ``checkpoint``: where the last scan began with
    fewer marks (offset, marks, ``inside``: whether the scan stopped inside a quoted value).
    """

    header_marks = 0
    footer = b""
    deadline: float | None = None
    """The :func:`time.monotonic` time after which writing stops with :class:`OutOfTime`."""

    def __init__(self, limit: int) -> None:
        self.data = bytearray()
        self.limit = limit
        self.target = limit + 1
        self.marks = 0
        self.scanned = 0
        self.inside = False
        self.checkpoint = (0, 0, False)

    @property
    def rows(self) -> int:
        return self.marks - self.header_marks

    def write(self, chunk: bytes) -> int:
        self.data += chunk
        self.scan(self.data, final=False)
        if self.rows > self.limit:
            raise _Enough
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise OutOfTime
        return len(chunk)

    def flush(self) -> None:
        """Nothing to flush: everything is kept in memory."""

    def scan(self, data: bytearray, *, final: bool) -> None:
        """Count the marks in what was written since the last scan."""
        if self.marks < self.target:
            self.checkpoint = (self.scanned, self.marks, self.inside)
        self._scan(data, final=final)

    def _scan(self, data: bytearray, *, final: bool) -> None:
        raise NotImplementedError

    def cut_offset(self, data: bytearray) -> int:
        """Where to cut ``data`` to keep the cap's rows."""
        raise NotImplementedError


class _LineRows(_Rows):
    """TSV (after its header line) and N-Triples: a line per row."""

    def __init__(self, limit: int, *, header_lines: int) -> None:
        super().__init__(limit)
        self.header_marks = header_lines
        self.target = limit + header_lines

    def _scan(self, data: bytearray, *, final: bool) -> None:
        self.marks += data.count(b"\n", self.scanned)
        self.scanned = len(data)

    def cut_offset(self, data: bytearray) -> int:
        position, marks, _ = self.checkpoint
        return _nth(data, b"\n", position, self.target - marks) + 1


class _CsvRows(_Rows):
    """CSV: a line per row after the header, its line breaks outside quoted values."""

    header_marks = 1

    def _scan(self, data: bytearray, *, final: bool) -> None:
        if data.find(b'"', self.scanned) < 0:
            if not self.inside:
                self.marks += data.count(b"\n", self.scanned)
        else:
            parts = data[self.scanned :].split(b'"')
            self.marks += sum(part.count(b"\n") for part in parts[self.inside :: 2])
            self.inside ^= len(parts) % 2 == 0
        self.scanned = len(data)

    def cut_offset(self, data: bytearray) -> int:
        position, marks, quoted = self.checkpoint
        for part in data[position:].split(b'"'):
            found = 0 if quoted else part.count(b"\n")
            if marks + found >= self.target:
                return position + _nth(part, b"\n", 0, self.target - marks) + 1
            marks += found
            position += len(part) + 1
            quoted = not quoted
        raise AssertionError("the cut lies in the bytes counted")  # pragma: no cover


class _XmlRows(_Rows):
    """SPARQL results XML: a ``<result>`` element per row."""

    footer = b"</results></sparql>"

    def _scan(self, data: bytearray, *, final: bool) -> None:
        self.marks += data.count(_XML_ROW, self.scanned)
        # An element cut between two writes is counted by the next scan.
        self.scanned = max(self.scanned, len(data) - len(_XML_ROW) + 1)

    def cut_offset(self, data: bytearray) -> int:
        position, marks, _ = self.checkpoint
        return _nth(data, _XML_ROW, position, self.target - marks)


class _JsonRows(_Rows):
    """SPARQL results JSON: an object per row in ``bindings``."""

    footer = b"]}}"

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.exact = False
        """Whether strings are taken out to count: an empty row or a string's ``{`` seen."""

    def _scan(self, data: bytearray, *, final: bool) -> None:
        if self.exact:
            self._scan_outside_strings(data, final=final)
            return
        found = _JSON_MARK.findall(data, self.scanned)
        marks = found.count(b"")
        if marks < len(found):
            self.exact = True
            self.marks = self.scanned = 0
            self.checkpoint = (0, 0, False)
            self._scan_outside_strings(data, final=final)
            return
        self.marks += marks
        # A "{" or '{"' at the end is decided by what the next write brings.
        self.scanned = len(data) - (2 if data.endswith(b'{"') else int(data.endswith(b"{")))

    def _scan_outside_strings(self, data: bytearray, *, final: bool) -> None:
        start = self.scanned
        if self.inside:  # in a string the last write left open
            start = _string_stop(data, start)
            if start >= len(data) or data[start] != ord('"'):
                self.scanned = start  # still open (before a lone "\\", read again)
                return
            start += 1
            self.inside = False
        outside = _JSON_STRING.sub(b"", data[start:])
        end = len(data)
        open_string = outside.find(b'"')
        if open_string >= 0:  # a string this write leaves open: read on to where it stops
            opened = end - (len(outside) - open_string)
            end = _string_stop(data, opened + 1)
            outside = outside[:open_string]
            self.inside = True
        elif not final and data.endswith((b",", b"[")):  # a row may start with the next
            end -= 1
            outside = outside[:-1]
        self.marks += outside.count(b"[{") + outside.count(b",{")
        self.scanned = end

    def cut_offset(self, data: bytearray) -> int:
        position, marks, inside = self.checkpoint
        if inside:
            position = _string_stop(data, position) + 1
        pattern = _JSON_TOKEN if self.exact else _JSON_MARK
        for match in pattern.finditer(data, position):
            if match.group().startswith(b'"') or (not self.exact and match.group(1)):
                continue
            marks += 1
            if marks == self.target:
                start = match.start() + (0 if self.exact else -1)
                return start + 1 if data[start] == ord("[") else start
        raise AssertionError("the cut lies in the bytes counted")  # pragma: no cover


def _nth(data: bytearray, mark: bytes, start: int, number: int) -> int:
    """Where the ``number``-th ``mark`` from ``start`` on is in ``data``."""
    position = start - 1
    for _ in range(number):
        position = data.index(mark, position + 1)
    return position


def _string_stop(data: bytearray, position: int) -> int:
    """Where a JSON string read from inside it stops: its closing quote, or the end of ``data``.

    A backslash ending ``data`` is left out: the character it escapes is still to come.
    """
    rest = _JSON_STRING_REST.match(data, position)
    return rest.end() if rest else position  # it always matches, if only nothing


def _capped(write: Callable[[IO[bytes]], object], rows: _Rows) -> CappedBody:
    try:
        write(cast(IO[bytes], rows))
    except _Enough:
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
        lazy evaluation) stops, raising :class:`OutOfTime`.
    """
    counted = _RESULTS_ROWS.get(results_format)
    rows = counted(limit) if counted else _LineRows(limit, header_lines=1)
    rows.deadline = deadline
    return _capped(write, rows)


_RESULTS_ROWS: dict[pyoxigraph.QueryResultsFormat, Callable[[int], _Rows]] = {
    pyoxigraph.QueryResultsFormat.JSON: _JsonRows,
    pyoxigraph.QueryResultsFormat.XML: _XmlRows,
    pyoxigraph.QueryResultsFormat.CSV: _CsvRows,
}
"""How the rows of each results format are counted; TSV's are lines after its header."""


def cap_lines(write: Callable[[IO[bytes]], object], *, limit: int) -> CappedBody:
    """What ``write(output)`` writes, one row per line (N-Triples), keeping ``limit`` lines."""
    return _capped(write, _LineRows(limit, header_lines=0))
