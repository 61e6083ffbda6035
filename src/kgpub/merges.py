"""Merged entries: an entity's ``replaces`` lists the keys of former entries merged into it.

When editors find that two entries are one organization (or person, place…), they keep one,
the *survivor*, and list the other's key in its ``replaces``. References to the former key keep
resolving (to the survivor, see :class:`kgpub.entities.EntityIndex`), the mapper publishes
``<survivor> dcterms:replaces <former IRI>``, and the web app answers 301 from the former IRI
to the survivor's.

The registry holds only final survivors: a key in ``replaces`` must not be an entry any more,
and only one entity may list it. That rules out chains and cycles: when a survivor is itself
merged, its ``replaces`` list moves to the new survivor, so every former IRI redirects in one hop.
An article's own entities may use ``replaces`` too, for that article's former local keys.
"""

from __future__ import annotations

from collections.abc import Iterator

from kgpub.entities import TABLE_OF_KIND, EntityId, EntityIndex
from kgpub.entity_kinds import Entity
from kgpub.errors import Problem
from kgpub.source_positions import SourceDocument, pointer_of


def replacement_problems(
    index: EntityIndex, document: SourceDocument, prefix: tuple[str, ...]
) -> Iterator[Problem]:
    """Keys in ``replaces`` that are still entries, or that are replaced twice.

    ``index`` is the registry's index, or an article's (whose own entities are checked);
    ``prefix`` is the path of the entity tables in the document.
    """

    def pointer(survivor: EntityId, position: int) -> str:
        table = TABLE_OF_KIND[survivor.kind]
        return pointer_of((*prefix, table, survivor.key, "replaces", position))

    for former, survivors in sorted(index.replaced.items()):
        listed = [
            (survivor, position)
            for survivor in sorted(set(survivors))
            for position, key in enumerate(_replaces_of(index, survivor))
            if key == former.key
        ]
        first_at = document.locate(pointer(*listed[0]))
        first_line = str(first_at[0]) if first_at else "?"
        for number, (survivor, position) in enumerate(listed):
            if former in index.entities:
                message = _still_an_entry(index, former, survivor)
            elif number == 0:
                continue
            elif survivor == listed[0][0]:
                message = (
                    f"{former.kind} key {former.key!r} is already listed in `replaces` on line "
                    f"{first_line}; list it once"
                )
            else:
                message = (
                    f"{former.kind} key {former.key!r} is also replaced by "
                    f"{listed[0][0].key!r} (line {first_line}); an entry merges into one "
                    "entity only: remove it from one of the two `replaces` lists"
                )
            yield document.problem(pointer(survivor, position), message)


def _replaces_of(index: EntityIndex, entity_id: EntityId) -> list[str]:
    entity = index.entities.get(entity_id)
    return entity.replaces if isinstance(entity, Entity) else []


def _still_an_entry(index: EntityIndex, former: EntityId, survivor: EntityId) -> str:
    if former == survivor:
        return f"{survivor.kind} {survivor.key!r} lists its own key in `replaces`; remove it"
    message = (
        f"{former.kind} {former.key!r} is still an entry, and `replaces` lists former entries "
        f"only: move its names to {survivor.key!r} (as aliases) and delete the entry "
        f"{former.key!r}, or remove it from `replaces`"
    )
    if _replaces_of(index, former):
        message += (
            f"; move its own `replaces` list to {survivor.key!r} too, so that every former IRI "
            "redirects straight to the survivor"
        )
    return message
