"""The packaged ontology, code lists and SHACL shapes (``ontology/`` and ``shapes/``).

Tests, the CLI and the server read the very same files, shipped inside the package.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

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
    """Parse with Oxigraph, then hand the triples to rdflib for pySHACL.

    Oxigraph parses Turtle many times faster than rdflib, and every process that validates
    parses these files once.
    """
    graph = Graph()
    for item in items:
        blank_nodes: dict[str, BNode] = {}
        try:
            triples = pyoxigraph.parse(item.read_bytes(), format=pyoxigraph.RdfFormat.TURTLE)
            for triple in triples:
                graph.add(
                    (
                        _rdflib_term(triple.subject, blank_nodes),
                        _rdflib_term(triple.predicate, blank_nodes),
                        _rdflib_term(triple.object, blank_nodes),
                    )
                )
        except (SyntaxError, ValueError) as error:
            raise ShapesError(f"{item.name} is not valid Turtle: {error}") from None
    return graph


def _rdflib_term(term: Any, blank_nodes: dict[str, BNode]) -> Node:
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return blank_nodes.setdefault(term.value, BNode())
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:  # rdflib writes plain literals without a datatype
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


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
