"""Build benchmark: full builds at several sizes, one changed article, load speed, engines.

Prints, for each corpus size: generation time; full build wall time, articles/s, quads/s and
peak memory of the whole process tree (the build and its workers); a no-change rebuild; then
rebuilds after one article changed (``--changed-runs``, each a new edit of the same article),
with the minimum and median of their wall time and of the build's own seconds. Then, on the
largest store: loading through kgpub's transaction against pyoxigraph's own ``bulk_load`` of
the same N-Quads, and a few queries on the on-disk store against the same data loaded in
memory.

    python benchmarks/build_benchmark.py --sizes 1000,10000,100000 --workdir /tmp/kgpub-bench

Builds run as ``kgpub build`` subprocesses, exactly as users run them.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate_corpus, touch_article

from kgpub.backend import BuildManifest
from kgpub.embedded import EmbeddedStore

QUERIES = {
    "label lookup": """
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?e WHERE { ?e skos:prefLabel|skos:altLabel ?l FILTER (STR(?l) = "SDF") }""",
    "claims per claimant": """
        PREFIX kg: <https://w3id.org/kgpub/ont#>
        SELECT ?c (COUNT(?claim) AS ?n) WHERE { ?claim a kg:Claim ; kg:claimant ?c }
        GROUP BY ?c ORDER BY DESC(?n) LIMIT 10""",
    "counts per measure": """
        PREFIX kg: <https://w3id.org/kgpub/ont#>
        SELECT ?m (COUNT(*) AS ?n) (MAX(?v) AS ?max) WHERE {
          ?o a kg:Observation ; kg:measure ?m OPTIONAL { ?o <https://schema.org/value> ?v } }
        GROUP BY ?m""",
    "optional-heavy": """
        PREFIX kg: <https://w3id.org/kgpub/ont#>
        PREFIX schema: <https://schema.org/>
        SELECT ?a ?h ?p ?d WHERE { ?a a kg:Article OPTIONAL { ?a schema:headline ?h }
          OPTIONAL { ?a schema:publisher ?p } OPTIONAL { ?a schema:datePublished ?d } }
        LIMIT 100000""",
}


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(
                int(line.split()[1]) * 1024
                for line in status.splitlines()
                if line.startswith("VmRSS")
            )
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total


def run_build(root: Path) -> tuple[float, int, str]:
    """Run ``kgpub build``; wall seconds, peak tree memory, its summary line."""
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "kgpub", "build", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss_bytes(process.pid))
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    errors = process.stderr.read() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"build of {root} failed:\n{errors[-3000:]}")
    return seconds, peak, errors.strip().splitlines()[-1]


def gib(size: int) -> str:
    return f"{size / 2**30:.2f} GiB"


def own_seconds(line: str) -> tuple[float, float]:
    """The build's own seconds, and when it was published, from the end of its summary line
    (``…; 2.31 s (published at 1.42 s)``): the dumps' checksums come after publishing."""
    seconds, _, published = line.rsplit(";", 1)[-1].partition(" s (published at ")
    total = float(seconds.strip())
    return total, float(published.removesuffix(" s)")) if published else total


def bench_size(workdir: Path, size: int, *, changed_runs: int) -> Path:
    root = workdir / f"corpus-{size}"
    if not (root / "articles").is_dir():
        started = time.perf_counter()
        generate_corpus(root, size)
        print(f"[{size:,}] generated in {time.perf_counter() - started:.1f} s")
    shutil.rmtree(root / ".kgpub", ignore_errors=True)
    seconds, peak, line = run_build(root)
    manifest = EmbeddedStore(root / ".kgpub" / "store").manifest()
    assert manifest is not None  # noqa: S101 - the build just published
    print(
        f"[{size:,}] full build: {seconds:.1f} s, {size / seconds:,.0f} articles/s, "
        f"{manifest.quads / seconds:,.0f} quads/s, {manifest.quads:,} quads "
        f"({manifest.quads / size:.1f} per article), peak memory {gib(peak)}"
    )
    print(f"         {line}")
    seconds, peak, line = run_build(root)
    print(
        f"[{size:,}] rebuild, nothing changed: {seconds:.2f} s ({own_seconds(line)[0]:.2f} s "
        f"inside), peak {gib(peak)}"
    )
    walls, insides, published = [], [], []
    for run in range(changed_runs):
        touch_article(root, size // 2, seed=int(time.time()) + run)
        seconds, peak, line = run_build(root)
        inside, published_at = own_seconds(line)
        walls.append(seconds)
        insides.append(inside)
        published.append(seconds - (inside - published_at))  # from the command's start
        print(
            f"[{size:,}] rebuild, one article changed: published {published[-1]:.2f} s after "
            f"the command started, done {seconds:.2f} s, peak {gib(peak)}"
        )
    print(f"         {line}")
    print(
        f"[{size:,}] one article changed, {changed_runs} runs: published after (wall) min "
        f"{min(published):.2f} s, median {statistics.median(published):.2f} s; the command "
        f"(with the dumps' checksums) min {min(walls):.2f} s, median "
        f"{statistics.median(walls):.2f} s; inside the build min {min(insides):.2f} s"
    )
    return root


def bench_loading(root: Path) -> None:
    store = EmbeddedStore(root / ".kgpub" / "store")
    dump = io.BytesIO()
    store.dump(dump, pyoxigraph.RdfFormat.N_QUADS)
    data = dump.getvalue()
    lines = data.splitlines(keepends=True)
    chunks = [b"".join(lines[i : i + 40]) for i in range(0, len(lines), 40)]  # one per article
    with tempfile.TemporaryDirectory(dir=root) as scratch:
        started = time.perf_counter()
        raw = pyoxigraph.Store(str(Path(scratch) / "raw"))
        raw.bulk_load(data, format=pyoxigraph.RdfFormat.N_QUADS)
        raw.flush()
        raw_seconds = time.perf_counter() - started
        raw.optimize()
        raw_optimized_seconds = time.perf_counter() - started
        del raw
        ours = EmbeddedStore(Path(scratch) / "ours")
        started = time.perf_counter()
        transaction = ours.begin(replace_all=True)
        for chunk in chunks:
            transaction.add_nquads(chunk)
        transaction.commit(BuildManifest("now", "https://kg.example.org/", "bench", 0, 0))
        our_seconds = time.perf_counter() - started
    quads = len(lines)
    print(
        f"loading {quads:,} quads on disk: pyoxigraph bulk_load {quads / raw_seconds:,.0f}/s, "
        f"then compacted {quads / raw_optimized_seconds:,.0f}/s; kgpub transaction (streamed "
        f"bulk load, compacted, published) {quads / our_seconds:,.0f}/s "
        f"({raw_optimized_seconds / our_seconds:.0%} of pyoxigraph's load + compaction, "
        f"{raw_seconds / our_seconds:.0%} of its bare load)"
    )
    memory = pyoxigraph.Store()
    memory.bulk_load(data, format=pyoxigraph.RdfFormat.N_QUADS)
    for name, sparql in QUERIES.items():
        timings = []
        for engine in (store.database(), memory):
            started = time.perf_counter()
            for _ in range(3):
                list(engine.query(sparql, use_default_graph_as_union=True))
            timings.append((time.perf_counter() - started) / 3 * 1000)
        print(
            f"query {name!r}: on disk {timings[0]:.0f} ms, in memory {timings[1]:.0f} ms "
            f"({timings[0] / timings[1]:.1f}×)"
        )


def main() -> None:
    """Run the benchmark; ``--loading-only`` measures loading on an already built corpus."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "kgpub-bench")
    parser.add_argument("--loading-only", type=Path, help="a built collection: loading only")
    parser.add_argument(
        "--changed-runs", type=int, default=5, help="rebuilds after one changed article"
    )
    args = parser.parse_args()
    if args.loading_only:
        bench_loading(args.loading_only)
        return
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, pyoxigraph {pyoxigraph.__version__}"
    )
    args.workdir.mkdir(parents=True, exist_ok=True)
    roots = [
        bench_size(args.workdir, int(size), changed_runs=args.changed_runs)
        for size in args.sizes.split(",")
    ]
    bench_loading(roots[-1])


if __name__ == "__main__":
    main()
