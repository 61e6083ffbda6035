"""Fuzzing benchmark: thousands of mutated collections, and what kgpub made of each.

Every input is a valid collection with one to three mutations (``tests/fact_file_mutations.py``:
wrong types, missing and unknown fields, huge values, deep nesting, unicode tricks, alias
bombs, duplicate keys, tabs, byte order marks, bytes that are not UTF-8, cyclic containment,
contradictory claims, impossible dates, inconsistent figures…). The valid collections are a
pool drawn first (``--bases``, plus the seed collection in ``examples/``), since drawing a
whole collection costs far more than mutating one.

Each input is loaded (``kgpub.collection.load_collection``): it is accepted, or refused with
problems that must each name one of its files and a field or line; anything else raised is a
traceback. About one input in ``--build-every`` is followed by a build with ``kgpub build``
of a mutated copy of a collection published beforehand, over its files: the exit code
must be 0, 1 or 2, and unless it is 0 the published store must be byte-identical afterwards
(canonical N-Quads), or it is a partial publication.

    python benchmarks/fuzz_fact_files.py --examples 10000
    python benchmarks/fuzz_fact_files.py --examples 2000 --markdown  # for docs/reliability.md

Hypothesis runs more inputs than ``--examples`` (it counts only the draws it completes); the
report gives the number actually loaded. The exit status is 1 when anything failed, except with
``--markdown``, whose section says so itself (``benchmarks/reliability_report.py`` reads it).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import platform
import sys
import tempfile
import textwrap
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.conftest import ARTICLE, EXAMPLES, REGISTRY, UNRELATED_ARTICLE  # noqa: E402
from tests.fact_file_collections import Draft, valid_collections  # noqa: E402
from tests.fact_file_mutations import mutated_collections  # noqa: E402

from kgpub.cli import main  # noqa: E402
from kgpub.collection import load_collection  # noqa: E402
from kgpub.embedded import EmbeddedStore  # noqa: E402
from kgpub.errors import InputError  # noqa: E402
from kgpub.export import canonical_nquads  # noqa: E402
from kgpub.loader import parse_document  # noqa: E402


@dataclass
class Tally:
    """What became of the inputs."""

    inputs: int = 0
    accepted: int = 0
    refused: int = 0
    unlocated: int = 0
    """Refused inputs with a problem naming no file of the input, or neither field nor line."""
    tracebacks: Counter[str] = field(default_factory=Counter)
    broken_promises: int = 0
    """Inputs a mutation promised would be refused while loading, and were not."""
    valid: int = 0
    valid_conforming: int = 0
    """Generated valid collections (the bases) that ``kgpub validate`` finds conforming."""
    builds: Counter[int] = field(default_factory=Counter)
    build_tracebacks: Counter[str] = field(default_factory=Counter)
    partial_publications: int = 0
    by_mutation: Counter[str] = field(default_factory=Counter)
    refused_by_mutation: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    """The first few failures, for people."""

    def fail(self, what: str) -> None:
        if len(self.examples) < 5:
            self.examples.append(what)


class PublishedCollection:
    """The conftest sample collection, published, and its mutable files."""

    def __init__(self, folder: Path) -> None:
        self.root = folder
        texts = {
            "registry.yaml": REGISTRY,
            "articles/sample.yaml": ARTICLE,
            "articles/other.yaml": UNRELATED_ARTICLE,
        }
        self.base = Draft(
            {path: parse_document(textwrap.dedent(t), path).data for path, t in texts.items()}
        )
        self.original = self.base.files()
        self._restore()
        self.digest = self._build_and_digest()

    def _restore(self) -> None:
        for path, content in self.original.items():
            (self.root / path).parent.mkdir(parents=True, exist_ok=True)
            (self.root / path).write_bytes(content)

    def _build_and_digest(self) -> str:
        result = CliRunner().invoke(main, ["build", str(self.root)])
        if result.exit_code != 0:
            raise SystemExit(f"the base collection does not build:\n{result.stderr}")
        return self.published_digest()

    def published_digest(self) -> str:
        store = EmbeddedStore(self.root / ".kgpub" / "store")
        return hashlib.sha256(canonical_nquads(store)).hexdigest()

    def build(self, draft: Draft, tally: Tally) -> None:
        """Build the draft over the published files; check the store if it was refused."""
        draft.write(self.root)
        result = CliRunner().invoke(main, ["build", str(self.root)])
        for path in draft.paths():
            (self.root / path).unlink()
        self._restore()
        tally.builds[result.exit_code] += 1
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            name = type(result.exception).__name__
            tally.build_tracebacks[name] += 1
            tally.fail(f"build traceback ({draft.describe()}): {_trace(result.exception)}")
        if result.exit_code == 0:
            self.digest = self._build_and_digest()  # published: the base goes back
        elif self.published_digest() != self.digest:
            tally.partial_publications += 1
            tally.fail(f"partial publication ({draft.describe()}): {result.stderr[-500:]}")


def _trace(error: BaseException) -> str:
    return "".join(traceback.format_exception(error))[-1500:]


def check_load(draft: Draft, tally: Tally) -> None:
    """Load one input, and count what happened."""
    tally.inputs += 1
    for name in draft.mutations:
        tally.by_mutation[name] += 1
    with tempfile.TemporaryDirectory(prefix="kgpub-fuzz-") as folder:
        root = draft.write(Path(folder))
        files = {str(root / path) for path in draft.paths()}
        try:
            load_collection(root)
        except InputError as refusal:
            tally.refused += 1
            for name in draft.mutations:
                tally.refused_by_mutation[name] += 1
            located = [p for p in refusal.problems if p.source in files and (p.line or p.pointer)]
            if not refusal.problems or len(located) < len(refusal.problems):
                tally.unlocated += 1
                tally.fail(f"unlocated ({draft.describe()}): {refusal}"[:1500])
        except Exception as error:  # counting what must never happen, whatever it is
            tally.tracebacks[type(error).__name__] += 1
            tally.fail(f"traceback ({draft.describe()}): {_trace(error)}")
        else:
            tally.accepted += 1
            if draft.refused_by == "load":
                tally.broken_promises += 1
                tally.fail(f"accepted, though promised a refusal: {draft.describe()}")


def draw_bases(count: int, seed_value: int) -> tuple[Draft, ...]:
    """``count`` generated valid collections, and the seed collection."""
    bases = [Draft.of_folder(EXAMPLES)]

    @seed(seed_value)
    @settings(max_examples=count, **QUIET)
    @given(valid_collections())
    def collect(draft: Draft) -> None:
        bases.append(copy.deepcopy(draft))

    collect()
    return tuple(bases)


QUIET = {
    "database": None,
    "deadline": None,
    "phases": [Phase.generate],
    "suppress_health_check": list(HealthCheck),
}


def check_valid(draft: Draft, tally: Tally) -> None:
    """Validate one generated valid collection: it must conform."""
    tally.valid += 1
    with tempfile.TemporaryDirectory(prefix="kgpub-fuzz-valid-") as folder:
        root = draft.write(Path(folder))
        result = CliRunner().invoke(main, ["validate", str(root)])
    if result.exit_code == 0:
        tally.valid_conforming += 1
    else:
        tally.fail(f"valid collection refused: {result.stderr[-800:]}")


def run(examples: int, bases: int, build_every: int, seed_value: int) -> tuple[Tally, float]:
    started = time.perf_counter()
    pool = draw_bases(bases, seed_value)
    tally = Tally()
    for draft in pool[1:]:
        check_valid(draft, tally)
    with tempfile.TemporaryDirectory(prefix="kgpub-fuzz-published-") as folder:
        published = PublishedCollection(Path(folder))

        @seed(seed_value)
        @settings(max_examples=examples, **QUIET)
        @given(mutated_collections(bases=pool), st.data())
        def fuzz(draft: Draft, data: st.DataObject) -> None:
            check_load(draft, tally)
            # Drawn, not counted: what is drawn may depend only on earlier draws.
            if build_every and data.draw(st.integers(1, build_every)) == 1:
                published.build(data.draw(mutated_collections(bases=(published.base,))), tally)

        fuzz()
    return tally, time.perf_counter() - started


def report(tally: Tally, seconds: float, args: argparse.Namespace) -> str:
    """The figures, as a markdown section (``docs/reliability.md``) or plain text."""
    built = sum(tally.builds.values())
    tracebacks = sum(tally.tracebacks.values()) + sum(tally.build_tracebacks.values())
    lines = [
        "## Fuzzed fact files and registries",
        "",
        f"**{tracebacks} tracebacks and {tally.partial_publications} partial publications** "
        f"across {tally.inputs} fuzzed collections ({built} of them built); "
        f"{tally.unlocated + tally.broken_promises + tally.valid - tally.valid_conforming} "
        "other failures (listed below the tables, if any).",
        "",
        f"`python benchmarks/fuzz_fact_files.py --examples {args.examples} --bases {args.bases}"
        f" --build-every {args.build_every} --seed {args.seed}`, on {platform.node() or '?'}"
        f" ({platform.machine()}, Python {platform.python_version()}),"
        f" {time.strftime('%Y-%m-%d')}: {seconds:.0f} s.",
        "",
        "| inputs | count |",
        "|---|---:|",
        f"| generated valid collections that `kgpub validate` finds conforming | "
        f"{tally.valid_conforming} of {tally.valid} |",
        f"| fuzzed collections loaded | {tally.inputs} |",
        f"| accepted | {tally.accepted} |",
        f"| refused, every problem naming its file and a field or line | "
        f"{tally.refused - tally.unlocated} |",
        f"| refused with a problem naming no file, or no field and no line | {tally.unlocated} |",
        f"| tracebacks while loading | {sum(tally.tracebacks.values())} |",
        f"| accepted though the mutation promised a refusal | {tally.broken_promises} |",
        f"| built with `kgpub build` over a published collection | {built} |",
        f"| … published (exit 0) / not conforming (1) / refused (2) | {tally.builds[0]} / "
        f"{tally.builds[1]} / {tally.builds[2]} |",
        f"| tracebacks while building | {sum(tally.build_tracebacks.values())} |",
        f"| partial publications (store changed by a build that failed) | "
        f"{tally.partial_publications} |",
        "",
        "| mutation | inputs | refused while loading |",
        "|---|---:|---:|",
    ]
    for name, count in sorted(tally.by_mutation.items()):
        lines.append(f"| {name} | {count} | {tally.refused_by_mutation[name]} |")
    if tally.examples:
        lines += ["", "First failures:", "", "```", *tally.examples, "```"]
    text = "\n".join(lines) + "\n"
    return text if args.markdown else text.replace("|", " ").replace("`", "")


def main_cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=10_000, help="fuzzed inputs to load")
    parser.add_argument("--bases", type=int, default=100, help="valid collections to mutate")
    parser.add_argument(
        "--build-every", type=int, default=20, help="build about one input in N (0: never)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--markdown", action="store_true", help="print a markdown section")
    args = parser.parse_args()
    tally, seconds = run(args.examples, args.bases, args.build_every, args.seed)
    print(report(tally, seconds, args), end="")
    failed = tally.unlocated or tally.tracebacks or tally.broken_promises
    failed = failed or tally.valid_conforming < tally.valid
    failed = failed or tally.build_tracebacks or tally.partial_publications
    sys.exit(1 if failed and not args.markdown else 0)


if __name__ == "__main__":
    main_cli()
