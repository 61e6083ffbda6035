"""The JSON-LD context of kgpub's documents, derived from the ontology and the shapes.

It makes kgpub's JSON-LD plain JSON: classes and properties are short keys (their local
names: ``partOf``, ``prefLabel``, ``Organization``), ``id`` and ``type`` stand for ``@id`` and
``@type``, object properties hold IRIs as strings (code-list concepts as
``vocab:<scheme>/<concept>``), texts are language maps (``prefLabel.en``: a resource has names
in several languages), integers are JSON numbers, and a datatype property's range types its
values (``"retrievedOn": "2022-01-21"``). Values whose datatypes vary (dates to the day, month
or year) stay ``{"@value": "2022-01", "type": "xsd:gYearMonth"}``, keeping their precision. A
property that some shape allows once per node (``sh:maxCount 1``, or ``sh:uniqueLang``) is a
single value; every other one is always an array (``@set``), so scripts never guess.

``kg:`` terms come from ``ontology/kgpub.ttl``, terms reused from other vocabularies from
:data:`~kgpub.context_terms.REUSED_PROPERTIES` and :data:`~kgpub.context_terms.REUSED_CLASSES`,
and those the ontology is written with (``rdfs:label``…) from the ontology's own statements
(:mod:`kgpub.context_terms` gathers them all). When local names clash (``kg:role``,
``org:role``), the namespace first in :data:`CONTEXT_PREFIXES` keeps the name and the others
are keyed by their compact IRI.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from pyld import iri_resolver, jsonld
from rdflib import OWL, RDF, Graph, URIRef
from rdflib.namespace import DCTERMS, PROV, RDFS, SKOS, VANN, XSD

from kgpub.context_terms import (
    REUSED_CLASSES,
    REUSED_PROPERTIES,
    REUSED_TYPED_PROPERTIES,
    PropertySpec,
    ValueKind,
    description_properties,
    ontology_classes,
    ontology_properties,
    single_valued_paths,
)
from kgpub.errors import ShapesError
from kgpub.ontology import ontology_graph, shapes_graph
from kgpub.vocab import GEO, KG, OA, ORG, SCHEMA, SEM, VOCAB_BASE

CONTEXT_PATH = "context.jsonld"
"""Where the web app publishes the context, under its root."""
CONTEXT_PREFIXES: dict[str, str] = {
    "kg": str(KG),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "org": str(ORG),
    "prov": str(PROV),
    "sem": str(SEM),
    "geo": str(GEO),
    "oa": str(OA),
    "rdfs": str(RDFS),
    "dcterms": str(DCTERMS),
    "xsd": str(XSD),
    "vocab": VOCAB_BASE,
    "owl": str(OWL),
    "rdf": str(RDF),
    "vann": str(VANN),
}
"""The context's prefixes, in the order that settles clashes between local names."""
ALIASES = {"id": "@id", "type": "@type"}
"""Keyword aliases, so plain-JSON code reads ``node.id`` and ``node.type``."""


def local_name(iri: str) -> str:
    """The part of ``iri`` after its namespace: the last ``#`` or ``/`` segment.

    >>> local_name("http://www.w3.org/ns/org#role")
    'role'
    """
    return iri[max(iri.rfind("#"), iri.rfind("/")) + 1 :]


def compact_iri(iri: str) -> str:
    """``iri`` as ``prefix:local`` with the context's first matching prefix.

    >>> compact_iri("http://www.w3.org/ns/org#role")
    'org:role'

    :raises ShapesError: when no prefix of the context covers ``iri``.
    """
    for prefix, namespace in CONTEXT_PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    raise ShapesError(
        f"{iri} is in no namespace of the JSON-LD context; add its namespace to "
        "kgpub.jsonld_context.CONTEXT_PREFIXES"
    )


