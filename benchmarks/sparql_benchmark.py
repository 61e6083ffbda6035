"""SPARQL endpoint benchmark: ``kgpub serve`` against Oxigraph's own server and rdflib + Flask.

The three servers answer the same published data, on 127.0.0.1, through the same HTTP client:

- **oxigraph**: ``oxigraph serve-read-only --union-default-graph`` over an on-disk (RocksDB)
  store loaded with ``oxigraph load`` from ``kgpub export -f nquads`` (on disk, as kgpub's
  default embedded store is);
- **kgpub**: ``kgpub serve`` on the collection itself (its default server, granian, with query
  worker processes);
- **oxigraph on kgpub's files**: the same Oxigraph server over the RocksDB files kgpub itself
  serves (``.kgpub/store/current/oxigraph``), so that kgpub/that ratio is the web layer's own
  cost, apart from how the store was written (``--no-same-files`` leaves it out);
- **bare Python app** (``--floor``): the least any Python front end pays here, a WSGI app
  running each query on pyoxigraph in the server process, in granian configured as
  ``kgpub serve`` configures it, over kgpub's files (``benchmarks/python_floor.py``);
- **rdflib**: a minimal Flask app answering ``/sparql`` from rdflib's in-memory ``Dataset``
  (``default_union=True``) loaded from the same dump, one request at a time. rdflib is very
  slow on the heavy queries, so each of its queries has a time cap (``--rdflib-cap``): past it
  the app stops the query (``SIGALRM``) and the time is recorded as "> cap".

Eight queries written for the synthetic news graph of ``benchmarks/corpus.py`` (entity lookup,
label search, events at a facility, counts per organization, claims by a claimant, a 3-hop
join, an aggregate, an OPTIONAL-heavy query) run ``--repeat`` times after ``--warmup`` runs on
each server; every request POSTs ``application/sparql-query``, asks for
``application/sparql-results+json`` and reads the whole body. Oxigraph and kgpub alternate
request by request, so background load hits both alike; rdflib runs after them. The table gives
the median milliseconds per query, kgpub/oxigraph (target ≤ 1.2) and rdflib/kgpub (target ≥ 20),
and checks that the three answers have the same number of rows (and the same rows, where the
values are comparable).

    python benchmarks/sparql_benchmark.py --collection /tmp/kb/corpus-10000
    python benchmarks/sparql_benchmark.py --collection /tmp/kb/corpus-23000 --articles 23000

``--articles N`` generates the collection (``corpus.generate_corpus``) if its folder holds no
articles yet; a collection without a built store is built with ``python -m kgpub build`` first.
Every process started here is stopped on the way out.
"""

# ruff: noqa: S310 - every URL opened here is a local http:// server this script started

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

