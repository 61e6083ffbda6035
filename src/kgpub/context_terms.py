"""The terms of kgpub's JSON-LD context, and the kind of value each property holds.

:mod:`kgpub.jsonld_context` names the terms and writes the context; here they are gathered.
``kg:`` classes and properties come from ``ontology/kgpub.ttl``, the kind of a datatype
property's values from its range; terms reused from other vocabularies come from
:data:`REUSED_PROPERTIES` and :data:`REUSED_CLASSES`; the properties the ontology is written
with (``rdfs:label``…) are known by the values it gives them; and a property some shape allows
once per node is single-valued (:func:`single_valued_paths`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import Enum
from typing import Any

from rdflib import OWL, RDF, SH, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS, XSD

from kgpub.vocab import GEO, KG, OA, ORG, SCHEMA, SEM


class ValueKind(Enum):
    """How a property's values are written in compact JSON-LD.

    IRIs as strings (``NODE``), language maps (``TEXT``), JSON numbers (``NUMBER``), JSON
    strings (``STRING``), strings of the one datatype the context names (``TYPED``), or value
    objects that keep each value's datatype (``MIXED``).
    """

    NODE = "node"
    TEXT = "text"
    NUMBER = "number"
    STRING = "string"
    TYPED = "typed"
    MIXED = "mixed"


@dataclass(frozen=True)
class PropertySpec:
    """What the context needs to know about a property: its IRI and its kind of value."""

    iri: URIRef
    kind: ValueKind
    datatype: URIRef | None = None


REUSED_PROPERTIES: dict[ValueKind, tuple[URIRef, ...]] = {
    ValueKind.NODE: (
        *(SKOS.exactMatch, DCTERMS.replaces, GEO.hasGeometry, OA.hasSource, OA.hasSelector),
        *(ORG.classification, ORG.subOrganizationOf, ORG.member, ORG.organization, ORG.role),
        *(SCHEMA.containedInPlace, SCHEMA.publisher, SCHEMA.sourceOrganization, SCHEMA.url),
        *(SCHEMA.translationOfWork, SCHEMA.mentions, SCHEMA.appearance, SEM.hasPlace),
        *(SCHEMA.observationAbout, SEM.subEventOf),
    ),
    ValueKind.TEXT: (
        *(SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, SCHEMA.description),
        *(SCHEMA.headline, OA.exact),
    ),
    ValueKind.MIXED: (
        *(SCHEMA.datePublished, SCHEMA.observationDate, SCHEMA.temporalCoverage),
        *(SEM.hasTimeStamp, SEM.hasEndTimeStamp),
    ),
    ValueKind.NUMBER: (SCHEMA.value, SCHEMA.minValue, SCHEMA.maxValue),
    ValueKind.STRING: (SCHEMA.inLanguage, SCHEMA.unitText),
}
"""Properties of other vocabularies that kgpub writes (the ontology's ``rdfs:comment`` names
them), by kind of value; ``geo:asWKT`` is typed (:data:`REUSED_TYPED_PROPERTIES`)."""
REUSED_TYPED_PROPERTIES = (PropertySpec(GEO.asWKT, ValueKind.TYPED, GEO.wktLiteral),)
REUSED_CLASSES: tuple[URIRef, ...] = (
    *(SCHEMA.Country, SCHEMA.NewsArticle, ORG.Membership, ORG.OrganizationalCollaboration),
    *(GEO.Geometry, OA.TextQuoteSelector),
)
"""Classes of other vocabularies that kgpub writes."""
_KIND_OF_RANGE = {
    RDF.langString: ValueKind.TEXT,
    XSD.string: ValueKind.STRING,
    **dict.fromkeys((XSD.integer, XSD.positiveInteger, XSD.nonNegativeInteger), ValueKind.NUMBER),
}
"""Ranges JSON has a type for (kgpub writes every integer as ``xsd:integer``)."""


def ontology_properties(ontology: Graph) -> list[PropertySpec]:
    """The ``kg:`` properties of ``ontology``, each with the kind of value its range gives."""
    found = []
    object_properties = _kg_subjects(ontology, OWL.ObjectProperty)
    for iri in sorted(object_properties | _kg_subjects(ontology, OWL.DatatypeProperty)):
        if iri in object_properties:
            found.append(PropertySpec(iri, ValueKind.NODE))
        else:
            found.append(_datatype_property(iri, list(ontology.objects(iri, RDFS.range))))
    return found


def _datatype_property(iri: URIRef, ranges: list[Any]) -> PropertySpec:
    if len(ranges) != 1 or not isinstance(ranges[0], URIRef):
        return PropertySpec(iri, ValueKind.MIXED)  # a union of datatypes, or none said
    kind = _KIND_OF_RANGE.get(ranges[0], ValueKind.TYPED)
    return PropertySpec(iri, kind, ranges[0] if kind is ValueKind.TYPED else None)


def description_properties(ontology: Graph) -> list[PropertySpec]:
    """The properties the ontology and code lists are written with, as they use them.

    They give ``rdfs:label``, ``skos:definition``, ``rdfs:range``… short keys in documents
    about terms and concepts.
    """
    kinds: dict[URIRef, set[ValueKind]] = defaultdict(set)
    for _, predicate, value in ontology:
        if predicate != RDF.type and isinstance(predicate, URIRef):
            kinds[predicate].add(_observed_kind(value))
    return [
        PropertySpec(iri, found.pop() if len(found) == 1 else ValueKind.MIXED)
        for iri, found in sorted(kinds.items())
    ]


def _observed_kind(value: object) -> ValueKind:
    if not isinstance(value, Literal):
        return ValueKind.NODE
    if value.language:
        return ValueKind.TEXT
    return ValueKind.STRING if value.datatype in (None, XSD.string) else ValueKind.MIXED


def ontology_classes(ontology: Graph) -> list[URIRef]:
    """The ``kg:`` classes of ``ontology``."""
    return sorted(_kg_subjects(ontology, OWL.Class))


def _kg_subjects(ontology: Graph, rdf_type: URIRef) -> set[URIRef]:
    return {
        subject
        for subject in ontology.subjects(RDF.type, rdf_type)
        if isinstance(subject, URIRef) and subject.startswith(str(KG))
    }


def single_valued_paths(shapes: Graph) -> set[URIRef]:
    """Properties some shape allows once per node, or once per language for texts."""
    limited = {
        *shapes.subjects(SH.maxCount, Literal(1)),
        *shapes.subjects(SH.uniqueLang, Literal(True)),
    }
    paths = {path for shape in limited for path in shapes.objects(shape, SH.path)}
    return {path for path in paths if isinstance(path, URIRef)}