def name_terms(iris: Iterable[str]) -> dict[str, str]:
    """A key for each IRI: its local name, or its compact IRI when the local name is taken.

    IRIs sharing a local name clash: the one whose namespace comes first in
    :data:`CONTEXT_PREFIXES` keeps the name, whatever order the IRIs come in. A local name
    that is a prefix or an alias is never a term.

    >>> name_terms(["http://www.w3.org/ns/org#role", "https://w3id.org/kgpub/ont#role"])
    {'role': 'https://w3id.org/kgpub/ont#role', 'org:role': 'http://www.w3.org/ns/org#role'}
    """
    by_local_name: dict[str, set[str]] = defaultdict(set)
    for iri in iris:
        by_local_name[local_name(iri)].add(iri)
    reserved = CONTEXT_PREFIXES.keys() | ALIASES.keys()
    terms: dict[str, str] = {}
    for name in sorted(by_local_name):
        ranked = sorted(by_local_name[name], key=_namespace_rank)
        for position, iri in enumerate(ranked):
            key = name if position == 0 and name not in reserved else compact_iri(iri)
            terms[key] = iri
    return terms


def _namespace_rank(iri: str) -> tuple[int, str]:
    for rank, namespace in enumerate(CONTEXT_PREFIXES.values()):
        if iri.startswith(namespace):
            return rank, iri
    return len(CONTEXT_PREFIXES), iri


def term_definition(spec: PropertySpec, *, single: bool) -> dict[str, Any]:
    """The context entry of one property."""
    definition: dict[str, Any] = {"@id": compact_iri(spec.iri)}
    if spec.kind is ValueKind.NODE:
        definition["@type"] = "@id"
    elif spec.kind is ValueKind.TYPED and spec.datatype is not None:
        definition["@type"] = compact_iri(spec.datatype)
    if spec.kind is ValueKind.TEXT:
        definition["@container"] = "@language" if single else ["@language", "@set"]
    elif not single:
        definition["@container"] = "@set"
    return definition


def build_context(ontology: Graph, shapes: Graph) -> dict[str, Any]:
    """The context (the value of ``@context``) for ``ontology`` and ``shapes``."""
    reused = [PropertySpec(iri, kind) for kind, iris in REUSED_PROPERTIES.items() for iri in iris]
    specs = (*ontology_properties(ontology), *reused, *REUSED_TYPED_PROPERTIES)
    properties = {spec.iri: spec for spec in description_properties(ontology)}
    properties.update({spec.iri: spec for spec in specs})  # what the ontology says wins
    used_classes = (o for o in ontology.objects(None, RDF.type) if isinstance(o, URIRef))
    classes = {*ontology_classes(ontology), *REUSED_CLASSES, *used_classes}
    single = single_valued_paths(shapes)
    # @protected: a document that adds its own context cannot silently redefine kgpub's terms
    context: dict[str, Any] = {"@version": 1.1, "@protected": True, "@vocab": str(KG)}
    context.update(CONTEXT_PREFIXES)
    context.update(ALIASES)
    for term, iri in name_terms([*properties, *classes]).items():
        spec = properties.get(URIRef(iri))
        if spec is None:
            context[term] = compact_iri(iri)
        else:
            context[term] = term_definition(spec, single=spec.iri in single)
    return context


@cache
def kgpub_context() -> dict[str, Any]:
    """The context of kgpub's documents, from the packaged ontology and shapes (read-only)."""
    return build_context(ontology_graph(), shapes_graph())


@cache
def context_document() -> bytes:
    """The context as the JSON document the web app publishes: ``{"@context": {…}}``."""
    text = json.dumps({"@context": kgpub_context()}, indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


DocumentLoader = Callable[..., dict[str, Any]]
"""A PyLD document loader: called with a URL (and options), returns the remote document."""


def local_context_loader(context_url: str) -> DocumentLoader:
    """A PyLD document loader that knows one URL, kgpub's context, and never fetches anything.

    The context is handed over as the object :func:`kgpub_context` builds; any other URL is
    refused, so compacting or expanding a document never opens a network connection.
    """
    remote_document = {
        "contextUrl": None,
        "documentUrl": context_url,
        "document": {"@context": kgpub_context()},
        "tag": "static",  # lets PyLD keep the processed context between documents
    }

    # PyLD removes dot segments before it asks, so it may ask for that form of the URL
    known = {context_url, iri_resolver.resolve(context_url, None)}

    def load(url: str, options: object = None) -> dict[str, Any]:
        if url not in known:
            raise jsonld.JsonLdError(
                f"kgpub never fetches JSON-LD documents over the network, and {url} is not its "
                f"context ({context_url}); pass contexts as objects instead",
                "kgpub.RemoteDocumentRefused",
                {"url": url},
                code="loading remote context failed",
            )
        return remote_document

    return load
