"""The publishing pipeline: find what changed → map and validate it → publish, all or nothing.

Only articles whose inputs changed are mapped and validated again (see :mod:`kgpub.buildstate`),
in batches spread over worker processes (see :mod:`kgpub.build_waves`). Nothing is published
unless every file loads and everything conforms; the change is applied to the store in one
transaction, so readers see the previous publication until the new one is complete.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import tempfile
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from rdflib import URIRef
from rdflib.compare import to_canonical_graph

from kgpub import __version__
from kgpub.articlework import WorkerSetup, environment_digest
from kgpub.backend import BuildManifest, Store, Transaction
from kgpub.build_waves import ArticleWaves
from kgpub.buildplan import BuildPlan, plan_build
from kgpub.buildstate import SCHEMA_VERSION, STATE_FILE, BuildState
from kgpub.collection import find_collection_root, load_registry
from kgpub.config import Settings
from kgpub.dump_publication import finish_published_dumps, prepare_build_dumps
from kgpub.embedded import EmbeddedStore
from kgpub.errors import OutOfSpace, Problem, StoreError, is_out_of_space, store_failure
from kgpub.mapped_graphs import MappedGraphs
from kgpub.mapper import map_registry
from kgpub.ontology import ontology_graph, resources_digest
from kgpub.quads import nquads_of
from kgpub.removals import answered_entity_iris
from kgpub.store import open_store
from kgpub.validate import locate_results, union_graph, validate_graph
from kgpub.vocab import ONTOLOGY_IRI

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildSummary:
    """What a build did, for the closing summary line."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    remapped: int = 0
    """Articles mapped and validated again (changed, or depending on something that did)."""
    quads: int = 0
    graphs: int = 0
    violations: int = 0
    problems: list[Problem] = field(default_factory=list)
    unloadable: int = 0
    """Problems of input that could not be loaded (syntax, fields, references, keys), as
    opposed to data that loads but does not conform to the shapes."""
    seconds: float = 0.0
    published_at: float = 0.0
    """Seconds until the build was published; the dumps' checksums (or remote dumps) follow."""
    published: bool = False
    full: bool = False

    @property
    def conforms(self) -> bool:
        """Whether every file loaded and all data conforms."""
        return not self.problems

    def describe(self) -> str:
        """One line for people."""
        verdict = "published" if self.published else "NOT published"
        return (
            f"{verdict}: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.removed)} removed, {self.unchanged} unchanged articles "
            f"({self.remapped} mapped and validated{', full build' if self.full else ''}); "
            f"{self.quads} quads in {self.graphs} graphs; {len(self.problems)} problems "
            f"({self.violations} SHACL violations); {self.seconds:.2f} s"
            + (f" (published at {self.published_at:.2f} s)" if self.published else "")
        )


def build_collection(path: Path, settings: Settings, *, publish: bool = True) -> BuildSummary:
    """Bring the store up to date with a collection's files, or leave it as it was.

    With ``publish=False`` everything is checked as for a build and nothing is written.
    """
    started = time.perf_counter()
    root = find_collection_root(path)
    store = open_store(settings, root)
    environment = environment_digest(settings.base_iri, __version__, resources_digest())
    replace_all = _needs_full_build(store, environment)
    # A full build starts from an empty state: it takes over what the published one knows of
    # removed IRIs, and tells which articles went since.
    previous_state = store.state_dir() if replace_all else None
    scratch: Path | None = None
    if publish:
        transaction = store.begin(replace_all=replace_all)
        prepare_build_dumps(transaction, settings)
        state_dir = transaction.state_dir
    else:
        transaction = None
        scratch = Path(tempfile.mkdtemp(prefix="kgpub-validate-"))
        state_dir = _scratch_state(store, scratch, replace_all)
    try:
        run = _Build(root, settings, state_dir, environment, transaction, full=replace_all)
        summary = replace(run.run(previous_state), published_at=time.perf_counter() - started)
        if summary.published:
            finish_published_dumps(store, settings, root)
    except (sqlite3.Error, StoreError) as error:  # the build state's SQLite, a full disk, …
        if transaction is not None:
            transaction.abort()
        # The frames of the error hold the staged database open (pyoxigraph has no close), and
        # with it the disk space of the aborted build, for as long as a caller keeps the error.
        traceback.clear_frames(error.__traceback__)
        explained = isinstance(error, OutOfSpace) or not is_out_of_space(error)
        if isinstance(error, StoreError) and explained:
            raise
        raise store_failure("cannot write the build", store.description, error) from None
    except BaseException:
        if transaction is not None:
            transaction.abort()
        raise
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        store.close()
    return replace(summary, seconds=time.perf_counter() - started)


def _needs_full_build(store: Store, environment: str) -> bool:
    if not isinstance(store, EmbeddedStore):  # which publishes by switching a link, never half
        from kgpub.remote import RemoteStore  # imported here, as in kgpub.store.open_store

        if isinstance(store, RemoteStore) and store.unfinished_publication() is not None:
            return True  # its graphs may mix two builds: replace them all
    state_dir = store.state_dir()
    if state_dir is None or not (state_dir / STATE_FILE).is_file():
        return True
    state = BuildState(state_dir, read_only=True)
    try:
        return state.meta("environment") != environment or state.meta("schema") != SCHEMA_VERSION
    finally:
        state.close()


def _scratch_state(store: Store, scratch: Path, replace_all: bool) -> Path:
    published = store.state_dir()
    state_dir = scratch / "state"
    if replace_all or published is None:
        state_dir.mkdir()
    else:
        shutil.copytree(published, state_dir)
    return state_dir


