"""Finding published resources by name: labels, aliases and misspellings, in every language.

:class:`SearchIndex` reads the names from the store with pattern lookups, and the search text
is only ever compared with them in Python: it never becomes SPARQL. It covers resources under
``{base}id/`` typed as organization, person, country, facility, place, event or article.
Claims and observations are left out: they have no names of their own (a claim is shown on
the pages of what it is about), and there are hundreds of thousands of them.

Names and the search text are folded alike (casefold, Unicode NFKD, combining marks dropped)
and cut into words at anything but letters and digits, so "hassake" finds "Hassaké". Each word
typed must start a word of the name ("obs" finds "Observatory"). Hits rank exact label, exact
alias (or misspelling), names starting with the text, then names containing its words; within
a rank labels come first, then shorter names. Each resource is listed once, by its best match.
Names are numbered in that within-rank order, and each word's postings are sorted, so a search
walks them in order and stops once it has enough, however many names share a short prefix.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from itertools import accumulate

import pyoxigraph
from rdflib.namespace import RDF, SKOS

from kgpub.vocab import KG, SCHEMA
from kgpub.web.fact_reader import ALIAS, LABEL_PROPERTIES, choose_text

SEARCHED_TYPES = {
    str(KG.Organization): "organization",
    str(KG.Person): "person",
    str(SCHEMA.Country): "country",
    str(KG.Facility): "facility",
    str(KG.Place): "place",
    str(KG.Event): "event",
    str(KG.Article): "article",
}
"""Type IRI → its word; a resource with several takes the first (a country is also a place)."""
WORD = re.compile(r"[^\W_]+")
"""A run of letters and digits, once marks are gone."""
LAST_WORD = "\U0010ffff"
"""Sorts after every word, so ``[prefix, prefix + LAST_WORD)`` holds the words it starts."""


class NameKind(IntEnum):
    """What a name is to its resource, best first."""

    LABEL = 0
    ALIAS = 1
    MISSPELLING = 2
    """``skos:hiddenLabel``: a form met in sources, found but never shown as the name."""


class Rank(IntEnum):
    """How well a name matches the search text, best first."""

    EXACT_LABEL = 0
    EXACT_ALIAS = 1
    PREFIX = 2
    WORDS = 3


NAME_PROPERTIES = (
    *((predicate, NameKind.LABEL) for predicate in LABEL_PROPERTIES),
    (ALIAS, NameKind.ALIAS),
    (pyoxigraph.NamedNode(str(SKOS.hiddenLabel)), NameKind.MISSPELLING),
)
TYPE = pyoxigraph.NamedNode(str(RDF.type))


def fold_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` as compared: casefolded, without accents or punctuation.

    >>> fold_words("Observatoire syrien des droits de l'Homme"), fold_words("HASSAKÉ!")
    (('observatoire', 'syrien', 'des', 'droits', 'de', 'l', 'homme'), ('hassake',))
    """
    folded = text.casefold()
    if not folded.isascii():  # most names are ASCII, and have no marks to drop
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return tuple(WORD.findall(folded))


@dataclass(frozen=True, slots=True)
class Resource:
    """A resource that can be found: its IRI, type and labels."""

    iri: str
    type_iri: str
    labels: tuple[pyoxigraph.Literal, ...]


@dataclass(frozen=True, slots=True)
class Name:
    """One name of a resource, folded for matching."""

    resource: int
    text: str
    language: str
    kind: NameKind
    folded: str
    """Its words (:func:`fold_words`) joined by single spaces."""


@dataclass(frozen=True)
class SearchHit:
    """A resource found, with the name that matched and how well."""

    iri: str
    label: str
    """Its label in the reader's best language."""
    matched: str
    language: str
    """The matched name's language tag (``""`` when untagged)."""
    name_kind: NameKind
    rank: Rank
    type_iri: str
    kind: str
    """The word for its type, e.g. ``organization``."""


class WordPostings:
    """Sorted words, each with the ascending numbers of the names holding it."""

    def __init__(self, occurrences: Iterable[tuple[str, int]]) -> None:
        by_word: dict[str, list[int]] = {}
        for word, name in occurrences:
            postings = by_word.setdefault(word, [])
            if not postings or postings[-1] != name:
                postings.append(name)
        self.words = sorted(by_word)
        self.postings = [by_word[word] for word in self.words]
        self._sizes = [0, *accumulate(len(postings) for postings in self.postings)]

    def span(self, word: str, *, prefix: bool) -> tuple[int, int]:
        """The positions of ``word`` (or of every word it starts) in :attr:`words`."""
        start = bisect_left(self.words, word)
        if prefix:
            return start, bisect_left(self.words, word + LAST_WORD)
        return start, start + (self.words[start : start + 1] == [word])

    def size(self, span: tuple[int, int]) -> int:
        """How many postings a span holds."""
        return self._sizes[span[1]] - self._sizes[span[0]]

    def names(self, span: tuple[int, int]) -> Iterator[int]:
        """The names holding a word of ``span``, in ascending order, each once."""
        previous = -1
        for name in heapq.merge(*self.postings[span[0] : span[1]]):
            if name != previous:
                yield name
                previous = name


