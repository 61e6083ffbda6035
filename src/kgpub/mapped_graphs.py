"""What the mapper writes: named graphs as plain ordered sets of rdflib triples.

A build maps thousands of articles and only needs their triples once each: serialised as
N-Quads, screened in Oxigraph, and, for the few batches the screen flags, validated by pySHACL.
An rdflib ``Dataset`` indexes every triple three ways and binds kgpub's prefixes for each new
dataset, which cost a quarter of a worker's time per article. So each named graph is a
:class:`TripleSet` (an insertion-ordered set of triples with the one lookup the describers
need), and an rdflib ``Dataset`` is made from them only when a caller asks for one
(:meth:`MappedGraphs.to_dataset`). The terms are rdflib's throughout: only the container
differs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import Dataset, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from kgpub.vocab import PREFIXES

Triple = tuple[Node, Node, Node]


class TripleSet:
    """One named graph's triples: de-duplicated, in the order they were first added.

    >>> from rdflib import RDF, URIRef
    >>> graph = TripleSet(URIRef("https://example.org/graph"))
    >>> thing = URIRef("https://example.org/thing")
    >>> graph.add((thing, RDF.type, RDF.Property))
    >>> graph.add((thing, RDF.type, RDF.Property))
    >>> len(graph), list(graph.objects(thing, RDF.type)) == [RDF.Property]
    (1, True)
    """

    __slots__ = ("_by_subject_and_predicate", "_triples", "identifier")

    def __init__(self, identifier: URIRef, triples: Iterable[Triple] = ()) -> None:
        """An empty graph named ``identifier``, or one holding ``triples``."""
        self.identifier = identifier
        self._triples: dict[Triple, None] = dict.fromkeys(triples)
        # Built on the first objects() call and kept up to date after it: most graphs are
        # never asked, and indexing every triple up front is what made rdflib's store slow.
        self._by_subject_and_predicate: dict[tuple[Node, Node], list[Node]] | None = None

    def add(self, triple: Triple) -> None:
        """Add one triple; adding a triple the graph holds changes nothing."""
        index = self._by_subject_and_predicate
        if index is not None and triple not in self._triples:
            index.setdefault((triple[0], triple[1]), []).append(triple[2])
        self._triples[triple] = None

    def update(self, triples: Iterable[Triple]) -> None:
        """Add every triple of ``triples``."""
        for triple in triples:
            self.add(triple)

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        """The objects of the triples with this subject and predicate, in the order added."""
        index = self._by_subject_and_predicate
        if index is None:
            index = {}
            for known_subject, known_predicate, value in self._triples:
                index.setdefault((known_subject, known_predicate), []).append(value)
            self._by_subject_and_predicate = index
        return iter(list(index.get((subject, predicate), ())))

    def __iter__(self) -> Iterator[Triple]:
        """The triples, in the order they were first added."""
        return iter(self._triples)

    def __len__(self) -> int:
        """How many distinct triples the graph holds."""
        return len(self._triples)

    def __contains__(self, triple: object) -> bool:
        """Whether the graph holds exactly this triple."""
        return triple in self._triples

    def __repr__(self) -> str:
        """The graph's name and size, for test failures and debugging."""
        return f"<TripleSet {self.identifier} ({len(self)} triples)>"


@dataclass(frozen=True)
class Origin:
    """Where a published node was written: fact file and JSON pointer."""

    source: str
    pointer: str


@dataclass
class MappedGraphs:
    """Named graphs produced from fact files, and where each subject came from."""

    named_graphs: dict[URIRef, TripleSet] = field(default_factory=dict)
    origins: dict[Node, Origin] = field(default_factory=dict)

    def graph(self, identifier: URIRef) -> TripleSet:
        """The named graph ``identifier``, made empty the first time it is asked for."""
        found = self.named_graphs.get(identifier)
        if found is None:
            found = self.named_graphs[identifier] = TripleSet(identifier)
        return found

    def graphs(self) -> Iterator[TripleSet]:
        """Every named graph, empty ones included, in the order they were made."""
        return iter(self.named_graphs.values())

    def quad_count(self) -> int:
        """How many quads the named graphs hold together."""
        return sum(len(graph) for graph in self.named_graphs.values())

    def merge(self, other: MappedGraphs) -> None:
        """Add another mapping's graphs and origins to this one."""
        for graph in other.graphs():
            self.graph(graph.identifier).update(graph)
        for node, origin in other.origins.items():
            self.origins.setdefault(node, origin)

    def to_dataset(self) -> Dataset:
        """A new rdflib dataset holding these graphs, with kgpub's prefixes bound.

        Made afresh on each call, for callers that need rdflib's API (queries over a graph,
        serialisers): adding to it does not change this mapping.
        """
        dataset = new_dataset()
        for graph in self.graphs():
            target = dataset.graph(graph.identifier)
            for triple in graph:
                target.add(triple)
        return dataset


def new_dataset() -> Dataset:
    """An empty dataset with kgpub's prefixes bound, whose default graph is the union."""
    dataset = Dataset(default_union=True)
    # Only kgpub's prefixes: binding rdflib's thirty defaults cost more than mapping a claim.
    dataset.namespace_manager = NamespaceManager(dataset, bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace, replace=True)
    return dataset
