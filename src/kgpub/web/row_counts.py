"""Counting an answer's rows in the bytes Oxigraph writes, as it writes them.

The row cap (:mod:`kgpub.web.row_cap`) hands Oxigraph one of these files to write an answer
into. Each keeps the bytes, counts the rows in them as they arrive, and stops the writer (by
raising) once a row past the cap is there, or once the answer's deadline has passed. Each
format's rows are counted this way:

- TSV and N-Triples: a line per row (values escape their line breaks), after TSV's header;
- CSV: a line per row after the header, counting the line breaks outside quoted values only (a
  value's own quotes are doubled, so inside and outside alternate at every quote);
- XML: a ``<result>`` per row (values escape their ``<``);
- JSON: an object per row, opened by ``[{`` or ``,{`` outside strings. Outside strings every
  other object follows a ``:``, so a row starts at each ``{"`` after ``[`` or ``,`` and before
  a variable's name. Only an empty row (``{}``) or a string ending in ``{`` can fool that; when
  either is there, the rows are counted with the strings taken out (slower, and exact).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pyoxigraph

_JSON_MARK = re.compile(rb'\{(?:(\}|"(?=[,}\]:]))|(?<=[\[,]\{)"(?=[^,}\]:]))')
"""A JSON row's start (group 1 empty), or what only an empty row or a string can hold."""
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_STRING_REST = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)
"""What is left of a string from inside it: up to its closing quote, or a lone backslash."""
_JSON_TOKEN = re.compile(_JSON_STRING.pattern + rb"|[\[,]\{", re.DOTALL)
_XML_ROW = b"<result>"


class CapReached(Exception):
    """Raised into Oxigraph's serialiser to stop it once the row cap is passed."""


class OutOfTime(Exception):
    """Raised into Oxigraph's serialiser, and out of it, once the answer's deadline passed."""


class CountedRows:
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
        """The rows counted so far."""
        return self.marks - self.header_marks

    def write(self, chunk: bytes) -> int:
        """Keep and count ``chunk``; raise to stop the writer past the cap or the deadline."""
        self.data += chunk
        self.scan(self.data, final=False)
        if self.rows > self.limit:
            raise CapReached
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


class LineRows(CountedRows):
    """TSV (after its header line) and N-Triples: a line per row."""

    def __init__(self, limit: int, *, header_lines: int) -> None:
        super().__init__(limit)
        self.header_marks = header_lines
        self.target = limit + header_lines

    def _scan(self, data: bytearray, *, final: bool) -> None:
        self.marks += data.count(b"\n", self.scanned)
        self.scanned = len(data)

    def cut_offset(self, data: bytearray) -> int:
        """After the line ending the cap's last row."""
        position, marks, _ = self.checkpoint
        return _nth(data, b"\n", position, self.target - marks) + 1


class CsvRows(CountedRows):
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
        """After the line break, outside quotes, ending the cap's last row."""
        position, marks, quoted = self.checkpoint
        for part in data[position:].split(b'"'):
            found = 0 if quoted else part.count(b"\n")
            if marks + found >= self.target:
                return position + _nth(part, b"\n", 0, self.target - marks) + 1
            marks += found
            position += len(part) + 1
            quoted = not quoted
        raise AssertionError("the cut lies in the bytes counted")  # pragma: no cover


class XmlRows(CountedRows):
    """SPARQL results XML: a ``<result>`` element per row."""

    footer = b"</results></sparql>"

    def _scan(self, data: bytearray, *, final: bool) -> None:
        self.marks += data.count(_XML_ROW, self.scanned)
        # An element cut between two writes is counted by the next scan.
        self.scanned = max(self.scanned, len(data) - len(_XML_ROW) + 1)

    def cut_offset(self, data: bytearray) -> int:
        """Before the ``<result>`` of the first row past the cap."""
        position, marks, _ = self.checkpoint
        return _nth(data, _XML_ROW, position, self.target - marks)


class JsonRows(CountedRows):
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
        """Before the object (and its comma) of the first row past the cap."""
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


RESULTS_ROWS: dict[pyoxigraph.QueryResultsFormat, Callable[[int], CountedRows]] = {
    pyoxigraph.QueryResultsFormat.JSON: JsonRows,
    pyoxigraph.QueryResultsFormat.XML: XmlRows,
    pyoxigraph.QueryResultsFormat.CSV: CsvRows,
}
"""How the rows of each results format are counted; TSV's are lines after its header."""
