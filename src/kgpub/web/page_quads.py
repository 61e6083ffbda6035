"""The quads one page reads, each lookup made once: a page's own view of the published store.

A page reads its resource's document first, for its ``ETag``
(:func:`kgpub.web.entity_documents.read_document`), then its readers
(:class:`kgpub.web.fact_reader.FactReader`) look up much of the same again: the resource's
statements, what points at it, its parts, a claim's graph. Each lookup costs Oxigraph an index
scan and a dictionary read per term of every quad found, which is most of a page's time, so a
:class:`PageQuads` keeps every scan while the page is made and answers the narrower lookups
readers make — one property of a subject, the subjects pointing at a node through one property
— from a wider scan of the same node already made. Readers that want several properties of a
small node (a claim, a count, a participation) scan it whole once (:meth:`PageQuads.about`)
instead of once per property. A page of the embedded store also carries the labels its build
has shown already (:class:`~kgpub.web.build_labels.BuildLabels`).

What a narrower lookup gives is the same set of terms, whatever scan it comes from; callers
that depend on the order of quads ask for the scan itself, and those that stop early read
:attr:`PageQuads.store` directly. Scans are kept for one page only (what outlives it is the
build's :class:`~kgpub.web.build_labels.BuildLabels`). Nothing here imports Flask.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph

from kgpub.web.build_labels import BuildLabels

Term = Any
"""An RDF term as pyoxigraph gives it (an IRI, blank node, literal or quoted triple)."""
Pattern = tuple[
    pyoxigraph.NamedNode | None,
    pyoxigraph.NamedNode | None,
    Term | None,
    pyoxigraph.NamedNode | None,
]


class PageQuads:
    """The published store as one page reads it: every pattern scanned at most once.

    >>> store = pyoxigraph.Store()
    >>> claim, about = pyoxigraph.NamedNode("http://e/c"), pyoxigraph.NamedNode("http://e/about")
    >>> store.add(pyoxigraph.Quad(claim, about, pyoxigraph.NamedNode("http://e/x")))
    >>> quads = PageQuads(store)
    >>> _ = quads.about(claim)  # one scan of the claim …
    >>> store.clear()
    >>> [term.value for term in quads.objects(claim, about)]  # … answers for its properties
    ['http://e/x']
    """

    def __init__(self, store: pyoxigraph.Store, labels: BuildLabels | None = None) -> None:
        self.store = store
        self.build_labels = labels
        """The labels every page of the build shows, when they can be kept (see the caller)."""
        self._scans: dict[Pattern, tuple[pyoxigraph.Quad, ...]] = {}

    @classmethod
    def of(cls, source: pyoxigraph.Store | PageQuads) -> PageQuads:
        """``source`` itself if it is already a page's view, else a new view of the store."""
        return source if isinstance(source, PageQuads) else cls(source)

    def quads_for_pattern(
        self,
        subject: pyoxigraph.NamedNode | None,
        predicate: pyoxigraph.NamedNode | None,
        object: Term | None,
        graph_name: pyoxigraph.NamedNode | None,
    ) -> tuple[pyoxigraph.Quad, ...]:
        """The quads matching the pattern (``None`` matches anything), in the store's order."""
        pattern = (subject, predicate, object, graph_name)
        found = self._scans.get(pattern)
        if found is None:
            found = tuple(self.store.quads_for_pattern(subject, predicate, object, graph_name))
            self._scans[pattern] = found
        return found

    def about(self, subject: pyoxigraph.NamedNode) -> tuple[pyoxigraph.Quad, ...]:
        """Every quad whose subject is ``subject``, in any graph."""
        return self.quads_for_pattern(subject, None, None, None)

    def pointing_at(self, node: Term) -> tuple[pyoxigraph.Quad, ...]:
        """Every quad whose object is ``node``, in any graph."""
        return self.quads_for_pattern(None, None, node, None)

    def in_graph(self, graph: pyoxigraph.NamedNode) -> tuple[pyoxigraph.Quad, ...]:
        """Every quad of the named graph ``graph``."""
        return self.quads_for_pattern(None, None, None, graph)

    def objects(
        self,
        subject: pyoxigraph.NamedNode,
        predicate: pyoxigraph.NamedNode,
        graph: pyoxigraph.NamedNode | None = None,
    ) -> set[Term]:
        """The distinct objects of ``subject predicate`` (in ``graph`` if given)."""
        whole = self._scans.get((subject, None, None, None))
        if whole is None:
            return {quad.object for quad in self.quads_for_pattern(subject, predicate, None, graph)}
        return {quad.object for quad in _matching(whole, predicate, graph)}

    def subjects(
        self,
        predicate: pyoxigraph.NamedNode,
        node: Term,
        graph: pyoxigraph.NamedNode | None = None,
    ) -> set[Term]:
        """The distinct subjects of ``predicate node`` (in ``graph`` if given)."""
        whole = self._scans.get((None, None, node, None))
        if whole is None and graph is not None:
            whole = self._scans.get((None, None, None, graph))
        if whole is None:
            return {quad.subject for quad in self.quads_for_pattern(None, predicate, node, graph)}
        return {quad.subject for quad in _matching(whole, predicate, graph) if quad.object == node}


def _matching(
    quads: Iterable[pyoxigraph.Quad],
    predicate: pyoxigraph.NamedNode,
    graph: pyoxigraph.NamedNode | None,
) -> Iterable[pyoxigraph.Quad]:
    return (
        quad
        for quad in quads
        if quad.predicate == predicate and (graph is None or quad.graph_name == graph)
    )
