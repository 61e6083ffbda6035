"""Spreading batches of articles over worker processes, or doing them here when few.

Workers are started with ``forkserver`` (never a bare ``fork`` of a process that may hold
threads or open stores), each loads the registry once, and batches come back as they finish so
the parent can load them into the store while the workers go on.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from types import TracebackType

from kgpub.articlework import ArticleOutcome, ArticleWorker, ClaimTable, WorkerSetup

BATCH_SIZE = 200
"""Articles validated together: large enough to amortise pySHACL's per-run cost, small
enough to keep a worker's memory low and both cores busy to the end."""
IN_PROCESS_LIMIT = 2 * BATCH_SIZE
"""Up to this many articles, starting worker processes costs more than it saves."""

_worker: ArticleWorker | None = None


def _start_worker(setup: WorkerSetup) -> None:
    global _worker  # one worker object per process, made once
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    _worker = ArticleWorker(setup)


def _exit_with_parent() -> None:
    """End this worker when the build that started it ends, even killed with SIGKILL.

    A killed build closes no pipes, so without this its workers lived on forever, holding the
    staged build's deleted files (and their disk space) open.
    """
    parent = multiprocessing.parent_process()
    if parent is not None:
        parent.join()
        os._exit(1)


def _process(paths: list[str], known_claims: ClaimTable) -> list[ArticleOutcome]:
    assert _worker is not None  # noqa: S101 - set by the pool initializer
    return _worker.process(paths, known_claims)


class WorkerPool:
    """Maps and validates batches of articles, in parallel when there are enough of them."""

    def __init__(self, setup: WorkerSetup, *, workers: int) -> None:
        self.setup = setup
        self.workers = workers
        self._local: ArticleWorker | None = None
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._local is not None:
            self._local.close()

    def run(self, paths: list[str], known_claims: ClaimTable) -> Iterator[list[ArticleOutcome]]:
        """Each batch's outcomes, as batches finish (not in order)."""
        batches = [paths[i : i + BATCH_SIZE] for i in range(0, len(paths), BATCH_SIZE)]
        if self.workers <= 1 or len(paths) <= IN_PROCESS_LIMIT:
            if self._local is None:
                self._local = ArticleWorker(self.setup)
            for batch in batches:
                yield self._local.process(batch, known_claims)
            return
        pool = self._start_pool()
        pending: set[Future[list[ArticleOutcome]]] = set()
        waiting: Iterator[list[str]] = iter(batches)
        for batch in waiting:  # a few batches ahead per worker keeps memory bounded
            pending.add(pool.submit(_process, batch, known_claims))
            if len(pending) >= 2 * self.workers:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
                following = next(waiting, None)
                if following is not None:
                    pending.add(pool.submit(_process, following, known_claims))

    def _start_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=_start_worker,
                initargs=(self.setup,),
            )
        return self._pool
