"""Checking a whole collection at once, in memory: load, map, validate; publish nothing.

For small collections, tests, and as the reference that batched builds must agree with
(:mod:`kgpub.build` validates in batches and must report exactly what this reports).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kgpub.collection import Collection, load_collection
from kgpub.config import Settings
from kgpub.errors import Problem
from kgpub.mapped_graphs import MappedGraphs
from kgpub.mapper import map_collection
from kgpub.validate import ValidationReport, locate_results, union_graph, validate_graph


@dataclass(frozen=True)
class CheckedCollection:
    """A loaded, mapped and validated collection (the whole of it, in memory)."""

    collection: Collection
    mapped: MappedGraphs
    report: ValidationReport
    problems: list[Problem]

    @property
    def conforms(self) -> bool:
        """Whether the collection may be published."""
        return self.report.conforms


def check_collection(path: Path, settings: Settings) -> CheckedCollection:
    """Load, map and validate a whole collection at once, in memory; publish nothing.

    For small collections and tests; :func:`build_collection` scales.

    :raises InputError: when a file cannot be loaded (every problem of every file at once).
    """
    collection = load_collection(path)
    mapped = map_collection(collection, iris=settings.iris)
    report = validate_graph(union_graph(mapped))
    return CheckedCollection(collection, mapped, report, locate_results(report, mapped, collection))
