"""The published ontology and code lists stay in step with the code that uses them."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef

from kgpub.codes import CODE_LISTS
from kgpub.vocab import KG, ONTOLOGY_IRI, concept, concept_scheme

ONTOLOGY_DIR = Path(__file__).parents[1] / "ontology"
LANGUAGES = ("en", "fr")
DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
KG_NAMESPACE = str(KG._NS)


@cache
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "kgpub.ttl", format="turtle")


@cache
def codelists() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "codelists.ttl", format="turtle")


def vocab_terms() -> list[str]:
    names = [name for name in KG.__annotations__ if not name.startswith("_")]
    assert names, "kgpub.vocab.KG declares no terms"
    return names


def languages(graph: Graph, subject: URIRef, predicate: URIRef) -> Counter[str | None]:
    return Counter(
        value.language
        for value in graph.objects(subject, predicate)
        if isinstance(value, Literal) and str(value).strip()
    )


@pytest.mark.parametrize("name", vocab_terms())
def test_every_vocab_term_is_defined_in_the_ontology(name: str) -> None:
    term = KG[name]
    kinds = set(ontology().objects(term, RDF.type)) & set(DECLARATIONS)
    assert len(kinds) == 1, (
        f"kg:{name} must be declared as exactly one of owl:Class, owl:ObjectProperty or "
        f"owl:DatatypeProperty in kgpub.ttl; found {sorted(kinds)}"
    )
    for predicate in (RDFS.label, SKOS.definition):
        found = languages(ontology(), term, predicate)
        for language in LANGUAGES:
            assert found[language] >= 1, f"kg:{name} has no {predicate.n3()} in @{language}"
    assert (term, RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI)) in ontology(), (
        f"kg:{name} lacks rdfs:isDefinedBy <{ONTOLOGY_IRI}>"
    )


def test_the_ontology_defines_no_term_missing_from_vocab() -> None:
    mentioned = {
        str(node)
        for triple in ontology()
        for node in triple
        if isinstance(node, URIRef) and str(node).startswith(KG_NAMESPACE)
    }
    assert mentioned, "kgpub.ttl mentions no kg: term at all"
    known = {str(KG[name]) for name in vocab_terms()}
    orphans = sorted(mentioned - known)
    assert not orphans, f"kgpub.ttl uses kg: terms that kgpub.vocab.KG does not declare: {orphans}"


def test_the_ontology_declares_itself_with_a_version() -> None:
    iri = URIRef(ONTOLOGY_IRI)
    assert (iri, RDF.type, OWL.Ontology) in ontology(), f"<{ONTOLOGY_IRI}> is not an owl:Ontology"
    versions = list(ontology().objects(iri, OWL.versionInfo))
    assert len(versions) == 1, f"the ontology needs one owl:versionInfo, has {versions}"
    assert str(versions[0]).strip(), "the ontology's owl:versionInfo is empty"


def test_datatype_properties_and_object_properties_are_not_mixed_up() -> None:
    graph = ontology()
    object_properties = set(graph.subjects(RDF.type, OWL.ObjectProperty))
    datatype_properties = set(graph.subjects(RDF.type, OWL.DatatypeProperty))
    assert object_properties and datatype_properties
    literal_valued = {"rawText", "boundValue", "surfaceForm", "paragraph", "wikidataId"}
    for name in literal_valued:
        assert KG[name] in datatype_properties, f"kg:{name} should be an owl:DatatypeProperty"
    for name in ("claimant", "measure", "valueQualifier", "custodian", "denotes"):
        assert KG[name] in object_properties, f"kg:{name} should be an owl:ObjectProperty"


@pytest.mark.parametrize("scheme", sorted(CODE_LISTS))
def test_every_code_list_is_published_with_exactly_its_enum_members(scheme: str) -> None:
    graph = codelists()
    scheme_iri = concept_scheme(scheme)
    assert (scheme_iri, RDF.type, SKOS.ConceptScheme) in graph, (
        f"codelists.ttl has no skos:ConceptScheme <{scheme_iri}>"
    )
    labels = languages(graph, scheme_iri, SKOS.prefLabel)
    for language in LANGUAGES:
        assert labels[language] == 1, f"scheme {scheme} needs one skos:prefLabel in @{language}"
    assert languages(graph, scheme_iri, SKOS.definition)["en"] >= 1, (
        f"scheme {scheme} has no skos:definition in @en"
    )
    expected = {concept(scheme, member.value) for member in CODE_LISTS[scheme]}
    assert expected, f"the enum behind {scheme!r} has no members"
    published = set(graph.subjects(SKOS.inScheme, scheme_iri))
    missing = sorted(str(iri) for iri in expected - published)
    extra = sorted(str(iri) for iri in published - expected)
    assert not missing, f"{scheme}: concepts missing from codelists.ttl: {missing}"
    assert not extra, f"{scheme}: concepts in codelists.ttl that are not enum members: {extra}"


@pytest.mark.parametrize("scheme", sorted(CODE_LISTS))
def test_every_concept_has_one_label_per_language_and_definitions(scheme: str) -> None:
    graph = codelists()
    scheme_iri = concept_scheme(scheme)
    members = list(CODE_LISTS[scheme])
    assert members, f"the enum behind {scheme!r} has no members"
    for member in members:
        iri = concept(scheme, member.value)
        where = f"{scheme}/{member.value}"
        assert (iri, RDF.type, SKOS.Concept) in graph, f"{where} is not a skos:Concept"
        assert (iri, SKOS.topConceptOf, scheme_iri) in graph, f"{where} lacks skos:topConceptOf"
        assert (iri, SKOS.notation, Literal(member.value)) in graph, (
            f'{where} lacks skos:notation "{member.value}"'
        )
        labels = languages(graph, iri, SKOS.prefLabel)
        definitions = languages(graph, iri, SKOS.definition)
        for language in LANGUAGES:
            assert labels[language] == 1, (
                f"{where} has {labels[language]} skos:prefLabel in @{language}; expected 1"
            )
            assert definitions[language] >= 1, f"{where} has no skos:definition in @{language}"


def test_no_concept_belongs_to_a_scheme_outside_the_code_lists() -> None:
    graph = codelists()
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    assert schemes, "codelists.ttl declares no concept scheme"
    known = {concept_scheme(scheme) for scheme in CODE_LISTS}
    assert schemes == known, f"unexpected or missing schemes: {sorted(schemes ^ known)}"
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert concepts
    homeless = sorted(str(c) for c in concepts if not set(graph.objects(c, SKOS.inScheme)))
    assert not homeless, f"concepts with no skos:inScheme: {homeless}"
