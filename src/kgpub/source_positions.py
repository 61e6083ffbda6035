"""Where each field of a fact file is written: JSON pointers and the line and column they start.

A composed YAML node tree knows the position of every value; plain data does not. Converting
the tree (:func:`convert_yaml_tree`) keeps both, as a :class:`SourceDocument`, so that any
problem found later (a malformed field, an unknown reference, a SHACL result) can name the
file, line and field. The conversion also reads scalars as fact files mean them, and refuses
documents that expand too far (alias "billion laughs" bombs) before expanding them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from kgpub.errors import InputError, Problem

MAX_NODES = 200_000
"""More nodes than any real fact file has: stops alias ("billion laughs") bombs early."""
MAX_DEPTH = 64

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


def convert_yaml_tree(root: yaml.Node, source: str) -> SourceDocument:
    """Turn a composed YAML node tree into plain data, keeping the position of every field.

    :raises InputError: on keys that are not text, duplicate keys, or an oversized document.
    """
    converter = _Converter(source)
    try:
        converter.measure(root, (), {})
        data = converter.convert(root, ())
    except _TooLarge as error:
        raise InputError([error.problem]) from None
    if converter.problems:
        raise InputError(converter.problems)
    return SourceDocument(source, data, converter.positions)


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
