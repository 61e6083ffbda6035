"""The pieces of SHACL that become SPARQL text one by one: terms, paths, value constraints.

Used by :mod:`kgpub.shape_queries`. Each value constraint is an expression that never raises
a SPARQL error (an error would make a ``FILTER`` drop the row and hide a violation): where one
could occur, ``COALESCE`` gives the safe answer of the expression's polarity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdflib import RDF, SH, XSD, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection as RdfList
from rdflib.term import BNode, Node

from kgpub.errors import ShapesError

if TYPE_CHECKING:
    from rdflib.plugins.sparql.parserutils import CompValue

SAFE_ABOVE_THIS = {"Project", "Distinct", "Reduced", "OrderBy", "Filter", "Extend", "Join"}
"""Algebra operators a SPARQL constraint may have above the pattern that binds ``$this``."""

YEAR = "([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
"""Four digits but not 0000, which rdflib (so pySHACL) cannot read as a Python date."""
WELL_FORMED: dict[URIRef, str] = {
    XSD.date: 'REGEX(STR(%v), "^' + YEAR + '-[0-9]{2}-[0-9]{2}$") '
    "&& sameTerm(<http://www.w3.org/2001/XMLSchema#date>(STR(%v)), %v)",
    XSD.integer: 'REGEX(STR(%v), "^[+-]?[0-9]+$")',
}
"""How a strict check knows a literal of a datatype that pySHACL parses is not ill-typed.

Only the forms both rdflib and Oxigraph read the same way pass; anything else is flagged and
left to pySHACL. The other datatypes our shapes use (strings, gYear, gYearMonth, WKT) are
ones pySHACL does not parse, so their datatype IRI is all it checks.
"""
PARSED_BY_PYSHACL = {
    XSD.integer,
    XSD.decimal,
    XSD.float,
    XSD.double,
    XSD.boolean,
    XSD.date,
    XSD.time,
    XSD.dateTime,
}
NODE_KINDS: dict[Node, str] = {
    SH.IRI: "isIRI(%v)",
    SH.BlankNode: "isBlank(%v)",
    SH.Literal: "isLiteral(%v)",
    SH.BlankNodeOrIRI: "(isBlank(%v) || isIRI(%v))",
    SH.BlankNodeOrLiteral: "(isBlank(%v) || isLiteral(%v))",
    SH.IRIOrLiteral: "(isIRI(%v) || isLiteral(%v))",
}
"""Templates: ``%v`` stands for the value node's variable."""
COMPARISONS: dict[Node, str] = {
    SH.minInclusive: ">=",
    SH.maxInclusive: "<=",
    SH.minExclusive: ">",
    SH.maxExclusive: "<",
}


def sparql_term(node: Node) -> str:
    """An RDF term as SPARQL text, escaped so no text of the shapes can change the query."""
    if isinstance(node, URIRef):
        iri = str(node)
        if any(c in iri for c in '<>"{}|^`\\ \n\r\t'):
            raise ShapesError(
                f"the SHACL shapes use an IRI that cannot be written in SPARQL: {iri!r}"
            )
        return f"<{iri}>"
    if isinstance(node, Literal):
        text = _quoted(str(node))
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None and node.datatype != XSD.string:
            return f"{text}^^{sparql_term(node.datatype)}"
        return text
    raise ShapesError(f"the SHACL shapes use the blank node {node.n3()} where a term must be")


