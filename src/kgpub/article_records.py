"""What the build state records of one article, and the digest of what the registry gives it.

An :class:`ArticleRecord` is one row of :class:`kgpub.buildstate.BuildState`: the article's file
stamp, the digest of its inputs, what it published, and what the next build needs to tell
whether it must be redone. Its *registry view* (:func:`registry_view`) is recomputed from the
recorded references alone, so a registry change is checked against every article without
reading a fact file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from kgpub.entities import EntityId, EntityIndex
from kgpub.iris import content_digest

Reference = tuple[str, tuple[str, ...]]
"""An entity reference as written: its text and the kinds of entity it may name."""


@dataclass(frozen=True)
class ArticleRecord:
    """One published article: where from, what it depends on, what it published."""

    path: str
    key: str
    mtime_ns: int
    size: int
    sha256: str
    inputs: str
    registry_view: str
    quads: int
    graphs: tuple[str, ...]
    claims: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Claim key → (digest, claimant IRI), what other articles' links need."""
    references: tuple[Reference, ...] = ()
    local_entities: tuple[tuple[str, str], ...] = ()
    foreign_claims: dict[str, str] = field(default_factory=dict)
    """``article#claim`` this article links to → that claim's digest when it was mapped."""
    countries: tuple[str, ...] = ()

    def detail_json(self) -> str:
        """The fields that are not columns, as JSON."""
        return json.dumps(
            {
                "registry_view": self.registry_view,
                "graphs": self.graphs,
                "claims": self.claims,
                "references": self.references,
                "local_entities": self.local_entities,
                "foreign_claims": self.foreign_claims,
            },
            separators=(",", ":"),
            ensure_ascii=False,
        )

    @classmethod
    def from_row(cls, row: tuple[str, str, int, int, str, str, int, str, str]) -> ArticleRecord:
        """A record from its database row (the columns ``buildstate.SELECT_RECORDS`` reads)."""
        path, key, mtime_ns, size, sha256, inputs, quads, countries, detail = row
        data = json.loads(detail)
        return cls(
            path=path,
            key=key,
            mtime_ns=mtime_ns,
            size=size,
            sha256=sha256,
            inputs=inputs,
            registry_view=data["registry_view"],
            quads=quads,
            graphs=tuple(data["graphs"]),
            claims={k: (v[0], v[1]) for k, v in data["claims"].items()},
            references=tuple((text, tuple(kinds)) for text, kinds in data["references"]),
            local_entities=tuple((kind, key) for kind, key in data["local_entities"]),
            foreign_claims=dict(data["foreign_claims"]),
            countries=tuple(countries.split()),
        )


def registry_view(
    index: EntityIndex,
    references: Iterable[Reference],
    local_entities: Iterable[tuple[str, str]],
    entity_digests: dict[EntityId, str],
) -> str:
    """A digest of everything the registry contributes to one article's triples.

    ``index`` is the registry's index. Equal views mean every reference resolves as before, to
    entities described as before, and no local entity collides with a new registry entry.
    """
    seen = []
    for text, kinds in sorted(set(references)):
        by_key, by_name = index.candidates(text, kinds)
        seen.append(
            [
                text.strip().casefold(),
                kinds,
                sorted(_entity_token(e, entity_digests) for e in by_key),
                sorted(_entity_token(e, entity_digests) for e in by_name),
            ]
        )
    collisions = sorted(
        f"{kind}:{key}" for kind, key in local_entities if index.get(EntityId(kind, key))
    )
    return content_digest(seen, collisions)


def _entity_token(entity_id: EntityId, entity_digests: dict[EntityId, str]) -> str:
    return f"{entity_id.kind}:{entity_id.key}:{entity_digests.get(entity_id, '')}"


def entity_digests(index: EntityIndex) -> dict[EntityId, str]:
    """A content digest of every registry entity's description.

    ``replaces`` is left out: articles see a merge through the key they refer to, which then
    resolves elsewhere; the survivor's own description in their triples does not change.
    """
    return {
        entity_id: content_digest(
            entity_id.kind, entity_id.key, entity.model_dump(mode="json", exclude={"replaces"})
        )
        for entity_id, entity in index.all_entities()
    }
