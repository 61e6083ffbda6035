"""Opening the store a collection publishes into: embedded Oxigraph, or a remote server.

The choice is configuration (``backend`` in ``kgpub.toml`` or ``KGPUB_BACKEND``); everything
above this module sees only the :class:`kgpub.backend.Store` interface.
"""

from __future__ import annotations

from pathlib import Path

from kgpub.backend import Store
from kgpub.config import Settings
from kgpub.embedded import EmbeddedStore


def open_store(settings: Settings, collection_root: Path) -> Store:
    """The configured store of the collection at ``collection_root``."""
    if settings.backend == "remote":
        # Imported here: the remote store's modules, with SPARQLWrapper's HTTP stack, are only
        # needed by those who use one (`kgpub build` on the embedded store is run after edits).
        from kgpub.remote import RemoteStore

        return RemoteStore.from_settings(settings)
    return EmbeddedStore(settings.store_path(collection_root))
