"""Content negotiation: which representation to send, from ``Accept`` or a ``format=`` parameter.

Shared by every surface that offers several formats (the SPARQL endpoint, canned queries, the
Service Description, and later the Linked Data pages), so they all answer the same way:

- ``Accept`` is read per RFC 9110: media ranges with q-values and wildcards, the most specific
  range deciding each offer's weight, ``q=0`` excluding an offer, ties going to the server's
  order (the first offer is the default when the client accepts anything).
- ``format=`` (or its synonym ``output=``) overrides ``Accept``, for browsers and quick links.
  It takes a short name (``json``, ``csv``, ``ttl``, ``turtle``, ``nt``, ``jsonld``, …) or a
  media type.
- When nothing offered is acceptable the caller answers 406 with :func:`alternatives`, which
  lists each media type and the ``format=`` name that asks for it.

Responses always carry the registered media type, never an alias: ``application/json`` in
``Accept`` is understood, but SPARQL JSON results go out as ``application/sparql-results+json``.
Nothing here imports Flask.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from kgpub.errors import BadRequest, NotAcceptable
from kgpub.formats import RDF_FORMATS, RESULTS_FORMATS

HTML_MEDIA_TYPE = "text/html"
FORMAT_PARAMETERS = ("format", "output")
"""Query parameters that name a format; ``output`` is the name Fuseki and Virtuoso use."""


@dataclass(frozen=True)
class MediaRange:
    """One entry of an ``Accept`` header, e.g. ``text/*;q=0.5``."""

    main_type: str
    subtype: str
    weight: float

    def matches(self, media_type: str) -> int:
        """How specifically this range matches ``media_type``: 2 exact, 1 ``type/*``, 0 ``*/*``.

        Returns -1 when it does not match at all.

        >>> MediaRange("text", "*", 1.0).matches("text/csv")
        1
        """
        main_type, _, subtype = media_type.partition("/")
        if self.main_type == "*":
            return 0
        if self.main_type != main_type:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == subtype else -1


@dataclass(frozen=True)
class Offer:
    """One representation a resource can be sent in.

    :param name: the short name ``format=`` uses, e.g. ``json`` or ``turtle``.
    :param media_type: the registered media type sent as ``Content-Type``.
    :param synonyms: other names ``format=`` accepts (file extensions, common abbreviations).
    :param also_accepted: other media types that, in ``Accept``, ask for this representation.
    :param textual: whether to add ``; charset=utf-8`` (text and XML types, which define it).
    """

    name: str
    media_type: str
    synonyms: tuple[str, ...] = ()
    also_accepted: tuple[str, ...] = ()
    textual: bool = False

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value."""
        return f"{self.media_type}; charset=utf-8" if self.textual else self.media_type

    def is_called(self, name: str) -> bool:
        """Whether ``format=name`` asks for this representation."""
        wanted = name.strip().lower()
        return wanted in (self.name, *self.synonyms, self.media_type)


def _is_textual(media_type: str) -> bool:
    return media_type.startswith("text/") or media_type.endswith("+xml")


RESULTS_OFFERS: tuple[Offer, ...] = tuple(
    Offer(
        f.name,
        f.media_type,
        synonyms=(f.extension,),
        also_accepted=("application/json",) if f.name == "json" else (),
        textual=_is_textual(f.media_type),
    )
    for f in RESULTS_FORMATS
)
"""SPARQL results for SELECT and ASK, SPARQL JSON first (the default)."""

_RDF_SYNONYMS = {
    "turtle": ("ttl",),
    "ntriples": ("nt",),
    "nquads": ("nq",),
    "jsonld": ("json",),  # so format=json and format=xml work whatever the query's form
    "rdfxml": ("xml",),
}
RDF_OFFERS: tuple[Offer, ...] = tuple(
    Offer(
        f.name,
        f.media_type,
        synonyms=tuple(dict.fromkeys((f.extension, *_RDF_SYNONYMS.get(f.name, ())))),
        also_accepted=("application/json",) if f.name == "jsonld" else (),
        textual=_is_textual(f.media_type),
    )
    for f in RDF_FORMATS
)
"""RDF for CONSTRUCT, DESCRIBE, graphs and descriptions, Turtle first (the default)."""

HTML_OFFER = Offer("html", HTML_MEDIA_TYPE, synonyms=("htm",), textual=True)
"""A page for people."""


