"""How the Linked Data pages show one value: linked on this server, an IRI, or plain words.

Every value a page shows — a property, a type, a claimant, a place — goes through
:func:`linked_term`, the templates' ``term``: a link where the page's ``link`` says the IRI is
served here, else the IRI as a tooltip, then the words that complete the value (a
participant's role). A page shows dozens to thousands of values, and a Jinja macro call costs
several times this function, so it is written here rather than in ``macros.html``; it escapes
exactly as autoescaping does. :func:`once_per_argument` lets a template make a block it shows
several times (a claim's source card) only once.

Where an IRI links depends only on the app's routes, its settings (the base IRI) and the root
it is served under, never on the data, while building the URL costs Flask more than the rest of
showing the value. :func:`page_links` therefore remembers the links it made, per app and root,
up to :data:`LINKS_KEPT` of them. Nothing here reads the store.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import cache
from typing import TypeVar

from flask import current_app, request
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from kgpub.web.addresses import page_link
from kgpub.web.fact_reader import Value

Shown = TypeVar("Shown", bound=Hashable)
Link = Callable[[str | None], str | None]
"""Where a page links an IRI on this server, or ``None`` to show it as text."""
LINKS_KEY = "kgpub.page_links"
LINKS_KEPT = 50_000
"""About 9 MB of links: every resource a collection of 10,000 articles links to, nearly."""


@pass_context
def linked_term(context: Context, value: Value) -> Markup:
    """``value`` as HTML, linked with the ``link`` of the page being rendered."""
    link: Link = context["link"]
    href = link(value.iri)
    if href:
        shown = f'<a href="{escape(href)}">{escape(value.label)}</a>'
    elif value.iri:
        shown = f'<span class="iri" title="{escape(value.iri)}">{escape(value.label)}</span>'
    else:
        shown = str(escape(value.label))
    if value.detail:
        shown += f' <span class="detail">— {escape(value.detail)}</span>'
    return Markup(shown)  # noqa: S704 - every part above is escaped


def page_links() -> Link:
    """:func:`kgpub.web.addresses.page_link` for the current request, remembering its answers.

    Call it in a request; the function it gives is for that request's pages only.
    """
    kept: dict[tuple[str, str | None], str | None] = current_app.extensions.setdefault(
        LINKS_KEY, {}
    )
    root = request.script_root

    def link(iri: str | None) -> str | None:
        key = (root, iri)
        try:
            return kept[key]
        except KeyError:  # not made yet (or forgotten meanwhile by another thread)
            made = page_link(iri)
            if len(kept) >= LINKS_KEPT:
                kept.clear()  # simpler than recency, and rare: links are few per collection
            kept[key] = made
            return made

    return link


def once_per_argument(block: Callable[[Shown], Markup]) -> Callable[[Shown], Markup]:
    """``block`` (a template macro), made once per argument: the templates' ``once_per_argument``.

    A page shows a claim's source with every fact and figure the claim gives; the macros
    module is made afresh for each page, so nothing outlives the page.
    """
    return cache(block)
