"""The published store: an on-disk Oxigraph database per build, switched into place atomically.

Layout of a store folder::

    current -> builds/20260123T101500Z-1234   (a symbolic link, replaced atomically)
    builds/<id>/oxigraph/                      (the Oxigraph database)
    builds/<id>/build.json                     (the manifest: what was built, when, figures)
    .lock                                      (held while a build publishes)

A build writes a new folder and only then swaps the link, so a failed or killed build leaves
the previous publication complete and served; readers never see a half-built state.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Node

from kgpub.errors import QueryError, StoreError

CURRENT_LINK = "current"
BUILDS_FOLDER = "builds"
MANIFEST_FILE = "build.json"
DATABASE_FOLDER = "oxigraph"
KEEP_PREVIOUS_BUILDS = 1


@dataclass(frozen=True)
class BuildManifest:
    """What a build published."""

    built_at: str
    base_iri: str
    kgpub_version: str
    quads: int
    graphs: int
    articles: dict[str, str] = field(default_factory=dict)
    """Article key → SHA-256 of its fact file."""

    @classmethod
    def read(cls, path: Path) -> BuildManifest:
        """Read a manifest file."""
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as error:
            raise StoreError(f"cannot read build manifest {path}: {error}") from None


@contextmanager
def build_lock(store_dir: Path) -> Iterator[None]:
    """Hold the store's build lock; a second concurrent build fails at once, clearly.

    The lock is an ``flock``, so a build killed with ``kill -9`` releases it.
    """
    store_dir.mkdir(parents=True, exist_ok=True)
    with (store_dir / ".lock").open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(
                f"another build is publishing into {store_dir}; wait for it to finish"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def oxigraph_quads(dataset: Dataset) -> Iterator[pyoxigraph.Quad]:
    """An rdflib dataset's quads as Oxigraph quads (the mapper mints no blank nodes)."""
    for graph in dataset.graphs():
        name = _term(graph.identifier)
        if not isinstance(name, pyoxigraph.NamedNode):
            name = pyoxigraph.DefaultGraph()
        for subject, predicate, value in graph:
            yield pyoxigraph.Quad(_term(subject), _term(predicate), _term(value), name)


def _term(term: Node) -> Any:
    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return pyoxigraph.Literal(str(term), language=term.language)
        datatype = pyoxigraph.NamedNode(str(term.datatype)) if term.datatype else None
        return pyoxigraph.Literal(str(term), datatype=datatype)
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(str(term))
    raise StoreError(f"cannot store the RDF term {term!r}")


def nquads_of(dataset: Dataset) -> bytes:
    """Sorted N-Quads of an rdflib dataset, written by Oxigraph: same facts, same bytes."""
    text = pyoxigraph.serialize(oxigraph_quads(dataset), format=pyoxigraph.RdfFormat.N_QUADS)
    lines = sorted(set(bytes(text or b"").splitlines()))
    return b"".join(line + b"\n" for line in lines if line)


def publish_nquads(store_dir: Path, nquads: bytes, manifest: BuildManifest) -> Path:
    """Load N-Quads into a new build and make it the published one. Returns the build folder.

    Call inside :func:`build_lock`.
    """
    builds = store_dir / BUILDS_FOLDER
    builds.mkdir(parents=True, exist_ok=True)
    build_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{os.getpid()}"
    staging = builds / f".{build_id}.partial"
    final = builds / build_id
    try:
        staging.mkdir()
        database = pyoxigraph.Store(str(staging / DATABASE_FOLDER))
        database.bulk_load(nquads, format=pyoxigraph.RdfFormat.N_QUADS)
        database.flush()
        del database
        (staging / MANIFEST_FILE).write_text(
            json.dumps(asdict(manifest), indent=2, sort_keys=True), encoding="utf-8"
        )
        staging.rename(final)
        _switch_link(store_dir, final)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise StoreError(f"cannot write the build into {store_dir}: {error}") from None
    _remove_old_builds(builds, keep=final)
    return final


def _switch_link(store_dir: Path, target: Path) -> None:
    temporary = store_dir / f".{CURRENT_LINK}.{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target.relative_to(store_dir))
    os.replace(temporary, store_dir / CURRENT_LINK)  # atomic on POSIX


def _remove_old_builds(builds: Path, *, keep: Path) -> None:
    finished = sorted(p for p in builds.iterdir() if p.is_dir() and not p.name.startswith("."))
    older = [p for p in finished if p != keep]
    for stale in older[: max(0, len(older) - KEEP_PREVIOUS_BUILDS)]:
        shutil.rmtree(stale, ignore_errors=True)
    for partial in builds.glob(".*.partial"):
        shutil.rmtree(partial, ignore_errors=True)  # left by a killed build; the lock is ours


class PublishedStore:
    """Read access to the build a store folder currently publishes."""

    def __init__(self, store_dir: Path) -> None:
        link = store_dir / CURRENT_LINK
        if not link.exists():
            raise StoreError(
                f"nothing is published in {store_dir} yet; run `kgpub build` on the collection"
            )
        self.build_dir = link.resolve()
        self.manifest = BuildManifest.read(self.build_dir / MANIFEST_FILE)
        try:
            self.database = pyoxigraph.Store.read_only(str(self.build_dir / DATABASE_FOLDER))
        except OSError as error:
            raise StoreError(f"cannot open the store in {self.build_dir}: {error}") from None

    def query(self, sparql: str) -> Any:
        """Run a SPARQL query over the union of all graphs (and each by ``GRAPH``).

        :raises QueryError: with the parser's message when the query is malformed.
        """
        try:
            return self.database.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as error:
            raise QueryError(f"malformed SPARQL: {error}") from None
        except OSError as error:
            raise QueryError(f"the query failed: {error}") from None

    def dump(self, output: Any, rdf_format: pyoxigraph.RdfFormat) -> None:
        """Write the whole dataset (or, for triple formats, the union of its graphs)."""
        if rdf_format.supports_datasets:
            self.database.dump(output, format=rdf_format)
            return
        # A triple asserted in several graphs (two claims saying the same) is written once.
        triples = dict.fromkeys(
            pyoxigraph.Triple(quad.subject, quad.predicate, quad.object)
            for quad in self.database.quads_for_pattern(None, None, None, None)
        )
        pyoxigraph.serialize(triples, output, format=rdf_format)
