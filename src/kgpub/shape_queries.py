"""SHACL shapes compiled into SPARQL queries that find the focus nodes breaking them, set-wise.

pySHACL evaluates every constraint for every focus node in Python (about 20 ms an article).
Compiled here, each shape becomes one SPARQL query over a whole batch that Oxigraph answers
in milliseconds (:mod:`kgpub.screening`). The queries *screen*: when one finds a focus node,
pySHACL still validates the batch and writes the report, so messages and locations never
change. A screen may flag too much, never too little. Whether a focus node conforms is
compiled by :mod:`kgpub.shape_conformance`, each expression ``strict`` or ``lenient``, and
whatever cannot be compiled exactly is listed in :attr:`ShapeQueries.approximations`, so a
shape nobody compiled cannot pass unchecked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, SH, Graph, Literal
from rdflib.term import Node

from kgpub.errors import ShapesError
from kgpub.shape_conformance import TYPE_PATH, ConformanceCompiler
from kgpub.shape_terms import binds_this, sparql_term


@dataclass
class ShapeQueries:
    """The screening queries of a shapes graph, and what could only be approximated."""

    queries: list[str] = field(default_factory=list)
    approximations: list[str] = field(default_factory=list)


class _Compiler(ConformanceCompiler):
    def __init__(self, shapes: Graph) -> None:
        super().__init__(shapes)
        self.prefixes: dict[str, str] = {}

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
