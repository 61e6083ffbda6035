"""SHACL shapes compiled into SPARQL queries that find the focus nodes breaking them, set-wise.

pySHACL evaluates every constraint for every focus node in Python (about 20 ms an article).
Compiled here, each shape becomes one SPARQL query over a whole batch that Oxigraph answers
in milliseconds (:mod:`kgpub.screening`). The queries *screen*: when one finds a focus node,
pySHACL still validates the batch and writes the report, so messages and locations never
change. A screen may flag too much, never too little. Each expression is compiled ``strict``
(true only if the node really conforms) or, under ``sh:not``, ``lenient`` (false only if it
really does not). Whatever cannot be compiled exactly becomes the safe constant of its
polarity (``false`` when strict, ``true`` when lenient) and is listed in
:attr:`ShapeQueries.approximations`, so a shape nobody compiled cannot pass unchecked.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, SH, Graph, Literal, URIRef
from rdflib.collection import Collection as RdfList
from rdflib.term import BNode, Node

from kgpub.errors import ShapesError
from kgpub.shape_terms import (
    all_of,
    any_of,
    binds_this,
    count_of,
    path_text,
    sparql_term,
    value_constraint,
)

TYPE_PATH = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"
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


@dataclass
class ShapeQueries:
    """The screening queries of a shapes graph, and what could only be approximated."""

    queries: list[str] = field(default_factory=list)
    approximations: list[str] = field(default_factory=list)


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.fresh = itertools.count(1)
        self.approximations: list[str] = []
        self.prefixes: dict[str, str] = {}
        self.in_progress: set[Node] = set()

    def variable(self) -> str:
        return f"?screen{next(self.fresh)}"

    def unsupported(self, what: str, strict: bool) -> str:
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
        if not isinstance(node, BNode | URIRef):
            raise ShapesError(f"the SHACL shapes use {node.n3()} where a list must be")
        return list(RdfList(self.shapes, node))

    def targets(self, shape: Node) -> Iterator[str]:
        """Graph patterns binding ``?this`` to each focus node of ``shape``."""
        for target in self.shapes.objects(shape, SH.targetClass):
            yield f"?this {TYPE_PATH} {sparql_term(target)} ."
        if (shape, RDF.type, RDFS.Class) in self.shapes:
            yield f"?this {TYPE_PATH} {sparql_term(shape)} ."
        for node in self.shapes.objects(shape, SH.targetNode):
            yield f"VALUES ?this {{ {sparql_term(node)} }}"
        for predicate in self.shapes.objects(shape, SH.targetSubjectsOf):
            yield f"?this {sparql_term(predicate)} ?screenAny ."
        for predicate in self.shapes.objects(shape, SH.targetObjectsOf):
            yield f"?screenAny {sparql_term(predicate)} ?this ."
        for target in self.shapes.objects(shape, SH.target):
            select = self.shapes.value(target, SH.select)
            if select is None:
                yield self.everything(f"the target {target.n3()} of {shape.n3()}")
                continue
            self.declare(target)
            yield f"{{ {select}\n}}"

    def everything(self, what: str) -> str:
        """A pattern over every subject: the safe stand-in for a target nobody compiled."""
        self.approximations.append(what)
        return "?this ?screenAnyP ?screenAny ."

    def declare(self, constraint: Node) -> None:
        """Gather the ``sh:prefixes`` of a SPARQL snippet for the query it goes into."""
        for declarations in self.shapes.objects(constraint, SH.prefixes):
            for declaration in self.shapes.objects(declarations, SH.declare):
                prefix = str(self.shapes.value(declaration, SH.prefix))
                namespace = str(self.shapes.value(declaration, SH.namespace))
                if self.prefixes.setdefault(prefix, namespace) != namespace:
                    raise ShapesError(
                        f"the SHACL shapes declare the prefix {prefix!r} twice, as "
                        f"{self.prefixes[prefix]} and {namespace}: give one of them another name"
                    )


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


def compile_shapes(shapes: Graph) -> ShapeQueries:
    """One query per shape with targets, and one per SPARQL constraint, each selecting ``?this``."""
    compiler = _Compiler(shapes)
    bodies: list[str] = []
    for shape in sorted(_targeted_shapes(shapes), key=str):
        targets = " UNION ".join(f"{{ {pattern} }}" for pattern in compiler.targets(shape))
        condition = compiler.conforms("?this", shape, strict=True, top=True)
        if condition != "true":
            bodies.append(f"{targets} FILTER(!({condition}))")
        for constraint in shapes.objects(shape, SH.sparql):
            if shapes.value(constraint, SH.deactivated) == Literal(True):
                continue
            select = shapes.value(constraint, SH.select)
            compiler.declare(constraint)
            if select is None or not binds_this(str(select), compiler.prefixes):
                bodies.append(targets)
                compiler.approximations.append(f"the SPARQL constraint {constraint.n3()}")
                continue
            bodies.append(f"{targets} {{ {select}\n}}")
    header = "".join(f"PREFIX {p}: <{n}>\n" for p, n in sorted(compiler.prefixes.items()))
    queries = [f"{header}SELECT DISTINCT ?this WHERE {{ {body} }}" for body in bodies]
    return ShapeQueries(queries, compiler.approximations)


def _targeted_shapes(shapes: Graph) -> set[Node]:
    found: set[Node] = set()
    for parameter in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        found.update(shapes.subjects(parameter, None))
    found.update(shapes.subjects(SH.target, None))
    found.update(
        s for s in shapes.subjects(RDF.type, RDFS.Class) if (s, RDF.type, SH.NodeShape) in shapes
    )
    return found
