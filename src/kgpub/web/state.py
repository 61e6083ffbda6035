"""What one web app holds while it runs, kept in one object in ``app.extensions["kgpub"]``.

Nothing is read from the environment or from files inside request handlers: the app factory
builds this once, and handlers reach it with :func:`web_state`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from flask import current_app

from kgpub.backend import Store
from kgpub.config import Settings
from kgpub.web.canned_queries import CannedQuery
from kgpub.web.query_pool import QueryPool

EXTENSION_KEY = "kgpub"


@dataclass
class WebState:
    """The settings, store, query workers and canned queries of one app."""

    settings: Settings
    collection_root: Path
    store: Store
    """Used in the server process for writes and the Service Description; queries run in
    :attr:`pool`, whose workers open the same store themselves."""
    pool: QueryPool
    canned_queries: dict[str, CannedQuery]
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    """Writes through this app go one at a time (the store allows one publisher)."""

    def close(self) -> None:
        """Stop the query workers and release the store."""
        self.pool.close()
        self.store.close()


def web_state() -> WebState:
    """The state of the app handling the current request."""
    return cast(WebState, current_app.extensions[EXTENSION_KEY])