def _quoted(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def path_text(shapes: Graph, path: Node) -> str | None:
    """A SHACL property path as a SPARQL property path, or ``None`` for forms we do not know."""
    if isinstance(path, URIRef):
        return sparql_term(path)
    if not isinstance(path, BNode):
        return None
    if (path, RDF.first, None) in shapes:
        steps = [path_text(shapes, step) for step in RdfList(shapes, path)]
        return None if None in steps or not steps else f"({'/'.join(s for s in steps if s)})"
    for operator, suffix in (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        inner = shapes.value(path, operator)
        if inner is not None:
            step = path_text(shapes, inner)
            return None if step is None else f"({step}){suffix}"
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        step = path_text(shapes, inverse)
        return None if step is None else f"^({step})"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        steps = [path_text(shapes, step) for step in RdfList(shapes, alternatives)]
        return None if None in steps or not steps else f"({'|'.join(s for s in steps if s)})"
    return None


def value_constraint(
    shapes: Graph, shape: Node, parameter: Node, argument: Node, value: str, strict: bool
) -> str | None:
    """One constraint on one value node as a SPARQL expression, or ``None`` if unknown."""
    default = "false" if strict else "true"
    if parameter == SH.datatype and isinstance(argument, URIRef):
        template = _datatype(argument, strict)
        return None if template is None else template.replace("%v", value)
    if parameter == SH.nodeKind and argument in NODE_KINDS:
        return NODE_KINDS[argument].replace("%v", value)
    if parameter == SH.pattern:
        if not strict:  # Python's and Oxigraph's regular expressions differ at the edges
            return "true"
        flags = shapes.value(shape, SH.flags)
        pattern = (
            f"{_quoted(str(argument))}, {_quoted(str(flags))}" if flags else _quoted(str(argument))
        )
        return f"COALESCE(!isBlank({value}) && REGEX(STR({value}), {pattern}), false)"
    if parameter == SH.flags:
        return "true"  # read with sh:pattern
    if parameter in (SH.minLength, SH.maxLength) and isinstance(argument, Literal):
        operator = ">=" if parameter == SH.minLength else "<="
        length = int(argument)
        return f"COALESCE(!isBlank({value}) && STRLEN(STR({value})) {operator} {length}, {default})"
    if parameter in COMPARISONS and isinstance(argument, Literal):
        operator = COMPARISONS[parameter]
        return f"COALESCE({value} {operator} {sparql_term(argument)}, {default})"
    return None


def _datatype(datatype: URIRef, strict: bool) -> str | None:
    """A template for "%v is a literal of ``datatype``", ``None`` if strictness is unknown."""
    if datatype == RDF.langString:
        return '(isLiteral(%v) && LANG(%v) != "")'
    kind = f"(isLiteral(%v) && sameTerm(DATATYPE(%v), {sparql_term(datatype)}))"
    if not strict or datatype not in PARSED_BY_PYSHACL:
        return kind
    check = WELL_FORMED.get(datatype)
    if check is None:  # pySHACL parses it, and we cannot tell how a value fares
        return None
    return f"COALESCE({kind} && {check}, false)"


def binds_this(select: str, prefixes: dict[str, str]) -> bool:
    """Whether a SPARQL constraint can run once for all focus nodes instead of once each.

    SHACL binds ``$this`` before the query runs. Run unbound and joined with the targets, the
    query finds the same rows when it selects ``$this`` and a triple pattern of its main
    group binds it (not only a ``FILTER``, an ``OPTIONAL`` or a sub-query), with no
    ``LIMIT`` or aggregate across focus nodes. Anything else is run the slow way.
    """
    # Imported here: rdflib's SPARQL parser (with pyparsing) takes about 0.1 s to import, and
    # only compiling the shapes needs it, which a build whose screen is cached never does.
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    if "$PATH" in select:
        return False
    try:
        algebra = translateQuery(parseQuery(select), initNs=prefixes).algebra
    except (ParseException, ValueError, TypeError):
        return False
    this = Variable("this")
    if this not in (algebra.get("PV") or []):
        return False
    return _main_group_binds(algebra["p"], this)


def _main_group_binds(node: CompValue, this: Variable) -> bool:
    # The class itself, to tell operators from terms (binds_this has loaded the parser).
    from rdflib.plugins.sparql.parserutils import CompValue

    if node.name == "BGP":
        return any(this in (subject, obj) for subject, _, obj in node["triples"])
    if node.name == "LeftJoin":
        return _main_group_binds(node["p1"], this)
    if node.name not in SAFE_ABOVE_THIS:
        return False
    children = [node[key] for key in ("p", "p1", "p2") if isinstance(node.get(key), CompValue)]
    return any(_main_group_binds(child, this) for child in children)


def all_of(parts: list[str]) -> str:
    """The conjunction of SPARQL expressions, simplified where a part is a constant."""
    kept = [p for p in parts if p != "true"]
    if "false" in kept:
        return "false"
    return " && ".join(f"({p})" for p in kept) if kept else "true"


def any_of(parts: list[str]) -> str:
    """The disjunction of SPARQL expressions, simplified where a part is a constant."""
    kept = [p for p in parts if p != "false"]
    if "true" in kept:
        return "true"
    return " || ".join(f"({p})" for p in kept) if kept else "false"


def count_of(node: Node) -> int:
    """A cardinality of the shapes (``sh:minCount 1``) as a number."""
    if not isinstance(node, Literal) or not isinstance(node.value, int):
        raise ShapesError(f"the SHACL shapes give {node.n3()} where a count must be")
    return node.value
