"""What a SPARQL request will do, read before it runs: its form, dataset clause, remote targets.

pyoxigraph parses queries but exposes no algebra, so kgpub reads the few things it must know
beforehand from the query's tokens: the query form (to negotiate the response format), whether
it has ``FROM``/``FROM NAMED`` (its own dataset), the hosts ``SERVICE`` and ``LOAD`` would
reach (to refuse those not allow-listed), the variables a ``SELECT`` projects (canned-query
parameters must be among them) and, in updates, where ``USING`` clauses go.

This is a lexer, not a parser. It splits the text the way SPARQL's terminals do, so a keyword
inside a string (``"SERVICE"``), an IRI (``<http://x/LOAD>``) or a comment is never mistaken
for one, and it tracks ``{}`` depth so subqueries are told apart from the outer query. The
query itself is parsed, and refused with the parser's message if malformed, by Oxigraph.
The text a user sent is never rewritten, except to add the ``USING`` clauses the Protocol's
``using-graph-uri`` parameters stand for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import pyoxigraph

from kgpub.single_pattern import is_single_pattern

_LONG_STRINGS = r'"""(?:[^"\\]|\\.|"(?!""))*"""' + "|" + r"'''(?:[^'\\]|\\.|'(?!''))*'''"
_SHORT_STRINGS = r'"(?:[^"\\\n\r]|\\.)*"' + "|" + r"'(?:[^'\\\n\r]|\\.)*'"
_TOKEN = re.compile(
    "|".join(
        (
            r"(?P<space>\s+)",
            r"(?P<comment>#[^\n\r]*)",
            f"(?P<string>{_LONG_STRINGS}|{_SHORT_STRINGS})",
            r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
            r"(?P<var>[?$]\w+)",
            r"(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
            r"(?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w\-:%]|\\\S|\.(?=[\w\-:%\\]))*)",
            r"(?P<word>[^\W\d_]\w*)",
            r"(?P<punct>[{}()\[\];,.*])",
            r"(?P<other>.)",
        )
    ),
    re.DOTALL,
)
QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
MAX_NESTING = 200
"""The deepest nesting of ``{}``, ``()`` and ``[]`` a request may have. Oxigraph's parser
recurses once per level and overflowed its stack, killing the process, at about 3,000 levels;
hand-written and generated queries stay far below 200."""
_OUTLINE_WORDS = frozenset(("BASE", "PREFIX", "SERVICE", "LOAD", "WHERE", *QUERY_FORMS))
"""The keywords :func:`outline` acts on."""
_OPENING = frozenset("{([")
_CLOSING = frozenset("})]")


class Token(NamedTuple):
    """One SPARQL token: its kind (``iri``, ``pname``, ``var``, ``word``, ``punct`` …).

    A named tuple: a query has hundreds of tokens, read before every query runs, and a tuple is
    made several times faster than a frozen dataclass.
    """

    kind: str
    text: str
    start: int
    depth: int
    """How many ``{`` enclose it."""

    def is_word(self, *keywords: str) -> bool:
        """Whether this is one of ``keywords`` (SPARQL keywords ignore case)."""
        return self.kind == "word" and self.text.upper() in keywords


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, without white space and comments.

    >>> [t.text for t in tokenize('SELECT * { ?s <urn:x#y> "# not a comment" } # one')]
    ['SELECT', '*', '{', '?s', '<urn:x#y>', '"# not a comment"', '}']
    """
    tokens = []
    depth = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("space", "comment"):
            continue
        value = match.group()
        if value == "}":
            depth = max(0, depth - 1)
        tokens.append(Token(kind, value, match.start(), depth))
        if value == "{":
            depth += 1
    return tokens


@dataclass(frozen=True)
class RemoteTarget:
    """Somewhere a request would fetch from: a ``SERVICE`` or a ``LOAD`` source."""

    keyword: str
    written: str
    """As written in the request (an IRI, a prefixed name or a variable)."""
    iri: str | None
    """The absolute IRI, or ``None`` for a variable or an undeclared prefix."""

    @property
    def host(self) -> str | None:
        """The host name the IRI points at, in lower case."""
        return urlsplit(self.iri).hostname if self.iri else None


@dataclass(frozen=True)
class SparqlOutline:
    """What kgpub needs to know about a query or update before running it."""

    form: str | None
    """``select``, ``construct``, ``describe`` or ``ask``; ``None`` for an update (or when
    the text is too malformed to tell; Oxigraph then reports why)."""
    has_dataset_clause: bool
    """Whether a query names its own dataset with ``FROM`` or ``FROM NAMED``."""
    remote_targets: tuple[RemoteTarget, ...]
    projected: tuple[str, ...] | None
    """Variables a top-level ``SELECT`` projects (without ``?``); ``None`` for ``SELECT *``
    and for the other forms."""
    has_using_or_with: bool
    """Whether an update names its dataset itself with ``USING`` or ``WITH``."""
    using_positions: tuple[int, ...]
    """Offsets of the ``WHERE`` of each update operation that may take ``USING`` clauses."""
    prefixes: dict[str, str] = field(default_factory=dict)
    """The ``PREFIX`` declarations, for writing results with the same prefixes."""
    nesting: int = 0
    """The deepest nesting of brackets of any kind (``{ ( [``)."""
    single_pattern: bool = False
    """Whether the query is ``SELECT`` or ``ASK`` of one triple pattern, which Oxigraph
    answers a row at a time (:mod:`kgpub.single_pattern`)."""

    @property
    def too_deep(self) -> str | None:
        """Why the request is nested too deeply to be parsed safely, or ``None``."""
        if self.nesting <= MAX_NESTING:
            return None
        return (
            f"the request nests brackets {self.nesting} levels deep; this server parses at "
            f"most {MAX_NESTING} levels. Flatten the query (e.g. join patterns in one group)."
        )


def outline(text: str) -> SparqlOutline:
    """Read a query's or an update's outline.

    >>> found = outline("PREFIX e: <http://e.org/> SELECT ?x { SERVICE e:sparql { ?x ?p ?o } }")
    >>> found.form, found.projected, found.remote_targets[0].host
    ('select', ('x',), 'e.org')
    """
    tokens = tokenize(text)
    prefixes: dict[str, str] = {}
    base = ""
    form: str | None = None
    projected: tuple[str, ...] | None = None
    targets: list[RemoteTarget] = []
    using_positions: list[int] = []
    # Only keywords matter here: every other token is passed over without a look further.
    for index, token in enumerate(tokens):
        if token.kind != "word":
            continue
        word = token.text.upper()
        if word not in _OUTLINE_WORDS:
            continue
        following = tokens[index + 1 : index + 4]
        if word == "BASE" and following and following[0].kind == "iri":
            base = urljoin(base, following[0].text[1:-1])
        elif word == "PREFIX" and len(following) >= 2 and following[0].kind == "pname":
            if following[1].kind == "iri":
                prefixes[following[0].text[:-1]] = urljoin(base, following[1].text[1:-1])
        elif word in ("SERVICE", "LOAD"):
            targets.append(_remote_target(token, following, prefixes, base))
        elif token.depth == 0 and form is None and word in QUERY_FORMS:
            form = token.text.lower()
            if form == "select":
                projected = _projection(tokens[index + 1 :])
        elif token.depth == 0 and word == "WHERE" and form is None:
            if index == 0 or not tokens[index - 1].is_word("DELETE"):
                using_positions.append(token.start)
    top_level = [t for t in tokens if t.depth == 0]
    return SparqlOutline(
        nesting=_deepest_nesting(tokens),
        form=form,
        has_dataset_clause=any(t.is_word("FROM") for t in top_level),
        remote_targets=tuple(targets),
        projected=projected,
        has_using_or_with=form is None and any(t.is_word("USING", "WITH") for t in top_level),
        using_positions=tuple(using_positions),
        prefixes=prefixes,
        single_pattern=is_single_pattern(tokens),
    )


def _deepest_nesting(tokens: Sequence[Token]) -> int:
    """How deeply brackets nest among ``tokens``.

    >>> _deepest_nesting(tokenize("SELECT * { ?s ?p ?o FILTER((?o > 1)) }"))
    3
    """
    deepest = depth = 0
    for token in tokens:
        if token.kind != "punct":
            continue
        if token.text in _OPENING:
            depth += 1
            deepest = max(deepest, depth)
        elif token.text in _CLOSING:
            depth = max(0, depth - 1)
    return deepest


def _remote_target(
    keyword: Token, following: Sequence[Token], prefixes: dict[str, str], base: str
) -> RemoteTarget:
    rest = list(following)
    if rest and rest[0].is_word("SILENT"):
        rest = rest[1:]
    if not rest:
        return RemoteTarget(keyword.text.upper(), "", None)
    target = rest[0]
    iri: str | None = None
    if target.kind == "iri":
        iri = urljoin(base, target.text[1:-1])
    elif target.kind == "pname":
        prefix, _, local = target.text.partition(":")
        if prefix in prefixes:
            iri = prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return RemoteTarget(keyword.text.upper(), target.text, iri)


def _projection(after_select: Sequence[Token]) -> tuple[str, ...] | None:
    """The variables projected by the SELECT clause that ``after_select`` follows."""
    names: list[str] = []
    parentheses = 0
    naming = False
    for token in after_select:
        if token.text == "{" or token.is_word("WHERE", "FROM"):
            break
        if token.text == "*" and parentheses == 0:
            return None
        if token.text == "(":
            parentheses += 1
        elif token.text == ")":
            parentheses -= 1
        elif token.is_word("AS") and parentheses == 1:
            naming = True
        elif token.kind == "var" and (parentheses == 0 or naming):
            names.append(token.text[1:])
            naming = False
    return tuple(names)


def add_using_clauses(
    update: str,
    found: SparqlOutline,
    *,
    default_graphs: Sequence[str],
    named_graphs: Sequence[str],
) -> str:
    """The update with ``USING``/``USING NAMED`` before each operation's ``WHERE``.

    This is what the Protocol's ``using-graph-uri`` and ``using-named-graph-uri`` parameters
    mean; the IRIs are checked and written by Oxigraph, never pasted in raw.

    :raises ValueError: when an IRI is not valid.
    """
    clauses = [f"USING {pyoxigraph.NamedNode(iri)}" for iri in default_graphs]
    clauses += [f"USING NAMED {pyoxigraph.NamedNode(iri)}" for iri in named_graphs]
    if not clauses:
        return update
    inserted = " ".join(clauses) + " "
    for position in sorted(found.using_positions, reverse=True):
        update = update[:position] + inserted + update[position:]
    return update
