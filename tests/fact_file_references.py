"""References drawn before it is known what a file may name, and resolved once it is.

A strategy is built once per model (building one costs far more than drawing from it), so it
cannot know the keys of a collection drawn later: it draws a :class:`Reference` (which kinds,
which one) and :func:`resolve` turns it into a key of the file's :class:`Scope`. Entities are
always named by key, so that no generated name can make a reference ambiguous; references by
name are the loader's own tests' business.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LANGUAGES = ("en", "fr", "ar", "ku")


@dataclass(frozen=True)
class Reference:
    """A reference to be resolved: ``pick`` chooses among what names one of ``kinds``."""

    kinds: tuple[str, ...]
    pick: int
    unlike: Reference | None = None
    """Another reference of the same value this one must not name the same entity as."""


@dataclass(frozen=True)
class OtherLanguage:
    """A language other than the article's (``pick`` chooses which)."""

    pick: int


ARTICLE_LANGUAGE = OtherLanguage(-1)
"""The article's own language."""


@dataclass(frozen=True)
class Scope:
    """What a file may refer to, and its language."""

    keys: Mapping[str, tuple[str, ...]]
    """Entity keys by kind (plus country names for ``country``)."""
    language: str = "en"

    def named(self, kinds: tuple[str, ...]) -> tuple[str, ...]:
        """Every text that names an entity of one of ``kinds``."""
        return tuple(dict.fromkeys(key for kind in kinds for key in self.keys.get(kind, ())))


def resolve(value: Any, scope: Scope) -> Any:
    """``value`` with its references and languages chosen within ``scope``.

    A reference left with nothing to name (a sub-event, when the only event is the event
    itself) is left out, with its field.
    """
    resolved: dict[Reference, str | None] = {}

    def choose(reference: Reference) -> str | None:
        if reference not in resolved:
            taken = choose(reference.unlike) if reference.unlike else None
            named = [key for key in scope.named(reference.kinds) if key != taken]
            resolved[reference] = named[reference.pick % len(named)] if named else None
        return resolved[reference]

    def walk(item: Any) -> Any:
        if isinstance(item, Reference):
            return choose(item)
        if isinstance(item, OtherLanguage):
            if item == ARTICLE_LANGUAGE:
                return scope.language
            others = [language for language in LANGUAGES if language != scope.language]
            return others[item.pick % len(others)]
        if isinstance(item, dict):
            pairs = ((walk(key), walk(inner)) for key, inner in item.items())
            return {key: inner for key, inner in pairs if inner is not None}
        if isinstance(item, list):
            return [walk(inner) for inner in item]
        return item

    return walk(value)
