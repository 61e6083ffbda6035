"""How the terms of a segment's lines are written as Turtle, TriG and JSON-LD, and checked.

:mod:`kgpub.dump_syntax` copies each term's bytes from Oxigraph's N-Triples or N-Quads; this
module says what goes around them in each format (:class:`TermSyntax`, one per format, and
:class:`SyntaxPair` for TriG and JSON-LD written in one pass), compacts IRIs to prefixed
names, and checks, a whole piece at once, that every term and string copied is one these
formats take as it is. Whatever it cannot be sure of raises :class:`Unrewritable`, and the
segment goes through pyoxigraph instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from operator import itemgetter

from kgpub.vocab import PREFIXES

# Deliberately narrower than the grammars: whatever these refuse goes through pyoxigraph.
_IRI = re.compile(rb'<[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|^`\\]*>')
_BLANK_NODE = re.compile(rb"_:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
_LANGUAGE_TAG = re.compile(rb"@[A-Za-z]+(?:-[A-Za-z0-9]+)*")
_LOCAL_NAME = re.compile(rb"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
_PREFIX_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_NOT_IN_IRIS = bytes(range(0x21)) + b'<>"{}|^`\\'
"""What no IRI holds between its brackets: controls, space, delimiters and escapes."""
_IN_IRIS = bytes(sorted(set(range(256)).difference(_NOT_IN_IRIS)))
_CONTROLS = bytes(range(0x20))
_JSON_LACKS = re.compile(rb'\\(?![tbnrf"]|u00[01][0-9A-Fa-f]|u007[Ff])')
"""An escape JSON lacks, or one Oxigraph never writes, once escaped backslashes are taken out."""
NUMERALS = {
    b"^^<%s%s>" % (PREFIXES["xsd"].encode(), datatype): re.compile(form)
    for datatype, form in [
        (b"integer", rb"[+-]?[0-9]+"),
        (b"decimal", rb"[+-]?[0-9]*\.[0-9]+"),
        (b"double", rb"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),
        (b"boolean", rb"true|false"),
    ]
}
"""Datatypes whose literals Turtle writes bare, as Oxigraph does, when the string is a Turtle
number or boolean (``12`` for ``"12"^^xsd:integer``): what follows the string, and that form."""
_RDF_NAMESPACE = b"<" + PREFIXES["rdf"].encode()
RDF_TYPE = _RDF_NAMESPACE + b"type>"


class Unrewritable(Exception):
    """Raised inside the rewriting, caught where it started, which falls back to pyoxigraph."""


@dataclass(frozen=True)
class TermSyntax:
    """What one format writes around terms, and how it writes each term.

    IRIs and blank nodes are rendered here unchecked: :func:`check_terms` checks all those
    of a piece at once before the piece is returned, which costs a fraction of one by one.
    """

    json: bool
    object_between: bytes
    subject_end: bytes  # between two subjects of one graph
    default_end: bytes  # after the last subject of the default graph
    named_end: bytes  # after the last subject of a named graph
    top_between: bytes
    named_indent: bytes
    default_predicate_between: bytes
    named_predicate_between: bytes

    def subject(self, token: bytes, named: bool) -> bytes:
        """How a subject opens its statements."""
        if self.json:  # json_string inlined, here and below: each new subject or object calls it
            return b'{"@id":"%s",' % (token[1:-1] if token[:1] == b"<" else token)
        return (self.named_indent if named else b"") + compact(token) + b" "

    def predicate(self, token: bytes) -> bytes:
        """How a subject's first predicate opens its objects."""
        if self.json:
            return json_string(token) + b":["
        return b"a " if token == RDF_TYPE else compact(token) + b" "

    def next_predicate(self, token: bytes, named: bool) -> bytes:
        """How each other predicate of a subject opens its objects."""
        between = self.named_predicate_between if named else self.default_predicate_between
        return between + self.predicate(token)

    def object(self, token: bytes) -> bytes:
        """An IRI or blank node object."""
        if self.json:
            return b'{"@id":"%s"}' % (token[1:-1] if token[:1] == b"<" else token)
        return compact(token)

    def graph_open(self, token: bytes) -> bytes:
        """How a named graph opens."""
        if self.json:
            return b'{"@id":"%s","@graph":[' % (token[1:-1] if token[:1] == b"<" else token)
        return compact(token) + b" {\n"

    def literal(self, tail: bytes) -> bytes:
        """A string's closing quote and tag or datatype (Turtle), or what opens it (JSON-LD).

        :param tail: what follows the string's closing quote, checked here.
        """
        if tail.startswith(b"^^"):
            datatype = tail[2:]
            if not _IRI.fullmatch(datatype) or datatype.startswith(_RDF_NAMESPACE):
                raise Unrewritable(tail)  # rdf:langString, rdf:JSON… mean more than a type
            if self.json:
                return b'{"@type":' + json_string(datatype) + b',"@value":'
            return b'"^^' + compact(datatype)
        if tail and not _LANGUAGE_TAG.fullmatch(tail):
            raise Unrewritable(tail)
        if self.json:
            return b'{"@language":"' + tail[1:] + b'","@value":' if tail else b'{"@value":'
        return b'"' + tail


