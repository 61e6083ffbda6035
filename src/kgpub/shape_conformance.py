"""SHACL shapes compiled into SPARQL expressions saying whether a node conforms to them.

:mod:`kgpub.shape_queries` turns each shape into a query over its focus nodes; the condition
it filters on is written here. Each expression is compiled ``strict`` (true only if the node
really conforms) or, under ``sh:not``, ``lenient`` (false only if it really does not).
Whatever cannot be compiled exactly becomes the safe constant of its polarity (``false`` when
strict, ``true`` when lenient) and is listed in :attr:`ConformanceCompiler.approximations`.
The SPARQL text of single terms, paths and value constraints is :mod:`kgpub.shape_terms`'.
"""

from __future__ import annotations

import itertools

from rdflib import RDF, RDFS, SH, Graph, Literal, URIRef
from rdflib.collection import Collection as RdfList
from rdflib.term import BNode, Node

from kgpub.errors import ShapesError
from kgpub.shape_terms import (
    all_of,
    any_of,
    count_of,
    path_text,
    sparql_term,
    value_constraint,
)

TYPE_PATH = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"
"""A node's classes as SHACL counts them: its types and every superclass of those."""
IGNORED = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.message,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.severity,
    SH.path,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.target,
    SH.declare,
    SH.prefixes,
}
"""Shape properties that constrain nothing by themselves (targets are read separately)."""

PROPERTY_ONLY = {
    SH.minCount,
    SH.maxCount,
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
    SH.disjoint,
    SH.lessThan,
    SH.lessThanOrEquals,
    SH.uniqueLang,
    SH.deactivated,
}
PAIR_ORDER = {SH.lessThan: "<", SH.lessThanOrEquals: "<="}