@lru_cache(maxsize=256)
def parse_accept(header: str | None) -> tuple[MediaRange, ...]:
    """The media ranges of an ``Accept`` header; malformed entries are skipped.

    Kept for the headers seen most: parsing character by character cost about 20 µs, twice for
    every query, and clients send the same few headers over and over.

    >>> [(r.main_type, r.subtype, r.weight) for r in parse_accept("text/*;q=0.3, text/csv")]
    [('text', '*', 0.3), ('text', 'csv', 1.0)]
    """
    ranges = []
    for entry in _split_outside_quotes(header or "", ","):
        media_type, *parameters = _split_outside_quotes(entry, ";")
        main_type, slash, subtype = media_type.strip().lower().partition("/")
        if not slash or not main_type or not subtype or (main_type == "*" and subtype != "*"):
            continue
        weight = 1.0
        for parameter in parameters:
            key, _, value = parameter.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = -1.0
        if 0.0 <= weight <= 1.0:
            ranges.append(MediaRange(main_type, subtype, weight))
    return tuple(ranges)


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    """Split on ``separator`` except inside quoted parameter values (``profile="a,b"``)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for character in text:
        if character == '"':
            quoted = not quoted
        if character == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
    parts.append("".join(current))
    return [part for part in parts if part.strip()]


def weight_of(offer: Offer, ranges: Sequence[MediaRange]) -> float:
    """How much the client wants ``offer``: the q-value of the most specific matching range."""
    best_weight = 0.0
    best_specificity = -1
    for media_type in (offer.media_type, *offer.also_accepted):
        for media_range in ranges:
            specificity = media_range.matches(media_type)
            if specificity > best_specificity or (
                specificity == best_specificity and media_range.weight > best_weight
            ):
                best_specificity, best_weight = specificity, media_range.weight
    return best_weight if best_specificity >= 0 else 0.0


def choose_by_accept(accept: str | None, offers: Sequence[Offer]) -> Offer | None:
    """The offer the client prefers, the first one without ``Accept``; ``None`` if none fits.

    >>> choose_by_accept("text/csv;q=0.5, application/*", RESULTS_OFFERS).name
    'json'
    >>> choose_by_accept("text/turtle", RESULTS_OFFERS) is None
    True
    """
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0] if offers else None
    best: Offer | None = None
    best_weight = 0.0
    for offer in offers:
        weight = weight_of(offer, ranges)
        if weight > best_weight:
            best, best_weight = offer, weight
    return best


def requested_format_name(values: Iterable[tuple[str, str]]) -> str | None:
    """The one format name asked for with ``format=`` or ``output=``, if any.

    :param values: the request's ``(parameter, value)`` pairs.
    :raises BadRequest: when two different names are given.
    """
    names = {value.strip().lower() for key, value in values if key in FORMAT_PARAMETERS}
    names.discard("")
    if len(names) > 1:
        raise BadRequest(
            f"format= and output= ask for different formats ({', '.join(sorted(names))}); give one"
        )
    return names.pop() if names else None


def check_format_name(name: str | None, known: Iterable[Offer]) -> None:
    """Refuse a ``format=`` name no offer of the application answers to.

    :raises BadRequest: naming the formats that exist.
    """
    every = list(known)
    if name is not None and not any(offer.is_called(name) for offer in every):
        names = ", ".join(dict.fromkeys(offer.name for offer in every))
        raise BadRequest(f"unknown format {name!r}; use one of {names}, or a media type")


def choose_offer(
    format_name: str | None, accept: str | None, offers: Sequence[Offer]
) -> Offer | None:
    """The representation to send: the one ``format=`` names, else the best by ``Accept``."""
    if format_name is not None:
        return next((offer for offer in offers if offer.is_called(format_name)), None)
    return choose_by_accept(accept, offers)


def alternatives(offers: Sequence[Offer]) -> str:
    """The available representations, one per line, for a 406 body.

    >>> print(alternatives(RESULTS_OFFERS[:1]))
    application/sparql-results+json (format=json)
    """
    return "\n".join(f"{offer.media_type} (format={offer.name})" for offer in offers)


def not_acceptable(
    what: str, offers: Sequence[Offer], *, format_name: str | None, accept: str | None
) -> NotAcceptable:
    """The 406 error for ``what`` (e.g. "SELECT results"), listing what is available."""
    asked = f"format={format_name}" if format_name else f"Accept: {accept}"
    return NotAcceptable(f"{what} are not available as {asked}. Available:\n{alternatives(offers)}")
