"""RDF namespaces and the kgpub ontology's terms, as rdflib constants.

Every ``KG`` term used in code is declared here, and a test checks that each one is defined in
``ontology/kgpub.ttl``: a typo fails the suite instead of minting a term nobody defined.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, DefinedNamespace

from kgpub.codes import CODE_LISTS

ONTOLOGY_IRI = "https://w3id.org/kgpub/ont"
VOCAB_BASE = "https://w3id.org/kgpub/vocab/"

SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
OA = Namespace("http://www.w3.org/ns/oa#")
WD = Namespace("http://www.wikidata.org/entity/")
GEONAMES = Namespace("https://sws.geonames.org/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS_REPLACES = DCTERMS.replaces
"""From an entity to the IRI of a former entry merged into it (``replaces`` in the registry)."""


class KG(DefinedNamespace):
    """The kgpub ontology (``ontology/kgpub.ttl``)."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # classes
    Article: URIRef
    Organization: URIRef
    Person: URIRef
    Place: URIRef
    Facility: URIRef
    Event: URIRef
    Participation: URIRef
    Observation: URIRef
    Claim: URIRef
    Mention: URIRef
    Evidence: URIRef

    # labels and identity
    wikidataId: URIRef
    geonamesId: URIRef
    geonamesAdmin1: URIRef
    iso3166Code: URIRef
    resolutionStatus: URIRef
    placeKind: URIRef
    facilityType: URIRef
    partOf: URIRef

    # events
    eventType: URIRef
    participation: URIRef
    participant: URIRef
    role: URIRef
    participantDescriptor: URIRef
    attacker: URIRef
    target: URIRef
    atFacility: URIRef
    placeDetail: URIRef
    timePrecision: URIRef
    timeExpression: URIRef

    # sourced relations between entities
    guardedBy: URIRef
    controlledBy: URIRef
    custodyOf: URIRef
    supportedBy: URIRef
    dominatedBy: URIRef
    opposes: URIRef

    # observations
    measure: URIRef
    valueQualifier: URIRef
    rawText: URIRef
    boundValue: URIRef
    scope: URIRef
    custodian: URIRef
    affiliation: URIRef
    population: URIRef
    nationality: URIRef
    breakdownOf: URIRef

    # claims
    claimant: URIRef
    reportedBy: URIRef
    stance: URIRef
    certainty: URIRef
    claimStatus: URIRef
    statedOn: URIRef
    about: URIRef
    evidence: URIRef
    paragraph: URIRef
    confirmedBy: URIRef
    notConfirmedBy: URIRef
    deniedBy: URIRef
    corroborates: URIRef
    contradicts: URIRef
    reframes: URIRef
    supersedes: URIRef

    # articles and mentions
    hasMention: URIRef
    denotes: URIRef
    surfaceForm: URIRef
    retrievedOn: URIRef
    sourceFile: URIRef


def concept(scheme: str, code: str) -> URIRef:
    """The IRI of a code-list concept.

    >>> str(concept("qualifier", "more-than"))
    'https://w3id.org/kgpub/vocab/qualifier/more-than'
    """
    if scheme not in CODE_LISTS:
        raise KeyError(f"unknown code list {scheme!r}; known: {', '.join(sorted(CODE_LISTS))}")
    return URIRef(f"{VOCAB_BASE}{scheme}/{code}")


def concept_scheme(scheme: str) -> URIRef:
    """The IRI of a code list (a ``skos:ConceptScheme``)."""
    if scheme not in CODE_LISTS:
        raise KeyError(f"unknown code list {scheme!r}")
    return URIRef(f"{VOCAB_BASE}{scheme}")


PREFIXES: dict[str, str] = {
    "kg": str(KG._NS),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "prov": str(PROV),
    "sem": str(SEM),
    "geo": str(GEO),
    "oa": str(OA),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "wd": str(WD),
    "dcterms": str(DCTERMS),
    **{scheme.replace("-", ""): f"{VOCAB_BASE}{scheme}/" for scheme in CODE_LISTS},
}
"""Prefixes for serialisations and for the query page (never injected into user queries)."""
