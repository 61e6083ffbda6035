"""Kill builds with SIGKILL at random moments while a server answers, and check what is left.

Builds a synthetic corpus (benchmarks/corpus.py), serves it with ``kgpub serve``, then, N times:
changes the collection (edits, added and removed articles, a registry entry, or another base
IRI, which rebuilds everything), starts ``kgpub build`` and kills it at a moment drawn uniformly
over the expected build time (measured on unkilled builds of the same kind), or right after it
switches the new build in. After each kill it checks that:

- the published data (canonical N-Quads) is exactly the previous publication or exactly what
  an unkilled build of the same input publishes;
- the lock is free at once, the next build runs, and leaves no staging folder nor stale link;
- the server kept answering a SPARQL query and an entity document, and each answer counted the
  quads of a whole publication (a poller thread, for the whole run);
- the store does not grow from kill to kill (old builds are removed).

"Exactly the new one" costs no second build in the common case: when the kill left the previous
publication, the next (unkilled) build starts from the same state with the same input, so what
it publishes *is* the new publication. Only when the killed build got as far as switching, a
reference build runs on a copy of the store taken before the kill. A build of the final files
from scratch closes the run.

    python benchmarks/kill_builds.py --kills 50 --articles 300 --workdir /tmp/kgpub-kills
    python benchmarks/kill_builds.py --kills 50 --markdown     # the docs/reliability.md section
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from corpus import generate_corpus, touch_article
from tests.test_build_faults import lock_is_free

from kgpub.embedded import EmbeddedStore
from kgpub.embedded_layout import BUILDS_FOLDER, CURRENT_LINK
from kgpub.export import canonical_nquads

DEFAULT_BASE = "https://kg.example.org/"
OTHER_BASE = "https://kill-test.example/"
LINK = re.compile(r"([a-z0-9-]+)#[a-z0-9-]+")
POLL_SECONDS = 0.005
SERVER_POLL_SECONDS = 0.05
PHASES = ("starting", "building", "dumping", "switching", "published", "finished")


def run(command: list[str], env: dict[str, str], *, timeout: float = 1800) -> float:
    """Run a command to completion; its wall time. Exits the script when it fails."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)  # noqa: S603
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def snapshot(store: Path) -> bytes:
    """The published data of the store in ``store`` as canonical N-Quads."""
    with closing(EmbeddedStore(store)) as embedded:
        return canonical_nquads(embedded)


