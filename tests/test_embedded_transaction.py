"""Staging a build: one at a time, thrown away whole on abort or bad data, or built on the last."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgpub.embedded import EmbeddedStore
from kgpub.embedded_layout import BUILDS_FOLDER
from kgpub.errors import StoreError

from .test_embedded import COUNT_QUADS, manifest, quad


def test_a_second_concurrent_build_is_refused_clearly(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    first = store.begin(replace_all=True)
    with pytest.raises(StoreError, match="another build is publishing"):
        store.begin(replace_all=True)
    first.abort()
    store.begin(replace_all=True).abort()  # the lock was released


def test_an_aborted_build_leaves_no_trace(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    transaction = store.begin(replace_all=True)
    transaction.add_nquads(quad(1))
    transaction.abort()
    assert store.manifest() is None
    assert list((tmp_path / "store" / BUILDS_FOLDER).iterdir()) == []


def test_malformed_data_fails_the_commit_and_publishes_nothing(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    transaction = store.begin(replace_all=True)
    transaction.add_nquads(quad(1) + b"<https://e/s> not a quad .\n")
    with pytest.raises(StoreError, match="cannot load the mapped data"):
        transaction.commit(manifest())
    assert store.manifest() is None
    store.begin(replace_all=True).abort()  # the lock was released


def test_an_incremental_build_starts_from_the_published_data(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    transaction = store.begin(replace_all=True)
    transaction.add_nquads(quad(1) + quad(2))
    (transaction.state_dir / "note").write_text("first", encoding="utf-8")
    transaction.commit(manifest(2))
    again = store.begin(replace_all=False)
    assert (again.state_dir / "note").read_text(encoding="utf-8") == "first"
    again.add_nquads(quad(3).replace(b"/g>", b"/h>"))
    again.drop_graphs(["https://e/g"])
    assert store.query(COUNT_QUADS)  # readers still see the published build
    assert next(iter(store.query(COUNT_QUADS)))["n"].value == "2"
    again.commit(manifest(1))
    assert next(iter(store.query(COUNT_QUADS)))["n"].value == "1"
    assert len(list((tmp_path / "store" / BUILDS_FOLDER).iterdir())) == 2  # and one previous
