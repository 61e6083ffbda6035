"""Values computed from the published build, kept until another build is published.

The home page's figures, the search index, the sitemap's paths and a remote server's
vocabulary graph each cost a scan of the data, while they only change with a publication. A
:class:`PerBuild` keeps one such value under :func:`build_key`, what names the published
build: the embedded store's build folder (every build and every write through the app has
its own), or a remote server's manifest together with the mark of a publication under way
(:meth:`kgpub.remote.RemoteStore.publication`). Nothing here imports Flask.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from kgpub.backend import Store
from kgpub.embedded import EmbeddedStore
from kgpub.remote import RemoteStore

Value = TypeVar("Value")


class PerBuild(Generic[Value]):
    """One value computed from the published build, kept until another build is published.

    Safe to share between threads: the value is computed once per build, under a lock, while
    lookups of a current value take no lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: tuple[object, Value] | None = None

    def get(self, build: object, compute: Callable[[], Value]) -> Value:
        """The value for ``build`` (a :func:`build_key`), computed now if it is not kept."""
        current = self._current
        if current is not None and current[0] == build:
            return current[1]
        with self._lock:
            current = self._current
            if current is None or current[0] != build:
                current = (build, compute())
                self._current = current
            return current[1]


def build_key(store: Store) -> object:
    """What identifies the published build: its folder, or a remote server's publication.

    ``None`` when nothing is published.

    Read it *before* reading the data, so a build published in between can only cause one
    needless recomputation, never a stale value kept under the new build's key.
    """
    if isinstance(store, EmbeddedStore):
        return store.current_build()  # every publication, writes included, has its own folder
    if isinstance(store, RemoteStore):
        publication = store.publication()  # which changes too while one is under way
        return publication if publication.manifest is not None else None
    return store.manifest()