RESULTS_JSON = "application/sparql-results+json"
PREFIXES = """PREFIX kg: <https://w3id.org/kgpub/ont#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""

# The anchors of the selective queries, chosen from the data so they exist at every size.
DISCOVERY = {
    "facility": """SELECT ?x (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e kg:atFacility ?x }
        GROUP BY ?x ORDER BY DESC(?n) STR(?x) LIMIT 1""",
    "claimant": """SELECT ?x (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c kg:claimant ?x }
        GROUP BY ?x ORDER BY DESC(?n) STR(?x) LIMIT 1""",
    "organization": """SELECT ?x (COUNT(DISTINCT ?e) AS ?n) WHERE {
        ?e kg:attacker ?x . ?x a kg:Organization } GROUP BY ?x ORDER BY DESC(?n) STR(?x) LIMIT 1""",
}

QUERIES = {
    "entity lookup": """SELECT ?p ?o WHERE { <{organization}> ?p ?o }""",
    "label search": """SELECT DISTINCT ?e ?label WHERE {
        ?e skos:prefLabel|skos:altLabel ?label
        FILTER (LANG(?label) = "en" && CONTAINS(LCASE(STR(?label)), "prison")) }""",
    "events at a facility": """SELECT DISTINCT ?event ?date ?type ?label WHERE {
        ?event kg:atFacility <{facility}> ; sem:hasTimeStamp ?date ; kg:eventType ?type .
        OPTIONAL { ?event skos:prefLabel ?label } }
        ORDER BY ?date ?event""",
    "counts per organization": """SELECT ?org (SAMPLE(?name) AS ?label)
        (COUNT(DISTINCT ?event) AS ?events) WHERE {
        ?event kg:attacker|kg:target ?org .
        ?org a kg:Organization ; skos:prefLabel ?name FILTER (LANG(?name) = "en") }
        GROUP BY ?org ORDER BY DESC(?events) STR(?org)""",
    "claims by claimant": """SELECT ?claim ?status ?stance ?article ?date WHERE {
        ?claim kg:claimant <{claimant}> ; kg:claimStatus ?status ; kg:stance ?stance ;
               schema:appearance ?article .
        ?article schema:datePublished ?date }
        ORDER BY DESC(?date) ?claim""",
    "3-hop join": """SELECT DISTINCT ?claim ?event ?facility ?place ?placeLabel WHERE {
        ?claim kg:claimant <{claimant}> ; kg:about ?event .
        ?event a kg:Event ; kg:atFacility ?facility .
        ?facility schema:containedInPlace ?place .
        ?place skos:prefLabel ?placeLabel FILTER (LANG(?placeLabel) = "en") }""",
    "aggregate": """SELECT ?measure (COUNT(?obs) AS ?n) (SUM(?v) AS ?total) (MAX(?v) AS ?max)
        WHERE { ?obs a kg:Observation ; kg:measure ?measure ; schema:value ?v }
        GROUP BY ?measure ORDER BY ?measure""",
    "optional-heavy": """SELECT ?article ?headline ?date ?lang ?url ?publisher WHERE {
        ?article a kg:Article .
        OPTIONAL { ?article schema:headline ?headline }
        OPTIONAL { ?article schema:datePublished ?date }
        OPTIONAL { ?article schema:inLanguage ?lang }
        OPTIONAL { ?article schema:url ?url }
        OPTIONAL { ?article schema:publisher ?p .
                   ?p skos:prefLabel ?publisher FILTER (LANG(?publisher) = "en") } }""",
}

STARTUP_SECONDS = 120.0
RDFLIB_STARTUP_SECONDS = 1800.0
STOP_SECONDS = 15.0
TIMED_OUT = 504
SAME_FILES = "oxigraph on kgpub's files"
FLOOR = "bare Python app"


# -- processes -------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def oxigraph_binary() -> str:
    """The ``oxigraph`` server of the ``oxigraph`` pip package, beside this Python."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        sys.exit("the oxigraph server is not installed: pip install 'oxigraph>=0.5,<0.6'")
    return found


