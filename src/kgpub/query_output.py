"""Query results as bytes: standard SPARQL results formats, RDF, or a table for people."""

from __future__ import annotations

from typing import Any

import pyoxigraph

from kgpub.errors import QueryError
from kgpub.formats import RdfFormat, ResultsFormat

MAX_CELL = 80


def render_results(results: Any, output: ResultsFormat | RdfFormat | None) -> bytes:
    """Serialise SELECT/ASK/CONSTRUCT results; ``None`` means a plain-text table.

    :raises QueryError: when the format does not fit the query form.
    """
    is_graph = isinstance(results, pyoxigraph.QueryTriples)
    if isinstance(output, RdfFormat):
        if not is_graph:
            raise QueryError("RDF formats are for CONSTRUCT and DESCRIBE; use json, csv or table")
        return bytes(results.serialize(format=output.oxigraph))
    if isinstance(output, ResultsFormat):
        if is_graph:
            raise QueryError("SPARQL results formats are for SELECT and ASK; use turtle")
        return bytes(results.serialize(format=output.oxigraph))
    if is_graph:
        return bytes(results.serialize(format=pyoxigraph.RdfFormat.TURTLE))
    if isinstance(results, pyoxigraph.QueryBoolean):
        return b"true\n" if bool(results) else b"false\n"
    return _table(results).encode("utf-8")


def _table(solutions: pyoxigraph.QuerySolutions) -> str:
    names = [variable.value for variable in solutions.variables]
    rows = [[_cell(solution[name]) for name in names] for solution in solutions]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = [
        "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _cell(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.Literal):
        text = term.value if term.language is None else f"{term.value}@{term.language}"
    else:
        text = str(term.value) if hasattr(term, "value") else str(term)
    text = " ".join(text.split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
