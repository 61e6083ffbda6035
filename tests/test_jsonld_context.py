"""The JSON-LD context: derived from the ontology and the shapes, clash-free, resolved locally."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from pyld import jsonld
from rdflib import OWL, RDF, RDFS, SH, XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kgpub.errors import ShapesError
from kgpub.jsonld_context import (
    CONTEXT_PREFIXES,
    build_context,
    compact_iri,
    context_document,
    kgpub_context,
    local_context_loader,
    name_terms,
)
from kgpub.ontology import ontology_graph, shapes_graph
from kgpub.vocab import KG, ORG, SCHEMA

CONTEXT_URL = "https://kg.example.org/context.jsonld"


def expanded_iri(context: dict[str, Any], term: str) -> str:
    """The IRI ``term`` stands for, as a JSON-LD processor reads the context."""
    loader = local_context_loader(CONTEXT_URL)
    expanded = jsonld.expand({"@context": context, term: "x"}, {"documentLoader": loader})
    (iri,) = expanded[0].keys()
    return str(iri)


def kg_terms(rdf_type: URIRef) -> list[URIRef]:
    graph = ontology_graph()
    return sorted(s for s in graph.subjects(RDF.type, rdf_type) if str(s).startswith(str(KG)))


def test_every_class_and_property_of_the_ontology_has_a_term_named_by_its_local_name() -> None:
    context = kgpub_context()
    terms = [*kg_terms(OWL.Class), *kg_terms(OWL.ObjectProperty), *kg_terms(OWL.DatatypeProperty)]
    assert len(terms) > 60
    for iri in terms:
        name = str(iri).removeprefix(str(KG))
        assert name in context, name
        assert expanded_iri(context, name) == str(iri)


def test_object_properties_hold_iris_and_datatype_properties_follow_their_range() -> None:
    context = kgpub_context()
    for iri in kg_terms(OWL.ObjectProperty):
        assert context[iri.removeprefix(str(KG))]["@type"] == "@id", iri
    ranges = {
        str(iri).removeprefix(str(KG)): ontology_graph().value(iri, RDFS.range)
        for iri in kg_terms(OWL.DatatypeProperty)
    }
    for name, datatype in ranges.items():
        definition = context[name]
        if datatype == RDF.langString:
            assert "@language" in definition["@container"], name
        elif datatype == XSD.date:
            assert definition["@type"] == "xsd:date", name
        else:  # strings and integers are JSON's own; a union of datatypes keeps value objects
            assert "@type" not in definition, name


def test_a_property_is_a_single_value_only_where_a_shape_allows_it_once() -> None:
    context = kgpub_context()
    assert "@container" not in context["claimant"]  # sh:maxCount 1 on claims
    assert context["about"]["@container"] == "@set"  # any number of entities
    assert context["prefLabel"]["@container"] == "@language"  # sh:uniqueLang
    assert context["altLabel"]["@container"] == ["@language", "@set"]


def test_the_context_follows_a_change_of_the_ontology() -> None:
    ontology = Graph()
    for triple in ontology_graph():
        ontology.add(triple)
    reviewed_on = KG._NS["reviewedOn"]  # a term the real ontology does not have (yet)
    ontology.add((reviewed_on, RDF.type, OWL.DatatypeProperty))
    ontology.add((reviewed_on, RDFS.range, XSD.gYear))
    ontology.remove((KG.opposes, None, None))
    context = build_context(ontology, shapes_graph())
    assert context["reviewedOn"] == {
        "@id": "kg:reviewedOn",
        "@type": "xsd:gYear",
        "@container": "@set",
    }
    assert "opposes" not in context


def test_a_shape_limiting_a_property_to_one_value_makes_it_single() -> None:
    shapes = Graph()
    shape = URIRef("https://example.org/shapes#reviewer")
    shapes.add((shape, SH.path, KG.opposes))
    shapes.add((shape, SH.maxCount, Literal(1)))
    context = build_context(ontology_graph(), shapes)
    assert context["opposes"] == {"@id": "kg:opposes", "@type": "@id"}
    assert context["about"]["@container"] == "@set"


def test_clashing_local_names_go_to_the_namespace_listed_first_whatever_the_order() -> None:
    forward = name_terms([str(KG.role), str(ORG.role)])
    backward = name_terms([str(ORG.role), str(KG.role)])
    assert forward == backward == {"role": str(KG.role), "org:role": str(ORG.role)}
    schema_first = name_terms([str(ORG.Organization), str(SCHEMA.Organization)])
    assert schema_first == {
        "Organization": str(SCHEMA.Organization),
        "org:Organization": str(ORG.Organization),
    }
    assert list(CONTEXT_PREFIXES).index("schema") < list(CONTEXT_PREFIXES).index("org")


def test_kgpubs_own_clash_keeps_role_for_the_ontology_and_org_role_for_memberships() -> None:
    context = kgpub_context()
    assert expanded_iri(context, "role") == str(KG.role)
    assert expanded_iri(context, "org:role") == str(ORG.role)


def test_a_local_name_that_is_a_prefix_or_an_alias_is_never_a_term() -> None:
    assert name_terms(["https://schema.org/type", "https://schema.org/geo"]) == {
        "schema:geo": "https://schema.org/geo",
        "schema:type": "https://schema.org/type",
    }


def test_an_iri_outside_every_prefix_is_refused_saying_where_to_add_it() -> None:
    with pytest.raises(ShapesError, match="CONTEXT_PREFIXES") as raised:
        compact_iri("https://example.org/terms#thing")
    assert "https://example.org/terms#thing" in str(raised.value)


def test_the_published_document_is_the_context_and_refers_to_nothing_remote() -> None:
    published = json.loads(context_document())
    assert published == {"@context": kgpub_context()}
    definitions = [value for value in published["@context"].values() if isinstance(value, dict)]
    assert definitions
    assert all("@context" not in definition for definition in definitions)
    assert "@import" not in published["@context"]


def test_the_loader_hands_over_the_context_and_refuses_any_other_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a connection was attempted: {args}")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    loader = local_context_loader(CONTEXT_URL)
    assert loader(CONTEXT_URL)["document"] == {"@context": kgpub_context()}
    with pytest.raises(jsonld.JsonLdError, match="never fetches"):
        loader("https://schema.org/")
    dotted = local_context_loader("https://kg.example.org/kg/./context.jsonld")
    assert dotted("https://kg.example.org/kg/context.jsonld")["document"]["@context"]
    remote = {"@context": ["https://schema.org/", CONTEXT_URL], "name": "x"}
    with pytest.raises(jsonld.JsonLdError) as raised:
        jsonld.expand(remote, {"documentLoader": loader})
    assert "never fetches" in str(raised.value.__cause__ or raised.value)


def test_the_ontology_itself_compacts_to_short_keys_and_expands_to_the_same_graph() -> None:
    loader = local_context_loader(CONTEXT_URL)
    ntriples = ontology_graph().serialize(format="nt")
    expanded = jsonld.from_rdf(ntriples, {"format": "application/n-quads"})
    compacted = jsonld.compact(expanded, CONTEXT_URL, {"documentLoader": loader})
    keys = {key for node in compacted["@graph"] for key in node}
    assert {"label", "definition", "range", "subClassOf", "inScheme", "prefLabel"} <= keys
    assert not [key for key in keys if "://" in key]
    back = jsonld.to_rdf(compacted, {"format": "application/n-quads", "documentLoader": loader})
    assert isomorphic(Graph().parse(data=back, format="nt"), ontology_graph())