class SyntaxPair:
    """TriG and JSON-LD at once: each of :class:`TermSyntax`'s texts, as a pair."""

    json = True

    def __init__(self, trig: TermSyntax, jsonld: TermSyntax) -> None:
        self.trig, self.jsonld = trig, jsonld
        self.object_between = (trig.object_between, jsonld.object_between)
        self.subject_end = (trig.subject_end, jsonld.subject_end)
        self.default_end = (trig.default_end, jsonld.default_end)
        self.named_end = (trig.named_end, jsonld.named_end)
        self.top_between = (trig.top_between, jsonld.top_between)

    def subject(self, token: bytes, named: bool) -> tuple[bytes, bytes]:
        """How a subject opens its statements."""
        return self.trig.subject(token, named), self.jsonld.subject(token, named)

    def predicate(self, token: bytes) -> tuple[bytes, bytes]:
        """How a subject's first predicate opens its objects."""
        return self.trig.predicate(token), self.jsonld.predicate(token)

    def next_predicate(self, token: bytes, named: bool) -> tuple[bytes, bytes]:
        """How each other predicate of a subject opens its objects."""
        trig, jsonld = self.trig, self.jsonld
        return trig.next_predicate(token, named), jsonld.next_predicate(token, named)

    def object(self, token: bytes) -> tuple[bytes, bytes]:
        """An IRI or blank node object."""
        return self.trig.object(token), self.jsonld.object(token)

    def graph_open(self, token: bytes) -> tuple[bytes, bytes]:
        """How a named graph opens."""
        return self.trig.graph_open(token), self.jsonld.graph_open(token)

    def literal(self, tail: bytes) -> tuple[bytes, bytes]:
        """What goes after a string in TriG, and before it in JSON-LD."""
        return self.trig.literal(tail), self.jsonld.literal(tail)


@cache
def syntax_of(name: str) -> TermSyntax:
    """The texts of format ``name``: ``jsonld``, else Turtle's, which TriG's are too."""
    if name == "jsonld":
        return TermSyntax(
            json=True,
            object_between=b",",
            subject_end=b"]},",
            default_end=b"]}",
            named_end=b"]}]}",
            top_between=b",",
            named_indent=b"",
            default_predicate_between=b"],",
            named_predicate_between=b"],",
        )
    return TermSyntax(  # Turtle's triples are all in the default graph
        json=False,
        object_between=b" , ",
        subject_end=b" .\n",
        default_end=b" .\n",
        named_end=b" .\n}\n",
        top_between=b"",
        named_indent=b"\t",
        default_predicate_between=b" ;\n\t",
        named_predicate_between=b" ;\n\t\t",
    )


