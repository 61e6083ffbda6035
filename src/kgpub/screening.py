"""Screening data against the shapes set-wise in Oxigraph, before pySHACL is asked.

:mod:`kgpub.shape_queries` compiles the shapes into SPARQL; here a batch of articles is loaded
into an in-memory Oxigraph store with the ontology and the context it points at, and every
query runs once over all of it. When nothing is flagged the data conforms: each query can
only flag too much (see :mod:`kgpub.shape_queries`). When something is flagged, or the data
cannot be screened faithfully, :mod:`kgpub.validate` runs pySHACL as before, which writes the
report. So the verdict and every message are pySHACL's; the screen only makes the common case
(conforming data) cheap: milliseconds for a batch instead of seconds.

The data cannot be screened faithfully when Oxigraph would not hold exactly the terms pySHACL
sees: blank nodes in separately parsed chunks (their labels could collide), or literals that
Oxigraph stores in another form (``"01"^^xsd:integer`` becomes ``"1"``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph

from kgpub import __version__, ontology, shape_conformance, shape_queries, shape_terms
from kgpub.ontology import ontology_graph, resources_digest, shapes_graph
from kgpub.shape_queries import ShapeQueries, compile_shapes
from kgpub.store_cache import keep_cache_file

FocusNode = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal


@dataclass(frozen=True)
class ScreenResult:
    """What screening found: the flagged focus nodes, and the nodes the data describes."""

    flagged: frozenset[FocusNode]
    described: frozenset[FocusNode]
    """Subjects of the screened data (not of its context), the nodes whose results count."""

    @property
    def conforms(self) -> bool:
        """Whether no node the data describes was flagged."""
        return self.flagged.isdisjoint(self.described)


class Screen:
    """Compiled shapes, and the background (the ontology) every batch is screened with."""

    def __init__(self, queries: ShapeQueries, background: bytes) -> None:
        self.queries = queries
        self.background = list(pyoxigraph.parse(background, format=pyoxigraph.RdfFormat.N_TRIPLES))

    def screen(
        self, data: Iterable[bytes], context: Iterable[pyoxigraph.Quad] = ()
    ) -> ScreenResult | None:
        """Screen N-Quads ``data`` with the ``context`` quads; ``None`` if it cannot be done.

        ``data`` may come in chunks (one per article); ``context`` is what the data points at
        (registry entities, other articles' claims) and is checked only as far as the data
        depends on it.
        """
        quads: list[pyoxigraph.Quad] = []
        for chunk in data:
            if b"_:" in chunk:
                return None
            quads.extend(pyoxigraph.parse(chunk, format=pyoxigraph.RdfFormat.N_QUADS))
        store = pyoxigraph.Store()
        store.extend(quads)
        store.extend(context)
        store.extend(self.background)
        if not _holds_as_given(store, quads):
            return None
        flagged: set[FocusNode] = set()
        for query in self.queries.queries:
            for solution in store.query(query, use_default_graph_as_union=True):  # type: ignore[union-attr]
                node = solution["this"]
                if node is not None:
                    flagged.add(node)
        return ScreenResult(frozenset(flagged), frozenset(q.subject for q in quads))  # type: ignore[misc]


def _holds_as_given(store: pyoxigraph.Store, quads: list[pyoxigraph.Quad]) -> bool:
    """Whether Oxigraph kept every literal of ``quads`` as written (it normalises some)."""
    for quad in quads:
        value = quad.object
        if isinstance(value, pyoxigraph.Literal) and value.datatype.value in NORMALISED:
            # ``quad in store`` would normalise the literal too: compare what comes back.
            stored = store.quads_for_pattern(quad.subject, quad.predicate, None, quad.graph_name)
            if not any(found.object == value for found in stored):
                return False
    return True


NORMALISED = frozenset(
    f"http://www.w3.org/2001/XMLSchema#{name}"
    for name in (
        "integer decimal float double boolean date dateTime time gYear gYearMonth gMonth gDay "
        "gMonthDay duration dayTimeDuration yearMonthDuration dateTimeStamp byte short int "
        "long unsignedByte unsignedShort unsignedInt unsignedLong positiveInteger "
        "negativeInteger nonPositiveInteger nonNegativeInteger"
    ).split()
)
"""Datatypes whose literals Oxigraph may store in a canonical form rather than as written."""


@lru_cache(maxsize=4)
def shipped_screen(cache: Path | None = None) -> Screen:
    """The screen of kgpub's own shapes and ontology, compiled once per process.

    Compiling takes about half a second (rdflib parses each SPARQL constraint), which a build
    of one changed article would pay in every worker: with ``cache``, a folder, the queries
    are kept there under the digest of kgpub's version and resources and read back next time,
    together with the ontology as N-Triples (parsing and writing it with rdflib is most of
    what is left of making the screen).
    """
    if cache is None:
        return Screen(compile_shapes(shapes_graph()), _background())
    kept = cache / f"screen-{_compiler_digest()}.json"
    try:
        saved = json.loads(kept.read_text(encoding="utf-8"))
        queries = ShapeQueries(list(saved["queries"]), list(saved["approximations"]))
        background = saved["background"].encode("utf-8")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        queries, background = compile_shapes(shapes_graph()), _background()
        _keep(kept, queries, background)
    return Screen(queries, background)


def _background() -> bytes:
    return ontology_graph().serialize(format="nt", encoding="utf-8")


def _compiler_digest() -> str:
    """What a kept screen depends on: kgpub's version, its resources, the code making them."""
    digest = hashlib.sha256(f"{__version__}\0{resources_digest()}".encode())
    for module in (shape_queries, shape_conformance, shape_terms, ontology):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()[:24]


def _keep(path: Path, queries: ShapeQueries, background: bytes) -> None:
    kept = {
        "queries": queries.queries,
        "approximations": queries.approximations,
        "background": background.decode("utf-8"),
    }
    keep_cache_file(path, json.dumps(kept).encode("utf-8"))
