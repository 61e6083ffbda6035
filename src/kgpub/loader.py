"""Read fact files (YAML or JSON) into the model, keeping the line of every field.

Errors come back as :class:`~kgpub.errors.Problem` lists naming file, line and field, all at
once; the caller decides to raise them together as one :class:`~kgpub.errors.InputError`.

This module reads the bytes and guards the parsers against what would crash them (text that is
not UTF-8, nesting deep enough to exhaust the C stack, JSON that YAML reads otherwise). Keeping
the position of each field is :mod:`kgpub.source_positions`'s job, and explaining what is
wrong with the fields :mod:`kgpub.validation_messages`'s.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from kgpub.errors import InputError, Problem
from kgpub.source_positions import MAX_DEPTH, SourceDocument, convert_yaml_tree
from kgpub.validation_messages import locate_validation_errors

ModelT = TypeVar("ModelT", bound=BaseModel)

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

LIBYAML_NESTING_REFUSAL = "exceeded maximum nesting depth"
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's composer when PyYAML was built with it: the same nodes and marks, ~10× faster."""


def parse_document(text: str, source: str) -> SourceDocument:
    """Parse YAML (which includes JSON) into a :class:`SourceDocument`.

    :raises InputError: on syntax errors, duplicate keys, or an oversized document.
    """
    _check_nesting(text, source)
    try:
        root = yaml.compose(text, Loader=YAML_LOADER)
    except yaml.MarkedYAMLError as error:
        if LIBYAML_NESTING_REFUSAL in str(error):  # under SAFE_NESTING marks, but deep still
            _measure_nesting(text, source, yaml.SafeLoader)
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
    return convert_yaml_tree(root, source)


def _check_nesting(text: str, source: str) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` when it may be deep enough to crash."""
    if 2 * sum(text.count(mark) for mark in NESTING_MARKS) < SAFE_NESTING:
        return  # the common case: counting characters is far cheaper than parsing twice
    _measure_nesting(text, source, YAML_LOADER)


def _measure_nesting(text: str, source: str, loader: type) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH`, at the first level past it."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH + 1:  # the document's own mapping is not nesting
                    mark = event.start_mark
                    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
                    message = f"document too large: nested deeper than {MAX_DEPTH} levels"
                    raise InputError([Problem(source, "", message, line, column)])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as error:
        if LIBYAML_NESTING_REFUSAL in str(error) and loader is not yaml.SafeLoader:
            # libyaml (from PyYAML 6.0.4) scans far ahead of its events and refuses 1,000
            # levels before reporting the 65th: PyYAML's own parser says where that one is.
            _measure_nesting(text, source, yaml.SafeLoader)
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
        problems = locate_validation_errors(error, document, model)
    raise InputError(problems)
