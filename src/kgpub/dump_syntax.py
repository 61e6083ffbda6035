r"""Turtle, TriG and JSON-LD pieces rewritten as text from a segment's sorted lines.

A segment's lines are Oxigraph's own canonical N-Triples or N-Quads: one space between terms,
``" ."`` at the end of each line, and in strings only the escapes ``\t \b \n \r \f \" \\`` and
``\u00XX``. Parsing them into Python terms to serialise them again costs more than writing
them, so :func:`render_segment` copies each term's bytes where it can (an N-Triples string is
a Turtle string and, with those escapes, a JSON string), renders each distinct IRI once, and
groups the lines by graph, subject and predicate as it goes. What it writes is what Oxigraph's
serialisers write, byte for byte, but for two things: a prefixed name only where the local
part is plainly one (``[A-Za-z0-9_.-]``, no ``.`` at either end), and in JSON-LD control
characters and DEL escaped as N-Triples escapes them (``\u001F``, ``\u007F``: Oxigraph writes
``\u001f`` and a raw DEL).

What it cannot rewrite with certainty sends the whole segment through pyoxigraph instead
(:func:`render_with_oxigraph`), so an unusual segment costs time, never meaning: an IRI holding
an escape or a character IRIs lack, a blank node label outside ``[A-Za-z0-9_.-]``, a datatype
that is not a plain absolute IRI or is in ``rdf:``, a language tag with a base direction
(``@en--ltr``), a triple term, in JSON-LD a string escape JSON lacks (``\U``, ``\'``) or a raw
control character, a raw carriage return, a line not split by single spaces or not ending in
``" ."``, or predicates out of order (in JSON-LD a key would repeat). The lines are taken to be
valid N-Triples or N-Quads: the fallback parses them, and raises otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO
from itertools import repeat
from operator import itemgetter
from typing import Any

import pyoxigraph

from kgpub.dump_terms import (
    NUMERALS,
    SyntaxPair,
    TermSyntax,
    Unrewritable,
    check_strings,
    check_terms,
    syntax_of,
)
from kgpub.formats import rdf_format
from kgpub.vocab import PREFIXES

SYNTAX_NAMES = ("turtle", "trig", "jsonld")
"""The formats written here: Turtle from triples, TriG and JSON-LD from quads."""

_LINE_END = b" .\n"
"""How every line ends: after a triple's object, after a quad's graph or object."""
_NEVER = b"\n\n"
"""A line end no line has (each line holds one newline, its last byte)."""


def render_segment(lines: bytes, name: str) -> bytes:
    r"""A segment's piece in format ``name``, as the dump files frame it.

    A Turtle or TriG piece has no ``@prefix`` lines (the file writes them once, before all
    pieces); a JSON-LD piece is its top-level objects joined by ``,`` without ``[`` ``]``.

    :param lines: sorted N-Triples lines (``turtle``) or N-Quads lines (``trig``, ``jsonld``),
        each ending in a newline, as Oxigraph writes them.
    :param name: one of :data:`SYNTAX_NAMES`.
    :raises ValueError: ``name`` is not one of :data:`SYNTAX_NAMES`.
    :raises SyntaxError: the lines are not N-Triples or N-Quads (pyoxigraph's message).

    >>> render_segment(b'<https://schema.org/a> <http://e/p> "x"@en <http://e/g> .\n', "trig")
    b'<http://e/g> {\n\tschema:a <http://e/p> "x"@en .\n}\n'
    """
    if name not in SYNTAX_NAMES:
        raise ValueError(f"unknown piece format {name!r}: expected one of {SYNTAX_NAMES}")
    try:
        return b"".join(_rewrite(lines, syntax_of(name), quads=name != "turtle"))
    except (Unrewritable, ValueError, IndexError):
        return render_with_oxigraph(lines, name)


def render_segments(lines: bytes, names: Iterable[str]) -> dict[str, bytes]:
    """A segment's pieces in each of ``names``, as :func:`render_segment` renders each.

    TriG and JSON-LD are rewritten in one pass over the lines when both are asked for, in
    about a third less time than one after the other. If either cannot be, both fall back.

    :raises ValueError: a name is not one of :data:`SYNTAX_NAMES`, or Turtle is asked for with
        TriG or JSON-LD (triples and quads are different segments).
    """
    wanted = tuple(dict.fromkeys(names))
    if "turtle" in wanted and len(wanted) > 1:
        raise ValueError(f"Turtle is written from triples, {wanted[1:]} from quads: not both")
    if sorted(wanted) != ["jsonld", "trig"]:
        return {name: render_segment(lines, name) for name in wanted}
    try:
        items = _rewrite(lines, SyntaxPair(syntax_of("trig"), syntax_of("jsonld")), quads=True)
    except (Unrewritable, ValueError, IndexError):
        return {name: render_with_oxigraph(lines, name) for name in wanted}
    trig, jsonld = (b"".join(map(itemgetter(side), items)) for side in (0, 1))
    return {"trig": trig, "jsonld": jsonld}


def piece_prefixes(name: str) -> dict[str, str] | None:
    """The prefixes a piece in format ``name`` is written with: none for JSON-LD.

    JSON-LD is left expanded, so readers need no context to resolve its keys.
    """
    return PREFIXES if name in ("turtle", "trig") else None


def render_with_oxigraph(lines: bytes, name: str) -> bytes:
    """The piece of :func:`render_segment`, parsed into terms and serialised by Oxigraph.

    :raises SyntaxError: the lines are not N-Triples or N-Quads.
    """
    line_format = pyoxigraph.RdfFormat.N_QUADS
    if name == "turtle":
        line_format = pyoxigraph.RdfFormat.N_TRIPLES
    # Lenient: the lines were written by Oxigraph, which checked every IRI already.
    statements = list(pyoxigraph.parse(lines, format=line_format, lenient=True))
    target = rdf_format(name).oxigraph
    written = pyoxigraph.serialize(statements, format=target, prefixes=piece_prefixes(name)) or b""
    if name == "jsonld":
        return written.removeprefix(b"[").removesuffix(b"]")
    end = 0
    while written.startswith(b"@prefix ", end):  # the header, which the file writes once
        end = written.index(b"\n", end) + 1
    return written[end:]


def _rewrite(lines: bytes, syntax: TermSyntax | SyntaxPair, *, quads: bool) -> list[Any]:
    """The piece's texts in order, grouped by graph, subject and predicate.

    A :class:`SyntaxPair` gives pairs of texts, TriG's and JSON-LD's. Raises :class:`Unrewritable`
    where the rewriting is not certain.
    """
    if (lines and not lines.endswith(b"\n")) or b"\r" in lines:
        raise Unrewritable("a line without its newline, or a raw carriage return")
    pair, json = isinstance(syntax, SyntaxPair), syntax.json
    terms: list[bytes] = []  # every IRI or blank node written, for check_terms
    predicates: list[bytes] = []
    strings: list[bytes] = []  # every string written into JSON-LD, for check_strings
    # Rendered objects, and what follows strings, by the text after the closing quote (the
    # whole object for IRIs and blank nodes).
    objects: dict[bytes, Any] = {}
    literals: dict[bytes, Any] = {}
    first_predicates: dict[bytes, Any] = {}
    next_predicates: tuple[dict[bytes, Any], dict[bytes, Any]] = ({}, {})  # default, named
    out: list[Any] = []
    emit = out.append
    graph: bytes | None = None if quads else b""
    subject: bytes | None = None
    predicate = b""
    # Most quads are in the graph of the line before, which one removesuffix proves (CPython
    # hands back the same bytes when the suffix is not there; a copy would only make the term
    # checks send the segment to pyoxigraph). Never in the default graph: its lines end like
    # any other's. Triples are all in it, and nothing follows their objects but " .\n".
    suffix = _NEVER if quads else _LINE_END
    following, named = next_predicates[False], False
    subject_text, predicate_text, object_text = syntax.subject, syntax.predicate, syntax.object
    object_between, subject_end, pair_end = syntax.object_between, syntax.subject_end, (b"", b'"}')
    # BytesIO hands out the lines, newline and all, faster than splitting the text does.
    for s, p, rest in map(bytes.split, BytesIO(lines), repeat(b" "), repeat(2)):
        if (bare := rest.removesuffix(suffix)) is not rest:
            rest = bare
        else:
            rest, g = _object_and_graph(rest)
            if g != graph:
                if graph is not None:
                    emit(syntax.named_end if graph else syntax.default_end)
                    emit(syntax.top_between)
                if g:
                    terms.append(g)
                    emit(syntax.graph_open(g))
                suffix = b" " + g + _LINE_END if g else _NEVER
                named = bool(g)
                following = next_predicates[named]
                graph, subject = g, None
        if s == subject:
            if p == predicate:
                emit(object_between)
            else:
                if json and p < predicate:
                    raise Unrewritable("predicates out of order: JSON-LD keys would repeat")
                try:  # a miss is rare: raising KeyError then costs less than .get() each time
                    emit(following[p])
                except KeyError:
                    predicates.append(p)
                    emit(following.setdefault(p, syntax.next_predicate(p, named)))
                predicate = p
        else:
            if subject is not None:
                emit(subject_end)
            terms.append(s)
            emit(subject_text(s, named))
            try:
                emit(first_predicates[p])
            except KeyError:
                predicates.append(p)
                emit(first_predicates.setdefault(p, predicate_text(p)))
            subject, predicate = s, p
        if rest[0] == 34:  # a literal: its string is copied, what follows it rendered
            head, _, tail = rest.rpartition(b'"')
            try:
                shape = literals[tail]
            except KeyError:
                shape = literals[tail] = syntax.literal(tail)
            if not json:
                if (numeral := NUMERALS.get(tail)) is not None and numeral.fullmatch(head, 1):
                    emit(head[1:])  # written bare, as Oxigraph does: 12 for "12"^^xsd:integer
                else:
                    emit(head)
                    emit(shape)
            elif not pair:
                strings.append(head)
                emit(shape)
                emit(head)
                emit(b'"}')
            else:  # TriG's texts, then JSON-LD's: the string and its tail, or a bare number
                strings.append(head)
                if (numeral := NUMERALS.get(tail)) is not None and numeral.fullmatch(head, 1):
                    emit((head[1:], shape[1]))
                    emit((b"", head))
                else:
                    emit((head, shape[1]))
                    emit((shape[0], head))
                emit(pair_end)
        else:  # an IRI or blank node; a quarter are new, too many to raise KeyError for
            shape = objects.get(rest)
            if shape is None:
                terms.append(rest)
                shape = objects[rest] = object_text(rest)
            emit(shape)
    if subject is not None:
        emit(syntax.named_end if graph else syntax.default_end)
    check_terms(terms, predicates)
    check_strings(strings)
    return out


def _object_and_graph(rest: bytes) -> tuple[bytes, bytes]:
    """A quad's object and graph (``b""``: the default graph), from what follows its predicate."""
    if not rest.endswith(_LINE_END):
        raise Unrewritable(rest)
    end = len(rest) - len(_LINE_END)
    # A string may hold spaces, but no term after its closing quote does.
    cut = rest.find(b" ", rest.rfind(b'"', 0, end) + 1 if rest[0] == 34 else 0, end)
    return (rest[:end], b"") if cut < 0 else (rest[:cut], rest[cut + 1 : end])
