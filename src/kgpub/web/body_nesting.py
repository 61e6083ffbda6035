"""Refuse RDF bodies nested too deeply for Oxigraph's tree-shaped parsers, before they parse.

Oxigraph reads Turtle, TriG and N-Triples iteratively, whatever their depth, but its JSON-LD
and RDF/XML parsers slow down with the square of the nesting (2.5 s at 2,000 levels of JSON-LD,
2.7 s at 10,000 of RDF/XML) and JSON-LD overflowed the stack, killing the server process, at
4,000 levels. Bodies are parsed in the server process (Graph Store writes), so one request
could stall or stop the server; real data nests a few levels.
"""

from __future__ import annotations

import json
import re

from kgpub.errors import BadRequest

MAX_BODY_NESTING = 100
"""The deepest JSON or XML nesting a JSON-LD or RDF/XML body may have."""
_XML_TAG = re.compile(rb"<(/?)[A-Za-z_][^<>]*?(/?)>")


def refuse_deep_body(body: bytes, format_name: str) -> None:
    """Refuse a JSON-LD or RDF/XML body nested deeper than :data:`MAX_BODY_NESTING`.

    :raises BadRequest: saying how deep the body nests and the limit.
    """
    if format_name == "jsonld":
        depth = _json_depth(body)
    elif format_name == "rdfxml":
        depth = _xml_depth(body)
    else:
        return
    if depth > MAX_BODY_NESTING:
        raise BadRequest(
            f"the body nests {depth} levels deep; this server reads at most "
            f"{MAX_BODY_NESTING} levels of JSON-LD or RDF/XML. Send Turtle or N-Triples, "
            "which any depth of data can be written in flat."
        )


def _json_depth(body: bytes) -> int:
    """How deeply the JSON nests (``MAX_BODY_NESTING + 1`` when too deep to decode).

    >>> _json_depth(b'{"a": [1, {"b": 2}]}')
    3
    """
    try:
        document = json.loads(body)
    except RecursionError:
        return MAX_BODY_NESTING + 1
    except ValueError:
        return 0  # malformed: the JSON-LD parser says why
    deepest = 0
    pending: list[tuple[object, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        pending.extend((child, depth + 1) for child in children)
    return deepest


def _xml_depth(body: bytes) -> int:
    """How deeply the XML's elements nest.

    >>> _xml_depth(b'<a><b x="1"><c/></b><b/></a>')
    3
    """
    deepest = depth = 0
    for match in _XML_TAG.finditer(body):
        closing, empty = match.group(1), match.group(2)
        if closing:
            depth -= 1
        elif empty:
            deepest = max(deepest, depth + 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest
