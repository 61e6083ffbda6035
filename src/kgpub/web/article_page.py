"""The HTML pages of articles and claims: what an article contributed, and one claim in full.

Served at ``/doc/article/<key>.html`` and ``/doc/claim/<article>/<digest>.html`` (see
:mod:`kgpub.web.linked_data`, which picks these pages by the resource's ``rdf:type``), read
through :mod:`kgpub.web.article_facts`. An article's page shows its metadata, then each claim
(claimant, stance, status, evidence, what its graph asserts, its figures in words and its
links to other claims, in both directions), the figures grouped as on the entity page, and
the entities it mentions with the words it uses for them. A claim's page shows one claim the
same way, with the same template block.

Labels follow the reader's language (:func:`kgpub.web.entity_page.reader_languages`), every
value is autoescaped, links stay on this server (:func:`kgpub.web.addresses.page_link`) except
the article's own http(s) URL, and the pages need no JavaScript.
"""

from __future__ import annotations

import pyoxigraph
from flask import render_template

from kgpub.web.article_facts import read_article_facts, read_claim
from kgpub.web.entity_page import describe_count, group_counts, reader_languages
from kgpub.web.fact_reader import CLAIM, FactReader
from kgpub.web.page_quads import PageQuads
from kgpub.web.page_values import page_links
from kgpub.web.query_page import asset_url

WEB_SCHEMES = ("https://", "http://")
"""The only URLs an article page links to off this server."""


def is_web_url(url: str) -> bool:
    """Whether ``url`` is safe to link to from a page: http or https, nothing else.

    >>> is_web_url("https://www.lemonde.fr/x"), is_web_url("javascript:alert(1)")
    (True, False)
    """
    return url.lower().startswith(WEB_SCHEMES)


def render_article_page(
    database: pyoxigraph.Store | PageQuads,
    iri: pyoxigraph.NamedNode,
    *,
    alternates: dict[str, str],
) -> str:
    """The page of the article ``iri``, in the reader's language.

    :param database: the published store, read with bound terms only.
    :param alternates: the other representations, extension → URL, linked at the top.
    """
    languages = reader_languages()
    facts = read_article_facts(database, iri, languages=languages)
    return render_template(
        "article.html",
        facts=facts,
        count_groups=group_counts(facts.counts),
        describe_count=describe_count,
        is_web_url=is_web_url,
        link=page_links(),
        language=languages[0],
        alternates=alternates,
        asset_url=asset_url,
    )


def render_claim_page(
    database: pyoxigraph.Store | PageQuads,
    iri: pyoxigraph.NamedNode,
    *,
    alternates: dict[str, str],
) -> str:
    """The page of the claim ``iri``, in the reader's language.

    :param database: the published store, read with bound terms only.
    :param alternates: the other representations, extension → URL, linked at the top.
    """
    languages = reader_languages()
    reader = FactReader(database, languages)
    claim = read_claim(reader, iri)
    return render_template(
        "claim.html",
        claim=claim,
        claim_type=reader.value(CLAIM),
        count_groups=group_counts(claim.counts),
        describe_count=describe_count,
        link=page_links(),
        language=languages[0],
        alternates=alternates,
        asset_url=asset_url,
    )
