"""SHACL validation, and violations traced back to the fact file, line and field.

The only module that imports pyshacl. Non-conformance is a result, never an exception.

pySHACL, and rdflib's SPARQL engine it queries with, are imported only when pySHACL runs:
together they take about 0.15 s to import, and a build whose articles pass the screen
(:mod:`kgpub.screening`) never runs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rdflib import RDF, SH, SKOS, Graph, URIRef, plugin
from rdflib.query import Processor
from rdflib.term import Node

from kgpub.collection import Collection
from kgpub.errors import Problem, ShapesError
from kgpub.mapped_graphs import MappedGraphs
from kgpub.ontology import ontology_graph, shapes_graph
from kgpub.screening import shipped_screen
from kgpub.vocab import KG, OA, ORG, SCHEMA, SEM

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query

FIELD_OF_PROPERTY: dict[Node, str] = {
    SKOS.prefLabel: "labels",
    SKOS.altLabel: "aliases",
    SKOS.hiddenLabel: "misspellings",
    SCHEMA.value: "value",
    SCHEMA.minValue: "min",
    SCHEMA.maxValue: "max",
    KG.boundValue: "value",
    KG.valueQualifier: "qualifier",
    KG.rawText: "raw",
    KG.measure: "measure",
    SCHEMA.observationAbout: "about",
    SCHEMA.observationDate: "date",
    KG.claimant: "claimant",
    KG.stance: "stance",
    KG.certainty: "certainty",
    KG.claimStatus: "status",
    SCHEMA.appearance: "claimant",
    KG.contradicts: "denies",
    KG.reframes: "reframes",
    KG.corroborates: "confirms",
    KG.supersedes: "supersedes",
    KG.eventType: "type",
    SEM.hasTimeStamp: "date",
    SEM.subEventOf: "sub_event_of",
    KG.atFacility: "facility",
    KG.participant: "agent",
    KG.role: "role",
    SCHEMA.headline: "title",
    SCHEMA.publisher: "publisher",
    SCHEMA.datePublished: "published",
    SCHEMA.inLanguage: "language",
    SCHEMA.containedInPlace: "contained_in",
    KG.facilityType: "type",
    KG.placeKind: "kind",
    ORG.classification: "kind",
    OA.exact: "quote",
    KG.paragraph: "paragraph",
}
"""Which fact-file field a published property comes from, to point editors at it."""


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result: the node, the property, the offending value and the message."""

    focus: Node
    path: Node | None
    value: Node | None
    message: str
    severity: URIRef
    constraint: URIRef


@dataclass(frozen=True)
class ValidationReport:
    """Whether data conforms, and every result (violations, warnings, infos)."""

    conforms: bool
    results: tuple[ValidationResult, ...]

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        """The results that make the data non-conforming."""
        return tuple(r for r in self.results if r.severity == SH.Violation)


CONFORMS = ValidationReport(True, ())
"""The report of data that conforms with no warnings or notes (the screen's verdict)."""


