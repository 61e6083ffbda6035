"""A small pool of query worker processes, so a query past its time limit can really be stopped.

Oxigraph cannot cancel a running query, and a Python thread cannot be killed; a process can.
Each worker (:mod:`kgpub.web.query_worker`) opens the store read-only and answers one query at
a time over a pipe. The request thread waits for the answer's first frame until the deadline;
past it, the worker is killed (``SIGKILL``: the query's CPU and memory are gone at once) and a
fresh one takes its place. A small answer is that one frame; a large one streams from the
worker's pipe to the client (:mod:`kgpub.web.answer_frames`).

Workers are started through ``forkserver`` — never by forking the server, which holds threads
and open stores — and only in the process that uses the pool, so a server forked after creating
the app (gunicorn ``--preload``) starts its own instead of sharing pipes.

A request first waits for an idle worker (at most its time limit, then 503 with
``Retry-After``), then gives the query its whole time limit.
"""

from __future__ import annotations

import collections
import logging
import math
import multiprocessing
import os
import queue
import select
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from kgpub.config import Settings
from kgpub.errors import (
    BadRequest,
    KgpubError,
    NotAcceptable,
    NotFound,
    QueryError,
    QueryTimeout,
    ServiceUnavailable,
)
from kgpub.web.answer_frames import AnswerHead, Frame, WorkerFailure, decode_message
from kgpub.web.query_worker import GraphJob, QueryJob, serve_jobs

logger = logging.getLogger(__name__)

READ_AHEAD_BYTES = 1024 * 1024
"""Answers up to this size are read whole, so the worker is free again before the client has
read anything; larger ones stream, holding their worker until sent."""
BUSY_RETRY_SECONDS = 2
KILL_WAIT_SECONDS = 5.0


@dataclass
class _Worker:
    process: BaseProcess
    connection: Connection
    readable: select.poll
    """Waits for the worker's next message: ``Connection.poll`` builds a selector each call."""


@dataclass(frozen=True)
class Answer:
    """An answer's head and its body (bytes chunks, possibly still streaming from a worker)."""

    head: AnswerHead
    body: Iterable[bytes]


