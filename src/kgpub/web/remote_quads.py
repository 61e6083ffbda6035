r"""Quads of a remote SPARQL server, fetched in a few rounds into an in-memory store.

Pages and documents read the published data through pattern lookups
(``quads_for_pattern``, see :class:`kgpub.web.entity_documents.QuadSource`), dozens to
hundreds per page. Sent one by one to a remote server, each would cost a round trip. So a
:class:`Neighbourhood` collects *blocks* — which quads a page will look up: every statement
about some IRIs, every statement pointing at them, the contents of some graphs, their labels
— and fetches a whole round of them with one ``SELECT DISTINCT ?s ?p ?o ?g`` whose ``WHERE``
is the ``UNION`` of the blocks. The answers go into a :class:`pyoxigraph.Store` in memory,
which the unchanged readers then query as they query the embedded store.
:mod:`kgpub.web.neighbourhoods` says which blocks each page needs; :class:`FragmentClosure`
follows the parts of an IRI (``{iri}#evidence-1``) that its document holds.

Only the server's named graphs are read (``GRAPH ?g``): a server configured as kgpub requires
makes its default graph the union of them, and kgpub publishes nothing else.

No request text becomes SPARQL. IRIs are written by :func:`sparql_iri` only, after
pyoxigraph has checked them and after a second check that they hold none of the characters
SPARQL forbids between ``<`` and ``>``: no ``>`` or ``}`` can end the term early, and no
backslash can start a ``\u`` escape that a server would decode before parsing. Literals are
never written at all. Nothing here imports Flask.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph

from kgpub.errors import QueryError, StoreError
from kgpub.remote import RemoteStore
from kgpub.web.fact_reader import LABEL_PROPERTIES

FETCH = "GRAPH ?g { ?s ?p ?o }"
"""Every block ends by binding one quad; before it, it binds ``?s``, ``?o``, ``?g`` or ``?p``."""
CHECKED_ROWS = 10_000
"""Answers this long are counted again: a server may cut answers short without saying so
(Virtuoso's ``ResultSetMaxRows``), and a page read from a cut answer would be wrong."""
NOT_IN_AN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
"""What the SPARQL grammar forbids inside ``<…>`` (IRIREF)."""


def sparql_iri(node: pyoxigraph.NamedNode) -> str:
    """``node`` written as a SPARQL IRI term, ``<…>``.

    >>> sparql_iri(pyoxigraph.NamedNode("https://kg.example.org/id/organization/sdf"))
    '<https://kg.example.org/id/organization/sdf>'

    :raises StoreError: for an IRI SPARQL cannot write (pyoxigraph never makes one).
    """
    found = NOT_IN_AN_IRI.search(node.value)
    if found is not None:
        raise StoreError(
            f"the IRI {node.value!r} holds {found.group()!r}, which SPARQL cannot write in an "
            "IRI; it cannot be looked up on the remote server"
        )
    return f"<{node.value}>"


def values(variable: str, nodes: Iterable[pyoxigraph.NamedNode]) -> str:
    """``VALUES ?variable { … }`` binding each IRI in turn, in a stable order."""
    terms = " ".join(sorted({sparql_iri(node) for node in nodes}))
    return f"VALUES ?{variable} {{ {terms} }}"


def through(predicates: Iterable[pyoxigraph.NamedNode]) -> str:
    """A filter keeping the quads whose predicate is one of ``predicates``.

    A filter, not ``VALUES ?p``: given the values, Oxigraph started from every quad with
    such a predicate (every label in the store) rather than from the IRIs the block names,
    40 times slower on the examples and worse as the data grows.
    """
    terms = ", ".join(sorted({sparql_iri(predicate) for predicate in predicates}))
    return f"FILTER(?p IN ({terms}))"


def alternatives(predicates: Iterable[pyoxigraph.NamedNode]) -> str:
    """A property path matching any of ``predicates``: ``(<a>|<b>)``."""
    return "(" + "|".join(sorted(sparql_iri(predicate) for predicate in predicates)) + ")"


def fragment_of(variable: str, whole: pyoxigraph.NamedNode) -> str:
    """A filter keeping ``?variable`` when it is an IRI ``{whole}#…``, one of its parts."""
    return (
        f"FILTER(isIRI(?{variable}) && "
        f'STRSTARTS(STR(?{variable}), CONCAT(STR({sparql_iri(whole)}), "#")))'
    )


LABELS = through(LABEL_PROPERTIES)
"""Restricts a block to the properties a reader takes labels from."""


class Neighbourhood:
    """What one page or document reads, fetched from a remote server round by round.

    Queue blocks with the methods below, then :meth:`fetch` sends them as one query;
    :attr:`store` holds every quad fetched so far.

    :param remote: the server.
    """

    def __init__(self, remote: RemoteStore) -> None:
        self.remote = remote
        self.store = pyoxigraph.Store()
        self.queries = 0
        """Queries sent so far (answers counted again included)."""
        self._blocks: list[str] = []
        self._described: set[pyoxigraph.NamedNode] = set()
        self._labelled: set[pyoxigraph.NamedNode] = set()

    def add(self, block: str) -> None:
        """Queue one block: a group pattern that binds ``?s ?p ?o ?g`` to the quads wanted."""
        self._blocks.append(block)

    def describe(self, nodes: Iterable[pyoxigraph.NamedNode]) -> None:
        """Queue every statement, in any graph, whose subject is one of ``nodes``."""
        new = set(nodes) - self._described
        if new:
            self._described |= new
            self._labelled |= new
            self.add(f"{values('s', new)} {FETCH}")

    def label(self, nodes: Iterable[pyoxigraph.NamedNode]) -> None:
        """Queue the labels, in any graph, of ``nodes`` (those not fetched already)."""
        new = {node for node in nodes if isinstance(node, pyoxigraph.NamedNode)}
        new -= self._labelled
        if new:
            self._labelled |= new
            self.add(f"{values('s', new)} {FETCH} {LABELS}")

    def point_at(
        self,
        nodes: Iterable[pyoxigraph.NamedNode],
        predicates: Iterable[pyoxigraph.NamedNode] = (),
    ) -> None:
        """Queue every statement whose object is one of ``nodes`` (through ``predicates``)."""
        chosen = set(predicates)
        only = f" {through(chosen)}" if chosen else ""
        self.add(f"{values('o', nodes)} {FETCH}{only}")

    def graphs(self, names: Iterable[pyoxigraph.NamedNode]) -> None:
        """Queue every statement of the named graphs ``names``."""
        self.add(f"{values('g', names)} {FETCH}")

    def fetch(self) -> None:
        """Send the queued blocks as one query and keep what it answers.

        :raises StoreError: when the server fails, cannot be reached, rejects the query or
            sent fewer rows than its answer holds.
        """
        if not self._blocks:
            return
        union = " UNION ".join(f"{{ {block} }}" for block in self._blocks)
        self._blocks = []
        sparql = f"SELECT DISTINCT ?s ?p ?o ?g WHERE {{ {union} }}"
        quads = [quad for row in self._select(sparql) if (quad := _quad(row)) is not None]
        if len(quads) >= CHECKED_ROWS:
            self._check_complete(sparql, len(quads))
        self.store.extend(quads)

    def quads(
        self,
        subject: pyoxigraph.NamedNode | None,
        predicate: pyoxigraph.NamedNode | None,
        value: pyoxigraph.NamedNode | None,
        graph: pyoxigraph.NamedNode | None = None,
    ) -> list[pyoxigraph.Quad]:
        """The quads fetched so far that match the pattern (``None`` matches anything)."""
        return list(self.store.quads_for_pattern(subject, predicate, value, graph))

    def _select(self, sparql: str) -> pyoxigraph.QuerySolutions:
        self.queries += 1
        try:
            solutions = self.remote.query(sparql)
        except QueryError as error:
            raise StoreError(
                f"{self.remote.description} rejected the query kgpub sends to read pages and "
                f"documents ({error}); the server must support SPARQL 1.1 queries with VALUES, "
                "property paths and sub-queries (see docs/remote.md)"
            ) from None
        if not isinstance(solutions, pyoxigraph.QuerySolutions):
            raise StoreError(
                f"{self.remote.description} did not answer a SELECT query with solutions"
            )
        return solutions

    def _check_complete(self, sparql: str, received: int) -> None:
        counted = f"SELECT (COUNT(*) AS ?n) WHERE {{ {sparql} }}"
        rows = list(self._select(counted))
        number = rows[0]["n"] if rows else None
        expected = int(number.value) if isinstance(number, pyoxigraph.Literal) else received
        if expected != received:
            raise StoreError(
                f"{self.remote.description} sent {received} of the {expected} rows of an "
                "answer kgpub needs for a page; raise the server's result size limit "
                "(Virtuoso: ResultSetMaxRows in virtuoso.ini)"
            )


class FragmentClosure:
    """The parts of an IRI (``{iri}#…``) that its document holds, found round by round.

    :func:`~kgpub.web.entity_documents.read_document` starts from the IRI and the parts in
    the graph it names, and follows parts that the statements it has found point at, or
    that point at them. Each round fetches the statements about the parts found last and
    the parts pointing at them, and the same for the parts those statements point at, so
    one query covers two levels (a claim's evidence and the evidence's quote).
    """

    def __init__(self, n: Neighbourhood, iri: pyoxigraph.NamedNode) -> None:
        self.n = n
        self.iri = iri
        self.prefix = f"{iri.value}#"
        self.done = {iri}
        """Nodes whose statements, and the parts pointing at them, are fetched."""
        self.pending: set[pyoxigraph.NamedNode] = set()

    def queue_next(self) -> bool:
        """Queue the next round's blocks; ``False`` when every part is fetched."""
        n = self.n
        fetched = objects_of(quad for node in self.pending for quad in n.quads(node, None, None))
        self.done |= self.pending | self._parts(fetched)
        found = self._parts(subjects_of(n.quads(None, None, None, self.iri)))
        for node in self.done:
            found |= self._parts(objects_of(n.quads(node, None, None)))
            found |= self._parts(subjects_of(n.quads(None, None, node)))
        self.pending = found - self.done
        if not self.pending:
            return False
        parts, part = values("n", self.pending), fragment_of("s", self.iri)
        n.describe(self.pending)
        n.add(f"{values('o', self.pending)} {FETCH} {part}")
        n.add(f"{parts} ?n ?q ?s . {part} {FETCH}")
        n.add(f"{parts} ?n ?q ?o . {fragment_of('o', self.iri)} {FETCH} {part}")
        return True

    def _parts(self, nodes: Iterable[pyoxigraph.NamedNode]) -> set[pyoxigraph.NamedNode]:
        return {node for node in nodes if node.value.startswith(self.prefix)}


def _quad(row: pyoxigraph.QuerySolution) -> pyoxigraph.Quad | None:
    """The quad a row binds; ``None`` for a triple term or a node RDF does not allow there."""
    subject, predicate, value, graph = row["s"], row["p"], row["o"], row["g"]
    if (
        isinstance(subject, pyoxigraph.NamedNode | pyoxigraph.BlankNode)
        and isinstance(predicate, pyoxigraph.NamedNode)
        and isinstance(value, pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal)
        and isinstance(graph, pyoxigraph.NamedNode)
    ):
        return pyoxigraph.Quad(subject, predicate, value, graph)
    return None


def objects_of(quads: Iterable[pyoxigraph.Quad]) -> set[pyoxigraph.NamedNode]:
    """The IRIs among the objects of ``quads``."""
    return {quad.object for quad in quads if isinstance(quad.object, pyoxigraph.NamedNode)}


def subjects_of(quads: Iterable[pyoxigraph.Quad]) -> set[pyoxigraph.NamedNode]:
    """The IRIs among the subjects of ``quads``."""
    return {quad.subject for quad in quads if isinstance(quad.subject, pyoxigraph.NamedNode)}


def graphs_of(quads: Iterable[pyoxigraph.Quad]) -> set[pyoxigraph.NamedNode]:
    """The named graphs ``quads`` are in."""
    return {quad.graph_name for quad in quads if isinstance(quad.graph_name, pyoxigraph.NamedNode)}
