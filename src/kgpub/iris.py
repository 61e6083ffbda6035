"""The only place that mints IRIs. Every published IRI sits under the collection's base IRI.

Entity IRIs come from registry keys (stable, chosen once, never derived from labels); claims and
observations get content-derived IRIs, so re-ingesting an unchanged article changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from kgpub.entities import EntityId

DEFAULT_BASE_IRI = "https://kg.example.org/"


def content_digest(*parts: Any) -> str:
    """A short, stable digest of JSON-serialisable content (64 bits, hex).

    >>> content_digest("a", {"b": 1}) == content_digest("a", {"b": 1})
    True
    >>> len(content_digest("a"))
    16
    """
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class IriScheme:
    """Mints the IRIs of one collection.

    >>> iris = IriScheme("https://news.example/")
    >>> str(iris.entity(EntityId("organization", "sdf")))
    'https://news.example/id/organization/sdf'
    >>> str(iris.entity(EntityId("event", "car-bomb", scope="a1")))
    'https://news.example/id/event/a1/car-bomb'
    >>> str(iris.entity(EntityId("country", "SY")))
    'https://news.example/id/country/SY'
    """

    base: str = DEFAULT_BASE_IRI

    def __post_init__(self) -> None:
        if not self.base.startswith(("http://", "https://")) or not self.base.endswith("/"):
            raise ValueError(
                f"base IRI {self.base!r} must be an http(s) IRI ending in '/', "
                "e.g. https://kg.example.org/"
            )

    def entity(self, entity_id: EntityId) -> URIRef:
        """The IRI of a registry, country or article-local entity."""
        if entity_id.scope is not None:
            return URIRef(f"{self.base}id/{entity_id.kind}/{entity_id.scope}/{entity_id.key}")
        return URIRef(f"{self.base}id/{entity_id.kind}/{entity_id.key}")

    def article(self, article_key: str) -> URIRef:
        """The IRI of an article."""
        return URIRef(f"{self.base}id/article/{article_key}")

    def claim(self, article_key: str, digest: str) -> URIRef:
        """The IRI of a claim, which is also the name of the graph holding its assertions."""
        return URIRef(f"{self.base}id/claim/{article_key}/{digest}")

    def observation(self, article_key: str, digest: str) -> URIRef:
        """The IRI of a count reported in an article."""
        return URIRef(f"{self.base}id/observation/{article_key}/{digest}")

    def part(self, whole: URIRef, name: str) -> URIRef:
        """An IRI for a node that only exists as part of another (a participation, a quote)."""
        return URIRef(f"{whole}#{name}")

    @property
    def entities_graph(self) -> URIRef:
        """The named graph of the registry's entity descriptions."""
        return URIRef(f"{self.base}graph/entities")

    def article_graph(self, article_key: str) -> URIRef:
        """The named graph of one article's metadata, mentions, local entities and claims."""
        return URIRef(f"{self.base}graph/article/{article_key}")
