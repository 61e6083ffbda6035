"""Entity descriptions as triples: labels, types, identifiers, containment, memberships.

Used for the registry's entity graph and for entities an article declares for itself. The
triples go into a :class:`~kgpub.mapped_graphs.TripleSet`, as the mapper's do.
"""

from __future__ import annotations

from rdflib import RDF, SKOS, XSD, Literal, URIRef

from kgpub.entities import EntityId, EntityIndex, ReferenceProblem, country_labels
from kgpub.entity_kinds import (
    Country,
    Entity,
    Event,
    Facility,
    Organization,
    Person,
    Place,
)
from kgpub.iris import IriScheme
from kgpub.mapped_graphs import TripleSet
from kgpub.vocab import DCTERMS_REPLACES, GEO, GEONAMES, KG, ORG, SCHEMA, WD, concept

WKT_LITERAL = GEO.wktLiteral


def describe_entity(
    graph: TripleSet,
    entity_id: EntityId,
    entity: Entity | Country,
    *,
    index: EntityIndex,
    iris: IriScheme,
) -> URIRef:
    """Add an entity's description to ``graph`` and return its IRI."""
    subject = iris.entity(entity_id)
    add = graph.add
    _describe_names(graph, subject, entity)
    if entity.wikidata:
        add((subject, KG.wikidataId, Literal(entity.wikidata)))
        add((subject, SKOS.exactMatch, WD[entity.wikidata]))
    if entity.geonames:
        add((subject, KG.geonamesId, Literal(entity.geonames)))
        add((subject, SKOS.exactMatch, GEONAMES[f"{entity.geonames}/"]))

    def link(node: URIRef, predicate: URIRef, text: str, *kinds: str) -> None:
        try:
            target = iris.entity(index.resolve(text, kinds))
        except ReferenceProblem:  # reported, with its file and line, where it is written
            return
        add((node, predicate, target))

    if isinstance(entity, Country):
        describe_country(graph, entity.iso, iris=iris)
    elif isinstance(entity, Organization):
        add((subject, RDF.type, KG.Organization))
        add((subject, KG.resolutionStatus, concept("resolution-status", entity.resolution)))
        if entity.kind:
            add((subject, ORG.classification, concept("organization-kind", entity.kind)))
            if entity.kind == "international-coalition":
                add((subject, RDF.type, ORG.OrganizationalCollaboration))
        if entity.part_of:
            link(subject, ORG.subOrganizationOf, entity.part_of, "organization")
    elif isinstance(entity, Person):
        add((subject, RDF.type, KG.Person))
        for number, membership in enumerate(entity.memberships, start=1):
            node = iris.part(subject, f"membership-{number}")
            add((node, RDF.type, ORG.Membership))
            add((node, ORG.member, subject))
            link(node, ORG.organization, membership.organization, "organization")
            add((node, ORG.role, concept("role", membership.role)))
    elif isinstance(entity, Place):
        add((subject, RDF.type, KG.Place))
        add((subject, KG.placeKind, concept("place-kind", entity.kind)))
        if entity.contained_in:
            link(subject, SCHEMA.containedInPlace, entity.contained_in, "place", "country")
        if entity.geonames_admin1:
            add((subject, KG.geonamesAdmin1, Literal(entity.geonames_admin1)))
        if entity.coordinates:
            geometry = iris.part(subject, "geometry")
            point = f"POINT({entity.coordinates.lon} {entity.coordinates.lat})"
            add((subject, GEO.hasGeometry, geometry))
            add((geometry, RDF.type, GEO.Geometry))
            add((geometry, GEO.asWKT, Literal(point, datatype=WKT_LITERAL)))
    elif isinstance(entity, Facility):
        add((subject, RDF.type, KG.Facility))
        add((subject, KG.facilityType, concept("facility-type", entity.type)))
        link(subject, SCHEMA.containedInPlace, entity.located_in, "place", "country")
        if entity.part_of:
            link(subject, KG.partOf, entity.part_of, "facility")
    elif isinstance(entity, Event):
        add((subject, RDF.type, KG.Event))
    return subject


def describe_country(graph: TripleSet, iso: str, *, iris: IriScheme) -> None:
    """Describe a country from ISO 3166: its code, and English and French names.

    Names the registry gives win; ISO names fill only the languages it leaves out.
    """
    subject = iris.entity(EntityId("country", iso))
    graph.add((subject, RDF.type, KG.Place))
    graph.add((subject, RDF.type, SCHEMA.Country))
    graph.add((subject, KG.placeKind, concept("place-kind", "country")))
    graph.add((subject, KG.iso3166Code, Literal(iso)))
    given = {getattr(label, "language", None) for label in graph.objects(subject, SKOS.prefLabel)}
    for language, name in country_labels(iso).items():
        if language not in given:
            graph.add((subject, SKOS.prefLabel, Literal(name, lang=language)))


def describe_replacements(graph: TripleSet, index: EntityIndex, *, iris: IriScheme) -> None:
    """``<survivor> dcterms:replaces <former IRI>`` for each entry merged into another.

    Only the survivor is a subject: the former IRI must stay the subject of nothing, which is
    how the web app knows to redirect it instead of describing it.
    """
    for former, survivor in index.replacements():
        graph.add((iris.entity(survivor), DCTERMS_REPLACES, iris.entity(former)))


def _describe_names(graph: TripleSet, subject: URIRef, entity: Entity | Country) -> None:
    for language, label in entity.labels.items():
        graph.add((subject, SKOS.prefLabel, Literal(label, lang=language)))
    for predicate, names in (
        (SKOS.altLabel, entity.aliases),
        (SKOS.hiddenLabel, entity.misspellings),
    ):
        for language, group in names.items():
            for name in group:
                graph.add((subject, predicate, Literal(name, lang=language)))
    if isinstance(entity, Entity):
        for language, text in entity.description.items():
            graph.add((subject, SCHEMA.description, Literal(text, lang=language)))


def typed_date(value: str, precision: str) -> Literal:
    """A partial date as an XSD literal of its precision.

    >>> typed_date("2022-01-20", "month")
    rdflib.term.Literal('2022-01', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#gYearMonth'))
    """
    if precision == "day":
        return Literal(value, datatype=XSD.date)
    if precision == "month":
        return Literal(value[:7], datatype=XSD.gYearMonth)
    return Literal(value[:4], datatype=XSD.gYear)
