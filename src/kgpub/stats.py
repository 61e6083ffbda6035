"""Figures about a publication: graphs, quads, entities per type, articles, claims, last build.

Every figure comes from a SPARQL query to the store, so the same code reports on the embedded
store and on a remote server.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pyoxigraph

from kgpub.backend import BuildManifest, Store
from kgpub.remote_bookkeeping import BOOKKEEPING_GRAPHS
from kgpub.vocab import KG, ONTOLOGY_IRI, SCHEMA

COUNTED_TYPES = {
    "organizations": KG.Organization,
    "persons": KG.Person,
    "places": KG.Place,
    "countries": SCHEMA.Country,
    "facilities": KG.Facility,
    "events": KG.Event,
    "articles": KG.Article,
    "claims": KG.Claim,
    "observations": KG.Observation,
}

# A remote server also holds kgpub's bookkeeping graphs (manifest, build state); like dumps,
# the counts leave them out, so both backends report the same figures for the same data.
_GRAPHS_AND_QUADS = f"""
SELECT (COUNT(DISTINCT ?g) AS ?graphs) (COUNT(*) AS ?quads)
WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g NOT IN ({", ".join(BOOKKEEPING_GRAPHS)})) }}
"""

_INSTANCES = """
SELECT ?type (COUNT(DISTINCT ?thing) AS ?count)
WHERE {
  GRAPH ?g { ?thing a ?type }
  FILTER (?g != <%(ontology)s>)
  VALUES ?type { %(types)s }
}
GROUP BY ?type
"""


@dataclass(frozen=True)
class Stats:
    """What is published, counted."""

    store: str
    graphs: int
    quads: int
    instances: dict[str, int] = field(default_factory=dict)
    last_build: BuildManifest | None = None

    def as_json(self) -> dict[str, Any]:
        """The figures as plain data."""
        return asdict(self)

    def describe(self) -> str:
        """The figures for people, one per line."""
        lines = [f"store: {self.store}"]
        if self.last_build is not None:
            build = self.last_build
            lines.append(f"last build: {build.built_at} (kgpub {build.kgpub_version})")
            lines.append(f"base IRI: {build.base_iri}")
        lines.append(f"graphs: {self.graphs:,}")
        lines.append(f"quads: {self.quads:,}")
        lines += [f"{name}: {count:,}" for name, count in self.instances.items()]
        return "\n".join(lines) + "\n"


def collect_stats(store: Store) -> Stats:
    """Count what ``store`` publishes."""
    (totals,) = _rows(store.query(_GRAPHS_AND_QUADS))
    types = " ".join(f"<{iri}>" for iri in COUNTED_TYPES.values())
    found = {
        row["type"]: int(row["count"])
        for row in _rows(store.query(_INSTANCES % {"ontology": ONTOLOGY_IRI, "types": types}))
    }
    return Stats(
        store=store.description,
        graphs=int(totals["graphs"]),
        quads=int(totals["quads"]),
        instances={name: found.get(str(iri), 0) for name, iri in COUNTED_TYPES.items()},
        last_build=store.manifest(),
    )


def _rows(result: Any) -> list[dict[str, str]]:
    assert isinstance(result, pyoxigraph.QuerySolutions)  # noqa: S101 - SELECT queries
    names = [variable.value for variable in result.variables]
    return [{name: row[name].value for name in names if row[name] is not None} for row in result]
