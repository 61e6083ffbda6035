"""Labels every page of one build shows again, looked up once for all of them.

Pages label every IRI they show: properties and classes, code-list concepts (stances,
certainties, roles), publishers, claimants, places. A label costs three index lookups
(:data:`kgpub.web.fact_reader.LABEL_PROPERTIES`) and the same IRIs come back page after page
(a crawl of 6,000 pages spends a quarter less time with them kept), so the label chosen for a
reader's languages is kept in a :class:`BuildLabels`, one per published build: the caller
keeps it under :func:`kgpub.web.per_build.build_key`, so a new build starts afresh and no
stale label is ever shown. It holds at most :data:`LABELS_KEPT` labels, then starts over.
Nothing here imports Flask.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph

LABELS_KEPT = 50_000
"""About 10 MB: the labels a collection of 10,000 articles shows, nearly all, in a language."""


class BuildLabels:
    """The labels of one build's IRIs, by reader languages; safe to share between threads.

    >>> labels = BuildLabels()
    >>> prison = pyoxigraph.NamedNode("https://kg.example.org/id/facility/p")
    >>> labels.label(prison, ("en",), lambda: "Prison")
    'Prison'
    >>> labels.label(prison, ("en",), lambda: "never read again")
    'Prison'
    """

    def __init__(self, *, limit: int = LABELS_KEPT) -> None:
        self.limit = limit
        self._labels: dict[tuple[pyoxigraph.NamedNode, tuple[str, ...]], str] = {}

    def label(
        self, iri: pyoxigraph.NamedNode, languages: tuple[str, ...], read: Callable[[], str]
    ) -> str:
        """The label of ``iri`` for ``languages``, from ``read`` the first time it is asked."""
        key = (iri, languages)
        found = self._labels.get(key)
        if found is None:
            found = read()
            if len(self._labels) >= self.limit:
                self._labels = {}  # simpler than recency, and rare: a build has few labels
            self._labels[key] = found
        return found
