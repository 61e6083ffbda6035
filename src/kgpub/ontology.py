"""The packaged ontology, code lists and SHACL shapes (``ontology/`` and ``shapes/``).

Tests, the CLI and the server read the very same files, shipped inside the package.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from rdflib import Graph

from kgpub.errors import ShapesError

RESOURCES = files("kgpub") / "resources"


def _turtle_files(folder: str) -> list[Traversable]:
    directory = RESOURCES / folder
    found = sorted(
        (item for item in directory.iterdir() if item.name.endswith(".ttl")),
        key=lambda item: item.name,
    )
    if not found:
        raise ShapesError(f"no Turtle files in the packaged {folder}/ folder; reinstall kgpub")
    return found


def _parse(items: list[Traversable]) -> Graph:
    graph = Graph()
    for item in items:
        try:
            graph.parse(data=item.read_text(encoding="utf-8"), format="turtle")
        except (SyntaxError, ValueError) as error:
            raise ShapesError(f"{item.name} is not valid Turtle: {error}") from None
    return graph


@cache
def ontology_graph() -> Graph:
    """The ontology and every code list, as one graph (treat it as read-only)."""
    return _parse(_turtle_files("ontology"))


@cache
def shapes_graph() -> Graph:
    """Every SHACL shape (treat it as read-only).

    See https://www.w3.org/TR/shacl/ for the language the files are written in.
    """
    return _parse(_turtle_files("shapes"))


def shape_files() -> list[str]:
    """Names of the packaged shape files."""
    return [item.name for item in _turtle_files("shapes")]


@cache
def resources_digest() -> str:
    """A digest of the packaged ontology, code lists and shapes: what validation depends on."""
    digest = hashlib.sha256()
    for folder in ("ontology", "shapes"):
        for item in _turtle_files(folder):
            digest.update(item.name.encode("utf-8") + b"\0" + item.read_bytes() + b"\0")
    return digest.hexdigest()