class PreparedQueryProcessor(Processor):
    """rdflib's SPARQL processor, parsing each distinct query text once.

    pySHACL runs every SPARQL constraint once per focus node with the same text; rdflib parses
    the text on every call (35 ms each for our constraints: 60% of all validation time).
    A translated query is rdflib's reusable prepared form, so the results are unchanged.
    It hands the prepared query to rdflib's own processor, which is imported at the first
    query rather than with this module (see the module's docstring).
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def query(  # type: ignore[override]
        self,
        strOrQuery: str | Query,  # noqa: N803 - rdflib's names
        initBindings: Mapping[str, Any] | None = None,  # noqa: N803
        initNs: Mapping[str, Any] | None = None,  # noqa: N803
        base: str | None = None,
        DEBUG: bool = False,  # noqa: N803
    ) -> Mapping[str, Any]:
        """Evaluate a query, prepared once per distinct text, namespaces and base."""
        from rdflib.plugins.sparql.processor import SPARQLProcessor  # see the module's docstring

        prepared = strOrQuery
        if isinstance(prepared, str):
            namespaces = tuple(sorted((str(k), str(v)) for k, v in (initNs or {}).items()))
            prepared = _prepared(prepared, base, namespaces)
        rdflib_processor = SPARQLProcessor(self.graph)  # type: ignore[no-untyped-call]
        return rdflib_processor.query(prepared, initBindings, initNs, base, DEBUG)


@lru_cache(maxsize=512)
def _prepared(text: str, base: str | None, namespaces: tuple[tuple[str, str], ...]) -> Query:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    return translateQuery(parseQuery(text), base, dict(namespaces))


plugin.register("sparql", Processor, __name__, PreparedQueryProcessor.__name__)


def validate_graph(
    data: Graph, *, shapes: Graph | None = None, inplace: bool = False, screen: bool = True
) -> ValidationReport:
    """Validate ``data`` (with the code lists mixed in) against the shapes.

    With kgpub's own shapes, data is screened set-wise first (:mod:`kgpub.screening`) and
    pySHACL runs only when the screen flags something; ``screen=False`` always runs pySHACL.
    With ``inplace`` the ontology is mixed into ``data`` itself rather than into a copy: faster,
    for callers that throw ``data`` away afterwards.
    """
    if shapes is None and screen:
        screened = shipped_screen().screen([data.serialize(format="nt", encoding="utf-8")])
        if screened is not None and screened.conforms:
            return CONFORMS
    from pyshacl import validate as run_pyshacl  # imported here: see the module's docstring

    shapes = shapes if shapes is not None else shapes_graph()
    conforms, report, _ = run_pyshacl(
        data,
        shacl_graph=shapes,
        ont_graph=ontology_graph(),
        inference="none",
        allow_warnings=True,
        allow_infos=True,
        advanced=True,
        inplace=inplace,
    )
    if not isinstance(report, Graph):  # pySHACL returns its failure in the report slot
        raise ShapesError(f"the SHACL shapes cannot be used: {report}")
    results = tuple(sorted(_results(report), key=lambda r: (str(r.focus), str(r.path))))
    return ValidationReport(bool(conforms), results)


def _results(report: Graph) -> list[ValidationResult]:
    found = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        if (None, SH.detail, node) in report:  # pySHACL's nested detail repeats its parent
            continue
        message = report.value(node, SH.resultMessage)
        focus = report.value(node, SH.focusNode)
        if focus is None:
            continue
        found.append(
            ValidationResult(
                focus=focus,
                path=report.value(node, SH.resultPath),
                value=report.value(node, SH.value),
                message=str(message) if message is not None else "constraint not met",
                severity=URIRef(str(report.value(node, SH.resultSeverity))),
                constraint=URIRef(str(report.value(node, SH.sourceConstraintComponent))),
            )
        )
    return found


def union_graph(mapped: MappedGraphs) -> Graph:
    """All triples of every named graph, as the one graph pySHACL validates."""
    union = Graph()
    for graph in mapped.graphs():
        for triple in graph:
            union.add(triple)
    return union


def locate_results(
    report: ValidationReport, mapped: MappedGraphs, collection: Collection
) -> list[Problem]:
    """Each result as a :class:`Problem` naming file, line and field where it can."""
    documents = {
        collection.relative_path(source.document.source): source.document
        for source in collection.articles
    }
    if collection.registry_document is not None:
        documents[collection.relative_path(collection.registry_document.source)] = (
            collection.registry_document
        )
    problems = []
    for result in report.results:
        severity = str(result.severity).rsplit("#", 1)[-1].lower()
        message = result.message
        if result.value is not None:
            message += f" (value: {result.value.n3()})"
        if severity != "violation":
            message = f"{severity}: {message}"
        origin = mapped.origins.get(result.focus)
        if origin is None:
            problems.append(Problem(f"<{result.focus}>", "", message))
            continue
        pointer = origin.pointer
        field = FIELD_OF_PROPERTY.get(result.path) if result.path is not None else None
        document = documents.get(origin.source)
        if document is None:
            problems.append(Problem(origin.source, pointer, message))
            continue
        if field:
            pointer = f"{pointer}/{field}"
        problems.append(document.problem(pointer, message))
    return problems