class ConformanceCompiler:
    """Compiles the shapes of one graph into expressions, numbering variables as it goes."""

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.fresh = itertools.count(1)
        self.approximations: list[str] = []
        self.in_progress: set[Node] = set()

    def variable(self) -> str:
        """A variable no other part of the query uses."""
        return f"?screen{next(self.fresh)}"

    def unsupported(self, what: str, strict: bool) -> str:
        """The safe constant of a polarity, for ``what`` could not be compiled exactly."""
        self.approximations.append(what)
        return "false" if strict else "true"

    def conforms(self, focus: str, shape: Node, strict: bool, *, top: bool = False) -> str:
        """A SPARQL expression saying whether the node ``focus`` conforms to ``shape``.

        With ``top``, ``shape`` is the one a query is about, whose SPARQL constraints are
        queries of their own.
        """
        if self.shapes.value(shape, SH.deactivated) == Literal(True):
            return "true"
        if shape in self.in_progress:
            return self.unsupported(f"recursive shape {shape.n3()}", strict)
        self.in_progress.add(shape)
        try:
            path = self.shapes.value(shape, SH.path)
            if path is not None:
                return self.property_conforms(focus, shape, path, strict)
            parts = [self.value_conforms(focus, shape, strict, top=top)]
            for nested in self.shapes.objects(shape, SH.property):
                parts.append(self.conforms(focus, nested, strict))
            return all_of(parts)
        finally:
            self.in_progress.discard(shape)

    def value_conforms(
        self, value: str, shape: Node, strict: bool, *, top: bool, along_path: bool = False
    ) -> str:
        """The constraints of ``shape`` that each value node must meet on its own.

        ``along_path``: the value nodes are those of a property shape, where ``sh:hasValue``
        asks that one of them is the value, not each (:meth:`property_conforms`).
        """
        parts = []
        for parameter, argument in self.shapes.predicate_objects(shape):
            if parameter in IGNORED or parameter in PROPERTY_ONLY or parameter == SH.property:
                continue
            if along_path and parameter == SH.hasValue:
                continue
            if parameter == SH.sparql:
                if top:
                    continue  # top-level SPARQL constraints are queries of their own
                parts.append(self.unsupported(f"nested sh:sparql in {shape.n3()}", strict))
            elif parameter == SH.node:
                parts.append(self.conforms(value, argument, strict))
            elif parameter == SH["not"]:
                parts.append(f"!({self.conforms(value, argument, not strict)})")
            elif parameter in (SH["or"], SH["and"]):
                members = [self.conforms(value, m, strict) for m in self.members(argument)]
                parts.append(any_of(members) if parameter == SH["or"] else all_of(members))
            elif parameter == SH["in"]:
                choices = [f"sameTerm({value}, {sparql_term(m)})" for m in self.members(argument)]
                parts.append(any_of(choices))
            elif parameter == SH.hasValue:
                parts.append(f"sameTerm({value}, {sparql_term(argument)})")
            elif parameter == SH["class"]:
                parts.append(f"EXISTS {{ {value} {TYPE_PATH} {sparql_term(argument)} }}")
            else:
                expression = value_constraint(
                    self.shapes, shape, parameter, argument, value, strict
                )
                if expression is None:
                    expression = self.unsupported(f"{parameter.n3()} in {shape.n3()}", strict)
                parts.append(expression)
        return all_of(parts)

    def property_conforms(self, focus: str, shape: Node, path: Node, strict: bool) -> str:
        """Cardinalities, pairs and every value node's own constraints along ``path``."""
        route = path_text(self.shapes, path)
        if route is None:
            return self.unsupported(f"the path of {shape.n3()}", strict)
        parts = []
        for count in self.shapes.objects(shape, SH.minCount):
            parts.append(self.distinct_values(focus, route, count_of(count)))
        for count in self.shapes.objects(shape, SH.maxCount):
            parts.append(f"!({self.distinct_values(focus, route, count_of(count) + 1)})")
        qualified = self.shapes.value(shape, SH.qualifiedValueShape)
        if qualified is not None:
            if self.shapes.value(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
                parts.append(self.unsupported(f"disjoint qualified shapes in {shape}", strict))
            for count in self.shapes.objects(shape, SH.qualifiedMinCount):
                parts.append(
                    self.distinct_values(focus, route, count_of(count), (qualified, strict))
                )
            for count in self.shapes.objects(shape, SH.qualifiedMaxCount):
                many = self.distinct_values(
                    focus, route, count_of(count) + 1, (qualified, not strict)
                )
                parts.append(f"!({many})")
        for other in self.shapes.objects(shape, SH.disjoint):
            value = self.variable()
            parts.append(
                f"NOT EXISTS {{ {focus} {route} {value} . {focus} {sparql_term(other)} {value} }}"
            )
        for parameter, operator in PAIR_ORDER.items():
            for other in self.shapes.objects(shape, parameter):
                value, bound = self.variable(), self.variable()
                default = "false" if strict else "true"
                parts.append(
                    f"NOT EXISTS {{ {focus} {route} {value} . {focus} {sparql_term(other)} "
                    f"{bound} . FILTER(!COALESCE({value} {operator} {bound}, {default})) }}"
                )
        if self.shapes.value(shape, SH.uniqueLang) == Literal(True):
            one, two = self.variable(), self.variable()
            # Flag tags that differ only in case when strict; pySHACL may compare them either way.
            same = (
                f"LCASE(LANG({one})) = LCASE(LANG({two}))"
                if strict
                else f"LANG({one}) = LANG({two})"
            )
            parts.append(
                f"NOT EXISTS {{ {focus} {route} {one} . {focus} {route} {two} . "
                f'FILTER(!sameTerm({one}, {two}) && LANG({one}) != "" && {same}) }}'
            )
        for wanted in self.shapes.objects(shape, SH.hasValue):
            value, term = self.variable(), sparql_term(wanted)
            parts.append(
                f"EXISTS {{ {focus} {route} {value} . FILTER(sameTerm({value}, {term})) }}"
            )
        value = self.variable()
        each = self.value_conforms(value, shape, strict, top=False, along_path=True)
        if each != "true":
            parts.append(f"NOT EXISTS {{ {focus} {route} {value} . FILTER(!({each})) }}")
        return all_of(parts)

    def distinct_values(
        self, focus: str, route: str, count: int, meeting: tuple[Node, bool] | None = None
    ) -> str:
        """An expression: there are ``count`` different values along the route (meeting a shape)."""
        if count <= 0:
            return "true"
        names = [self.variable() for _ in range(count)]
        patterns = " ".join(f"{focus} {route} {name} ." for name in names)
        checks = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2)]
        if meeting is not None:
            checks += [self.conforms(name, meeting[0], meeting[1]) for name in names]
        condition = all_of(checks)
        if condition == "false":
            return "false"
        filtered = f" FILTER({condition})" if condition != "true" else ""
        return f"EXISTS {{ {patterns}{filtered} }}"

    def members(self, node: Node) -> list[Node]:
        """The members of an RDF list of the shapes (``sh:or``, ``sh:in``…)."""
        if not isinstance(node, BNode | URIRef):
            raise ShapesError(f"the SHACL shapes use {node.n3()} where a list must be")
        return list(RdfList(self.shapes, node))