def json_string(token: bytes) -> bytes:
    """An IRI (without its brackets) or blank node label as a JSON string."""
    return b'"' + (token[1:-1] if token.startswith(b"<") else token) + b'"'


def _usable_namespaces() -> dict[bytes, bytes]:
    """``<namespace`` → ``prefix:``, for namespaces ending in ``/`` or ``#``.

    A local name holds neither, so only one of these can be followed by it; when two prefixes
    name one namespace, the first by name is used.
    """
    usable: dict[bytes, bytes] = {}
    for prefix, namespace in sorted(PREFIXES.items()):
        if namespace.endswith(("/", "#")) and _PREFIX_NAME.fullmatch(prefix):
            usable.setdefault(b"<" + namespace.encode(), prefix.encode() + b":")
    return usable


_NAMESPACES = _usable_namespaces()
_NAMESPACE_START = min(map(len, _NAMESPACES))
_NAMESPACE_STARTS = frozenset(namespace[:_NAMESPACE_START] for namespace in _NAMESPACES)


def compact(token: bytes) -> bytes:
    """An IRI as a prefixed name where its local part is certainly a local name, else as is."""
    if token[:_NAMESPACE_START] not in _NAMESPACE_STARTS:  # most IRIs: no namespace fits
        return token
    cut = max(token.rfind(b"/"), token.rfind(b"#")) + 1
    prefix = _NAMESPACES.get(token[:cut])
    if prefix is not None and _LOCAL_NAME.fullmatch(token, cut, len(token) - 1):
        return prefix + token[cut:-1]
    return token


def check_terms(terms: list[bytes], predicates: list[bytes]) -> None:
    """Raise unless every term is an IRI or a blank node, and every predicate an IRI.

    An IRI here is ``<`` and ``>`` around characters none of :data:`_NOT_IN_IRIS`. Deleting
    all other characters from the IRIs joined by newlines (which no term holds) must leave
    ``<>`` and newlines only, and each IRI must start with ``<`` and end with ``>``: a few
    passes in C, many times faster than matching each with a regular expression.
    """
    iris = terms
    if _firsts(terms).count(b"<") != len(terms):  # blank nodes, rare in kgpub's data
        iris = [term for term in terms if term.startswith(b"<")]
        others = [term for term in terms if not term.startswith(b"<")]
        if not all(map(_BLANK_NODE.fullmatch, others)):
            raise Unrewritable("a blank node label the fast path does not know")
    # The terms' IRIs start with "<", as just seen: only the predicates' first bytes are left.
    if (
        _firsts(predicates).count(b"<") != len(predicates)
        or not _iri_marks_only(iris)
        or not _iri_marks_only(predicates)
    ):
        raise Unrewritable("an IRI the fast path does not know")


def _iri_marks_only(group: list[bytes]) -> bool:
    """Whether each term is IRI characters around one ``<`` and, as its last byte, one ``>``.

    That the ``<`` is each term's first byte is for the caller to check.
    """
    marks = b"\n".join(group).translate(None, _IN_IRIS)
    lasts = bytes(map(itemgetter(-1), group))
    return marks == b"\n".join(repeat(b"<>", len(group))) and lasts.count(b">") == len(group)


def _firsts(terms: list[bytes]) -> bytes:
    """The first byte of each term (an empty term raises :class:`IndexError`)."""
    return bytes(map(itemgetter(0), terms))


def check_strings(strings: list[bytes]) -> None:
    """Raise unless the strings copied into JSON-LD hold only escapes and characters JSON has."""
    # Each string's escaped backslashes pair up from the left, as a replace takes them.
    text = b"".join(strings).replace(b"\\\\", b"")
    if len(text.translate(None, _CONTROLS)) != len(text) or _JSON_LACKS.search(text):
        raise Unrewritable("a string escape or control character JSON does not have")
