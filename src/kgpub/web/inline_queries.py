"""Queries of one triple pattern, answered in the server process instead of by a worker.

Queries run in worker processes so that one past its time limit can be stopped
(:mod:`kgpub.web.query_pool`). Handing a query to a worker and its answer back costs about
0.1 ms of work and four process wake-ups; for an 11-row entity lookup that was most of the
time the server spent on it (docs/performance.md). A query of one triple pattern
(:mod:`kgpub.single_pattern`) can be stopped without a worker: Oxigraph makes its rows one
index step at a time while the answer is written, and the writer that applies the row cap
(:mod:`kgpub.web.row_cap`) also stops at the deadline, which ends the scan. Its memory is
bounded by the row cap like any answer's.

Such a query runs here only when nothing else could make it slow or different: the embedded
store, no Protocol dataset (``default-graph-uri``, ``named-graph-uri``) and no parameters
bound; everything else goes to the workers. The answer — status, headers, body, errors — is
the one a worker would give: the same code writes it (:func:`kgpub.web.query_worker.answer_query`).
"""

from __future__ import annotations

import io
import logging
import time

from kgpub.embedded import EmbeddedStore
from kgpub.sparql_tokens import SparqlOutline
from kgpub.web.answer_frames import WorkerFailure
from kgpub.web.query_pool import Answer, failure_error, timeout_error
from kgpub.web.query_worker import QueryJob, Reply, answer_query, caught
from kgpub.web.row_counts import OutOfTime
from kgpub.web.state import WebState

logger = logging.getLogger(__name__)


def runs_inline(state: WebState, job: QueryJob, found: SparqlOutline) -> bool:
    """Whether ``job`` (whose query has the outline ``found``) is answered in this process."""
    return (
        found.single_pattern
        and isinstance(state.store, EmbeddedStore)
        and job.dataset is None
        and not job.own_dataset
        and not job.substitutions
    )


def run_query(state: WebState, job: QueryJob, found: SparqlOutline, *, timeout: float) -> Answer:
    """``job``'s answer within ``timeout`` seconds: here if it is one pattern, else by a worker.

    :raises QueryTimeout: when the time ran out (the query was stopped).
    :raises RequestError: the status a failure of the query calls for, as from a worker.
    """
    if not runs_inline(state, job, found):
        return state.pool.run(job, timeout=timeout)
    deadline = time.monotonic() + timeout
    body = io.BytesIO()

    def written() -> Reply | WorkerFailure:
        reply = answer_query(state.store, job, deadline=deadline)
        if isinstance(reply, Reply):
            reply.write_body(body)
        return reply

    try:
        outcome = caught(written)
    except OutOfTime:
        logger.warning("stopping a query after %g s (in the server process)", timeout)
        raise timeout_error(timeout, state.settings) from None
    if isinstance(outcome, WorkerFailure):
        raise failure_error(outcome)
    return Answer(outcome.head, [body.getvalue()])