class QueryPool:
    """Runs queries in worker processes with a deadline each.

    :param settings: the server's settings (``query_workers``, ``query_timeout_max``, and
        what workers need to open the store).
    :param collection_root: the collection the workers open the store of.
    """

    def __init__(self, settings: Settings, collection_root: Path) -> None:
        self.settings = settings
        self.collection_root = collection_root
        self.size = settings.query_worker_count
        self._context = multiprocessing.get_context("forkserver")
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._workers: dict[int, _Worker] = {}
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._closed = False

    def start(self) -> None:
        """Start the workers, once per process (it is also done on first use)."""
        with self._lock:
            if self._owner == os.getpid() or self._closed:
                return
            self._idle = queue.LifoQueue()
            self._workers = {}
            self._context.set_forkserver_preload(["kgpub.web.query_worker"])
            for _ in range(self.size):
                self._idle.put(self._spawn())
            self._owner = os.getpid()

    def worker_pids(self) -> list[int]:
        """The process ids of the current workers."""
        with self._lock:
            return sorted(self._workers)

    def run(self, job: QueryJob | GraphJob, *, timeout: float) -> Answer:
        """Run ``job`` with ``timeout`` seconds to produce its answer.

        :raises QueryTimeout: when the time ran out (the worker was killed and replaced).
        :raises ServiceUnavailable: when no worker became free within ``timeout``.
        :raises RequestError: the status the worker's failure calls for.
        :raises QueryError: when the query failed while running, or its worker died.
        """
        if self._owner != os.getpid():
            self.start()
        worker, deadline = self._hand_over(job, timeout)
        frame = self._receive(worker, deadline, timeout)
        if isinstance(frame, WorkerFailure):
            self._checkin(worker)
            raise failure_error(frame)
        head = frame.head
        assert head is not None  # noqa: S101 - an answer's first frame carries its head
        chunks = [frame.body] if frame.body else []
        size = len(frame.body)
        while not frame.last:
            if size >= READ_AHEAD_BYTES:
                return Answer(head, WorkerStream(self, worker, chunks, deadline, timeout))
            message = self._receive(worker, deadline, timeout)
            if isinstance(message, WorkerFailure):
                self._checkin(worker)
                raise failure_error(message)
            frame = message
            if frame.body:
                chunks.append(frame.body)
                size += len(frame.body)
        self._checkin(worker)
        return Answer(head, chunks)

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            workers = list(self._workers.values())
            self._workers.clear()
        for worker in workers:
            _stop(worker)

    def _spawn(self) -> _Worker:
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(
            target=serve_jobs,
            args=(child_end, self.settings, self.collection_root),
            name="kgpub-query-worker",
            daemon=True,
        )
        process.start()
        child_end.close()
        readable = select.poll()
        readable.register(parent_end.fileno(), select.POLLIN)
        worker = _Worker(process, parent_end, readable)
        assert process.pid is not None  # noqa: S101 - set by start()
        self._workers[process.pid] = worker
        return worker

    def _hand_over(self, job: QueryJob | GraphJob, timeout: float) -> tuple[_Worker, float]:
        """A worker that took ``job``, and the deadline for its answer."""
        # Sending to a worker that died while idle fails at once, so it is found then rather
        # than by asking every worker whether it lives on each checkout (a few µs each time).
        for _ in range(self.size + 1):
            worker = self._checkout(timeout)
            deadline = time.monotonic() + timeout
            try:
                worker.connection.send(job)
            except OSError:
                self._discard(worker)
                continue
            return worker, deadline
        raise QueryError("the query workers stopped unexpectedly; try again")

    def _checkout(self, timeout: float) -> _Worker:
        try:
            return self._idle.get(timeout=timeout)
        except queue.Empty:
            raise ServiceUnavailable(
                f"all {self.size} query workers stayed busy for {timeout:g} s; try again shortly",
                retry_after=BUSY_RETRY_SECONDS,
            ) from None

    def _checkin(self, worker: _Worker) -> None:
        self._idle.put(worker)

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker whose state is unknown (timed out, or output left unread); replace it."""
        _stop(worker)
        with self._lock:
            if worker.process.pid is not None:
                self._workers.pop(worker.process.pid, None)
            if not self._closed and self._owner == os.getpid():
                self._idle.put(self._spawn())

    def _receive(self, worker: _Worker, deadline: float, timeout: float) -> Frame | WorkerFailure:
        remaining_ms = math.ceil((deadline - time.monotonic()) * 1000)
        try:
            if remaining_ms > 0 and worker.readable.poll(remaining_ms):
                return decode_message(worker.connection.recv_bytes())
        except (EOFError, OSError):
            self._discard(worker)
            raise QueryError(
                "the query's worker process died (out of memory?); it has been replaced"
            ) from None
        logger.warning("stopping a query after %g s (worker %s)", timeout, worker.process.pid)
        self._discard(worker)
        raise timeout_error(timeout, self.settings)


class WorkerStream:
    """The rest of a large answer, read from its worker as the client reads it.

    The WSGI server calls :meth:`close` when the response ends; a worker whose output was not
    read to the end is killed then, since it cannot take another job.
    """

    def __init__(
        self,
        pool: QueryPool,
        worker: _Worker,
        chunks: list[bytes],
        deadline: float,
        timeout: float,
    ) -> None:
        self._pool = pool
        self._worker: _Worker | None = worker
        self._chunks = collections.deque(chunks)
        self._deadline = deadline
        self._timeout = timeout

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._chunks:
            return self._chunks.popleft()
        worker = self._worker
        if worker is None:
            raise StopIteration
        try:
            message = self._pool._receive(worker, self._deadline, self._timeout)
        except KgpubError:
            self._worker = None  # already discarded; the client sees a cut connection
            raise
        if isinstance(message, WorkerFailure):
            self._worker = None
            self._pool._checkin(worker)
            raise failure_error(message)
        if message.last:
            self._worker = None
            self._pool._checkin(worker)
            if not message.body:
                raise StopIteration
        return message.body

    def close(self) -> None:
        """Release the worker, killing it if its output was not read to the end."""
        if self._worker is not None:
            self._pool._discard(self._worker)
            self._worker = None


def timeout_error(timeout: float, settings: Settings) -> QueryTimeout:
    """What a client is told when its query ran past ``timeout`` seconds and was stopped."""
    return QueryTimeout(
        f"the query ran longer than its {timeout:g} s limit and was stopped. Ask for more "
        f"time with timeout= (at most {settings.query_timeout_max_seconds:g} s on "
        "this server), or narrow the query (more specific patterns, LIMIT)."
    )


def _stop(worker: _Worker) -> None:
    worker.connection.close()
    worker.process.kill()
    worker.process.join(KILL_WAIT_SECONDS)


def failure_error(failure: WorkerFailure) -> KgpubError:
    """The exception (and so the HTTP status) a worker's failure calls for."""
    if failure.category in ("malformed", "refused"):
        return BadRequest(failure.message)
    if failure.category == "not-acceptable":
        return NotAcceptable(failure.message)
    if failure.category == "not-found":
        return NotFound(failure.message)
    if failure.category == "unavailable":
        return ServiceUnavailable(failure.message)
    return QueryError(failure.message)