class _Build(ArticleWaves):
    """One run of the pipeline over a state folder, writing into a transaction (if any)."""

    def __init__(
        self,
        root: Path,
        settings: Settings,
        state_dir: Path,
        environment: str,
        transaction: Transaction | None,
        *,
        full: bool,
    ) -> None:
        self.root, self.settings, self.full = root, settings, full
        self.environment = environment
        state = BuildState(state_dir, wal=True)
        setup = WorkerSetup(
            root, settings.base_iri, environment, state_dir, settings.store_path(root) / "cache"
        )
        super().__init__(state, setup, transaction)
        self.gone_articles: dict[str, str] = {}
        """Key → fact file of articles that may have gone: removed, or redone under a new key."""
        self.gone_entities: dict[str, str] = {}
        """IRI → label of the entity IRIs this build stops answering for."""

    def run(self, previous_state: Path | None = None) -> BuildSummary:
        if previous_state is not None and (previous_state / STATE_FILE).is_file():
            self._take_over_removals(previous_state)
        plan = plan_build(self.root, self.state, full=self.full, cache=self.setup.cache_dir)
        # Removed files, and files whose key changed; keys still published are skipped at the end.
        self.gone_articles.update((record.key, path) for path, record in plan.retired.items())
        self.problems.extend(plan.problems)
        self.unloadable += len(plan.problems)
        log.info(
            "%d added, %d updated, %d removed; %d articles to map and validate",
            len(plan.added), len(plan.updated), len(plan.removed), len(plan.work),
        )  # fmt: skip
        self._retire(plan.retired.values())
        for path, mtime in plan.touched.items():
            self.state.touch(path, mtime)
        self.map_and_validate(plan, workers=self.settings.worker_count)
        if plan.registry is not None or self._countries_changed():
            self._publish_entities(plan)
        if self.full:
            self._publish_ontology()
        return self._finish(plan)

    def _take_over_removals(self, previous_state: Path) -> None:
        previous = BuildState(previous_state, read_only=True)
        try:
            self.state.removals.carry_over(previous.removals, base_iri=self.settings.base_iri)
            self.gone_articles.update(previous.article_paths())
        finally:
            previous.close()
        self.state.commit()

    # -- the entity and ontology graphs --------------------------------------------------------
    def _all_countries(self, registry_countries: Iterable[str]) -> list[str]:
        return sorted(set(registry_countries) | self.state.countries())

    def _countries_changed(self) -> bool:
        recorded: list[str] = json.loads(self.state.meta("registry_countries") or "[]")
        published: list[str] = json.loads(self.state.meta("countries") or "[]")
        return self._all_countries(recorded) != published

    def _publish_entities(self, plan: BuildPlan) -> None:
        registry = plan.registry or load_registry(self.root, self.problems)
        countries = self._all_countries(registry.registry_countries)
        with_countries = replace(registry, registry_countries=frozenset(countries))
        mapped = map_registry(with_countries, iris=self.settings.iris)
        report = validate_graph(union_graph(mapped))
        self.violations += len(report.violations)
        self.problems.extend(locate_results(report, mapped, with_countries))
        nquads = nquads_of(mapped)
        if self.transaction is not None and not self.problems:
            self.transaction.drop_graphs([str(self.settings.iris.entities_graph)])
            self.transaction.add_nquads(nquads)
        answered = answered_entity_iris(registry.index, countries, iris=self.settings.iris)
        self.gone_entities = self.state.removals.update_entities(answered)
        self.state.set_meta("registry_sha256", plan.registry_sha256)
        self.state.set_meta("registry_countries", json.dumps(sorted(registry.registry_countries)))
        self.state.set_meta("countries", json.dumps(countries))
        self.state.set_meta("entities_quads", str(nquads.count(b"\n")))

    def _publish_ontology(self) -> None:
        # Published alongside the data so queries can use code-list notations and labels;
        # skolemised from canonical labels because the store relabels blank nodes on every load.
        mapped = MappedGraphs()
        mapped.graph(URIRef(ONTOLOGY_IRI)).update(
            to_canonical_graph(ontology_graph()).skolemize(
                authority="https://w3id.org", basepath="/kgpub/.well-known/genid/"
            )
        )
        nquads = nquads_of(mapped)
        if self.transaction is not None and not self.problems:
            self.transaction.add_nquads(nquads)
        self.state.set_meta("ontology_quads", str(nquads.count(b"\n")))

    # -- the end -------------------------------------------------------------------------------
    def _finish(self, plan: BuildPlan) -> BuildSummary:
        problems = list(dict.fromkeys(self.problems))
        quads, graphs = self.state.totals()
        summary = BuildSummary(
            added=plan.added,
            updated=plan.updated,
            removed=plan.removed,
            unchanged=plan.unchanged,
            remapped=self.remapped,
            quads=quads,
            graphs=graphs,
            violations=self.violations,
            problems=problems,
            unloadable=self.unloadable,
            full=self.full,
        )
        if problems or self.transaction is None:
            self.state.close()
            if self.transaction is not None:
                self.transaction.abort()
            return summary
        self.state.set_meta("environment", self.environment)
        self.state.set_meta("schema", SCHEMA_VERSION)
        built_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.state.removals.record_articles(self.gone_articles, removed_at=built_at)
        self.state.removals.forget_republished_articles()
        self.state.removals.record_entities(self.gone_entities, removed_at=built_at)
        manifest = BuildManifest(
            built_at=built_at,
            changed_at=built_at,
            base_iri=self.settings.base_iri,
            kgpub_version=__version__,
            quads=quads,
            graphs=graphs,
            articles=self.state.article_count(),
        )
        self.state.finish()
        self.transaction.commit(manifest)
        return replace(summary, published=True)
