"""Linked Data serving benchmark: entity documents from ``kgpub serve`` against Oxigraph's server.

On one built collection (default: 10,000 synthetic articles), this starts on 127.0.0.1:

- **oxigraph**: ``oxigraph serve-read-only --union-default-graph`` over kgpub's own store
  files (``.kgpub/store/current/oxigraph``: the same data, the same bytes on disk; a build
  ends with a compaction, after which these files answer as fast as a fresh ``oxigraph load``,
  see docs/performance.md);
- **kgpub**: ``kgpub serve`` on the collection (``--server``, granian by default, with
  ``--processes`` processes of ``--kgpub-threads`` threads; waitress runs one process), with
  the rate limit off (``KGPUB_RATE_LIMIT=0``: every request comes from 127.0.0.1).

and measures with wrk, ``--connections`` (4) keep-alive connections, for ``--seconds`` after
``--warmup`` seconds of the same requests, round and round over the same sample of entities
(``--entities``, chosen with a fixed seed from the organizations, persons, places,
facilities, events and countries):

- (a) Oxigraph answering ``GET /query?query=DESCRIBE <iri>`` with ``Accept: text/turtle``:
  the standard SPARQL request for "the document about this IRI". Oxigraph's DESCRIBE gives the
  triples whose subject is the IRI, over the union of the graphs, which is kgpub's document
  less its ``#`` fragment nodes (a person's memberships, a place's geometry); the script
  checks and prints how many triples each sends;
- (b) kgpub ``GET /doc/<path>.ttl``;
- (c) kgpub ``GET /doc/<path>.html`` (the entity page);

and prints req/s and p99 for each, with b/a (target ≥ 1.0, p99 < 10 ms) and c/a (target
≥ 0.5). ``--ceiling`` adds (d): a Flask app that answers every ``/doc/…`` with the same fixed
Turtle bytes, served by the same server with the same processes and threads — what a Flask
app in this server can do at best on this machine. kgpub answers a document it has answered
before without entering Flask (:mod:`kgpub.web.document_replay`), so it can pass (d).
``--long-tail N`` adds (a), (b) and (c) over up to N distinct resources of every kind
(entities, articles, claims, observations), each fetched about once: documents nobody asked
for yet. Their warm-up asks for other resources (the rest of the collection), so none of the
measured ones is in kgpub's cache already; a run that sends more requests than N says so.

    python benchmarks/linked_data_benchmark.py --collection /tmp/kb/corpus-10000
    python benchmarks/linked_data_benchmark.py --collection /tmp/kb/corpus-10000 --ceiling \
        --server waitress
    python benchmarks/linked_data_benchmark.py --collection /tmp/ld --articles 2000 --seconds 10

Every process started here is stopped on the way out.
"""

from __future__ import annotations

import argparse
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import granian
import pyoxigraph

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_load import (
    ENTITY_KINDS,
    LoadRequest,
    WrkResult,
    describe_tree_memory,
    document_request,
    fetch,
    kind_of,
    published_resources,
    run_wrk,
    serving_kgpub,
    tree_memory,
)
from sparql_benchmark import (
    STARTUP_SECONDS,
    ensure_collection,
    free_port,
    machine,
    oxigraph_binary,
    started,
    versions,
    wait_until_answering,
)

from kgpub.config import SERVERS, Settings
from kgpub.config_loading import load_settings

TURTLE = "text/turtle"


def requests_for(iris: list[str], extension: str | None, id_prefix: str) -> list[LoadRequest]:
    """Oxigraph's ``DESCRIBE`` of each IRI (no extension), or kgpub's document of it."""
    if extension is None:
        return [describe_request(iri) for iri in iris]
    return [document_request(iri, id_prefix, extension) for iri in iris]


def describe_request(iri: str) -> LoadRequest:
    query = urllib.parse.quote(f"DESCRIBE <{iri}>", safe="")
    return LoadRequest("GET", f"/query?query={query}", accept=TURTLE, kind="oxigraph DESCRIBE")


def triple_count(body: bytes) -> int:
    return sum(1 for _ in pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.TURTLE))


def compare_documents(oxigraph_base: str, kgpub_base: str, iris: list[str], id_prefix: str) -> str:
    """Fetch every document once from both; check they answer, and compare their sizes."""
    ours, theirs, same = [], [], 0
    for iri in iris:
        for extension in ("ttl", "html"):
            request = document_request(iri, id_prefix, extension)
            status, body = fetch(kgpub_base.rstrip("/") + request.path, accept=request.accept)
            if status != 200:
                raise RuntimeError(f"kgpub answered {status} to {request.path}: {body[:300]!r}")
            if extension == "ttl":
                ours.append(triple_count(body))
        request = describe_request(iri)
        status, body = fetch(oxigraph_base + request.path, accept=TURTLE)
        if status != 200:
            raise RuntimeError(f"oxigraph answered {status} to DESCRIBE <{iri}>: {body[:300]!r}")
        theirs.append(triple_count(body))
        same += ours[-1] == theirs[-1]
    return (
        f"{len(iris)} documents: kgpub .ttl {statistics.mean(ours):.1f} triples on average, "
        f"Oxigraph DESCRIBE {statistics.mean(theirs):.1f}; the same count for {same}"
    )


