"""pydantic's validation errors, turned into messages an editor can act on, at their line.

pydantic reports a location of its own (with union member tags such as ``str`` or
``dict[str,str]``) and a terse message. Here each error becomes a :class:`~kgpub.errors.Problem`
at the JSON pointer of the field as written, located in the file by its
:class:`~kgpub.source_positions.SourceDocument`: unknown fields suggest the field probably
meant (or list the allowed ones), values are quoted and cut short, and of the errors a union
yields for one value, only those that say what is wrong are kept.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from kgpub.errors import Problem
from kgpub.source_positions import SourceDocument, pointer_of


def locate_validation_errors(
    error: ValidationError, document: SourceDocument, model: type[BaseModel]
) -> list[Problem]:
    """Every error of validating ``document`` as ``model``, located and explained once."""
    found: dict[tuple[str, str], str] = {}
    for detail in error.errors(include_url=False):
        path = _data_path(document.data, detail["loc"], detail["type"])
        message = _message(detail, path, model)
        found.setdefault((pointer_of(path), message), detail["type"])
    pointers = {pointer for pointer, _ in found}
    # A value that fails every branch of a union yields one error per branch; the branch that
    # went deepest into the value says what is wrong, the others only that the type differs.
    return [
        document.problem(pointer, message)
        for (pointer, message), kind in found.items()
        if not (kind.endswith("_type") and any(p.startswith(pointer + "/") for p in pointers))
    ]


def _data_path(data: Any, loc: tuple[Any, ...], kind: str) -> tuple[str | int, ...]:
    """Keep the parts of pydantic's location that name real keys (drop union member tags)."""
    path: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(current, dict) and part in current:
            current = current[part]
            path.append(part)
        elif isinstance(current, list) and isinstance(part, int) and part < len(current):
            current = current[part]
            path.append(part)
        elif last and kind in {"missing", "extra_forbidden"} and isinstance(part, str):
            path.append(part)
    return tuple(path)


def _message(detail: Any, path: tuple[str | int, ...], model: type[BaseModel]) -> str:
    kind = detail["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_fields(model, path[:-1])
        message = f"unknown field {_shown(path[-1])}"
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1)
        if close:
            return f"{message} (did you mean {close[0]!r}?)"
        if allowed:
            return f"{message}; allowed here: {', '.join(sorted(allowed))}"
        return message
    if kind == "missing":
        return f"required field {path[-1]!r} is missing"
    text = str(detail["msg"]).removeprefix("Value error, ")
    if kind in {"enum", "literal_error"}:
        return f"{text}, got {_shown(detail.get('input'))}"
    given = detail.get("input")
    if given is not None and not isinstance(given, dict | list) and repr(given) not in text:
        return f"{text} (got {_shown(given)})"
    return text


def _shown(value: object, limit: int = 60) -> str:
    """``value`` as a message quotes it: its repr, cut short when long.

    >>> _shown("Hassaké"), _shown("x" * 100)
    ("'Hassaké'", "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… (102 characters)")
    """
    shown = repr(value)
    return shown if len(shown) <= limit else f"{shown[:limit]}… ({len(shown)} characters)"


def _allowed_fields(model: type[BaseModel], path: tuple[str | int, ...]) -> list[str]:
    """Field names accepted at ``path`` inside ``model``, found by following the annotations."""
    current: Any = model
    for part in path:
        current = _step(current, part)
        if current is None:
            return []
    models = [m for m in _unwrap(current) if isinstance(m, type) and issubclass(m, BaseModel)]
    return sorted({name for m in models for name in m.model_fields})


def _step(annotation: Any, part: str | int) -> Any:
    for candidate in _unwrap(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            if isinstance(part, str) and part in candidate.model_fields:
                return candidate.model_fields[part].annotation
        origin = typing.get_origin(candidate)
        args = typing.get_args(candidate)
        if origin is list and isinstance(part, int) and args:
            return args[0]
        if origin is dict and isinstance(part, str) and len(args) == 2:
            return args[1]
    return None


def _unwrap(annotation: Any) -> list[Any]:
    """The plain types inside ``Annotated[...]`` and unions."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in {typing.Union, types.UnionType}:
        return [inner for arg in typing.get_args(annotation) for inner in _unwrap(arg)]
    return [annotation]
