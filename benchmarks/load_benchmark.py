"""Load and soak benchmark: a mixed load on a live ``kgpub serve``, with its memory over time.

Builds a synthetic collection (``--articles``, default 2,000, so it is ready in minutes; kept
in ``--workdir`` for the next run), adds four canned queries to it, starts ``kgpub serve`` on a
free port of 127.0.0.1 and drives it with wrk: ``--connections`` (8) keep-alive clients for
``--seconds`` (60; the soak is ``--seconds 600``) after ``--warmup`` seconds (20) of the same
load. Every client goes round a shuffled list of requests (fixed seed) mixing:

- entity and article pages ``/doc/….html`` (with and without ``Accept-Language: fr``),
- entity documents ``/doc/….ttl`` and ``/doc/….jsonld``,
- ``/id/…`` (303 to a document, by ``Accept``),
- canned queries ``/queries/<name>?<parameters>&format=json``,
- ad-hoc SPARQL: ``GET /sparql?query=…``, ``POST`` of a form and of ``application/sparql-query``.

The rate limit is **off** for the run (``KGPUB_RATE_LIMIT=0``): every client connects from
127.0.0.1, so the server would count all eight as one client. The report gives requests/s,
wrk's latency percentiles, every status with its count (server errors, 5xx, must be 0), socket
errors, and the resident memory of the server's whole process tree (its processes, their
forkserver and query workers) sampled every ``--sample-every`` seconds: before the warm-up, at
the start of the measured run, at its end, the peak, and the growth from start to end. Memory
is taken from the start of the measured run because the warm-up fills the bounded caches
(documents, pages) on purpose; growth after that would be a leak. ``--markdown`` prints the
section for docs/reliability.md.

    python benchmarks/load_benchmark.py                      # 60 s
    python benchmarks/load_benchmark.py --seconds 600        # the 10-minute soak
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import tempfile
import urllib.parse
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_benchmark import tree_rss_bytes
from http_load import (
    ENTITY_KINDS,
    LoadRequest,
    MemorySampler,
    WrkResult,
    document_request,
    fetch,
    kind_of,
    mib,
    published_resources,
    run_wrk,
    serving_kgpub,
)
from sparql_benchmark import (
    DISCOVERY,
    PREFIXES,
    QUERIES,
    RESULTS_JSON,
    ensure_collection,
    machine,
    post_query,
    versions,
)

from kgpub.config_loading import load_settings
from kgpub.embedded import EmbeddedStore

CANNED_QUERIES = {
    "events-at-facility": """# Events at a facility
# Every event reported at the facility, in date order.
# param: facility (iri) -- the facility
PREFIX kg: <https://w3id.org/kgpub/ont#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
SELECT ?facility ?event ?date WHERE { ?event kg:atFacility ?facility ; sem:hasTimeStamp ?date }
ORDER BY ?date ?event
""",
    "claims-by-claimant": """# Claims by a claimant
# Every claim the party makes, newest article first.
# param: claimant (iri) -- who makes the claims
PREFIX kg: <https://w3id.org/kgpub/ont#>
PREFIX schema: <https://schema.org/>
SELECT ?claimant ?claim ?status ?article ?date WHERE {
  ?claim kg:claimant ?claimant ; kg:claimStatus ?status ; schema:appearance ?article .
  ?article schema:datePublished ?date }
ORDER BY DESC(?date) ?claim
""",
    "entity-by-label": """# Entities by label
# Entities whose English label is exactly the one given.
# param: label (string@en) -- the label
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label ?entity WHERE { ?entity skos:prefLabel|skos:altLabel ?label }
""",
    "articles-per-publisher": """# Articles per publisher
