"""The publishing pipeline: load → map → validate → publish, all or nothing.

Nothing is published unless every file loads and the whole collection conforms to the shapes.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from rdflib import URIRef
from rdflib.compare import to_canonical_graph

from kgpub import __version__
from kgpub.collection import Collection, load_collection
from kgpub.config import Settings
from kgpub.errors import Problem
from kgpub.mapper import MappedGraphs, map_collection
from kgpub.ontology import ontology_graph
from kgpub.store import (
    CURRENT_LINK,
    MANIFEST_FILE,
    BuildManifest,
    build_lock,
    nquads_of,
    publish_nquads,
)
from kgpub.validate import ValidationReport, locate_results, union_graph, validate_graph
from kgpub.vocab import ONTOLOGY_IRI

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckedCollection:
    """A loaded, mapped and validated collection."""

    collection: Collection
    mapped: MappedGraphs
    report: ValidationReport
    problems: list[Problem]

    @property
    def conforms(self) -> bool:
        """Whether the collection may be published."""
        return self.report.conforms


@dataclass(frozen=True)
class BuildSummary:
    """What a build did, for the closing summary line."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    quads: int = 0
    graphs: int = 0
    violations: int = 0
    seconds: float = 0.0
    published: bool = False
    build_dir: Path | None = None

    def describe(self) -> str:
        """One line for people."""
        verdict = "published" if self.published else "NOT published"
        return (
            f"{verdict}: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.removed)} removed, {len(self.unchanged)} unchanged articles; "
            f"{self.quads} quads in {self.graphs} graphs; {self.violations} violations; "
            f"{self.seconds:.2f} s"
        )


def check_collection(path: Path, settings: Settings) -> CheckedCollection:
    """Load, map and validate a collection without publishing anything.

    :raises InputError: when a file cannot be loaded (every problem of every file at once).
    """
    log.info("loading %s", path)
    collection = load_collection(path)
    log.info("mapping %d articles", len(collection.articles))
    mapped = map_collection(collection, iris=settings.iris)
    log.info("validating %d quads", mapped.quad_count())
    report = validate_graph(union_graph(mapped))
    return CheckedCollection(collection, mapped, report, locate_results(report, mapped, collection))


def build_collection(path: Path, settings: Settings) -> tuple[BuildSummary, CheckedCollection]:
    """Check a collection and, if it conforms, publish it into the store atomically."""
    started = time.perf_counter()
    checked = check_collection(path, settings)
    store_dir = settings.store_path(checked.collection.root)
    articles = {source.key: source.sha256 for source in checked.collection.articles}
    previous = _previous_articles(store_dir)
    changes = BuildSummary(
        added=sorted(set(articles) - set(previous)),
        removed=sorted(set(previous) - set(articles)),
        updated=sorted(k for k in articles if k in previous and previous[k] != articles[k]),
        unchanged=sorted(k for k in articles if previous.get(k) == articles[k]),
    )
    graphs = len(list(checked.mapped.dataset.graphs()))
    quads = checked.mapped.quad_count()
    violations = len(checked.report.violations)
    if not checked.conforms:
        summary = replace(
            changes, quads=quads, graphs=graphs, violations=violations,
            seconds=time.perf_counter() - started,
        )  # fmt: skip
        return summary, checked
    # Published alongside the data so queries can use code-list notations and labels;
    # skolemised from canonical labels because the store relabels blank nodes on every load.
    vocabulary = checked.mapped.dataset.graph(URIRef(ONTOLOGY_IRI))
    vocabulary += to_canonical_graph(ontology_graph()).skolemize(
        authority="https://w3id.org", basepath="/kgpub/.well-known/genid/"
    )
    graphs = len(list(checked.mapped.dataset.graphs()))
    quads = checked.mapped.quad_count()
    nquads = nquads_of(checked.mapped.dataset)
    manifest = BuildManifest(
        built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        base_iri=settings.base_iri,
        kgpub_version=__version__,
        quads=quads,
        graphs=graphs,
        articles=articles,
    )
    with build_lock(store_dir):
        build_dir = publish_nquads(store_dir, nquads, manifest)
    summary = replace(
        changes, quads=quads, graphs=graphs, violations=0,
        seconds=time.perf_counter() - started, published=True, build_dir=build_dir,
    )  # fmt: skip
    return summary, checked


def _previous_articles(store_dir: Path) -> dict[str, str]:
    manifest = store_dir / CURRENT_LINK / MANIFEST_FILE
    if not manifest.is_file():
        return {}
    return BuildManifest.read(manifest).articles
