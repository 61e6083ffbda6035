"""Where a fact file's data holds what: mappings validated as models, references, any value.

Found by following the pydantic models of :mod:`kgpub.model`, as the strategies are, so the
mutations (:mod:`tests.fact_file_data_mutations`) reach every field the model has.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel

from kgpub.field_types import RefTo
from kgpub.model import Article, Registry

from .fact_file_collections import Draft

Slot = tuple[Any, Any]
"""A container (dict or list) and the key or index of one of its values."""


def model_of(path: str) -> type[BaseModel]:
    """The model a file of a collection is validated as."""
    return Registry if path.rpartition("/")[2].startswith("registry.") else Article


def model_nodes(value: Any, model: type[BaseModel]) -> Iterator[tuple[type[BaseModel], dict]]:
    """Every mapping inside ``value`` that is validated as a model, with that model."""
    if not isinstance(value, dict):
        return
    yield model, value
    for name, info in model.model_fields.items():
        if name in value:
            yield from _nodes_in(value[name], info.annotation)


def _nodes_in(value: Any, annotation: Any) -> Iterator[tuple[type[BaseModel], dict]]:
    for member in _members(annotation):
        origin, arguments = typing.get_origin(member), typing.get_args(member)
        if isinstance(member, type) and issubclass(member, BaseModel):
            yield from model_nodes(value, member)
        elif origin is list and isinstance(value, list):
            for item in value:
                yield from _nodes_in(item, arguments[0])
        elif origin is dict and isinstance(value, dict):
            for item in value.values():
                yield from _nodes_in(item, arguments[1])


def _members(annotation: Any) -> list[Any]:
    if typing.get_origin(annotation) is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if typing.get_args(annotation) and typing.get_origin(annotation) not in {list, dict}:
        return [m for argument in typing.get_args(annotation) for m in _members(argument)]
    return [annotation]


def reference_slots(value: Any, model: type[BaseModel]) -> list[Slot]:
    """Where ``value`` holds an entity reference (by the model's RefTo marks)."""
    slots: list[Slot] = []
    for node_model, node in model_nodes(value, model):
        for name, info in node_model.model_fields.items():
            if name in node and _refers(info.annotation, info.metadata):
                held = node[name]
                slots += [(held, i) for i in range(len(held))] if isinstance(held, list) else []
                slots += [(node, name)] if isinstance(held, str) else []
    return slots


def _refers(annotation: Any, metadata: list[Any]) -> bool:
    if any(isinstance(mark, RefTo) for mark in metadata):
        return True
    return any(_refers(a, []) for a in typing.get_args(annotation) if a is not type(None))


def value_slots(value: Any) -> list[Slot]:
    """Every value inside nested mappings and lists."""
    found: list[Slot] = []
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, inner in list(items):
        found.append((value, key))
        if isinstance(inner, dict | list):
            found += value_slots(inner)
    return found


def data_path(draw: st.DrawFn, draft: Draft, kind: type[BaseModel] | None = None) -> str | None:
    """A file no mutation changed yet (of ``kind`` when given), if there is one; it is marked
    as changed."""
    paths = [p for p in draft.data if p not in draft.touched and kind in {None, model_of(p)}]
    if not paths:
        return None
    path = draw(st.sampled_from(sorted(paths)))
    draft.touched.add(path)
    return path


def draw_slot(draw: st.DrawFn, slots: list[Slot]) -> Slot | None:
    """One of ``slots``, if there is one."""
    return slots[draw(st.integers(0, len(slots) - 1))] if slots else None


def _slot_value(slot: Slot) -> Any:
    return slot[0][slot[1]]


def _set(slot: Slot, value: Any) -> None:
    slot[0][slot[1]] = value


def slot_value(slot: Slot) -> Any:
    """The value at ``slot``."""
    return slot[0][slot[1]]


def set_slot(slot: Slot, value: Any) -> None:
    """Put ``value`` at ``slot``."""
    slot[0][slot[1]] = value
