"""What runs inside a query worker process: run one query, cap it, serialise it, send it back.

A worker opens the collection's store itself, read-only, and answers jobs one at a time over a
pipe. For each job it sends its answer as frames (:mod:`kgpub.web.answer_frames`): the first
carries the :class:`AnswerHead` (form, format, row count, whether the answer was cut) and the
last is marked finished, so a small answer is one message; or it sends one
:class:`WorkerFailure`.

**The row cap without rewriting the query.** Oxigraph evaluates lazily while it serialises,
so the worker has it write the answer, in the format asked for, into a file that counts the
rows as they come and stops Oxigraph once the cap is passed (:mod:`kgpub.web.row_cap`);
evaluation stops there too. SELECT answers are thus written once. Graphs are written as
N-Triples (a line per triple) and, for another format, parsed and written again. The head,
with the count and the truncation flag, is therefore known before the first byte of the body.

Workers never load Flask: the web app talks to them through :mod:`kgpub.web.query_pool`.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any, TypeVar

import pyoxigraph

from kgpub.backend import WHOLE_STORE, Dataset, QueryResult, Store
from kgpub.config import Settings
from kgpub.embedded import EmbeddedStore
from kgpub.errors import QueryError, StoreError
from kgpub.formats import rdf_format, results_format
from kgpub.store import open_store
from kgpub.web.answer_frames import AnswerHead, FrameSender, WorkerFailure, encode_failure
from kgpub.web.negotiation import RDF_OFFERS, RESULTS_OFFERS, Offer, alternatives
from kgpub.web.row_cap import cap_lines, cap_solutions

Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal
Outcome = TypeVar("Outcome")


@dataclass(frozen=True)
class QueryJob:
    """Run a SPARQL query and send its answer in the first acceptable format of its form."""

    sparql: str
    results_format: str | None
    """The format name for SELECT and ASK answers; ``None`` if the client accepts none."""
    rdf_format: str | None
    """The format name for CONSTRUCT and DESCRIBE answers; ``None`` if it accepts none."""
    row_limit: int
    dataset: Dataset | None = None
    """The Protocol's dataset, which overrides the query's own ``FROM``."""
    own_dataset: bool = False
    """Whether the query names its dataset with ``FROM``; without either, the default graph
    is the union of all graphs."""
    substitutions: tuple[tuple[str, Term], ...] = ()
    """Values bound to variables before evaluation (canned-query parameters)."""
    prefixes: tuple[tuple[str, str], ...] = ()
    """Prefixes for writing graph answers (the query's own declarations)."""


@dataclass(frozen=True)
class GraphJob:
    """Send one graph of the store (Graph Store Protocol GET): ``None`` is the default graph."""

    graph: str | None
    rdf_format: str
    row_limit: int


@dataclass(frozen=True)
class Reply:
    """A job's answer before it is sent: its head, and how to write its body."""

    head: AnswerHead
    write_body: Callable[[IO[bytes]], object]


def _evaluate(store: Store, job: QueryJob) -> QueryResult:
    """Run the query on the store, over the dataset the request asked for."""
    if not isinstance(store, EmbeddedStore):
        if job.substitutions:
            raise QueryError("parameterised canned queries need the embedded store")
        return store.query(job.sparql, dataset=job.dataset or WHOLE_STORE)
    options: dict[str, Any] = {}
    if job.dataset is not None:
        options["default_graph"] = [pyoxigraph.NamedNode(g) for g in job.dataset.default_graphs]
        options["named_graphs"] = [pyoxigraph.NamedNode(g) for g in job.dataset.named_graphs]
    elif not job.own_dataset:
        # Oxigraph's union option would override the query's own FROM, so it is set only
        # for queries without one.
        options["use_default_graph_as_union"] = True
    if job.substitutions:
        options["substitutions"] = {pyoxigraph.Variable(n): t for n, t in job.substitutions}
    return store.database().query(job.sparql, **options)


def answer_query(
    store: Store, job: QueryJob, *, deadline: float | None = None
) -> Reply | WorkerFailure:
    """Evaluate and cap one query's answer; its body is written in the format asked for.

    :param deadline: for a SELECT, the :func:`time.monotonic` time past which writing its
        answer stops with :class:`~kgpub.web.row_counts.OutOfTime` (in-process queries only:
        a worker is stopped from outside instead).
    """
    result = _evaluate(store, job)
    if isinstance(result, pyoxigraph.QueryTriples):
        if job.rdf_format is None:
            return _unacceptable("CONSTRUCT and DESCRIBE answers", RDF_OFFERS)
        graph = result
        lines = cap_lines(
            lambda out: graph.serialize(out, format=pyoxigraph.RdfFormat.N_TRIPLES),
            limit=job.row_limit,
        )
        head = AnswerHead("graph", job.rdf_format, lines.rows, lines.truncated)
        target = rdf_format(job.rdf_format).oxigraph
        prefixes = dict(job.prefixes)
        return Reply(head, lambda out: _write_graph(lines.body, target, out, prefixes=prefixes))
    kind = "ask" if isinstance(result, pyoxigraph.QueryBoolean) else "select"
    if job.results_format is None:
        return _unacceptable(f"{kind.upper()} answers", RESULTS_OFFERS)
    target_results = results_format(job.results_format).oxigraph
    if isinstance(result, pyoxigraph.QueryBoolean):
        boolean = result
        head = AnswerHead(kind, job.results_format, None, truncated=False)
        return Reply(head, lambda out: boolean.serialize(out, format=target_results))
    capped = cap_solutions(result, target_results, limit=job.row_limit, deadline=deadline)
    head = AnswerHead(kind, job.results_format, capped.rows, capped.truncated)
    return Reply(head, lambda out: out.write(capped.body))


def answer_graph(store: Store, job: GraphJob) -> Reply | WorkerFailure:
    """Read one graph of the store, capped like a CONSTRUCT answer."""
    if not isinstance(store, EmbeddedStore):
        if job.graph is None:
            return WorkerFailure("refused", "the remote backend's own default graph cannot be read")
        graph = pyoxigraph.NamedNode(job.graph)
        sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
        triples: Any = store.query(sparql)
    else:
        database = store.database()
        name: pyoxigraph.NamedNode | pyoxigraph.DefaultGraph = pyoxigraph.DefaultGraph()
        if job.graph is not None:
            name = pyoxigraph.NamedNode(job.graph)
            if not database.contains_named_graph(name):
                return WorkerFailure("not-found", f"the store holds no graph <{job.graph}>")
        triples = (quad.triple for quad in database.quads_for_pattern(None, None, None, name))
    lines = cap_lines(
        lambda out: pyoxigraph.serialize(triples, out, format=pyoxigraph.RdfFormat.N_TRIPLES),
        limit=job.row_limit,
    )
    head = AnswerHead("graph", job.rdf_format, lines.rows, lines.truncated)
    target = rdf_format(job.rdf_format).oxigraph
    return Reply(head, lambda out: _write_graph(lines.body, target, out, prefixes={}))


def _write_graph(
    lines: bytes, target: pyoxigraph.RdfFormat, output: IO[bytes], *, prefixes: dict[str, str]
) -> None:
    if target == pyoxigraph.RdfFormat.N_TRIPLES:
        output.write(lines)
        return
    triples = (q.triple for q in pyoxigraph.parse(lines, format=pyoxigraph.RdfFormat.N_TRIPLES))
    pyoxigraph.serialize(triples, output, format=target, prefixes=prefixes or None)


def _unacceptable(what: str, offers: Sequence[Offer]) -> WorkerFailure:
    message = f"{what} are not available in the format asked for. Available:"
    return WorkerFailure("not-acceptable", f"{message}\n{alternatives(offers)}")


def answer(store: Store, job: QueryJob | GraphJob, connection: Connection) -> None:
    """Answer one job: its frames, the last marked finished, or one :class:`WorkerFailure`.

    A failure met while writing the body follows the frames already sent, if any.
    """

    def send() -> WorkerFailure | None:
        reply = answer_query(store, job) if isinstance(job, QueryJob) else answer_graph(store, job)
        if isinstance(reply, WorkerFailure):
            return reply
        sender = FrameSender(connection, reply.head)
        reply.write_body(sender.file)
        sender.finish()
        return None

    failure = caught(send)
    if failure is not None:
        connection.send_bytes(encode_failure(failure))


def caught(work: Callable[[], Outcome]) -> Outcome | WorkerFailure:
    """What ``work`` returns, or the failure to report if it raised what a query can raise."""
    try:
        return work()
    except SyntaxError as error:
        return WorkerFailure("malformed", f"malformed SPARQL: {error}")
    except (RuntimeError, ValueError) as error:
        return WorkerFailure("refused", f"the query cannot run: {error}")
    except QueryError as error:
        return WorkerFailure("malformed", str(error))
    except StoreError as error:
        return WorkerFailure("unavailable", str(error))
    except OSError as error:
        return WorkerFailure("failed", f"the query failed while running: {error}")


def serve_jobs(connection: Connection, settings: Settings, collection_root: Path) -> None:
    """A worker's life: open the store read-only, then answer jobs until the pipe closes."""
    # Ctrl-C reaches every process of the terminal; the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    store = open_store(settings, collection_root)
    try:
        while True:
            try:
                job = connection.recv()
            except (EOFError, OSError):
                return
            answer(store, job, connection)
    finally:
        store.close()
