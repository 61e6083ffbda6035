"""Opening the store a collection publishes into: embedded Oxigraph, or a remote server.

The choice is configuration (``backend`` in ``kgpub.toml`` or ``KGPUB_BACKEND``); everything
above this module sees only the :class:`kgpub.backend.Store` interface.
"""

from __future__ import annotations

from pathlib import Path

from kgpub.backend import Store
from kgpub.config import Settings
from kgpub.embedded import EmbeddedStore
from kgpub.remote import RemoteStore


def open_store(settings: Settings, collection_root: Path) -> Store:
    """The configured store of the collection at ``collection_root``."""
    if settings.backend == "remote":
        return RemoteStore.from_settings(settings)
    return EmbeddedStore(settings.store_path(collection_root))