@contextmanager
def started(command: list[str], log: Path, **kwargs: Any) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` with its output in ``log``; terminate it (then kill it) on the way out."""
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and binaries
            command, stdout=out, stderr=subprocess.STDOUT, **kwargs
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_SECONDS)


def wait_until_answering(
    url: str, process: subprocess.Popen[bytes], log: Path, *, seconds: float
) -> None:
    """Poll ``url`` with ``ASK {}`` until it answers 200; fail if the process dies or times out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            status, _, _ = post_query(url, "ASK {}", timeout=5)
            if status == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:]
    raise RuntimeError(f"{' '.join(map(str, process.args))} did not start:\n{tail}")  # type: ignore[arg-type]


def announced_url(log: Path, process: subprocess.Popen[bytes], seconds: float) -> str:
    """The base URL ``kgpub serve`` prints once it listens."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        found = re.search(r"at (http://\S+?/)sparql", log.read_text(errors="replace"))
        if found:
            return found.group(1)
        time.sleep(0.1)
    raise RuntimeError(f"kgpub serve did not start:\n{log.read_text(errors='replace')[-3000:]}")


# -- the client --------------------------------------------------------------------------------


def post_query(url: str, sparql: str, *, timeout: float) -> tuple[int, bytes, dict[str, str]]:
    """POST ``sparql`` as ``application/sparql-query``; the status, the whole body, headers."""
    request = urllib.request.Request(
        url,
        data=sparql.encode(),
        method="POST",
        headers={"Content-Type": "application/sparql-query", "Accept": RESULTS_JSON},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


@dataclass
class Measure:
    """One server's timings and answer for one query."""

    times_ms: list[float] = field(default_factory=list)
    rows: int | None = None
    answer: list[tuple[tuple[str, str], ...]] | None = None
    capped: bool = False
    """The query ran past the rdflib time cap (its time is only a lower bound)."""
    error: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else float("nan")


def timed(url: str, sparql: str, *, timeout: float) -> tuple[float, int, bytes, dict[str, str]]:
    started_at = time.perf_counter()
    status, body, headers = post_query(url, sparql, timeout=timeout)
    return (time.perf_counter() - started_at) * 1000, status, body, headers


def record(measure: Measure, elapsed: float, status: int, body: bytes, headers: dict) -> None:
    """Add one run to ``measure``, checking it gave a complete answer."""
    if status == TIMED_OUT:
        measure.capped = True
        measure.times_ms.append(elapsed)
        return
    if status != 200:
        measure.error = f"HTTP {status}: {body[:300].decode(errors='replace')}"
        return
    if headers.get("X-KGPub-Truncated") == "true":
        measure.error = "kgpub truncated the answer (raise KGPUB_MAX_ROWS)"
    measure.times_ms.append(elapsed)
    if measure.rows is None:
        bindings = json.loads(body)["results"]["bindings"]
        measure.rows = len(bindings)
        measure.answer = sorted(normalised(row) for row in bindings)


def normalised(row: dict[str, dict[str, str]]) -> tuple[tuple[str, str], ...]:
    """A row's values, comparable across servers (numbers by value, not lexical form)."""
    values = []
    for name, term in sorted(row.items()):
        value = term["value"]
        if term.get("datatype", "").endswith(("#integer", "#decimal", "#double", "#float")):
            value = f"{float(value):.6g}"
        values.append((name, value))
    return tuple(values)


# -- the rdflib server (a subprocess of this script) -------------------------------------------


class _TimeUp(Exception):
    pass


def serve_rdflib(dump: Path, port: int, cap: float) -> None:
    """A minimal Flask app answering ``/sparql`` from rdflib's in-memory Dataset."""
    from flask import Flask, Response, request
    from rdflib import Dataset

    started_at = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(str(dump), format="nquads")
    seconds = time.perf_counter() - started_at
    print(f"rdflib loaded {len(dataset):,} triples (union) in {seconds:.0f} s", flush=True)

    def time_up(signum: int, frame: Any) -> None:
        raise _TimeUp

    signal.signal(signal.SIGALRM, time_up)
    app = Flask("rdflib-sparql")

    @app.route("/sparql", methods=["GET", "POST"])
    def sparql() -> Response:
        if request.method == "POST" and request.mimetype == "application/sparql-query":
            query = request.get_data(as_text=True)
        else:
            query = request.values["query"]
        signal.setitimer(signal.ITIMER_REAL, cap)
        try:
            body = dataset.query(query).serialize(format="json")
        except _TimeUp:
            return Response(f"stopped after {cap:g} s\n", status=TIMED_OUT)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        return Response(body, content_type=RESULTS_JSON)

    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # One thread: requests are handled in the main thread, where SIGALRM is delivered.
    app.run(host="127.0.0.1", port=port, threaded=False)


# -- the benchmark -----------------------------------------------------------------------------


def ensure_collection(root: Path, articles: int | None) -> None:
    """Generate the corpus if asked and missing, then build it if nothing is published yet."""
    if articles is not None and not (root / "articles").is_dir():
        from corpus import generate_corpus

        print(f"generating {articles:,} articles into {root} …", flush=True)
        generate_corpus(root, articles)
    if not (root / "registry.yaml").exists():
        sys.exit(f"{root} is not a collection folder; pass --articles N to generate one")
    # A build stopped midway leaves the store folder without its `current` link.
    if not (root / ".kgpub" / "store" / "current").exists():
        print(f"building {root} (python -m kgpub build) …", flush=True)
        started_at = time.perf_counter()
        subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "kgpub", "build", str(root)], check=True
        )
        print(f"built in {time.perf_counter() - started_at:.0f} s", flush=True)


def machine() -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024**2:.0f} GiB"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), {memory}; "
        f"load average {load}"
    )


def versions() -> str:
    from importlib.metadata import version

    names = ("pyoxigraph", "oxigraph", "rdflib", "flask", "granian", "waitress")
    return ", ".join(f"{name} {version(name)}" for name in names) + (
        f", Python {platform.python_version()}"
    )


def fmt_ms(measure: Measure | None) -> str:
    if measure is None:
        return "–"
    if measure.error and not measure.times_ms:
        return "error"
    if measure.capped:
        return f"> {max(measure.times_ms) / 1000:.0f} s"
    value = measure.median
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--collection", type=Path, default=Path("/tmp/kb/corpus-10000"))  # noqa: S108
    parser.add_argument("--articles", type=int, help="generate this many articles if missing")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query and server")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first")
    parser.add_argument("--rdflib-cap", type=float, default=120.0, help="seconds per rdflib query")
    parser.add_argument(
        "--rdflib-repeat",
        type=int,
        default=3,
        help="timed rdflib runs of a query whose warm-up took over 5 s",
    )
    parser.add_argument("--skip-rdflib", action="store_true")
    parser.add_argument(
        "--no-same-files",
        dest="same_files",
        action="store_false",
        help="do not also run Oxigraph's server over kgpub's own store files",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="for the dump and Oxigraph's store (default: a temporary folder, removed after)",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also run a bare Python WSGI app over kgpub's files (benchmarks/python_floor.py)",
    )
    parser.add_argument("--serve-rdflib", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_rdflib:
        serve_rdflib(args.serve_rdflib, args.port, args.rdflib_cap)
        return

    # SIGTERM (timeout, kill) leaves through the clean-up below, stopping the servers.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    root = args.collection.resolve()
    ensure_collection(root, args.articles)
    print(f"machine: {machine()}\nversions: {versions()}", flush=True)
    with ExitStack() as stack:
        workdir = args.workdir
        if workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sparql-bench-")))
        workdir.mkdir(parents=True, exist_ok=True)
        dump = workdir / "dump.nq"
        started_at = time.perf_counter()
        subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "kgpub", "export", "-C", str(root), "-f", "nquads",
             "-o", str(dump)],
            check=True,
        )  # fmt: skip
        with dump.open("rb") as lines:
            quads = sum(1 for _ in lines)
        print(f"exported {quads:,} quads in {time.perf_counter() - started_at:.1f} s", flush=True)

        location = workdir / "oxigraph"
        shutil.rmtree(location, ignore_errors=True)
        started_at = time.perf_counter()
        subprocess.run(  # noqa: S603 - the oxigraph binary of this environment
            [oxigraph_binary(), "load", "--location", str(location), "--file", str(dump)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        print(f"oxigraph load: {time.perf_counter() - started_at:.1f} s", flush=True)

        urls: dict[str, str] = {}
        port = free_port()
        log = workdir / "oxigraph.log"
        process = stack.enter_context(started(
            [oxigraph_binary(), "serve-read-only", "--location", str(location),
             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
            log,
        ))  # fmt: skip
        urls["oxigraph"] = f"http://127.0.0.1:{port}/query"
        wait_until_answering(urls["oxigraph"], process, log, seconds=STARTUP_SECONDS)

        database = (root / ".kgpub" / "store" / "current").resolve() / "oxigraph"
        if args.same_files and database.is_dir():
            # Oxigraph's server over kgpub's own RocksDB files: the web layer alone.
            port = free_port()
            log = workdir / "oxigraph-kgpub-files.log"
            process = stack.enter_context(started(
                [oxigraph_binary(), "serve-read-only", "--location", str(database),
                 "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                log,
            ))  # fmt: skip
            urls[SAME_FILES] = f"http://127.0.0.1:{port}/query"
            wait_until_answering(urls[SAME_FILES], process, log, seconds=STARTUP_SECONDS)

        if args.floor and database.is_dir():
            port = free_port()
            log = workdir / "floor.log"
            floor_script = Path(__file__).with_name("python_floor.py")
            process = stack.enter_context(started(
                [sys.executable, str(floor_script), "--location", str(database),
                 "--port", str(port)],
                log,
            ))  # fmt: skip
            urls[FLOOR] = f"http://127.0.0.1:{port}/"
            wait_until_answering(urls[FLOOR], process, log, seconds=STARTUP_SECONDS)

        log = workdir / "kgpub.log"
        environment = {
            **os.environ,
            "KGPUB_MAX_ROWS": "10000000",
            "KGPUB_QUERY_TIMEOUT": "120",
            "KGPUB_QUERY_TIMEOUT_MAX": "300",
        }
        process = stack.enter_context(started(
            [sys.executable, "-m", "kgpub", "serve", str(root), "--host", "127.0.0.1",
             "--port", "0"],
            log, env=environment,
        ))  # fmt: skip
        urls["kgpub"] = announced_url(log, process, STARTUP_SECONDS) + "sparql"
        wait_until_answering(urls["kgpub"], process, log, seconds=STARTUP_SECONDS)

        if not args.skip_rdflib:
            port = free_port()
            log = workdir / "rdflib.log"
            started_at = time.perf_counter()
            process = stack.enter_context(started(
                [sys.executable, __file__, "--serve-rdflib", str(dump), "--port", str(port),
                 "--rdflib-cap", str(args.rdflib_cap)],
                log,
            ))  # fmt: skip
            urls["rdflib"] = f"http://127.0.0.1:{port}/sparql"
            wait_until_answering(urls["rdflib"], process, log, seconds=RDFLIB_STARTUP_SECONDS)
            print(f"rdflib server ready in {time.perf_counter() - started_at:.0f} s", flush=True)

        anchors = discover(urls["oxigraph"])
        print("anchors: " + ", ".join(f"{k} <{v}>" for k, v in anchors.items()), flush=True)
        results = benchmark(urls, anchors, args)
        print(f"\nload average at the end: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
        report(results, quads, root, args)


def discover(url: str) -> dict[str, str]:
    anchors = {}
    for name, query in DISCOVERY.items():
        status, body, _ = post_query(url, PREFIXES + query, timeout=300)
        if status != 200:
            raise RuntimeError(f"discovery query {name} failed: {body[:300]!r}")
        anchors[name] = json.loads(body)["results"]["bindings"][0]["x"]["value"]
    return anchors


def benchmark(
    urls: dict[str, str], anchors: dict[str, str], args: argparse.Namespace
) -> dict[str, dict[str, Measure]]:
    results: dict[str, dict[str, Measure]] = {}
    for name, template in QUERIES.items():
        sparql = PREFIXES + re.sub(r"\{(\w+)\}", lambda m: anchors[m.group(1)], template)
        servers = [s for s in ("oxigraph", SAME_FILES, FLOOR, "kgpub") if s in urls]
        measures = {server: Measure() for server in servers}
        # The servers alternate, so background load falls on all alike.
        for _ in range(args.warmup):
            for server, measure in measures.items():
                status, body, _ = post_query(urls[server], sparql, timeout=600)
                if status != 200:
                    measure.error = f"HTTP {status}: {body[:300].decode(errors='replace')}"
        for _ in range(args.repeat):
            for server, measure in measures.items():
                if measure.error is None:
                    record(measure, *timed(urls[server], sparql, timeout=600))
        if "rdflib" in urls:
            measures["rdflib"] = rdflib_measure(urls["rdflib"], sparql, args)
        results[name] = measures
        done = [
            f"{server} {fmt_ms(m)}{'' if m.capped else ' ms'} ({m.rows} rows)"
            for server, m in measures.items()
        ]
        print(f"{name}: " + ", ".join(done), flush=True)
    return results


def rdflib_measure(url: str, sparql: str, args: argparse.Namespace) -> Measure:
    """rdflib's runs: as many as the others unless the warm-up already took over 5 s."""
    measure = Measure()
    timeout = args.rdflib_cap + 60
    elapsed, status, body, headers = timed(url, sparql, timeout=timeout)
    if status != 200:
        record(measure, elapsed, status, body, headers)  # capped or failed: no more runs
        return measure
    runs = args.repeat if elapsed < 5000 else args.rdflib_repeat
    for _ in range(runs):
        record(measure, *timed(url, sparql, timeout=timeout))
        if measure.capped:
            break
    return measure


def report(
    results: dict[str, dict[str, Measure]], quads: int, root: Path, args: argparse.Namespace
) -> None:
    has_rdflib = not args.skip_rdflib
    print(
        f"\ncollection {root}: {quads:,} quads; median of {args.repeat} runs after "
        f"{args.warmup} warm-up (rdflib capped at {args.rdflib_cap:g} s per query)\n"
    )
    same = any(SAME_FILES in measures for measures in results.values())
    header = "| query | rows | oxigraph ms | kgpub ms | kgpub/oxigraph |"
    rule = "|---|---:|---:|---:|---:|"
    floor = any(FLOOR in measures for measures in results.values())
    if same:
        header += " oxigraph on kgpub's files ms | kgpub/that |"
        rule += "---:|---:|"
    if floor:
        compared = "same files" if same else "oxigraph"
        header += f" bare Python app ms | that/{compared} | kgpub/that |"
        rule += "---:|---:|---:|"
    if has_rdflib:
        header += " rdflib ms | rdflib/kgpub |"
        rule += "---:|---:|"
    print(header)
    print(rule)
    totals = {"oxigraph": 0.0, "kgpub": 0.0, "rdflib": 0.0, SAME_FILES: 0.0, FLOOR: 0.0}
    rdflib_capped = False
    problems = []
    for name, measures in results.items():
        ox, kg = measures["oxigraph"], measures["kgpub"]
        rd = measures.get("rdflib")
        totals["oxigraph"] += ox.median
        totals["kgpub"] += kg.median
        ratio = kg.median / ox.median
        mark = "" if ratio <= 1.2 else " ✗"
        line = f"| {name} | {ox.rows} | {fmt_ms(ox)} | {fmt_ms(kg)} | {ratio:.2f}{mark} |"
        if same:
            files = measures[SAME_FILES]
            totals[SAME_FILES] += files.median
            line += f" {fmt_ms(files)} | {kg.median / files.median:.2f} |"
        if floor:
            bare = measures[FLOOR]
            totals[FLOOR] += bare.median
            # against Oxigraph on the same files, when it ran: the language's and server's cost
            reference = measures.get(SAME_FILES, ox)
            line += (
                f" {fmt_ms(bare)} | {bare.median / reference.median:.2f} | "
                f"{kg.median / bare.median:.2f} |"
            )
        if rd is not None:
            if rd.capped:
                rdflib_capped = True
                totals["rdflib"] += args.rdflib_cap * 1000
                speedup = f"≥ {args.rdflib_cap * 1000 / kg.median:,.0f}"
            else:
                totals["rdflib"] += rd.median
                speedup = f"{rd.median / kg.median:,.0f}"
            if not rd.capped and rd.median / kg.median < 20:
                speedup += " ✗"
            line += f" {fmt_ms(rd)} | {speedup} |"
        print(line)
        problems += check_answers(name, measures)
    line = (f"| **total** | | {totals['oxigraph']:,.0f} | {totals['kgpub']:,.0f} | "
            f"{totals['kgpub'] / totals['oxigraph']:.2f} |")  # fmt: skip
    if same:
        line += f" {totals[SAME_FILES]:,.0f} | {totals['kgpub'] / totals[SAME_FILES]:.2f} |"
    if floor:
        line += (
            f" {totals[FLOOR]:,.0f} | "
            f"{totals[FLOOR] / (totals[SAME_FILES] if same else totals['oxigraph']):.2f} | "
            f"{totals['kgpub'] / totals[FLOOR]:.2f} |"
        )
    if has_rdflib:
        bound = "> " if rdflib_capped else ""
        line += (
            f" {bound}{totals['rdflib']:,.0f} | "
            f"{'≥ ' if rdflib_capped else ''}{totals['rdflib'] / totals['kgpub']:,.0f} |"
        )
    print(line)
    print("\ntargets: kgpub/oxigraph ≤ 1.2 per query; rdflib/kgpub ≥ 20 per query (✗ = missed)")
    if same:
        print(
            f"{SAME_FILES}: the same RocksDB files kgpub serves, so kgpub/that is the web "
            "layer's own cost; oxigraph is a fresh `oxigraph load` of the dump"
        )
    if floor:
        print(
            f"{FLOOR}: pyoxigraph in a bare WSGI app in the same server, no checks, cap or "
            "time limit, over kgpub's files; over 1.2 times Oxigraph on the same files means no "
            "Python front end meets the target here"
        )
    print("answers: " + ("the servers agree on every query" if not problems else ""))
    for problem in problems:
        print(f"  - {problem}")


def check_answers(name: str, measures: dict[str, Measure]) -> list[str]:
    problems = []
    for server, measure in measures.items():
        if measure.error:
            problems.append(f"{name}: {server}: {measure.error}")
    reference = measures["oxigraph"]
    for server, measure in measures.items():
        if server == "oxigraph" or measure.rows is None or reference.rows is None:
            continue
        if measure.rows != reference.rows:
            problems.append(f"{name}: {server} sent {measure.rows} rows, oxigraph {reference.rows}")
        elif measure.answer != reference.answer:
            differ = sum(
                1 for a, b in zip(measure.answer or [], reference.answer, strict=True) if a != b
            )
            problems.append(
                f"{name}: {server} sent the same number of rows as oxigraph, "
                f"but {differ} differ in value"
            )
    return problems


if __name__ == "__main__":
    main()
