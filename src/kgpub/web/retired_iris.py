"""IRIs that describe nothing any more: merged into another entity (301), or removed (410).

Looked up only when an ``/id/`` or ``/doc/`` address finds no statement, so found documents
pay nothing for it:

- a merged entry's IRI is the object of ``<survivor> dcterms:replaces <iri>`` in the entity
  graph (see :mod:`kgpub.merges`), found by one pattern lookup in the store (on a remote
  server, fetched with the lookup that found nothing, :mod:`kgpub.web.neighbourhoods`);
- a removed IRI is in the published build's state (:mod:`kgpub.removals`), opened read-only
  (a remote server's is downloaded when it changes, :meth:`kgpub.remote.RemoteStore.state_dir`).

No Flask here: :mod:`kgpub.web.linked_data` turns these answers into responses.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote_plus

import pyoxigraph

from kgpub.buildstate import STATE_FILE, BuildState
from kgpub.errors import StoreError
from kgpub.removals import Removal
from kgpub.vocab import DCTERMS_REPLACES
from kgpub.web.entity_documents import QuadSource

REPLACES = pyoxigraph.NamedNode(str(DCTERMS_REPLACES))


def find_survivor(source: QuadSource, iri: pyoxigraph.NamedNode, *, base_iri: str) -> str | None:
    """The ``id/…`` path of the entity a merged IRI was merged into, or ``None``.

    Only survivors under ``base_iri`` count: the redirect stays on this server.
    """
    prefix = f"{base_iri}id/"
    survivors = sorted(
        quad.subject.value
        for quad in source.quads_for_pattern(None, REPLACES, iri, None)
        if isinstance(quad.subject, pyoxigraph.NamedNode) and quad.subject.value.startswith(prefix)
    )
    return survivors[0].removeprefix(prefix) if survivors else None


def find_removal(state_dir: Path | None, iri: str, *, base_iri: str) -> Removal | None:
    """What the published build's state records about a removed IRI, or ``None``.

    A store without a readable state (nothing published yet, or a build being switched in
    just now) has nothing to tell, and the IRI is then simply not found.
    """
    if state_dir is None or not (state_dir / STATE_FILE).is_file():
        return None
    try:
        state = BuildState(state_dir, read_only=True)
    except StoreError:
        return None
    try:
        return state.removals.find(iri, base_iri=base_iri)
    finally:
        state.close()


def gone_message(removal: Removal) -> str:
    """What a 410 answer says: what the IRI was, when it went, and where to look instead."""
    when = removal.removed_at.replace("T", " ").replace("Z", " UTC")
    if removal.article is not None:
        what = (
            f"{removal.iri} belonged to the article {removal.article!r} (fact file "
            f"{removal.source_file}), which was removed from the collection on {when}, with "
            "its claims, observations and the entities only it declared."
        )
    else:
        named = f" ({removal.label})" if removal.label else ""
        what = f"{removal.iri}{named} was removed from the entity graph on {when}."
    search = f"/search?q={quote_plus(removal.label)}" if removal.label else "/search"
    return (
        f"{what}\nIt is gone unless the editors publish it again.\n"
        f"To find what is published now, search by name at {search}, start from the home "
        "page /, browse /queries/ or query /sparql."
    )
