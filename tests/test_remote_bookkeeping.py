"""The bookkeeping on a SPARQL server: queries without GRAPH must see it, or publishing fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.remote_server import running_oxigraph

from kgpub.errors import StoreError
from kgpub.remote import RemoteStore

from .test_remote import EX, publish, quads_in


def test_a_server_whose_default_graph_is_not_the_union_is_reported(tmp_path: Path) -> None:
    with running_oxigraph(tmp_path, union_default_graph=False) as plain:
        store = RemoteStore(plain.query_url, plain.update_url)
        with pytest.raises(StoreError, match="union-default-graph"):
            publish(store, quads_in(f"{EX}g", 1))
