"""Read fact files (YAML or JSON) into the model, keeping the line of every field.

Errors come back as :class:`~kgpub.errors.Problem` lists naming file, line and field, all at
once; the caller decides to raise them together as one :class:`~kgpub.errors.InputError`.
"""

from __future__ import annotations

import difflib
import json
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from kgpub.errors import InputError, Problem

ModelT = TypeVar("ModelT", bound=BaseModel)

MAX_NODES = 200_000
"""More nodes than any real fact file has: stops alias ("billion laughs") bombs early."""
MAX_DEPTH = 64
MAX_BYTES = 20 * 1024 * 1024

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's composer when PyYAML was built with it: the same nodes and marks, ~10× faster."""

_SCALAR_INT = "tag:yaml.org,2002:int"
_SCALAR_FLOAT = "tag:yaml.org,2002:float"
_SCALAR_BOOL = "tag:yaml.org,2002:bool"
_SCALAR_NULL = "tag:yaml.org,2002:null"


def pointer_of(path: tuple[str | int, ...]) -> str:
    """The JSON pointer (RFC 6901) of a path of keys and indices.

    >>> pointer_of(("claims", 3, "a/b"))
    '/claims/3/a~1b'
    """
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


@dataclass(frozen=True)
class SourceDocument:
    """A parsed file: its plain data, and where each field starts in the text."""

    source: str
    data: Any
    positions: dict[str, tuple[int, int]]

    def locate(self, pointer: str) -> tuple[int, int] | None:
        """Line and column of ``pointer``, or of its nearest enclosing field."""
        while True:
            if pointer in self.positions:
                return self.positions[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]

    def problem(self, pointer: str, message: str) -> Problem:
        """A :class:`Problem` at ``pointer`` of this document."""
        where = self.locate(pointer)
        line, column = where if where else (None, None)
        return Problem(self.source, pointer, message, line, column)


class _Converter:
    """Turns a composed YAML node tree into plain data, recording positions as it goes."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.positions: dict[str, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self.nodes = 0

    def convert(self, node: yaml.Node, path: tuple[str | int, ...]) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooLarge(f"more than {MAX_NODES} values (is an alias expanding too often?)")
        if len(path) > MAX_DEPTH:
            raise _TooLarge(f"nested deeper than {MAX_DEPTH} levels")
        pointer = pointer_of(path)
        self.positions.setdefault(pointer, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, index)) for index, item in enumerate(node.value)]
        return _scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: tuple[str | int, ...]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str | int) or isinstance(key, bool):
                self._add(key_node, path, "keys must be plain text; quote this key")
                continue
            key = str(key)
            if key in result:
                first = self.positions.get(pointer_of((*path, key)), (0, 0))[0]
                self._add(
                    key_node,
                    (*path, key),
                    f"duplicate key {key!r} (first given on line {first}); keep only one",
                )
                continue
            result[key] = self.convert(value_node, (*path, key))
        return result

    def _add(self, node: yaml.Node, path: tuple[str | int, ...], message: str) -> None:
        mark = node.start_mark
        self.problems.append(
            Problem(self.source, pointer_of(path), message, mark.line + 1, mark.column + 1)
        )


class _TooLarge(Exception):
    pass


def _scalar(node: yaml.Node) -> Any:
    value = str(node.value)
    tag = node.tag
    if not isinstance(node, yaml.ScalarNode) or node.style:  # quoted: always text
        return value
    if tag == _SCALAR_NULL:
        return None
    if tag == _SCALAR_BOOL and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    if tag == _SCALAR_INT and value.lstrip("+-").replace("_", "").isdigit():
        return int(value.replace("_", ""))
    if tag == _SCALAR_FLOAT:
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    # YAML 1.1 would read "no", "on", "0o7", "1:30" and dates as other types; fact files mean
    # the text ("NO" is Norway), and dates are checked by the model.
    return value


def parse_document(text: str, source: str) -> SourceDocument:
    """Parse YAML (which includes JSON) into a :class:`SourceDocument`.

    :raises InputError: on syntax errors, duplicate keys, or an oversized document.
    """
    try:
        root = yaml.compose(text, Loader=YAML_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        message = f"not valid YAML: {error.problem or error.context}"
        if error.context and error.problem:
            message += f" ({error.context})"
        raise InputError([Problem(source, "", message, line, column)]) from None
    except yaml.YAMLError as error:
        raise InputError([Problem(source, "", f"not valid YAML: {error}")]) from None
    if root is None:
        raise InputError([Problem(source, "", "the file is empty", 1, 1)])
    converter = _Converter(source)
    try:
        data = converter.convert(root, ())
    except _TooLarge as error:
        raise InputError([Problem(source, "", f"document too large: {error}")]) from None
    if converter.problems:
        raise InputError(converter.problems)
    return SourceDocument(source, data, converter.positions)


def read_document(path: Path) -> SourceDocument:
    """Read and parse one fact file (``.yaml``, ``.yml`` or ``.json``).

    :raises InputError: when the file cannot be read or parsed.
    """
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError([Problem(source, "", f"cannot read the file: {error.strerror}")]) from None
    if len(raw) > MAX_BYTES:
        raise InputError([Problem(source, "", f"file larger than {MAX_BYTES} bytes")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            [Problem(source, "", f"not UTF-8 text (byte {error.start}); save the file as UTF-8")]
        ) from None
    if path.suffix == ".json":
        _check_json_syntax(text, source)
    return parse_document(text, source)


def _check_json_syntax(text: str, source: str) -> None:
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            [Problem(source, "", f"not valid JSON: {error.msg}", error.lineno, error.colno)]
        ) from None


def load_model(document: SourceDocument, model: type[ModelT]) -> ModelT:
    """Validate a document's data as ``model``.

    :raises InputError: naming every field that is missing, unknown or malformed.
    """
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        problems = _problems_from(error, document, model)
    raise InputError(problems)


def _problems_from(
    error: ValidationError, document: SourceDocument, model: type[BaseModel]
) -> list[Problem]:
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
        message = f"unknown field {path[-1]!r}"
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
        return f"{text}, got {detail.get('input')!r}"
    given = detail.get("input")
    if given is not None and not isinstance(given, dict | list) and repr(given) not in text:
        return f"{text} (got {given!r})"
    return text


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
    if origin in {typing.Union, __import__("types").UnionType}:
        return [inner for arg in typing.get_args(annotation) for inner in _unwrap(arg)]
    return [annotation]
