"""Find every entity reference in a fact file, and resolve them all at once.

Reference fields are marked in the model with :class:`~kgpub.field_types.RefTo`; walking the
model by those marks means a new reference field needs no code here.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from kgpub.entities import EntityId, EntityIndex, ReferenceProblem
from kgpub.field_types import RefTo

Path = tuple[str | int, ...]


def iter_references(value: Any, path: Path = ()) -> Iterator[tuple[Path, str, tuple[str, ...]]]:
    """Yield ``(path, text, kinds)`` for every entity reference inside a model value."""
    if not isinstance(value, BaseModel):
        return
    for name, info in type(value).model_fields.items():
        kinds = _reference_kinds(type(value), name, info)
        yield from _walk_field(getattr(value, name), (*path, name), kinds)


def _walk_field(
    value: Any, path: Path, kinds: tuple[str, ...] | None
) -> Iterator[tuple[Path, str, tuple[str, ...]]]:
    if value is None:
        return
    if isinstance(value, str):
        if kinds is not None:
            yield path, value, kinds
    elif isinstance(value, BaseModel):
        yield from iter_references(value, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk_field(item, (*path, index), kinds)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, BaseModel | list):
                yield from _walk_field(item, (*path, key), None)


@cache
def _reference_kinds(owner: type[BaseModel], name: str, info: FieldInfo) -> tuple[str, ...] | None:
    for marker in info.metadata:
        if isinstance(marker, RefTo):
            return marker.kinds
    return _kinds_in_annotation(info.annotation)


def _kinds_in_annotation(annotation: Any) -> tuple[str, ...] | None:
    if typing.get_origin(annotation) is typing.Annotated:
        for marker in typing.get_args(annotation)[1:]:
            if isinstance(marker, RefTo):
                return marker.kinds
    for argument in typing.get_args(annotation):
        found = _kinds_in_annotation(argument)
        if found is not None:
            return found
    return None


def resolve_all(
    value: BaseModel, index: EntityIndex, path: Path = ()
) -> tuple[dict[Path, EntityId], list[tuple[Path, str]]]:
    """Resolve every reference in ``value``: a path → entity map, and the failures.

    Each failure is ``(path, message)``; the message says how to fix the reference.
    """
    resolved: dict[Path, EntityId] = {}
    failures: list[tuple[Path, str]] = []
    for ref_path, text, kinds in iter_references(value, path):
        try:
            resolved[ref_path] = index.resolve(text, kinds)
        except ReferenceProblem as problem:
            failures.append((ref_path, str(problem)))
    return resolved, failures


def resolved_form(value: BaseModel, index: EntityIndex) -> Any:
    """The model's data with every reference replaced by its entity, for content digests.

    Two fact files that say the same thing with different aliases ("OSDH", "sohr") give the
    same form, so the same claim IRI.
    """
    data = value.model_dump(mode="json", exclude_defaults=True)
    for path, text, kinds in iter_references(value):
        entity = index.resolve(text, kinds)
        _set_at(data, path, f"{entity.kind}:{entity.scope or ''}:{entity.key}")
    return data


def _set_at(data: Any, path: Path, replacement: str) -> None:
    target = data
    for part in path[:-1]:
        if isinstance(target, dict) and part not in target:
            return  # a default value, excluded from the dump
        target = target[part]
    if isinstance(target, dict | list) and (
        path[-1] in target if isinstance(target, dict) else True
    ):
        target[path[-1]] = replacement  # type: ignore[index]
