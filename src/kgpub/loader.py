"""Read fact files (YAML or JSON) into the model, keeping the line of every field.

Errors come back as :class:`~kgpub.errors.Problem` lists naming file, line and field, all at
once; the caller decides to raise them together as one :class:`~kgpub.errors.InputError`.
"""

from __future__ import annotations

import difflib
import json
import re
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
SAFE_NESTING = 5_000
"""Nesting libyaml's composer survives: it recurses on the C stack, and crashed the process
at 30,000 levels. Documents that may be deeper are measured event by event first."""
NESTING_MARKS = "[{-?\n\r\x85\u2028\u2029"
"""Every level of YAML nesting starts at one of these characters or after a line break, at
most two levels per character (``- a: b`` opens a sequence and a mapping)."""
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
"""A JSON string (skipped whole, brackets and all) or a bracket."""
_SURROGATE_PAIR = re.compile(
    r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE
)

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
            message = f"document too large: more than {MAX_NODES} values (is an alias expanding "
            message += "too often?)"
            raise _TooLarge(self._problem_at(node, path, message))
        if len(path) > MAX_DEPTH:
            message = f"document too large: nested deeper than {MAX_DEPTH} levels (does an alias "
            message += "contain itself?)"
            raise _TooLarge(self._problem_at(node, path, message))
        pointer = pointer_of(path)
        self.positions.setdefault(pointer, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, index)) for index, item in enumerate(node.value)]
        return _scalar(node)

    def measure(self, node: yaml.Node, path: tuple[str | int, ...], sizes: dict[int, int]) -> int:
        """How many values ``node`` expands to; alias bombs are refused before expanding.

        Counting each node once (aliases share them) takes milliseconds where expanding a
        bomb up to :data:`MAX_NODES` values took seconds.
        """
        if id(node) in sizes:
            return sizes[id(node)]
        if len(path) > MAX_DEPTH:
            return 1  # convert() reports it
        sizes[id(node)] = MAX_NODES + 1  # until known: an alias inside itself never ends
        children: list[tuple[str | int, yaml.Node]] = []
        if isinstance(node, yaml.MappingNode):
            children = [(_key_text(key), value) for key, value in node.value]
        elif isinstance(node, yaml.SequenceNode):
            children = list(enumerate(node.value))
        size = 1 + sum(self.measure(child, (*path, part), sizes) for part, child in children)
        if size > MAX_NODES:
            message = f"document too large: more than {MAX_NODES} values (is an alias "
            raise _TooLarge(self._problem_at(node, path, message + "expanding too often?)"))
        sizes[id(node)] = size
        return size

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
        self.problems.append(self._problem_at(node, path, message))

    def _problem_at(self, node: yaml.Node, path: tuple[str | int, ...], message: str) -> Problem:
        mark = node.start_mark
        return Problem(self.source, pointer_of(path), message, mark.line + 1, mark.column + 1)


class _TooLarge(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _key_text(node: yaml.Node) -> str:
    """A mapping key as a pointer names it (a key that is not text is refused later)."""
    return str(node.value) if isinstance(node, yaml.ScalarNode) else "?"


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
        try:
            return int(value.replace("_", ""))
        except ValueError:  # more digits than Python converts: too large for any field
            return value
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
    _check_nesting(text, source)
    try:
        root = yaml.compose(text, Loader=YAML_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        message = f"not valid YAML: {error.problem or error.context}"
        if error.context and error.problem:
            message += f" ({error.context})"
        raise InputError([Problem(source, "", message, line, column)]) from None
    except yaml.reader.ReaderError as error:
        raise InputError([_unreadable_character(text, source, error)]) from None
    except yaml.YAMLError as error:
        raise InputError([Problem(source, "", f"not valid YAML: {error}")]) from None
    if root is None:
        raise InputError([Problem(source, "", "the file is empty", 1, 1)])
    converter = _Converter(source)
    try:
        converter.measure(root, (), {})
        data = converter.convert(root, ())
    except _TooLarge as error:
        raise InputError([error.problem]) from None
    if converter.problems:
        raise InputError(converter.problems)
    return SourceDocument(source, data, converter.positions)


def _check_nesting(text: str, source: str) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` when it may be deep enough to crash."""
    if 2 * sum(text.count(mark) for mark in NESTING_MARKS) < SAFE_NESTING:
        return  # the common case: counting characters is far cheaper than parsing twice
    depth = 0
    try:
        for event in yaml.parse(text, Loader=YAML_LOADER):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH + 1:  # the document's own mapping is not nesting
                    mark = event.start_mark
                    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
                    message = f"document too large: nested deeper than {MAX_DEPTH} levels"
                    raise InputError([Problem(source, "", message, line, column)])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # a syntax error: composing reports it, with its line, before nesting deeper


def _unreadable_character(text: str, source: str, error: yaml.reader.ReaderError) -> Problem:
    # The reader stops at the first such character; its position is counted in bytes by
    # libyaml and in characters by PyYAML, so the character itself is searched for.
    at = text.find(chr(error.character))
    line = text.count("\n", 0, at) + 1 if at >= 0 else None
    column = at - text.rfind("\n", 0, at) if at >= 0 else None
    message = (
        f"not valid YAML: character U+{error.character:04X} is not allowed in a YAML file "
        f"({error.reason}); delete it, or write it as an escape inside double quotes"
    )
    return Problem(source, "", message, line, column)


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
        text = raw.decode("utf-8-sig")  # a byte order mark, as some editors write, is skipped
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - raw.rfind(b"\n", 0, error.start)
        message = f"not UTF-8 text (byte {error.start}); save the file as UTF-8"
        raise InputError([Problem(source, "", message, line, column)]) from None
    if path.suffix == ".json":
        text = _json_as_yaml(text, source)
    return parse_document(text, source)


def _json_as_yaml(text: str, source: str) -> str:
    r"""Check JSON syntax, and rewrite what YAML reads otherwise: UTF-16 surrogate pairs.

    ``"\ud83d\ude00"`` is one character in JSON, and an error for libyaml; it becomes
    ``"\U0001F600"``, so columns after it on its line shift by two.
    """
    _check_json_nesting(text, source)
    try:
        json.loads(text, parse_int=str)  # only the syntax counts; long numbers stay text
    except json.JSONDecodeError as error:
        raise InputError(
            [Problem(source, "", f"not valid JSON: {error.msg}", error.lineno, error.colno)]
        ) from None
    return _SURROGATE_PAIR.sub(_astral_escape, text)


def _check_json_nesting(text: str, source: str) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH`, which ``json.loads`` recurses into."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        if token[0] in {"[", "{"}:
            depth += 1
            if depth > MAX_DEPTH + 1:  # the document's own object is not nesting
                at = token.start()
                line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
                message = f"document too large: nested deeper than {MAX_DEPTH} levels"
                raise InputError([Problem(source, "", message, line, column)])
        elif token[0] in {"]", "}"}:
            depth -= 1


def _astral_escape(pair: re.Match[str]) -> str:
    high, low = int(pair[2], 16) - 0xD800, int(pair[3], 16) - 0xDC00
    return f"{pair[1]}\\U{0x10000 + (high << 10) + low:08X}"


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
    if origin in {typing.Union, __import__("types").UnionType}:
        return [inner for arg in typing.get_args(annotation) for inner in _unwrap(arg)]
    return [annotation]