class SearchIndex:
    """The names of every findable resource of one build, ready to search."""

    def __init__(self, resources: Sequence[Resource], names: Iterable[Name]) -> None:
        self.resources = tuple(resources)
        self.names = sorted(names, key=self._order)
        self._exact: dict[str, list[int]] = {}
        for number, name in enumerate(self.names):
            self._exact.setdefault(name.folded, []).append(number)
        self._first_words = WordPostings(
            (name.folded.partition(" ")[0], number) for number, name in enumerate(self.names)
        )
        self._all_words = WordPostings(
            (word, number)
            for number, name in enumerate(self.names)
            for word in name.folded.split(" ")
        )

    def _order(self, name: Name) -> tuple[object, ...]:
        """Names are numbered best first within a rank: labels, shorter, alphabetical.

        Ties go by IRI and language, so the order never depends on how the store listed them.
        """
        iri = self.resources[name.resource].iri
        return (name.kind, len(name.folded), name.folded, name.text, iri, name.language)

    @classmethod
    def from_database(cls, database: pyoxigraph.Store, *, base_iri: str) -> SearchIndex:
        """Read the names of the resources published under ``{base_iri}id/``."""
        published = f"{base_iri}id/"
        types: dict[str, str] = {}
        for type_iri in SEARCHED_TYPES:
            type_node = pyoxigraph.NamedNode(type_iri)
            for quad in database.quads_for_pattern(None, TYPE, type_node, None):
                iri = quad.subject.value if isinstance(quad.subject, pyoxigraph.NamedNode) else ""
                if iri.startswith(published):
                    types.setdefault(iri, type_iri)
        found: dict[str, dict[tuple[NameKind, pyoxigraph.Literal], None]] = {}
        for predicate, kind in NAME_PROPERTIES:
            for quad in database.quads_for_pattern(None, predicate, None, None):
                subject, literal = quad.subject, quad.object
                if not isinstance(subject, pyoxigraph.NamedNode) or subject.value not in types:
                    continue
                if isinstance(literal, pyoxigraph.Literal):
                    found.setdefault(subject.value, {})[(kind, literal)] = None
        resources: list[Resource] = []
        names: list[Name] = []
        for iri, named in found.items():
            labels = tuple(literal for kind, literal in named if kind is NameKind.LABEL)
            for kind, literal in named:
                words = fold_words(literal.value)
                if words:
                    text, language = literal.value, literal.language or ""
                    names.append(Name(len(resources), text, language, kind, " ".join(words)))
            resources.append(Resource(iri, types[iri], labels))
        return cls(resources, names)

    def search(self, text: str, *, languages: Sequence[str], limit: int) -> list[SearchHit]:
        """The best ``limit`` resources whose names match ``text``, best first.

        :param languages: the reader's languages, most wanted first, for each hit's label.
        """
        words = fold_words(text)
        if not words or limit < 1:
            return []
        hits: list[SearchHit] = []
        seen: set[int] = set()
        for number, rank in self._matches(words):
            name = self.names[number]
            if name.resource in seen:
                continue
            seen.add(name.resource)
            resource = self.resources[name.resource]
            label = choose_text(resource.labels, languages) or name.text
            hit = SearchHit(resource.iri, label, name.text, name.language, name.kind, rank,
                            resource.type_iri, SEARCHED_TYPES[resource.type_iri])  # fmt: skip
            hits.append(hit)
            if len(hits) == limit:
                break
        return hits

    def _matches(self, words: tuple[str, ...]) -> Iterator[tuple[int, Rank]]:
        """Names matching ``words``, best first (a name may come again with a worse rank)."""
        folded = " ".join(words)
        for number in self._exact.get(folded, []):
            label = self.names[number].kind is NameKind.LABEL
            yield number, Rank.EXACT_LABEL if label else Rank.EXACT_ALIAS
        # Starting with the text: the first word typed starts (or, followed by more, is) the
        # name's first word, and the rest follows.
        starts = self._first_words.span(words[0], prefix=len(words) == 1)
        for number in self._first_words.names(starts):
            if self.names[number].folded.startswith(folded):
                yield number, Rank.PREFIX
        # Containing every word typed: walk the rarest one's names and check the others.
        spans = [self._all_words.span(word, prefix=True) for word in words]
        rarest = min(spans, key=self._all_words.size)
        for number in self._all_words.names(rarest):
            if _has_words(self.names[number].folded.split(" "), words):
                yield number, Rank.WORDS


def _has_words(name_words: list[str], typed: tuple[str, ...]) -> bool:
    return all(any(word.startswith(part) for word in name_words) for part in typed)