def disk_usage(folder: Path) -> int:
    """Bytes on disk under ``folder``, hard-linked files counted once (as ``du``)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for path in folder.rglob("*"):
        stat = path.lstat()
        if (stat.st_dev, stat.st_ino) not in seen:
            seen.add((stat.st_dev, stat.st_ino))
            total += stat.st_blocks * 512
    return total


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux's /proc), read fast enough to kill right after."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        try:
            tasks = list(Path(f"/proc/{pending.pop()}/task").iterdir())
        except OSError:
            continue  # it exited
        for task in tasks:
            try:
                children = [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
            found.update(children)
            pending += children
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


class Collection:
    """The corpus being changed: articles move between ``articles/`` and a reserve folder."""

    def __init__(self, root: Path, reserve: Path, rng: random.Random) -> None:
        self.root, self.reserve, self.rng = root, reserve, rng
        self.base = DEFAULT_BASE
        self.registry_entries = 0

    def present(self) -> dict[str, Path]:
        return {p.stem: p for p in sorted((self.root / "articles").rglob("*.yaml"))}

    @staticmethod
    def links(path: Path) -> set[str]:
        return set(LINK.findall(path.read_text(encoding="utf-8")))

    def change(self, kind: str, iteration: int) -> str:
        present = self.present()
        if kind == "full":
            self.base = OTHER_BASE if self.base == DEFAULT_BASE else DEFAULT_BASE
            return f"base IRI {self.base}: a full build"
        if kind == "edit":
            chosen = self.rng.sample(sorted(present), self.rng.randint(1, 5))
            for key in chosen:
                touch_article(self.root, int(key.rsplit("-", 1)[1]), seed=iteration)
            return f"{len(chosen)} edited"
        if kind == "remove":
            linked = set().union(*(self.links(path) for path in present.values()))
            free = sorted(set(present) - linked)
            chosen = self.rng.sample(free, min(len(free), self.rng.randint(1, 3)))
            for key in chosen:
                present[key].rename(self.reserve / present[key].name)
            return f"{len(chosen)} removed"
        if kind == "add":
            ready = [
                p for p in sorted(self.reserve.glob("*.yaml")) if self.links(p) <= set(present)
            ]
            chosen = self.rng.sample(ready, min(len(ready), self.rng.randint(1, 3)))
            for path in chosen:
                path.rename(self.root / "articles" / "000" / path.name)
            return f"{len(chosen)} added"
        if kind == "registry":
            self.registry_entries += 1
            registry = self.root / "registry.yaml"
            number = self.registry_entries
            entry = (
                f"  kill-test-organization-{number}:\n    kind: armed-group\n"
                f'    labels: {{en: "Kill test organization {number}"}}\n'
            )
            text = registry.read_text(encoding="utf-8")
            registry.write_text(text.replace("organizations:\n", f"organizations:\n{entry}", 1))
            return "1 registry entry added"
        return "nothing changed"

    def build_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KGPUB_")}
        return {**env, "KGPUB_BASE_IRI": self.base}


@dataclass
class Poller:
    """Asks the server a SPARQL count and an entity document, over and over, in a thread."""

    url: str
    entity: str
    iteration: int = 0
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    counts: list[tuple[int, int]] = field(default_factory=list)
    """(iteration, quads the server counted)."""
    stop: threading.Event = field(default_factory=threading.Event)

    def _get(self, path: str, accept: str) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url + path, headers={"Accept": accept})  # noqa: S310
        started = time.perf_counter()
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:
                status, body = error.code, error.read()
        self.latencies.append(time.perf_counter() - started)
        return status, body

    def _count(self) -> tuple[int, bool]:
        sparql = (
            f"SELECT (COUNT(*) AS ?n) (SUM(IF(?s = <{self.entity}>, 1, 0)) AS ?e) "
            "WHERE { GRAPH ?g { ?s ?p ?o } }"
        )
        query = urllib.parse.urlencode({"query": sparql})
        status, body = self._get(f"sparql?{query}", "application/sparql-results+json")
        if status != 200:
            raise OSError(f"SPARQL answered {status}: {body[:200]!r}")
        row = json.loads(body)["results"]["bindings"][0]
        return int(row["n"]["value"]), int(row["e"]["value"]) > 0

    def loop(self) -> None:
        document = urllib.parse.urlsplit(self.entity).path.lstrip("/")
        while not self.stop.wait(SERVER_POLL_SECONDS):
            tag = self.iteration
            try:
                quads, before = self._count()
                status, _ = self._get(document, "text/turtle")
                quads_after, after = self._count()
            except (OSError, ValueError, KeyError) as error:
                self.errors.append(f"iteration {tag}: {error}")
                continue
            self.counts += [(tag, quads), (tag, quads_after)]
            # Under the other base IRI the entity is not published, and 404 is the right answer.
            if status != 200 and not (status == 404 and not (before and after)):
                self.errors.append(f"iteration {tag}: the entity document answered {status}")


class Server:
    """``kgpub serve`` on a free port of 127.0.0.1."""

    def __init__(self, root: Path, log: Path) -> None:
        self.log = log.open("wb")
        env = {k: v for k, v in os.environ.items() if not k.startswith("KGPUB_")}
        command = [sys.executable, "-m", "kgpub", "serve", str(root), "--port", "0"]
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=self.log)  # noqa: S603
        for _ in range(600):
            found = re.search(r"at (http://127\.0\.0\.1:\d+/)sparql", log.read_text())
            if found:
                self.url = found.group(1)
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise SystemExit(f"kgpub serve did not start:\n{log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


@dataclass
class Kill:
    """One killed build and what the checks found."""

    change: str
    full: bool
    phase: str
    outcome: str
    lock_free: bool
    orphans: int
    leftovers: list[str]
    store_bytes: int
    builds_kept: int


def build_phase(store: Path, pid: int, published: str) -> str:
    """How far the build ``pid`` got, from what it left in the store folder."""
    if os.readlink(store / CURRENT_LINK) != published:
        return "published"
    for name in os.listdir(store / BUILDS_FOLDER):
        if name.endswith(f"-{pid}.partial"):
            folder = store / BUILDS_FOLDER / name
            if (folder / "build.json").exists():
                return "switching"
            return "dumping" if (folder / "dumps").exists() else "building"
        if name.endswith(f"-{pid}"):
            return "switching"
    return "starting"


class Run:
    """The whole experiment."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        self.workdir: Path = args.workdir
        self.root = self.workdir / "collection"
        self.store = self.root / ".kgpub" / "store"
        self.build = [sys.executable, "-m", "kgpub", "build", str(self.root)]
        self.durations: dict[bool, list[float]] = {True: [], False: []}
        """Seconds of unkilled builds, full (True) or not: kill moments are drawn from them."""
        self.kills: list[Kill] = []
        self.snapshots: list[bytes] = []

    def prepare(self) -> Collection:
        if self.workdir.is_dir() and any(self.workdir.iterdir()):
            if not (self.workdir / "collection" / "registry.yaml").is_file():
                raise SystemExit(f"{self.workdir} holds something else; pick an empty --workdir")
            shutil.rmtree(self.workdir)  # a previous run's
        reserve = self.workdir / "reserve"
        reserve.mkdir(parents=True)
        generate_corpus(self.root, self.args.articles + self.args.articles // 10)
        by_number = sorted(
            (self.root / "articles").rglob("*.yaml"), key=lambda p: int(p.stem.rsplit("-", 1)[1])
        )
        for path in by_number[self.args.articles :]:
            path.rename(reserve / path.name)  # added back later: they link to earlier ones only
        collection = Collection(self.root, reserve, self.rng)
        self.durations[True].append(run(self.build, collection.build_env()))
        collection.change("edit", 0)
        self.durations[False].append(run(self.build, collection.build_env()))
        self.snapshots.append(snapshot(self.store))
        return collection

    def kill_one(self, collection: Collection, iteration: int, kind: str) -> Kill:
        change = collection.change(kind, iteration)
        env = collection.build_env()
        reference_store = self.workdir / "reference-store"
        shutil.rmtree(reference_store, ignore_errors=True)
        shutil.copytree(self.store, reference_store, symlinks=True)
        published = os.readlink(self.store / CURRENT_LINK)
        at_switch = iteration % 6 == 3
        full = kind == "full"
        delay = self.rng.uniform(0, 1.15 * statistics.median(self.durations[full]))
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            self.build, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        started = time.perf_counter()
        while True:
            if process.poll() is not None:
                phase = "finished"
                self.durations[full].append(time.perf_counter() - started)
                break
            phase = build_phase(self.store, process.pid, published)
            if (phase == "published") if at_switch else time.perf_counter() - started >= delay:
                below = descendants(process.pid)
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(POLL_SECONDS)
        process.wait(timeout=60)
        if phase == "finished":
            below = set()
            if process.returncode != 0:
                raise SystemExit(f"an unkilled build failed ({process.returncode}): {change}")
        orphans = self._end_orphans(below)
        lock_free = lock_is_free(self.store)
        after_kill = snapshot(self.store)
        previous = self.snapshots[-1]
        seconds = run(self.build, env)
        new = snapshot(self.store)
        if after_kill == previous:
            outcome = "previous" if new != previous else "unchanged"
            if new != previous:  # an unkilled build of this change, from the same state
                self.durations[full].append(seconds)
        else:
            run([*self.build, "--store", str(reference_store)], env)
            reference = snapshot(reference_store)
            outcome = "new" if after_kill == reference == new else "PARTIAL"
        self.snapshots.append(new)
        builds = self.store / BUILDS_FOLDER
        leftovers = [p.name for p in builds.iterdir() if p.name.startswith(".")]
        leftovers += [p.name for p in self.store.glob(f".{CURRENT_LINK}.*")]
        kept = sum(1 for p in builds.iterdir() if not p.name.startswith("."))
        usage = disk_usage(self.store)
        return Kill(
            change, kind == "full", phase, outcome, lock_free, orphans, leftovers, usage, kept
        )

    @staticmethod
    def _end_orphans(below: set[int]) -> int:
        """Count the killed build's processes still running after 3 s, and end them."""
        for _ in range(60):
            if not any(alive(pid) for pid in below):
                return 0
            time.sleep(0.05)
        left = [pid for pid in below if alive(pid)]
        for pid in left:  # started by this script, through the build it killed
            os.kill(pid, signal.SIGKILL)
        return len(left)

    def from_scratch_matches(self, collection: Collection) -> bool:
        fresh = self.workdir / "fresh"
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(self.root, fresh, ignore=shutil.ignore_patterns(".kgpub"))
        run([sys.executable, "-m", "kgpub", "build", str(fresh)], collection.build_env())
        return snapshot(fresh / ".kgpub" / "store") == self.snapshots[-1]


def change_kind(iteration: int, rng: random.Random) -> str:
    """Every tenth change rebuilds everything; the others are drawn, edits most often."""
    kinds = ["edit"] * 9 + ["add"] * 3 + ["remove"] * 3 + ["registry"] * 2 + ["none"]
    return "full" if iteration % 10 == 5 else rng.choice(kinds)


def figures(run_: Run, poller: Poller, scratch_ok: bool, seconds: float) -> dict[str, str]:
    """The table of the report; every build of the run counts for leftovers and size."""
    kills = [kill for kill in run_.kills if kill.phase != "finished"]
    phases = Counter(kill.phase for kill in kills)
    outcomes = Counter(kill.outcome for kill in kills)
    allowed = {
        (i, snap.count(b"\n"))
        for i in range(1, len(run_.snapshots))
        for snap in run_.snapshots[i - 1 : i + 1]
    }
    stray = [sample for sample in poller.counts if sample[0] > 0 and sample not in allowed]
    sizes = [kill.store_bytes / 2**20 for kill in run_.kills]
    latencies = sorted(poller.latencies) or [0.0]
    return {
        "builds killed": (
            f"{len(kills)}, {sum(k.full for k in kills)} of them full builds "
            f"({len(run_.kills) - len(kills)} more finished before their moment came)"
        ),
        "killed while " + " / ".join(PHASES[:-1]): " / ".join(str(phases[p]) for p in PHASES[:-1]),
        "publication after the kill: the previous / the new / both (no change) / partial": (
            f"{outcomes['previous']} / {outcomes['new']} / {outcomes['unchanged']} / "
            f"**{outcomes['PARTIAL']}**"
        ),
        "lock free at once after the kill": f"{sum(k.lock_free for k in kills)} of {len(kills)}",
        "leftovers after the next build (staging folders, links)": str(
            sum(len(k.leftovers) for k in run_.kills)
        ),
        "processes of a killed build still running 3 s later": str(sum(k.orphans for k in kills)),
        "server requests / errors": f"{poller.requests:,} / {len(poller.errors)}",
        "server latency: median / 99th percentile / slowest": (
            f"{statistics.median(latencies) * 1000:.0f} ms / "
            f"{latencies[int(len(latencies) * 0.99)] * 1000:.0f} ms / {latencies[-1]:.2f} s"
        ),
        "server answers counting a partial publication": f"{len(stray)} of {len(poller.counts):,}",
        "store size after each next build: largest of the first 10 / of the last 10": (
            f"{max(sizes[:10]):.1f} / {max(sizes[-10:]):.1f} MiB, at most "
            f"{max(k.builds_kept for k in run_.kills)} build folders"
        ),
        "final publication equals a build from scratch": "yes" if scratch_ok else "**no**",
        "run time": f"{seconds / 60:.1f} min",
    }


def markdown(args: argparse.Namespace, table: dict[str, str]) -> str:
    rows = "\n".join(f"| {name} | {value} |" for name, value in table.items())
    command = f"--kills {args.kills} --articles {args.articles} --seed {args.seed}"
    machine = f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    return f"""## Killed builds

`python benchmarks/kill_builds.py {command}` ({datetime.now(UTC):%Y-%m-%d}, {machine}): a
synthetic collection of {args.articles} articles served by `kgpub serve` while {args.kills}
builds are changed (edits, added and removed articles, registry entries, every tenth a new base
IRI that rebuilds everything) and killed with SIGKILL, at a moment drawn uniformly over the
expected build time, or (one in six) right after the switch to the new build. After each kill
the published data is compared, as canonical N-Quads, with the previous publication and with
what an unkilled build of the same input publishes; the next build must run at once and leave
no staging folder; a thread queries the server throughout and checks each count of quads
against the two publications.

| | |
|---|---|
{rows}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "kgpub-kill-builds"
    )
    parser.add_argument("--markdown", action="store_true", help="print the docs section")
    args = parser.parse_args()
    started = time.perf_counter()
    experiment = Run(args)
    collection = experiment.prepare()
    organizations = f"{DEFAULT_BASE}id/organization/"
    with closing(EmbeddedStore(experiment.store)) as store:
        solutions = store.query(
            f'SELECT ?e {{ GRAPH ?g {{ ?e ?p ?o }} FILTER(STRSTARTS(STR(?e), "{organizations}")) }}'
        )
        assert isinstance(solutions, pyoxigraph.QuerySolutions)  # noqa: S101 - a SELECT
        entity = next(
            row["e"].value for row in solutions if isinstance(row["e"], pyoxigraph.NamedNode)
        )
    server = Server(experiment.root, args.workdir / "serve.log")
    poller = Poller(server.url, entity)
    thread = threading.Thread(target=poller.loop, daemon=True)
    thread.start()
    try:
        iteration = 0
        while sum(kill.phase != "finished" for kill in experiment.kills) < args.kills:
            iteration += 1
            poller.iteration = iteration
            kind = change_kind(iteration, experiment.rng)
            kill = experiment.kill_one(collection, iteration, kind)
            experiment.kills.append(kill)
            print(
                f"[{iteration:>3}] {kill.change:<40} killed while {kill.phase:<9} → "
                f"{kill.outcome:<9} lock {'free' if kill.lock_free else 'HELD'}, "
                f"{kill.orphans} orphans, "
                f"{len(kill.leftovers)} leftovers, {kill.store_bytes / 2**20:.1f} MiB",
                file=sys.stderr,
            )
        poller.iteration = 0
        scratch_ok = experiment.from_scratch_matches(collection)
    finally:
        poller.stop.set()
        thread.join(timeout=30)
        server.stop()
    table = figures(experiment, poller, scratch_ok, time.perf_counter() - started)
    for error in poller.errors[:20]:
        print(f"server error: {error}", file=sys.stderr)
    if args.markdown:
        print(markdown(args, table))
    else:
        for name, value in table.items():
            print(f"{name}: {value}")


if __name__ == "__main__":
    main()
