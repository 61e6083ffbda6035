"""Recognising queries of one triple pattern: work that Oxigraph does a row at a time.

``SELECT ?p ?o WHERE { <iri> ?p ?o }`` is the most common query there is: it is what rdflib's
``SPARQLStore`` sends for every ``graph.triples(...)`` call, and what a client asks to look an
entity up. Oxigraph answers a single triple pattern by scanning one index from a prefix of the
bound terms, and it evaluates lazily while the answer is written, so each row written costs one
step of that scan. Stopping the writer (at the row cap, or at the deadline) therefore stops the
work; no other query shape gives that guarantee (a join, a filter, ``DISTINCT``, ``ORDER BY``
or ``OFFSET`` can work for a long time between two rows).

The shapes recognised, after any ``BASE``/``PREFIX`` declarations, are exactly::

    SELECT (* | ?var ...) [WHERE] { subject predicate object [.] } [LIMIT n]
    ASK [WHERE] { subject predicate object [.] }

with IRIs, prefixed names or variables as terms, ``a`` as a predicate and a plain, tagged or
typed string as an object. Anything else (numbers, blank nodes, ``FROM``, ``DISTINCT``,
``VALUES``, a second pattern) is not recognised; such queries simply take the general way.
The text is only recognised here; Oxigraph still parses it, and refuses it if it is malformed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # sparql_tokens imports this module
    from kgpub.sparql_tokens import Token

_NAMES = ("iri", "pname", "var")


def is_single_pattern(tokens: Sequence[Token]) -> bool:
    """Whether ``tokens`` (white space and comments left out) are one of the shapes above.

    >>> from kgpub.sparql_tokens import tokenize
    >>> is_single_pattern(tokenize("PREFIX s: <https://schema.org/> SELECT ?o { <x> s:name ?o }"))
    True
    >>> is_single_pattern(tokenize("SELECT DISTINCT ?p { ?s ?p ?o }"))
    False
    """
    rest = tokens[_prologue_length(tokens) :]
    if not rest:
        return False
    position = _after_head(rest)
    if position is None:
        return False
    if position < len(rest) and rest[position].is_word("WHERE"):
        position += 1
    if position >= len(rest) or rest[position].text != "{":
        return False
    position = _after_triple(rest, position + 1)
    if position is None or position >= len(rest):
        return False
    if rest[position].text == ".":
        position += 1
    if position >= len(rest) or rest[position].text != "}":
        return False
    tail = rest[position + 1 :]
    return not tail or (rest[0].is_word("SELECT") and _is_limit(tail))


def _prologue_length(tokens: Sequence[Token]) -> int:
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token.is_word("BASE") and _kind_at(tokens, position + 1) == "iri":
            position += 2
        elif (
            token.is_word("PREFIX")
            and _kind_at(tokens, position + 1) == "pname"
            and _kind_at(tokens, position + 2) == "iri"
        ):
            position += 3
        else:
            break
    return position


def _after_head(rest: Sequence[Token]) -> int | None:
    """Where the query's head (``ASK``, or ``SELECT`` and its plain projection) ends."""
    if rest[0].is_word("ASK"):
        return 1
    if not rest[0].is_word("SELECT"):
        return None
    if len(rest) > 1 and rest[1].text == "*":
        return 2
    position = 1
    while position < len(rest) and rest[position].kind == "var":
        position += 1
    return position if position > 1 else None


def _after_triple(rest: Sequence[Token], position: int) -> int | None:
    """Where a triple pattern starting at ``position`` ends, or ``None`` if none starts there."""
    if _kind_at(rest, position) not in _NAMES:
        return None
    predicate = rest[position + 1] if position + 1 < len(rest) else None
    if predicate is None or not (predicate.kind in _NAMES or predicate.text == "a"):
        return None
    return _after_object(rest, position + 2)


def _after_object(rest: Sequence[Token], position: int) -> int | None:
    kind = _kind_at(rest, position)
    if kind in _NAMES:
        return position + 1
    if kind != "string":
        return None
    position += 1
    if _kind_at(rest, position) == "lang":
        return position + 1
    if [t.text for t in rest[position : position + 2]] == ["^", "^"]:
        return position + 3 if _kind_at(rest, position + 2) in ("iri", "pname") else None
    return position


def _is_limit(tail: Sequence[Token]) -> bool:
    digits = tail[1:]
    return (
        tail[0].is_word("LIMIT")
        and bool(digits)
        and all(t.kind == "other" and t.text.isdigit() for t in digits)
    )


def _kind_at(tokens: Sequence[Token], position: int) -> str | None:
    return tokens[position].kind if position < len(tokens) else None
