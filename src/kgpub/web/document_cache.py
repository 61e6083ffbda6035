"""Finished Linked Data documents and pages, kept in memory so a repeat costs a lookup.

Reading an IRI's quads and writing them out (or rendering its page) takes from a fraction
of a millisecond to whole seconds for the page of a resource half the data points at, while
the answer only changes when a new build is published. So the finished representation — body,
``ETag`` and ``Last-Modified`` — is kept, keyed by:

- the **published build**: the target of the store's ``current`` link, read with one
  ``readlink`` per request; every build and every write switches it, so nothing stale is ever
  served and old entries simply age out;
- the app's **public root URL** (scheme, host and prefix): pages link to this server and
  JSON-LD names its context by absolute URL;
- the **IRI** and the **extension**, and for pages the reader's **languages**.

The cache is a least-recently-used map bounded by the bytes it holds
(:data:`DOCUMENT_CACHE_BYTES`); a representation larger than a tenth of that is never kept.
Answers that are not found are not kept: they cost one index lookup.

The same map also holds **recorded answers** (:class:`RecordedAnswer`): whole HTTP answers
the app gave, which :mod:`kgpub.web.document_replay` sends again without entering Flask. A
view answering from this cache marks the request (:data:`REPLAYABLE_BUILD`), promising that
its answer depends on nothing but the representation, the request's URL and the headers
:mod:`kgpub.web.document_replay` keys answers by.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, request

from kgpub.backend import Store
from kgpub.embedded import EmbeddedStore
from kgpub.embedded_layout import CURRENT_LINK

DOCUMENT_CACHE_BYTES = 32 * 2**20
"""Memory for kept representations: thousands of documents and pages at a few KB each."""
ENTRY_OVERHEAD_BYTES = 400
"""What an entry costs besides its body: key, tag, date and the map's own bookkeeping."""
EXTENSION_KEY = "kgpub.document_cache"
REPLAYABLE_BUILD = "kgpub.replayable_build"
"""The WSGI environment key marking a request answered from this cache; its value is the
build the representation was made from."""


@dataclass(frozen=True)
class Representation:
    """A finished document or page: its bytes and the validators sent with it."""

    body: bytes
    etag: str
    last_modified: datetime | None


@dataclass(frozen=True)
class RecordedAnswer:
    """A whole HTTP answer as the app gave it: status line, headers and body."""

    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class DocumentCache:
    """A thread-safe least-recently-used map of representations and answers, bounded by size.

    >>> cache = DocumentCache(max_bytes=20_000)
    >>> page = Representation(b"x" * 1500, "tag", None)
    >>> cache.remember("a", lambda: page) is page, cache.remember("a", lambda: None) is page
    (True, True)
    >>> for key in "bcdefghijk":  # ten more pages of 1,903 bytes: the first no longer fits
    ...     _ = cache.remember(key, lambda: page)
    >>> cache.find("a") is None, len(cache), cache.size_bytes
    (True, 10, 19030)
    """

    def __init__(self, *, max_bytes: int = DOCUMENT_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size_bytes = 0
        self._entries: OrderedDict[Hashable, Representation | RecordedAnswer] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def find(self, key: Hashable) -> Representation | None:
        """The representation kept under ``key``, now the most recently used, or ``None``."""
        found = self._find(key)
        return found if isinstance(found, Representation) else None

    def find_answer(self, key: Hashable) -> RecordedAnswer | None:
        """The answer recorded under ``key``, now the most recently used, or ``None``."""
        found = self._find(key)
        return found if isinstance(found, RecordedAnswer) else None

    def keep_answer(self, key: Hashable, answer: RecordedAnswer) -> None:
        """Record ``answer`` under ``key``, within the same bound as representations."""
        self._keep(key, answer)

    def _find(self, key: Hashable) -> Representation | RecordedAnswer | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def remember(
        self, key: Hashable, make: Callable[[], Representation | None]
    ) -> Representation | None:
        """The representation under ``key``, made (outside the lock) and kept if missing.

        ``make`` returns ``None`` when there is nothing to represent; that is not kept.
        Two threads missing the same key at once both make it, which is harmless.
        """
        found = self.find(key)
        if found is not None:
            return found
        made = make()
        if made is not None:
            self._keep(key, made)
        return made

    def clear(self) -> None:
        """Forget every representation and answer (for code that changes how they are made)."""
        with self._lock:
            self._entries.clear()
            self.size_bytes = 0

    def _keep(self, key: Hashable, representation: Representation | RecordedAnswer) -> None:
        size = _size(representation)
        if size > self.max_bytes // 10:
            return  # one huge page must not push out hundreds of ordinary documents
        with self._lock:
            replaced = self._entries.pop(key, None)
            if replaced is not None:
                self.size_bytes -= _size(replaced)
            self._entries[key] = representation
            self.size_bytes += size
            while self.size_bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.size_bytes -= _size(dropped)


def _size(entry: Representation | RecordedAnswer) -> int:
    if isinstance(entry, RecordedAnswer):
        head = sum(len(name) + len(value) for name, value in entry.headers)
        return len(entry.body) + head + ENTRY_OVERHEAD_BYTES
    return len(entry.body) + len(entry.etag) + ENTRY_OVERHEAD_BYTES


def build_identity(store: Store) -> str:
    """What names the published build, cheaply: the target of the store's ``current`` link.

    Stores without such a link (a remote store serves no documents) give ``""``.
    """
    if not isinstance(store, EmbeddedStore):
        return ""
    try:
        return os.readlink(os.path.join(store.store_dir, CURRENT_LINK))  # cheaper than Path /
    except OSError:
        return ""  # nothing published yet: the document lookup itself will say so


def register_document_cache(app: Flask) -> None:
    """Give ``app`` its own cache of representations."""
    app.extensions[EXTENSION_KEY] = DocumentCache()


def cached_representation(
    store: Store,
    iri: str,
    extension: str,
    make: Callable[[], Representation | None],
    *,
    variant: tuple[str, ...] = (),
) -> Representation | None:
    """The representation of ``iri`` in the format ``extension`` names, made once per build.

    :param variant: whatever else the body depends on, e.g. a page's reader languages.
    """
    cache: DocumentCache | None = current_app.extensions.get(EXTENSION_KEY)
    if cache is None:
        return make()
    build = build_identity(store)
    key = (build, _public_root(), iri, extension, variant)
    found = cache.remember(key, make)
    if found is not None:
        request.environ[REPLAYABLE_BUILD] = build
    return found


def _public_root() -> tuple[str, ...]:
    # What url_for builds links from, as the proxy handling left it; the raw values are
    # compared, which is cheaper than request.root_url and never merges two different roots.
    environ = request.environ
    names = ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME")
    return tuple(str(environ.get(name, "")) for name in names)
