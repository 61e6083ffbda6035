"""What every store backend offers: publish a change atomically, answer SPARQL, dump the data.

Two backends implement it: :mod:`kgpub.embedded` (Oxigraph on disk, the default) and
:mod:`kgpub.remote` (any SPARQL 1.1 server). Everything above the store — the build, the CLI,
the web app — talks to this interface only, so both behave the same to their users.

A build publishes through a :class:`Transaction`: it names the graphs to drop, adds N-Quads
chunk by chunk, and commits once with the new :class:`BuildManifest`. Until the commit nothing
a reader sees changes; an abort (or a crash) leaves the previous publication as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any, Protocol

import pyoxigraph

from kgpub.errors import StoreError

QueryResult = pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | pyoxigraph.QueryTriples
"""What a query returns, whatever the backend: Oxigraph's own result objects."""


@dataclass(frozen=True)
class BuildManifest:
    """What a build published."""

    built_at: str
    base_iri: str
    kgpub_version: str
    quads: int
    graphs: int
    articles: int = 0
    """How many articles are published."""
    changed_at: str = ""
    """When the published data last changed: the build, or a write through the app since
    (to the microsecond, so two writes in one second differ). Empty in manifests written
    before writes recorded it; :attr:`last_changed` then falls back to ``built_at``."""

    @property
    def last_changed(self) -> str:
        """When the published data last changed, as an ISO 8601 UTC time.

        It is what ``Last-Modified`` and the dataset's ``dcterms:modified`` say. A write
        changes it, while ``built_at`` stays the build's.
        """
        return self.changed_at or self.built_at

    def to_json(self) -> str:
        """The manifest as stable JSON."""
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, *, source: str) -> BuildManifest:
        """Read a manifest written by :meth:`to_json`."""
        try:
            return cls(**json.loads(text))
        except (ValueError, TypeError) as error:
            raise StoreError(f"cannot read the build manifest {source}: {error}") from None

    @classmethod
    def read(cls, path: Path) -> BuildManifest:
        """Read a manifest file."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise StoreError(f"cannot read the build manifest {path}: {error}") from None
        return cls.from_json(text, source=str(path))


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a query runs over: the Protocol's default and named graph IRIs.

    Left empty, the default graph is the union of every graph and every graph can be named
    with ``GRAPH`` (``default-graph-uri`` and ``named-graph-uri`` in the SPARQL 1.1 Protocol).
    """

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    @property
    def is_whole_store(self) -> bool:
        """Whether the query sees the whole store (no dataset given)."""
        return not self.default_graphs and not self.named_graphs


WHOLE_STORE = Dataset()


class Transaction(Protocol):
    """One atomic change of the published data."""

    state_dir: Path
    """A private folder published together with the data (the build's bookkeeping). It starts
    as a copy of the published state folder, or empty when replacing everything."""

    def drop_graphs(self, names: Iterable[str]) -> None:
        """Remove these named graphs (missing ones are ignored)."""

    def add_nquads(self, chunk: bytes) -> None:
        """Add N-Quads (a whole number of lines; blank nodes are not allowed)."""

    def commit(self, manifest: BuildManifest) -> None:
        """Make every change visible at once, with ``manifest`` as the published manifest."""

    def abort(self) -> None:
        """Forget every change; the published data stays as it was."""


class Store(Protocol):
    """A place kgpub publishes into and serves from."""

    description: str
    """Where the data lives, for messages (never includes credentials)."""

    def manifest(self) -> BuildManifest | None:
        """The manifest of the published build, or ``None`` when nothing is published."""

    def state_dir(self) -> Path | None:
        """The state folder committed with the published build, if any (read it, never write)."""

    def begin(self, *, replace_all: bool) -> Transaction:
        """Start a change; with ``replace_all`` it starts from an empty dataset.

        :raises StoreError: when another build is publishing into the same store.
        """

    def query(self, sparql: str, *, dataset: Dataset = WHOLE_STORE) -> QueryResult:
        """Run a SPARQL query; without a dataset the default graph is the union of all graphs.

        :raises QueryError: when the query is malformed (with the parser's message) or fails.
        """

    def dump(self, output: IO[bytes], rdf_format: pyoxigraph.RdfFormat) -> None:
        """Write the whole dataset; for triple formats, each distinct triple once."""

    def close(self) -> None:
        """Release files and connections."""


def query_kind(result: Any) -> str:
    """``"select"``, ``"ask"`` or ``"graph"``, for a :data:`QueryResult`."""
    if isinstance(result, pyoxigraph.QuerySolutions):
        return "select"
    if isinstance(result, pyoxigraph.QueryBoolean):
        return "ask"
    return "graph"
