"""The documents of the ontology, its code lists and their concepts: which quads each holds.

They are read from the one graph the build publishes the vocabulary in, named by the
ontology's IRI, so a deployment's data can never add statements to a shared term:

- the **ontology** (``https://w3id.org/kgpub/ont``): its own statements and those of every
  term (``…/ont#Term``), since a client that dereferences ``…/ont#Article`` fetches ``…/ont``;
- a **code list** (``…/vocab/<scheme>``): its statements and those of every concept in it, so
  one request gets the whole list;
- a **concept** (``…/vocab/<scheme>/<concept>``): its own statements.

Each also holds the skolemised nodes its statements point at (the build turns the ontology's
blank nodes into ``…/.well-known/genid/…`` IRIs, RDF 1.1 §3.5), such as the union of
datatypes that is the range of ``kg:statedOn``. The result is an
:class:`~kgpub.web.entity_documents.EntityDocument`, written out and tagged like any other.
Nothing here imports Flask.
"""

from __future__ import annotations

from typing import TypeGuard

import pyoxigraph
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kgpub.vocab import ONTOLOGY_IRI
from kgpub.web.entity_documents import EntityDocument, QuadSource

VOCABULARY_GRAPH = pyoxigraph.NamedNode(ONTOLOGY_IRI)
"""Where the build publishes the ontology and the code lists."""
SKOLEM_PATH = "/.well-known/genid/"
"""The path RDF 1.1 reserves for IRIs that stand for blank nodes."""
IN_SCHEME = pyoxigraph.NamedNode(str(SKOS.inScheme))
IS_DEFINED_BY = pyoxigraph.NamedNode(str(RDFS.isDefinedBy))
TYPE = pyoxigraph.NamedNode(str(RDF.type))
TERM_TYPES = tuple(
    pyoxigraph.NamedNode(str(kind))
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
)
"""What the ontology types its terms as."""


def is_skolem(term: object) -> TypeGuard[pyoxigraph.NamedNode]:
    """Whether ``term`` is an IRI standing for a blank node of the vocabulary.

    >>> is_skolem(pyoxigraph.NamedNode("https://w3id.org/kgpub/.well-known/genid/cb0"))
    True
    """
    return isinstance(term, pyoxigraph.NamedNode) and SKOLEM_PATH in term.value


def ontology_anchor(iri: str) -> str | None:
    """The anchor of an ontology term on the ontology page (``Article`` for ``…/ont#Article``).

    >>> ontology_anchor("https://w3id.org/kgpub/ont#Article")
    'Article'
    >>> ontology_anchor("https://schema.org/Article") is None
    True
    """
    prefix = f"{ONTOLOGY_IRI}#"
    return iri.removeprefix(prefix) if iri.startswith(prefix) and iri != prefix else None


def ontology_terms(source: QuadSource) -> list[pyoxigraph.NamedNode]:
    """Every term of the vocabulary graph under ``…/ont#``, sorted.

    A term is defined by the ontology (``rdfs:isDefinedBy``) or typed as a class or property;
    these index lookups are many times faster than scanning the whole vocabulary graph.
    """
    patterns = [(IS_DEFINED_BY, VOCABULARY_GRAPH)]
    patterns += [(TYPE, kind) for kind in TERM_TYPES]
    found = {
        quad.subject
        for predicate, value in patterns
        for quad in source.quads_for_pattern(None, predicate, value, VOCABULARY_GRAPH)
        if isinstance(quad.subject, pyoxigraph.NamedNode) and ontology_anchor(quad.subject.value)
    }
    return sorted(found, key=str)


def read_vocabulary_document(source: QuadSource, iri: pyoxigraph.NamedNode) -> EntityDocument:
    """The document of the ontology, a code list or a concept (empty for anything else)."""
    if iri == VOCABULARY_GRAPH:
        members = ontology_terms(source)
    else:
        members = [
            quad.subject
            for quad in source.quads_for_pattern(None, IN_SCHEME, iri, VOCABULARY_GRAPH)
            if isinstance(quad.subject, pyoxigraph.NamedNode)
        ]
    found: dict[pyoxigraph.Quad, None] = {}
    pending = [iri, *members]
    seen = set(pending)
    while pending:
        for quad in source.quads_for_pattern(pending.pop(), None, None, VOCABULARY_GRAPH):
            found[quad] = None
            node = quad.object
            if is_skolem(node) and node not in seen:
                seen.add(node)
                pending.append(node)
    return EntityDocument.in_canonical_order(iri, found)