def wait_for_document(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if fetch(url)[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the fixed-answer server did not start:\n{log.read_text()[-3000:]}")


def fixed_answer_app() -> Any:
    """(d): a Flask app answering every ``/doc/…`` with fixed bytes, nothing else."""
    from flask import Flask, Response

    app = Flask("ceiling")
    body = b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n" * 30

    @app.route("/doc/<path:rest>")
    def document(rest: str) -> Response:
        return Response(body, content_type=TURTLE)

    return app


def serve_fixed_answer(port: int, args: argparse.Namespace) -> None:
    """Serve (d) in the server kgpub runs in, configured as ``kgpub serve`` configures it."""
    if args.server == "waitress":
        from waitress import serve

        serve(fixed_answer_app(), host="127.0.0.1", port=port, threads=int(args.kgpub_threads),
              _quiet=True)  # fmt: skip
        return
    from kgpub.web.granian_serving import configured_server

    settings = Settings(threads=args.kgpub_threads, processes=args.processes)
    server = configured_server(settings, port=port)
    server.serve(target_loader=fixed_answer_app, wrap_loader=False)


def measure(
    base_url: str,
    requests: list[LoadRequest],
    args: argparse.Namespace,
    workdir: Path,
    *,
    warmup: list[LoadRequest] | None = None,
) -> WrkResult:
    """wrk's figures for ``requests``, after a warm-up on ``warmup`` (by default the same)."""
    if args.warmup:
        run_wrk(base_url, warmup or requests, connections=args.connections,
                seconds=args.warmup, workdir=workdir)  # fmt: skip
    result = run_wrk(
        base_url, requests, connections=args.connections, seconds=args.seconds, workdir=workdir
    )
    if warmup is not None and result.requests > len(requests):
        print(
            f"  note: {result.requests:,} requests over {len(requests):,} resources, so some "
            "were asked for twice; give --long-tail more resources or --seconds fewer",
            flush=True,
        )
    return result


def report(title: str, results: dict[str, WrkResult]) -> None:
    oxigraph, turtle, html = results["a"], results["b"], results["c"]
    print(f"\n{title}\n")
    print("| request | req/s | p50 ms | p99 ms | max ms | status ≥ 400 |")
    print("|---|---:|---:|---:|---:|---:|")
    names = {
        "a": "(a) Oxigraph `DESCRIBE <iri>`, Turtle",
        "b": "(b) kgpub `/doc/….ttl`",
        "c": "(c) kgpub `/doc/….html`",
        "d": "(d) fixed bytes from Flask in the same server",
    }
    for key, result in results.items():
        print(
            f"| {names[key]} | {result.rate:,.0f} | {result.p50:.2f} | {result.p99:.2f} | "
            f"{result.max:.1f} | {result.non_success} |"
        )
    b_ratio, c_ratio = turtle.rate / oxigraph.rate, html.rate / oxigraph.rate
    print(
        f"\nb/a = {b_ratio:.2f} (target ≥ 1.0{' ✗' if b_ratio < 1 else ''}), "
        f"b p99 = {turtle.p99:.2f} ms (target < 10{' ✗' if turtle.p99 >= 10 else ''}), "
        f"c/a = {c_ratio:.2f} (target ≥ 0.5{' ✗' if c_ratio < 0.5 else ''})"
    )
    if "d" in results:
        print(f"b/d = {turtle.rate / results['d'].rate:.2f}: kgpub against fixed bytes from Flask")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--collection", type=Path, default=Path("/tmp/kb/corpus-10000"))  # noqa: S108
    parser.add_argument("--articles", type=int, help="generate this many articles if missing")
    parser.add_argument("--entities", type=int, default=200, help="entities in the sample")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20, help="length of each measured run")
    parser.add_argument("--warmup", type=float, default=5, help="unmeasured seconds first")
    parser.add_argument("--kgpub-threads", default="8", help="kgpub serve's threads setting")
    parser.add_argument("--server", choices=SERVERS, default=SERVERS[0], help="kgpub's server")
    parser.add_argument(
        "--processes", default=Settings().processes, help="kgpub serve's processes (granian)"
    )
    parser.add_argument(
        "--long-tail", type=int, default=0, help="also measure up to N distinct resources"
    )
    parser.add_argument("--only", default="abc", help="which of the runs a, b, c to make")
    parser.add_argument("--ceiling", action="store_true", help="add run (d), see above")
    parser.add_argument("--serve-fixed-answer", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fixed_answer:
        serve_fixed_answer(args.serve_fixed_answer, args)
        return
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    root = args.collection.resolve()
    ensure_collection(root, args.articles)
    id_prefix = load_settings(root).base_iri + "id/"
    print(f"machine: {machine()}\nversions: {versions()}, granian {granian.__version__}")
    print(f"kgpub serve: {args.server}, {args.processes} processes × {args.kgpub_threads} "
          "threads" if args.server == "granian" else
          f"kgpub serve: waitress, {args.kgpub_threads} threads", flush=True)  # fmt: skip
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ld-bench-")))
        database = (root / ".kgpub" / "store" / "current").resolve() / "oxigraph"
        port = free_port()
        log = workdir / "oxigraph.log"
        process = stack.enter_context(started(
            [oxigraph_binary(), "serve-read-only", "--location", str(database),
             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
            log,
        ))  # fmt: skip
        oxigraph_base = f"http://127.0.0.1:{port}"
        wait_until_answering(oxigraph_base + "/query", process, log, seconds=STARTUP_SECONDS)
        environment = {
            "KGPUB_RATE_LIMIT": "0",
            "KGPUB_THREADS": args.kgpub_threads,
            "KGPUB_SERVER": args.server,
            "KGPUB_PROCESSES": args.processes,
        }
        kgpub_base, kgpub = stack.enter_context(serving_kgpub(root, workdir, environment))
        print(f"kgpub serve's memory at start:\n{describe_tree_memory(tree_memory(kgpub.pid))}")

        resources = published_resources(oxigraph_base + "/query", id_prefix)
        entities = [iri for iri in resources if kind_of(iri, id_prefix) in ENTITY_KINDS]
        sample = random.Random(0).sample(entities, min(args.entities, len(entities)))
        print(
            f"{len(resources):,} resources, {len(entities):,} of them entities; "
            f"sample of {len(sample)}",
            flush=True,
        )
        print(compare_documents(oxigraph_base, kgpub_base, sample, id_prefix), flush=True)
        if args.ceiling:
            port = free_port()
            log = workdir / "ceiling.log"
            process = stack.enter_context(started(
                [sys.executable, __file__, "--serve-fixed-answer", str(port),
                 "--kgpub-threads", args.kgpub_threads, "--server", args.server,
                 "--processes", args.processes],
                log,
            ))  # fmt: skip
            ceiling_base = f"http://127.0.0.1:{port}"
            wait_for_document(ceiling_base + "/doc/x.ttl", process, log)
            fixed = [document_request(iri, id_prefix, "ttl") for iri in sample]
            ceiling = measure(ceiling_base, fixed, args, workdir)
            print(f"ceiling (d): {ceiling.summary()}", flush=True)
        scenarios: list[tuple[str, list[str], list[str] | None]] = [("hot", sample, None)]
        if args.long_tail:
            # The warm-up asks for other resources than the measured run: a resource asked for
            # during the warm-up would be answered from kgpub's cache, not made afresh.
            shuffled = random.Random(1).sample(resources, len(resources))
            size = min(args.long_tail, len(resources) * 3 // 4)
            scenarios.append(("long tail", shuffled[:size], shuffled[size:]))
        for name, iris, warmup_iris in scenarios:
            plans = {
                "a": (oxigraph_base, None),
                "b": (kgpub_base, "ttl"),
                "c": (kgpub_base, "html"),
            }
            results = {}
            for key, (base, extension) in plans.items():
                if key in args.only:
                    requests = requests_for(iris, extension, id_prefix)
                    warmup = None
                    if warmup_iris is not None:
                        warmup = requests_for(warmup_iris, extension, id_prefix)
                    results[key] = measure(base, requests, args, workdir, warmup=warmup)
                    print(f"{name} ({key}): {results[key].summary()}", flush=True)
            if name == "hot" and args.ceiling:
                results["d"] = ceiling
            if name == "hot":
                memory = describe_tree_memory(tree_memory(kgpub.pid))
                print(f"kgpub serve's memory after the hot runs:\n{memory}", flush=True)
            if {"a", "b", "c"} <= set(results):
                report(
                    f"{name}: {len(iris):,} resources, {args.connections} connections, "
                    f"{args.seconds:g} s after {args.warmup:g} s of warm-up",
                    results,
                )


if __name__ == "__main__":
    main()