# How many articles each publisher has, most first.
PREFIX schema: <https://schema.org/>
SELECT ?publisher (COUNT(?article) AS ?articles) WHERE { ?article schema:publisher ?publisher }
GROUP BY ?publisher ORDER BY DESC(?articles) ?publisher
""",
}
SHARES = {
    "entity page": 20,
    "article page": 5,
    "document .ttl": 15,
    "document .jsonld": 10,
    "303 from /id/": 15,
    "canned query": 15,
    "SPARQL GET": 8,
    "SPARQL POST form": 6,
    "SPARQL POST query": 6,
}
"""How many requests of each kind go into every hundred of the list."""
SAMPLED_ENTITIES = 300
LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"


def write_canned_queries(root: Path) -> None:
    folder = root / "queries"
    folder.mkdir(exist_ok=True)
    for name, text in CANNED_QUERIES.items():
        path = folder / f"{name}.rq"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def sparql_rows(sparql_url: str, query: str) -> list[dict[str, dict[str, str]]]:
    status, body, _ = post_query(sparql_url, query, timeout=300)
    if status != 200:
        raise RuntimeError(f"a discovery query failed with {status}: {body[:300]!r}")
    rows: list[dict[str, dict[str, str]]] = json.loads(body)["results"]["bindings"]
    return rows


def mixed_requests(base_url: str, id_prefix: str, *, seed: int) -> list[LoadRequest]:
    """The shuffled request list: :data:`SHARES` of each kind, over a sample of the data."""
    sparql_url = base_url + "sparql"
    chance = random.Random(seed)
    resources = published_resources(sparql_url, id_prefix)
    entities = [iri for iri in resources if kind_of(iri, id_prefix) in ENTITY_KINDS]
    entities = chance.sample(entities, min(SAMPLED_ENTITIES, len(entities)))
    articles = [iri for iri in resources if kind_of(iri, id_prefix) == "article"]
    articles = chance.sample(articles, min(SAMPLED_ENTITIES // 3, len(articles)))
    anchors = {
        name: sparql_rows(sparql_url, PREFIXES + query)[0]["x"]["value"]
        for name, query in DISCOVERY.items()
    }
    claimants = [
        row["c"]["value"]
        for row in sparql_rows(
            sparql_url,
            PREFIXES + "SELECT DISTINCT ?c WHERE { ?claim kg:claimant ?c } ORDER BY ?c LIMIT 50",
        )
    ]
    facilities = [iri for iri in entities if kind_of(iri, id_prefix) == "facility"] or [
        anchors["facility"]
    ]
    labels = [
        row["l"]["value"]
        for row in sparql_rows(
            sparql_url,
            f'SELECT DISTINCT ?l WHERE {{ ?e <{LABEL}> ?l FILTER (LANG(?l) = "en") }} '
            "ORDER BY ?l LIMIT 100",
        )
    ]
    ad_hoc = [
        PREFIXES + QUERIES[name].replace("{organization}", anchors["organization"])
        for name in ("entity lookup",)
    ] + [
        PREFIXES + QUERIES["events at a facility"].replace("{facility}", facility)
        for facility in facilities[:20]
    ]
    ad_hoc += [f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}" for iri in entities[:50]]
    ad_hoc += [f"ASK {{ <{iri}> ?p ?o }}" for iri in entities[50:80]]

    def one(kind: str) -> LoadRequest:
        entity = chance.choice(entities)
        if kind == "entity page":
            request = document_request(entity, id_prefix, "html")
            if chance.random() < 0.3:
                return LoadRequest(
                    "GET", request.path + "?lang=fr", accept=request.accept, kind=kind
                )
            return LoadRequest("GET", request.path, accept=request.accept, kind=kind)
        if kind == "article page":
            request = document_request(chance.choice(articles), id_prefix, "html")
            return LoadRequest("GET", request.path, accept=request.accept, kind=kind)
        if kind.startswith("document"):
            return document_request(entity, id_prefix, kind.removeprefix("document ."))
        if kind == "303 from /id/":
            path = urllib.parse.quote(entity.removeprefix(id_prefix), safe="/")
            accept = chance.choice(("text/turtle", "text/html", "application/ld+json"))
            return LoadRequest("GET", f"/id/{path}", accept=accept, kind=kind)
        if kind == "canned query":
            return canned_query_request(chance, facilities, claimants, labels)
        query = chance.choice(ad_hoc).replace("\n", " ")
        if kind == "SPARQL GET":
            path = "/sparql?" + urllib.parse.urlencode({"query": query})
            return LoadRequest("GET", path, accept=RESULTS_JSON, kind=kind)
        if kind == "SPARQL POST form":
            body = urllib.parse.urlencode({"query": query})
            form = "application/x-www-form-urlencoded"
            return LoadRequest("POST", "/sparql", RESULTS_JSON, form, body, kind=kind)
        return LoadRequest(
            "POST", "/sparql", RESULTS_JSON, "application/sparql-query", query, kind=kind
        )

    requests = [
        one(kind) for _ in range(20) for kind, share in SHARES.items() for _ in range(share)
    ]
    chance.shuffle(requests)
    return requests


def canned_query_request(
    chance: random.Random, facilities: list[str], claimants: list[str], labels: list[str]
) -> LoadRequest:
    name = chance.choice(sorted(CANNED_QUERIES))
    parameters = {
        "events-at-facility": {"facility": chance.choice(facilities)},
        "claims-by-claimant": {"claimant": chance.choice(claimants)},
        "entity-by-label": {"label": chance.choice(labels)},
        "articles-per-publisher": {},
    }[name]
    query = urllib.parse.urlencode({**parameters, "format": "json"})
    return LoadRequest("GET", f"/queries/{name}?{query}", accept=RESULTS_JSON, kind="canned query")


def check_every_kind(base_url: str, requests: list[LoadRequest]) -> None:
    """One GET of each kind must answer 2xx or 3xx, or the load would measure errors."""
    for request in {r.kind: r for r in requests if r.method == "GET"}.values():
        status, body = fetch(base_url.rstrip("/") + request.path, accept=request.accept)
        if not 200 <= status < 400:
            raise RuntimeError(f"{request.kind}: {request.path} answered {status}: {body[:300]!r}")


def status_classes(result: WrkResult) -> dict[str, int]:
    classes: Counter[str] = Counter()
    for status, count in result.statuses.items():
        classes[f"{status // 100}xx"] += count
    return dict(sorted(classes.items()))


def report(
    result: WrkResult,
    memory: MemorySampler,
    before_warmup: int,
    requests: list[LoadRequest],
    args: argparse.Namespace,
    output: TextIO,
) -> None:
    samples = [size for _, size in memory.samples]
    start, end, peak = samples[0], samples[-1], max(samples)
    growth = (end - start) / start * 100
    server_errors = sum(count for status, count in result.statuses.items() if status >= 500)
    mix = Counter(r.kind for r in requests)
    settings = load_settings(args.root)
    manifest = EmbeddedStore(settings.store_path(args.root)).manifest()
    quads = f"{manifest.quads:,}" if manifest else "?"
    lines = [
        f"**{args.connections} clients for {result.seconds:.0f} s** (after {args.warmup:g} s of "
        f"warm-up), {args.articles:,} articles ({quads} quads), `kgpub serve` with its defaults "
        f"({settings.server}, {settings.process_count} process(es) × {settings.thread_count} "
        f"threads, {settings.query_worker_count} query workers) and the rate limit off.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| requests | {result.requests:,} ({result.rate:,.0f} req/s) |",
        f"| latency p50 / p90 / p99 / max | {result.p50:.1f} / {result.p90:.1f} / "
        f"{result.p99:.1f} / {result.max:,.0f} ms |",
        f"| statuses | {', '.join(f'{k}: {v:,}' for k, v in status_classes(result).items())} "
        f"({', '.join(f'{s}: {c:,}' for s, c in sorted(result.statuses.items()))}) |",
        f"| server errors (5xx) | {server_errors} |",
        f"| socket errors | {', '.join(f'{k} {v}' for k, v in result.socket_errors.items())} |",
        f"| memory (all processes) before warm-up | {mib(before_warmup)} |",
        f"| memory at start / end / peak | {mib(start)} / {mib(end)} / {mib(peak)} |",
        f"| memory growth, start to end | {growth:+.1f} % |",
        "",
        "Request mix (per hundred): "
        + ", ".join(f"{kind} {count * 100 // len(requests)}" for kind, count in mix.items())
        + ".",
    ]
    verdict = [
        f"server errors: {server_errors} (target 0{'' if server_errors == 0 else ' ✗'}); "
        f"memory growth {growth:+.1f} % (target < 10 %{'' if growth < 10 else ' ✗'})"
    ]
    step = max(1, len(memory.samples) // 12)  # about a dozen, evenly spaced, and the last
    shown = [*memory.samples[:-1:step], memory.samples[-1]]
    samples_line = "Memory over the run (s: MiB): " + ", ".join(
        f"{t:.0f}: {size / 2**20:.0f}" for t, size in shown
    )
    name = "Soak" if result.seconds >= 600 else "Load"
    length = f"{result.seconds / 60:.0f} min" if result.seconds >= 60 else f"{result.seconds:.0f} s"
    heading = f"## {name}: {args.connections} clients for {length}"
    text = [heading, "", *lines, "", samples_line, "", *verdict, "", f"Versions: {versions()}."]
    output.write("\n".join(text if args.markdown else text[2:]) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "kgpub-load")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--sample-every", type=float, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    # With --markdown, stdout carries the section only (reliability_report.py reads it): the
    # progress, including the output of the build subprocess, goes to stderr.
    section = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    if args.markdown:
        sys.stdout.flush()
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    args.root = (args.workdir / f"corpus-{args.articles}").resolve()
    ensure_collection(args.root, args.articles)
    write_canned_queries(args.root)
    id_prefix = load_settings(args.root).base_iri + "id/"
    print(f"machine: {machine()}\nversions: {versions()}", flush=True)
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="load-bench-")))
        base_url, server = stack.enter_context(
            serving_kgpub(args.root, workdir, {"KGPUB_RATE_LIMIT": "0"})
        )
        requests = mixed_requests(base_url, id_prefix, seed=args.seed)
        check_every_kind(base_url, requests)
        print(f"{len(requests):,} requests in the list; warming up …", flush=True)
        before_warmup = tree_rss_bytes(server.pid)
        if args.warmup:
            warm = run_wrk(
                base_url,
                requests,
                connections=args.connections,
                seconds=args.warmup,
                workdir=workdir,
                count_statuses=True,
            )
            print(f"warm-up: {warm.summary()} {warm.statuses}", flush=True)
        print(f"measuring for {args.seconds:g} s …", flush=True)
        with MemorySampler(server.pid, every_seconds=args.sample_every) as memory:
            result = run_wrk(
                base_url,
                requests,
                connections=args.connections,
                seconds=args.seconds,
                workdir=workdir,
                count_statuses=True,
            )
        print(result.summary(), flush=True)
        report(result, memory, before_warmup, requests, args, section)
    section.close()


if __name__ == "__main__":
    main()
