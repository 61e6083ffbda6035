"""The HTML pages of the ontology, its code lists and their concepts.

Served at ``/ont.html``, ``/vocab/<scheme>.html`` and ``/vocab/<scheme>/<concept>.html`` (see
:mod:`kgpub.web.linked_data`), read through :mod:`kgpub.web.ontology_terms` and
:mod:`kgpub.web.concept_facts`:

- the ontology page gives each class and property an anchor named after it (``id="Article"``),
  so ``…/ont#Article``, dereferenced through ``/ont``, lands on its entry;
- a code list's page lists its concepts; a concept's page shows its labels, definition,
  notation, scheme, mappings and how often the data uses it.

Labels and definitions follow the reader's language (``?lang=``, then ``Accept-Language``,
then English). Terms link within the ontology page, concepts and code lists to their own
pages, data IRIs to ``/id/``; other IRIs are shown as text. Every value is autoescaped.
"""

from __future__ import annotations

import pyoxigraph
from flask import render_template

from kgpub.web.addresses import page_link
from kgpub.web.concept_facts import read_concept
from kgpub.web.entity_page import reader_languages, render_entity_page
from kgpub.web.ontology_terms import read_ontology, vocabulary_kind
from kgpub.web.query_page import asset_url
from kgpub.web.vocabulary_documents import ontology_anchor


def render_vocabulary_page(
    database: pyoxigraph.Store, iri: pyoxigraph.NamedNode, *, alternates: dict[str, str]
) -> str:
    """The page of the ontology, a code list or a concept (the entity page for anything else).

    :param database: the published store; only the vocabulary graph is read.
    :param alternates: the other representations, extension → URL, linked at the top.
    """
    kind = vocabulary_kind(database, iri)
    languages = reader_languages()
    common = {"language": languages[0], "alternates": alternates, "asset_url": asset_url}
    if kind == "ontology":
        return render_template(
            "ontology.html",
            ontology=read_ontology(database, languages=languages),
            link=_link_within_ontology,
            **common,
        )
    if kind in ("scheme", "concept"):
        facts = read_concept(database, iri, languages=languages, is_scheme=kind == "scheme")
        return render_template("concept.html", facts=facts, link=page_link, **common)
    return render_entity_page(database, iri, alternates=alternates)


def _link_within_ontology(iri: str | None) -> str | None:
    """Links on the ontology page: its own terms are anchors on the same page."""
    anchor = ontology_anchor(iri) if iri else None
    return f"#{anchor}" if anchor else page_link(iri)
