"""The set-wise screen against pySHACL on many randomly damaged graphs: does it ever miss?

Each run maps the registry and one article of examples/ (or the whole collection with
``--whole``), damages a copy with ``--steps`` random mutations (tests/graph_mutations.py:
dropped triples, second values, odd literals, relinked and self-linked nodes, retyped nodes),
then validates it with pySHACL alone and screens it (kgpub.screening). It prints how many
graphs pySHACL refused, how many of those the screen let through (**missed**: must be 0,
the script exits 1 otherwise and prints the first cases), how often the screen flagged a graph
pySHACL accepted (a false alarm only costs the pySHACL run the screen would have saved), and
the time each took.

    python benchmarks/screen_differential.py --graphs 500
    python benchmarks/screen_differential.py --graphs 100 --whole --markdown
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from rdflib import Graph  # noqa: E402
from tests.graph_mutations import EXAMPLES, mutated, seed_article_graph  # noqa: E402

from kgpub.collection import load_collection  # noqa: E402
from kgpub.iris import IriScheme  # noqa: E402
from kgpub.mapper import map_collection  # noqa: E402
from kgpub.screening import shipped_screen  # noqa: E402
from kgpub.validate import union_graph, validate_graph  # noqa: E402


def base_graph(whole: bool) -> Graph:
    """The mapped examples: all of them, or the registry and the seed article."""
    if whole:
        return union_graph(map_collection(load_collection(EXAMPLES), iris=IriScheme()))
    return seed_article_graph(IriScheme())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graphs", type=int, default=200, help="damaged graphs to compare")
    parser.add_argument("--steps", type=int, default=2, help="mutations per graph")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--whole", action="store_true", help="the whole examples collection")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    options = parser.parse_args()
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)  # ill-typed literals are the point
    base = base_graph(options.whole)
    screen = shipped_screen()
    refused = missed = false_alarms = unscreened = 0
    pyshacl_seconds = screen_seconds = 0.0
    misses: list[str] = []
    for seed in range(options.first_seed, options.first_seed + options.graphs):
        data, damage = mutated(base, seed, options.steps)
        started = time.perf_counter()
        report = validate_graph(data, screen=False)
        pyshacl_seconds += time.perf_counter() - started
        started = time.perf_counter()
        screened = screen.screen([data.serialize(format="nt", encoding="utf-8")])
        screen_seconds += time.perf_counter() - started
        reported = {r.focus.n3() for r in report.violations}
        refused += bool(reported)
        if screened is None:
            unscreened += 1
            continue
        flagged = {str(node) for node in screened.flagged & screened.described}
        if not reported <= flagged:
            missed += 1
            misses.append(f"seed {seed}: {damage}: missed {sorted(reported - flagged)}")
        elif flagged and not reported:
            false_alarms += 1
    rows = [
        ("graphs compared", f"{options.graphs} ({len(base)} triples each before damage)"),
        ("refused by pySHACL", str(refused)),
        ("**missed by the screen**", f"**{missed}**"),
        ("flagged by the screen, accepted by pySHACL", str(false_alarms)),
        ("not screenable (left to pySHACL)", str(unscreened)),
        ("pySHACL, mean per graph", f"{1000 * pyshacl_seconds / options.graphs:.1f} ms"),
        ("screen, mean per graph", f"{1000 * screen_seconds / options.graphs:.1f} ms"),
    ]
    if options.markdown:
        print("| measure | value |\n|---|---|")
        print("\n".join(f"| {name} | {value} |" for name, value in rows))
    else:
        print("\n".join(f"{name.strip('*')}: {value.strip('*')}" for name, value in rows))
    for line in misses[:10]:
        print(line, file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
