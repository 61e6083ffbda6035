"""The article work of one build: waves of batches over the worker processes, and what they found.

A first wave maps and validates every article the plan lists. Articles that link to a claim this
build has not mapped yet are deferred, and unchanged articles linking to claims that changed or
went are redone; both go in a second wave, which knows the claims they link to. Then the links
and keys across articles are checked (:mod:`kgpub.crosschecks`).

Each article's record goes into the build state and its quads into the transaction as its batch
comes back, so nothing of an article is held after its batch but what the checks across
articles need.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from kgpub.article_records import ArticleRecord
from kgpub.articlework import ArticleOutcome, ClaimTable, WorkerSetup
from kgpub.backend import Transaction
from kgpub.buildplan import BuildPlan
from kgpub.buildstate import BuildState
from kgpub.crosschecks import duplicate_key_problems, link_problems
from kgpub.errors import Problem
from kgpub.workers import WorkerPool

log = logging.getLogger(__name__)
PROGRESS_EVERY = 10_000
"""Articles between two progress lines of ``kgpub -v build``."""


class ArticleWaves:
    """Maps and validates a build's articles in waves, and keeps count of what they found."""

    def __init__(
        self, state: BuildState, setup: WorkerSetup, transaction: Transaction | None
    ) -> None:
        """Record into ``state`` and write into ``transaction`` (if any) what workers return."""
        self.state, self.setup, self.transaction = state, setup, transaction
        self.problems: list[Problem] = []
        self.unloadable = 0
        self.violations = 0
        self.claims: ClaimTable = {}
        self.outcomes: list[ArticleOutcome] = []
        self.deferred: dict[str, ArticleOutcome] = {}
        self.remapped = 0

    def map_and_validate(self, plan: BuildPlan, *, workers: int) -> None:
        """Map and validate the plan's work and what depends on it, then check across articles."""
        with WorkerPool(self.setup, workers=workers) as pool:
            deferred = self._wave(pool, plan.work, {})
            dependents = self._dependents(plan, deferred)
            self._retire(dependents)
            again = sorted(set(deferred) | {record.path for record in dependents})
            still_deferred = self._wave(pool, again, self._claims_linked_from(again, dependents))
        checked = [*self.outcomes, *(self.deferred[p] for p in still_deferred)]
        found = link_problems(checked, self.claims, self.state)
        found += duplicate_key_problems(self.outcomes, self.state)
        self.problems.extend(found)
        self.unloadable += len(found)

    def _retire(self, records: Iterable[ArticleRecord]) -> None:
        """Forget records being redone or removed, and drop their graphs from the new build."""
        for record in list(records):
            self.state.remove(record.path)
            if self.transaction is not None:
                self.transaction.drop_graphs(record.graphs)
        self.state.commit()

    def _wave(self, pool: WorkerPool, paths: list[str], known_claims: ClaimTable) -> list[str]:
        """Map and validate ``paths``; the paths deferred for want of a claim digest."""
        deferred: list[str] = []
        started, done, reported = time.perf_counter(), 0, 0
        for batch in pool.run(paths, known_claims):
            for outcome in batch:
                self._take(outcome, deferred)
            self.state.commit()  # workers read other articles' claims from the state
            done += len(batch)
            if done - reported >= PROGRESS_EVERY or done == len(paths):
                reported = done
                seconds = time.perf_counter() - started
                log.info(
                    "mapped and validated %d of %d articles in %.1f s", done, len(paths), seconds
                )
        return deferred

    def _take(self, outcome: ArticleOutcome, deferred: list[str]) -> None:
        if outcome.key is not None:
            for claim_key, known in outcome.claims.items():
                self.claims[f"{outcome.key}#{claim_key}"] = known
        if outcome.deferred:
            deferred.append(outcome.path)
            self.deferred[outcome.path] = outcome
            return
        self.outcomes.append(outcome)
        self.remapped += 1
        self.problems.extend(outcome.problems)
        self.violations += outcome.violations
        if outcome.record is None:
            self.unloadable += len(outcome.problems)
        if outcome.record is None or outcome.problems:
            return
        self.state.put(outcome.record)
        if self.transaction is not None and not self.problems:
            self.transaction.add_nquads(outcome.nquads)
        # Kept for the checks across articles at the end; the data is in the store by now.
        outcome.nquads, outcome.record = b"", None

    def _claims_linked_from(self, paths: list[str], dependents: list[ArticleRecord]) -> ClaimTable:
        """This build's claims that the articles of a second wave link to (only those)."""
        references = {ref for record in dependents for ref in record.foreign_claims}
        for path in paths:
            if path in self.deferred:
                references.update(link.reference for link in self.deferred[path].links)
        return {ref: self.claims[ref] for ref in references if ref in self.claims}

    def _dependents(self, plan: BuildPlan, deferred: list[str]) -> list[ArticleRecord]:
        """Unchanged articles linking to claims that changed or disappeared."""
        changed = {r.key for r in plan.retired.values()} | {
            o.key for o in self.outcomes if o.key is not None
        }
        candidates = self.state.linking_to(changed) - set(plan.work) - set(deferred)
        return [
            record
            for record in self.state.records(sorted(candidates))
            if any(
                self.claims.get(reference, ("", ""))[0] != digest
                for reference, digest in record.foreign_claims.items()
            )
        ]
