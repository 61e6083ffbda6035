"""Which URL serves which published IRI, both ways: request paths to IRIs, and IRIs to links.

kgpub answers for two families of IRIs:

- **the data**, ``{base_iri}id/<rest>`` (entities, articles, claims, observations), at
  ``/id/<rest>``; their documents are at ``/doc/<rest>.<extension>``.
- **the vocabulary**, the same in every deployment: the ontology ``https://w3id.org/kgpub/ont``
  (whose terms are ``…/ont#Term``) at ``/ont``, and the code lists
  ``https://w3id.org/kgpub/vocab/<scheme>`` and ``…/vocab/<scheme>/<concept>`` at
  ``/vocab/<scheme>`` and ``/vocab/<scheme>/<concept>``. Their documents are the same path plus
  the extension (``/ont.ttl``, ``/vocab/stance/affirms.html``), so when w3id.org redirects
  ``https://w3id.org/kgpub/…`` to a deployment, both the IRIs and the documents resolve there.
  No concept or scheme key holds a dot (a test checks the code lists), so a path whose last
  segment has one names a document.

An :class:`Address` pairs one such IRI with the URL of its documents, without the extension;
:mod:`kgpub.web.linked_data` builds every answer from one. :func:`page_link` goes the other
way, so pages link the IRIs this server answers for to this server, whatever its prefix.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph
from flask import url_for

from kgpub.vocab import ONTOLOGY_IRI, VOCAB_BASE
from kgpub.web.state import web_state


@dataclass(frozen=True)
class Address:
    """A published IRI and where its documents are: ``{document_stem}.{extension}``."""

    iri: pyoxigraph.NamedNode
    document_stem: str

    def document_url(self, extension: str) -> str:
        """The URL of the document in the format ``extension`` names."""
        return f"{self.document_stem}.{extension}"


def published_iri(namespace: str, rest: str) -> pyoxigraph.NamedNode | None:
    """``namespace + rest`` as an IRI, or ``None`` when no IRI kgpub publishes can look so.

    >>> published_iri("https://kg.example.org/id/", "facility/x").value
    'https://kg.example.org/id/facility/x'
    >>> published_iri("https://kg.example.org/id/", "a/../b") is None
    True
    """
    if any(segment in (".", "..") for segment in rest.split("/")):
        return None  # never an IRI kgpub mints; refused so no path tricks reach a lookup
    try:
        return pyoxigraph.NamedNode(f"{namespace}{rest}")
    except ValueError:  # spaces, angle brackets…: not an IRI, so certainly not published
        return None


def data_namespace() -> str:
    """Where this deployment's resources live: ``{base_iri}id/``."""
    return f"{web_state().settings.base_iri}id/"


def ontology_address() -> Address:
    """The address of the ontology, ``https://w3id.org/kgpub/ont``."""
    return Address(pyoxigraph.NamedNode(ONTOLOGY_IRI), url_for("linked_data.ontology"))


def code_list_address(rest: str) -> Address | None:
    """The address of ``https://w3id.org/kgpub/vocab/<rest>``, or ``None`` if it cannot be one."""
    iri = published_iri(VOCAB_BASE, rest)
    if iri is None:
        return None
    return Address(iri, url_for("linked_data.vocabulary", rest=rest))


def page_link(iri: str | None) -> str | None:
    """Where a page links ``iri`` on this server, or ``None`` for IRIs published elsewhere.

    Data IRIs link to ``/id/…``, ontology terms to ``/ont#Term`` and code-list IRIs to
    ``/vocab/…``; each of those answers 303 to the page the browser asks for.
    """
    if iri is None:
        return None
    published = data_namespace()
    if iri.startswith(published):
        path, hash_sign, fragment = iri.removeprefix(published).partition("#")
        return url_for("linked_data.resource", rest=path) + hash_sign + fragment
    if iri == ONTOLOGY_IRI or iri.startswith(f"{ONTOLOGY_IRI}#"):
        return url_for("linked_data.ontology") + iri.removeprefix(ONTOLOGY_IRI)
    rest = iri.removeprefix(VOCAB_BASE)
    if iri.startswith(VOCAB_BASE) and rest and "#" not in rest:
        return url_for("linked_data.vocabulary", rest=rest)
    return None
